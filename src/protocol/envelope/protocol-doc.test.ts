import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ED25519_A_PRIVATE,
  ED25519_A_PUBLIC,
  TEST_EPOCH_MS,
} from '../../../sandbox/sdk/__fixtures__/test-keys.ts';
import { FIELD_PATTERNS } from '../../../sandbox/sdk/canonical.ts';
import { TIMESTAMP_WINDOW_MS } from '../../../sandbox/sdk/envelope-checks.ts';
import { ENVELOPE_HEADERS } from '../../../sandbox/sdk/headers.ts';
import { PROTOCOL_ERRORS } from '../../../sandbox/sdk/index.ts';
import {
  InMemoryNonceStore,
  type NonceStore,
  NonceStoreFullError,
} from '../../../sandbox/sdk/nonce-store.ts';
import { signRequest } from '../../../sandbox/sdk/sign.ts';
import { staticKeyLookup, verifyRequest } from '../../../sandbox/sdk/verify-request.ts';
import { parseConfig } from '../../config.ts';
import { UNAVAILABLE_RETRY_AFTER_S } from '../../http/error-handler.ts';
import { CALLBACK_BODY_LIMIT_BYTES } from '../../http/routes/open.ts';
import { ERROR_CODES, type ErrorCode } from '../../shared/errors.ts';
import { isRetryableStatus } from '../backoff.ts';
import { ENVELOPE_ERRORS } from './errors.ts';
import { ENVELOPE_ERROR_CODES } from './index.ts';

/**
 * docs/protocol.md against the code: the header rules, the timestamp window and the limits table
 * carry the values the verifier uses, and the refusal tables give every code of the SDK's
 * PROTOCOL_ERRORS and of the platform's envelope errors its status and a retry yes/no that agrees
 * with what the platform's outbox retries.
 */
const doc = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');

/** The cells of each row of the table that follows `<!-- protocol:NAME -->` (header row excluded). */
function table(name: string): string[][] {
  const match = new RegExp(`<!-- protocol:${name} -->\\n((?:\\|.*\\|\\n)+)`).exec(doc);
  if (match === null) throw new Error(`docs/protocol.md has no protocol:${name} table`);
  return match[1]!
    .trim()
    .split('\n')
    .slice(2)
    .map((line) =>
      line
        .replaceAll('\\|', '\u0000')
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim().replaceAll('\u0000', '|')),
    );
}

/** The table's row whose first cell is `first`, or a failure naming it. */
function row(rows: string[][], first: string): string[] {
  const found = rows.find((cells) => cells[0] === first);
  if (!found) throw new Error(`no row ${first} in ${JSON.stringify(rows.map((cells) => cells[0]))}`);
  return found;
}

function codeSpans(cell: string): string[] {
  return [...cell.matchAll(/`([^`]*)`/g)].map((match) => match[1]!);
}

/** A field pattern as the doc writes it: without the anchors. */
function unanchored(pattern: RegExp): string {
  return pattern.source.replace(/^\^/, '').replace(/\$$/, '');
}

/** A number with its thousands set apart by spaces, as the doc writes them in prose: 300 000. */
function spaced(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** The yes/no a retry cell starts with. */
function retryOf(cell: string): boolean {
  const word = /^(yes|no)\b/.exec(cell)?.[1];
  if (word === undefined) throw new Error(`a retry cell says neither yes nor no: ${cell}`);
  return word === 'yes';
}

/**
 * An empty loan-status callback signed by the demo lender's test key at `signedAt`, and the
 * verifier's verdict on it at `verifiedAt` with `nonces`.
 */
async function signedThenVerified(signedAt: number, verifiedAt: number, nonces: NonceStore) {
  const signed = signRequest({
    method: 'POST',
    path: '/open/v1/callbacks/loan-status',
    partnerId: 'lender-demo',
    key: ED25519_A_PRIVATE,
    nowMs: signedAt,
    body: {},
  });
  const result = await verifyRequest({
    method: 'POST',
    path: '/open/v1/callbacks/loan-status',
    headers: signed.headers,
    body: signed.body,
    keys: staticKeyLookup({ 'lender-demo': [ED25519_A_PUBLIC] }),
    nonces,
    nowMs: verifiedAt,
  });
  return { signed, result };
}

const HEADER_FIELDS = {
  partnerId: ENVELOPE_HEADERS.partnerId,
  requestId: ENVELOPE_HEADERS.requestId,
  timestamp: ENVELOPE_HEADERS.timestamp,
  nonce: ENVELOPE_HEADERS.nonce,
  keyId: ENVELOPE_HEADERS.keyId,
  contentSha256: ENVELOPE_HEADERS.contentSha256,
  signature: ENVELOPE_HEADERS.signature,
} as const;

describe('docs/protocol.md: headers, timestamp and limits', () => {
  const limits = table('limits');

  it('writes each header pattern the verifier matches, in the headers table and the limits table', () => {
    for (const [field, header] of Object.entries(HEADER_FIELDS)) {
      const pattern = unanchored(FIELD_PATTERNS[field as keyof typeof HEADER_FIELDS]);
      const headerRow = doc.split('\n').find((line) => line.startsWith(`| \`${header}\` |`));
      expect(headerRow, `the headers table has ${header}`).toBeDefined();
      expect(codeSpans(headerRow!.replaceAll('\\|', '|')), header).toContain(pattern);
      expect(codeSpans(row(limits, `\`${header}\``)[1]!), header).toContain(pattern);
    }
    expect(codeSpans(row(limits, 'method')[1]!)).toContain(unanchored(FIELD_PATTERNS.method));
  });

  it('states the path limit the verifier applies', () => {
    const [max] = codeSpans(row(limits, 'path (request target)')[1]!).map(Number);
    expect(FIELD_PATTERNS.path.test(`/${'a'.repeat(max! - 1)}`)).toBe(true);
    expect(FIELD_PATTERNS.path.test(`/${'a'.repeat(max!)}`)).toBe(false);
    for (const bad of ['/a b', '/a#b', 'a', '/ä']) expect(FIELD_PATTERNS.path.test(bad), bad).toBe(false);
  });

  it('states the timestamp window, and says seconds (milliseconds are malformed)', () => {
    expect(codeSpans(row(limits, 'timestamp window')[1]!)).toEqual([String(TIMESTAMP_WINDOW_MS)]);
    expect(doc).toContain(`|now − TIMESTAMP × 1000| ≤ ${spaced(TIMESTAMP_WINDOW_MS)}`);
    expect(FIELD_PATTERNS.timestamp.test(String(TEST_EPOCH_MS / 1000))).toBe(true);
    expect(FIELD_PATTERNS.timestamp.test(String(TEST_EPOCH_MS))).toBe(false);
    expect(FIELD_PATTERNS.timestamp.test('2026-01-01T00:00:00Z')).toBe(false);
  });

  it('states the window at both ends, inclusive, as the verifier checks it', async () => {
    // An hour into the test keys' validity, so that a verifier clock 5 minutes early still finds the key.
    const SIGNED_AT = TEST_EPOCH_MS + 3_600_000;
    const verdict = async (skewMs: number) => {
      const { result } = await signedThenVerified(SIGNED_AT, SIGNED_AT + skewMs, new InMemoryNonceStore());
      return result.ok ? 'ok' : result.code;
    };
    expect(await verdict(TIMESTAMP_WINDOW_MS)).toBe('ok');
    expect(await verdict(-TIMESTAMP_WINDOW_MS)).toBe('ok');
    expect(await verdict(TIMESTAMP_WINDOW_MS + 1)).toBe('TIMESTAMP_OUT_OF_WINDOW');
    expect(await verdict(-TIMESTAMP_WINDOW_MS - 1)).toBe('TIMESTAMP_OUT_OF_WINDOW');
  });

  it('states how long a nonce is held, as the verifier claims it', async () => {
    expect(codeSpans(row(limits, 'nonce retention')[1]!)).toEqual([
      `TIMESTAMP × 1000 + ${TIMESTAMP_WINDOW_MS}`,
    ]);
    const claims: number[] = [];
    const nonces: NonceStore = {
      claim: async (_partner, _nonce, expiresAt) => {
        claims.push(expiresAt);
        return true;
      },
    };
    const { signed, result } = await signedThenVerified(TEST_EPOCH_MS + 999, TEST_EPOCH_MS, nonces);
    expect(result.ok).toBe(true);
    const timestamp = Number(signed.headers[ENVELOPE_HEADERS.timestamp]);
    expect(timestamp * 1000).toBe(TEST_EPOCH_MS); // whole seconds, truncated
    expect(claims).toEqual([timestamp * 1000 + TIMESTAMP_WINDOW_MS]);
  });

  it("states the in-memory nonce store's default size", async () => {
    const stated = Number(/most `(\d+)` live ones by default/.exec(doc)?.[1]);
    const store = new InMemoryNonceStore({ now: () => 0 });
    for (let i = 0; i < stated; i += 1) await store.claim('p', `n${i}`, 1);
    await expect(store.claim('p', 'one-more', 1)).rejects.toThrow(NonceStoreFullError);
  });

  it('states the callback body limit the open routes apply', () => {
    expect(codeSpans(row(limits, 'callback body (lender → platform)')[1]!)).toEqual([
      String(CALLBACK_BODY_LIMIT_BYTES),
    ]);
    expect(row(limits, 'callback body (lender → platform)')[2]).toBe(
      `\`${ERROR_CODES.PAYLOAD_TOO_LARGE.status} PAYLOAD_TOO_LARGE\``,
    );
    expect(doc).toContain(`**${spaced(CALLBACK_BODY_LIMIT_BYTES)} bytes**`);
  });

  it('names, for each limit, the code and status a message beyond it gets', () => {
    for (const [what, , beyond] of limits) {
      const [status, code] = codeSpans(beyond!)[0]!.split(' ') as [string, ErrorCode];
      expect(ERROR_CODES[code]?.status, `${what}: ${code}`).toBe(Number(status));
    }
  });
});

describe('docs/protocol.md: refusal codes, each with retry yes or no', () => {
  /** Code → [status, retry] of every row naming one code. */
  function refusals(name: string): Map<string, { status: number; retry: boolean }> {
    const rows = new Map<string, { status: number; retry: boolean }>();
    for (const cells of table(`refusals ${name}`)) {
      const code = /^`([A-Z_]+)`$/.exec(cells[0]!)?.[1];
      if (code === undefined) continue;
      const retryCell = cells[name === 'envelope' ? 3 : cells.length - 1]!;
      rows.set(code, { status: Number(cells[1]), retry: retryOf(retryCell) });
    }
    return rows;
  }

  it('lists every envelope code with its status, and retry as the outbox decides it', () => {
    const envelope = refusals('envelope');
    expect([...envelope.keys()].sort()).toEqual([...ENVELOPE_ERROR_CODES].sort());
    for (const [code, { status, retry }] of envelope) {
      expect(status, code).toBe(ENVELOPE_ERRORS[code as keyof typeof ENVELOPE_ERRORS].status);
      expect(status, code).toBe(PROTOCOL_ERRORS[code as keyof typeof PROTOCOL_ERRORS]);
      expect(retry, code).toBe(isRetryableStatus(status));
    }
  });

  it("lists every other code of the SDK's PROTOCOL_ERRORS among a lender's answers", () => {
    const calls = refusals('calls');
    const business = Object.keys(PROTOCOL_ERRORS).filter(
      (code) => !(ENVELOPE_ERROR_CODES as readonly string[]).includes(code),
    );
    expect([...calls.keys()].sort()).toEqual(business.sort());
    for (const [code, { status, retry }] of calls) {
      expect(status, code).toBe(PROTOCOL_ERRORS[code as keyof typeof PROTOCOL_ERRORS]);
      expect(retry, code).toBe(isRetryableStatus(status));
    }
  });

  it("lists the platform's refusals of callbacks with the statuses it answers", () => {
    const callbacks = refusals('callbacks');
    expect(table('refusals callbacks')[0]![0]).toBe('the envelope codes');
    for (const code of Object.keys(PROTOCOL_ERRORS)) {
      if ((ENVELOPE_ERROR_CODES as readonly string[]).includes(code)) continue;
      expect(callbacks.has(code), `${code} in the callback refusals`).toBe(true);
    }
    for (const [code, { status, retry }] of callbacks) {
      expect(status, code).toBe(ERROR_CODES[code as ErrorCode].status);
      expect(retry, code).toBe(isRetryableStatus(status));
    }
  });

  it('states the defaults it names', () => {
    const config = parseConfig({});
    const when = (code: string) => row(table('refusals callbacks'), `\`${code}\``);
    expect(when('RATE_LIMITED')[2]).toContain(
      `\`RATE_LIMIT_OPEN_PER_PARTNER\` (${config.rateLimits.openPerPartner})`,
    );
    expect(when('REQUEST_TIMEOUT')[2]).toContain(`${config.requestTimeoutMs / 1000} s by default`);
    expect(when('UNAVAILABLE')[3]).toContain(`(${UNAVAILABLE_RETRY_AFTER_S} s)`);
  });
});
