/**
 * Envelope throughput: a typical ~1 KB apply body with encrypted PII, signed and encrypted by the
 * sender, then verified and decrypted by the recipient — one full envelope per operation — for
 * Ed25519 and RSA-2048 signatures, against plain JSON.stringify + JSON.parse of the same body
 * measured in the same run. PII is wrapped for an RSA-2048 encryption key in both cases. The 国密
 * case is the SM suite throughout: SM2-SM3 signature, SM3 digest, PII in SM2 + SM4-GCM (the
 * sm-crypto-v2 provider, pure JavaScript).
 *
 * Run: `npm run bench -- envelope` or `npx node bench/envelope.bench.ts`.
 */
import {
  ED25519_A_PRIVATE,
  ED25519_A_PUBLIC,
  RSA_ENC_PRIVATE,
  RSA_ENC_PUBLIC,
  RSA_SIGN_PRIVATE,
  RSA_SIGN_PUBLIC,
  SM2_ENC_PRIVATE,
  SM2_ENC_PUBLIC,
  SM2_SIGN_PRIVATE,
  SM2_SIGN_PUBLIC,
} from '../sandbox/sdk/__fixtures__/test-keys.ts';
import {
  decryptPii,
  encryptPii,
  InMemoryNonceStore,
  type PrivateEncryptionKey,
  type PrivateSigningKey,
  type PublicEncryptionKey,
  signRequest,
  staticKeyLookup,
  verifyRequest,
} from '../sandbox/sdk/index.ts';
import { installSm } from '../sandbox/sdk/sm.ts';
import { type Measurement, measure, report } from './harness.ts';

installSm();

/** The recipient's encryption pair: RSA-2048 by default, SM2 for the 国密 case. */
interface Recipient {
  readonly publicKey: PublicEncryptionKey;
  readonly privateKey: PrivateEncryptionKey;
}
const RSA_RECIPIENT: Recipient = { publicKey: RSA_ENC_PUBLIC, privateKey: RSA_ENC_PRIVATE };
const SM_RECIPIENT: Recipient = { publicKey: SM2_ENC_PUBLIC, privateKey: SM2_ENC_PRIVATE };

const PARTNER = 'lender-demo';
/** Shorter rounds for the per-part breakdown. */
const QUICK = { rounds: 3, minMs: 150, warmupMs: 100 };
const PATH = '/v1/lender/apply';
const PII = {
  name: '张三',
  idNumber: '110101199003071234',
  phone: '13800138000',
  bankCard: '6222020200112233445',
  address: '北京市东城区示例路 88 号 3 单元 502 室',
  employer: '示例科技有限公司',
  contacts: [
    { name: '李四', phone: '13900139000', relation: 'spouse' },
    { name: '王五', phone: '13700137000', relation: 'colleague' },
  ],
};

/** The apply body around the PII: ids, amount, term, consent evidence, channel. */
function applyBody(requestId: string, pii: unknown) {
  return {
    applicationId: `app_${requestId}`,
    productId: 'prod_demo_standard_12m',
    amountFen: 5_000_000,
    termMonths: 12,
    repaymentMethod: 'equal_installment',
    channel: { code: 'demo-mall', placement: 'home-banner', userRef: 'u_8f3a2c19d04b' },
    profile: {
      ageBand: '30-34',
      region: '110000',
      incomeBand: '10k-20k',
      occupation: 'office',
      education: 'bachelor',
    },
    device: {
      os: 'android',
      osVersion: '14',
      model: 'demo-phone-x',
      ip: '203.0.113.24',
      sessionId: 's_71c0e9a4b2',
    },
    purpose: 'consumption',
    consent: {
      version: 'lender-demo-data-sharing-v3',
      sha256: 'kZqF3n7QOc1cYJX1l9Qd0V2Hq4W8p3r5s6t7u8v9w0A=',
      givenAt: '2026-01-01T08:00:00.000Z',
    },
    pii,
  };
}

/** Sender: encrypt the PII for the recipient, sign. Recipient: verify, parse, decrypt. */
async function roundTrip(
  key: PrivateSigningKey,
  verifyKeys: ReturnType<typeof staticKeyLookup>,
  nonces: InMemoryNonceStore,
  i: number,
  recipient: Recipient = RSA_RECIPIENT,
): Promise<unknown> {
  const requestId = `req-${i}`;
  const context = { partnerId: PARTNER, requestId };
  const signed = signRequest({
    method: 'POST',
    path: PATH,
    body: applyBody(requestId, encryptPii(PII, recipient.publicKey, context)),
    partnerId: PARTNER,
    requestId,
    key,
    nowMs: Date.now(),
  });
  const verdict = await verifyRequest({
    method: 'POST',
    path: PATH,
    headers: signed.headers,
    body: signed.body,
    keys: verifyKeys,
    nonces,
    nowMs: Date.now(),
  });
  if (!verdict.ok) throw new Error(`benchmark envelope refused: ${verdict.code}`);
  const received = JSON.parse(signed.body) as { pii: unknown };
  return decryptPii(received.pii, recipient.privateKey, context);
}

/** Like the harness's `measure`, for an async operation: median ops/s over timed rounds. */
async function measureAsync(
  name: string,
  fn: (i: number) => Promise<unknown>,
  rounds = 5,
  minMs = 300,
): Promise<Measurement> {
  let i = 0;
  const runFor = async (ms: number): Promise<number> => {
    const budget = BigInt(ms * 1e6);
    const start = process.hrtime.bigint();
    let calls = 0;
    while (process.hrtime.bigint() - start < budget) {
      await fn(i++);
      calls += 1;
    }
    return (calls * 1e9) / Number(process.hrtime.bigint() - start);
  };
  await runFor(200); // warm-up
  const results: number[] = [];
  for (let r = 0; r < rounds; r++) results.push(await runFor(minMs));
  const sorted = [...results].sort((a, b) => a - b);
  return { name, opsPerSec: sorted[sorted.length >> 1]!, rounds: results };
}

export default async function envelopeBench(): Promise<void> {
  const keys = staticKeyLookup({ [PARTNER]: [ED25519_A_PUBLIC, RSA_SIGN_PUBLIC, SM2_SIGN_PUBLIC] });
  // The clock is real here, so nonces expire as in production; capacity covers a few seconds' load.
  const nonces = new InMemoryNonceStore({ maxEntries: 5_000_000 });

  const sample = applyBody(
    'req-sample',
    encryptPii(PII, RSA_ENC_PUBLIC, { partnerId: PARTNER, requestId: 'req-sample' }),
  );
  const plain = applyBody('req-sample', PII);
  console.log(
    `  apply body: ${JSON.stringify(sample).length} bytes with encrypted PII, ${JSON.stringify(plain).length} bytes in clear`,
  );
  const check = await roundTrip(ED25519_A_PRIVATE, keys, nonces, -1);
  const checkSm = await roundTrip(SM2_SIGN_PRIVATE, keys, nonces, -2, SM_RECIPIENT);
  const same = (v: unknown) => (JSON.stringify(v) === JSON.stringify(PII) ? 'yes' : 'NO');
  console.log(`  round trip returns the PII: ${same(check)} (Ed25519/RSA), ${same(checkSm)} (SM2-SM3/SM4)`);

  let n = 0;
  const baseline = measure('JSON.stringify + JSON.parse (baseline)', () =>
    JSON.parse(JSON.stringify(applyBody(`req-${n++}`, PII))),
  );
  const ed = await measureAsync('Ed25519 envelope (sign+encrypt+verify+decrypt)', (i) =>
    roundTrip(ED25519_A_PRIVATE, keys, nonces, i),
  );
  const rsa = await measureAsync('RSA-2048 envelope (sign+encrypt+verify+decrypt)', (i) =>
    roundTrip(RSA_SIGN_PRIVATE, keys, nonces, i),
  );
  const sm = await measureAsync('SM2-SM3 + SM2/SM4-GCM envelope (国密, sm-crypto-v2)', (i) =>
    roundTrip(SM2_SIGN_PRIVATE, keys, nonces, i, SM_RECIPIENT),
  );
  report([baseline, ed, rsa, sm], baseline);
  // Where the time goes: the recipient's RSA-2048 private operation (unwrapping the data key)
  // dominates, whatever the signature algorithm.
  const context = { partnerId: PARTNER, requestId: 'req-sample' };
  const signers = [
    ['Ed25519', ED25519_A_PRIVATE],
    ['RSA-2048', RSA_SIGN_PRIVATE],
    ['SM2-SM3', SM2_SIGN_PRIVATE],
  ] as const;
  const recipients = [
    ['RSA-OAEP', 'AES-GCM', RSA_RECIPIENT],
    ['SM2', 'SM4-GCM', SM_RECIPIENT],
  ] as const;
  const parts = [
    ...signers.map(([alg, key]) =>
      measure(
        `  part: signRequest ${alg}`,
        () =>
          signRequest({
            method: 'POST',
            path: PATH,
            body: plain,
            partnerId: PARTNER,
            key,
            nowMs: Date.now(),
          }),
        QUICK,
      ),
    ),
    ...recipients.flatMap(([wrap, cipher, recipient]) => {
      const block = encryptPii(PII, recipient.publicKey, context);
      return [
        measure(
          `  part: encryptPii (${wrap} wrap + ${cipher})`,
          () => encryptPii(PII, recipient.publicKey, context),
          QUICK,
        ),
        measure(
          `  part: decryptPii (${wrap} unwrap + ${cipher})`,
          () => decryptPii(block, recipient.privateKey, context),
          QUICK,
        ),
      ];
    }),
  ];
  report(parts, baseline);
  for (const m of [ed, rsa, sm]) {
    console.log(
      `  ${m.name.split(' ')[0]}: ${Math.round(m.opsPerSec).toLocaleString('en-US')} envelopes/s, ${(baseline.opsPerSec / m.opsPerSec).toFixed(0)}× the cost of plain JSON`,
    );
  }
}

// Also runnable on its own: `npx node bench/envelope.bench.ts`.
if (import.meta.main) await envelopeBench();
