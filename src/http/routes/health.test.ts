import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { healthRoutes } from './health.ts';

async function probe(check: () => Promise<void>, timeoutMs?: number) {
  const app = Fastify();
  await app.register(healthRoutes({ check }, timeoutMs === undefined ? {} : { timeoutMs }));
  const started = performance.now();
  const response = await app.inject({ method: 'GET', url: '/healthz' });
  const elapsed = performance.now() - started;
  await app.close();
  return { status: response.statusCode, body: response.json(), elapsed };
}

describe('/healthz', () => {
  it('answers 200 ok when the probe passes and 503 when it fails', async () => {
    expect(await probe(async () => {})).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(
      await probe(async () => {
        throw new Error('connect ECONNREFUSED');
      }),
    ).toMatchObject({ status: 503, body: { status: 'unavailable' } });
  });

  it('answers 503 promptly when the database does not answer at all (a black-holed network)', async () => {
    let release: () => void = () => {};
    const hanging = () => new Promise<void>((resolve) => (release = resolve));
    const answer = await probe(hanging, 100);
    release();
    expect(answer).toMatchObject({ status: 503, body: { status: 'unavailable' } });
    expect(answer.elapsed).toBeLessThan(1_000);
  });
});
