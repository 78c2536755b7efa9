/**
 * The lender side of private pre-checks: the partner's pre-check keys (secrets the platform's
 * operator handed over at admission and at each rotation, docs/sandbox.md) and the lender's
 * existing customers, recognised by the keyed hashes a pre-check carries.
 *
 * A pre-check says which key its hashes were computed under (`hashKeyId`). The lender computes
 * HMAC-SHA256 of each customer's phone and id number under each of its keys once, and looks the
 * message's hashes up. A key id it does not hold, or one past its retirement time, cannot be
 * checked against its book: the pre-check is declined as `unknown_hash_key` (docs/protocol.md),
 * never accepted blind — the borrower could be a customer already.
 */
import { createHmac } from 'node:crypto';
import type { PreCheckRequest } from '../sdk/index.ts';

export interface PreCheckKeyConfig {
  readonly keyId: string;
  /** The 32 bytes of the HMAC key (given base64 in the configuration). */
  readonly secret: Buffer;
  /** Milliseconds since the epoch after which the key is refused; null while it is current. */
  readonly retiresAt: number | null;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const PHONE = /^1[0-9]{10}$/;
const ID_NUMBER = /^[0-9]{17}[0-9X]$/;

/**
 * Parses `preCheckKeys` of a lender's configuration. A problem names the entry and the rule, never
 * a secret (problems are printed).
 */
export function parsePreCheckKeys(value: unknown, path: string, problems: string[]): PreCheckKeyConfig[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push(`${path}: must be an array of { keyId, secret, retiresAt? }`);
    return [];
  }
  const keys: PreCheckKeyConfig[] = [];
  value.forEach((entry: unknown, i) => {
    const at = `${path}[${i}]`;
    const o = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const keyId = o.keyId;
    const secret = typeof o.secret === 'string' ? Buffer.from(o.secret, 'base64') : undefined;
    const retires =
      o.retiresAt === undefined || o.retiresAt === null ? null : Date.parse(String(o.retiresAt));
    if (typeof keyId !== 'string' || !KEY_ID.test(keyId))
      problems.push(`${at}.keyId: must match [A-Za-z0-9._-]{1,64}`);
    if (secret === undefined || secret.length !== 32)
      problems.push(`${at}.secret: must be base64 of 32 bytes (as the platform's operator handed it over)`);
    if (retires !== null && Number.isNaN(retires))
      problems.push(`${at}.retiresAt: must be an ISO 8601 date-time`);
    if (typeof keyId === 'string' && secret?.length === 32 && (retires === null || !Number.isNaN(retires)))
      keys.push({ keyId, secret, retiresAt: retires });
  });
  if (new Set(keys.map((k) => k.keyId)).size !== keys.length) problems.push(`${path}: a keyId appears twice`);
  return keys;
}

/** Problems of `existingCustomers`: each a phone (11 digits) or an id number (18 characters). */
export function customerProblems(customers: readonly string[], path: string): string[] {
  return customers.some((c) => !PHONE.test(c) && !ID_NUMBER.test(c.toUpperCase()))
    ? [`${path}: each must be a phone (11 digits) or an id number (18 characters)`]
    : [];
}

function hmacHex(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value, 'utf8').digest('hex');
}

export interface Recognition {
  /** Whether the message's `hashKeyId` is a key of this lender valid now. */
  readonly keyKnown: boolean;
  /** Whether its phone or id number hash is that of an existing customer. */
  readonly existingCustomer: boolean;
}

/** The lender's customers as hashes under each of its pre-check keys. */
export class CustomerIndex {
  readonly #keys: ReadonlyMap<string, { readonly retiresAt: number | null; readonly hashes: Set<string> }>;

  constructor(customers: readonly string[], keys: readonly PreCheckKeyConfig[]) {
    this.#keys = new Map(
      keys.map((key) => [
        key.keyId,
        {
          retiresAt: key.retiresAt,
          // Phones and id numbers never collide as strings, so one set holds the hashes of both.
          hashes: new Set(customers.map((c) => hmacHex(key.secret, PHONE.test(c) ? c : c.toUpperCase()))),
        },
      ]),
    );
  }

  recognise(
    request: Pick<PreCheckRequest, 'hashKeyId' | 'phoneHmac' | 'idNumberHmac'>,
    nowMs: number,
  ): Recognition {
    const key = this.#keys.get(request.hashKeyId);
    if (key === undefined || (key.retiresAt !== null && key.retiresAt <= nowMs))
      return { keyKnown: false, existingCustomer: false };
    return {
      keyKnown: true,
      existingCustomer: key.hashes.has(request.phoneHmac) || key.hashes.has(request.idNumberHmac),
    };
  }
}
