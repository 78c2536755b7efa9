/**
 * Offers requests per second, with p50/p99 latency: GET /api/v1/borrower/offers for a signed-in,
 * whitelisted borrower with a profile, each request fanning a signed pre-check out to the demo
 * partners played by the sandbox lender process (answering at once), against a bare Fastify route
 * served on the same machine and driven by the same client in the same run.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { startDemoLenders } from '../src/demo/sandbox-lenders.ts';
import { seedDemo } from '../src/demo/seed.ts';
import { createLogger } from '../src/shared/logger.ts';
import { createTestApp } from '../src/testing/app.ts';
import { measureAsync, reportAsync } from './async-harness.ts';

const TOTAL = 400;
const CONCURRENCY = 8;

export default async function run(): Promise<void> {
  if (process.env.DATABASE_URL) {
    const { preparePostgresTemplate } = await import('../src/db/testing.ts');
    await preparePostgresTemplate(process.env.DATABASE_URL);
  }
  const bare = Fastify();
  bare.get('/bare', async () => ({ aprRange: { min: '0.072', max: '0.24' }, offers: [] }));
  const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });

  const t = await createTestApp({ env: { LENDGATE_DEMO: 'true' } });
  await seedDemo(t.database.db, () => new Date(), undefined, t.masterKey);
  const base = await t.server.listen({ port: 0, host: '127.0.0.1' });
  const { sandbox } = await startDemoLenders(
    { lenders: t.app.services.lenders, keyring: t.app.services.keyring, logger: createLogger('silent') },
    { dataDir: mkdtempSync(join(tmpdir(), 'lendgate-bench-sandbox-')), platformUrl: base, port: 0 },
  );
  try {
    const post = async (path: string, body: unknown, token?: string) => {
      const response = await fetch(`${base}${path}`, {
        method: path.endsWith('profile') ? 'PUT' : 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
      return (await response.json()) as { token: string };
    };
    const minted = await post('/api/v1/dev/channels/shop/tokens', { channelUserId: 'demo-005' });
    const { token } = await post('/api/v1/channels/shop/sessions', { token: minted.token });
    await post(
      '/api/v1/borrower/profile',
      { name: '测试', idNumber: '310104198805123455', phone: '13912345678', bankCard: '6222021234567890128' },
      token,
    );
    const headers = { authorization: `Bearer ${token}` };
    const probe = (await (await fetch(`${base}/api/v1/borrower/offers`, { headers })).json()) as {
      offers: unknown[];
    };
    console.log(
      `  database: ${t.database.kind}; ${probe.offers.length} offers per request from the sandbox partners`,
    );

    const baseline = await measureAsync(
      'bare Fastify route (baseline)',
      async () => {
        await (await fetch(`${bareUrl}/bare`)).json();
      },
      { total: TOTAL * 4, concurrency: CONCURRENCY },
    );
    const offers = await measureAsync(
      'GET /api/v1/borrower/offers',
      async () => {
        const response = await fetch(`${base}/api/v1/borrower/offers`, { headers });
        if (response.status !== 200) throw new Error(`offers answered ${response.status}`);
        await response.json();
      },
      { total: TOTAL, concurrency: CONCURRENCY },
    );
    reportAsync([baseline, offers], baseline);
    console.log(
      `  ${CONCURRENCY} requests in flight; each offers request makes ${probe.offers.length} signed pre-checks`,
    );
  } finally {
    await sandbox.stop();
    await t.close();
    await bare.close();
    if (process.env.DATABASE_URL) {
      const { dropPostgresTemplate } = await import('../src/db/testing.ts');
      await dropPostgresTemplate(process.env.DATABASE_URL);
    }
  }
}
