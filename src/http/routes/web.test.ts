import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { registerErrorHandling } from '../error-handler.ts';
import { webRoutes } from './web.ts';

const apps: FastifyInstance[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A server with only the H5 routes and one API route, over a fake build in a temp folder. */
async function serve(build: boolean, logs?: string[]): Promise<FastifyInstance> {
  const dist = mkdtempSync(join(tmpdir(), 'lendgate-web-'));
  dirs.push(dist);
  if (build) {
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
  }
  const app = Fastify({
    routerOptions: { ignoreTrailingSlash: true },
    ...(logs ? { logger: { level: 'info', stream: { write: (line: string) => logs.push(line) } } } : {}),
  });
  registerErrorHandling(app);
  app.get('/api/v1/ping', async () => ({ ok: true }));
  await app.register(webRoutes({ distDir: dist }));
  apps.push(app);
  return app;
}

describe('the H5 under /h5/', () => {
  it('answers every page path with index.html, never cached', async () => {
    const app = await serve(true);
    for (const url of ['/h5', '/h5/', '/h5/offers', '/h5/loans/6a1c1d2e-0000-4000-8000-000000000000']) {
      const response = await app.inject(url);
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.body).toContain('id="root"');
    }
  });

  it('serves hashed assets for a year, and 404s missing ones instead of returning the page', async () => {
    const app = await serve(true);
    const asset = await app.inject('/h5/assets/index-abc123.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await app.inject('/h5/assets/missing.js')).statusCode).toBe(404);
    expect((await app.inject('/h5/assets/..%2f..%2fpackage.json')).statusCode).toBe(404);
  });

  it('answers 404 in the error shape to encoded traversal, backslashes and NUL, never 500', async () => {
    const app = await serve(true);
    for (const url of [
      '/h5/assets/..%5c..%5cpackage.json',
      '/h5/assets/%5c..%5c..%5cpackage.json',
      '/h5/assets/%2e%2e%2f%2e%2e%2fpackage.json',
      '/h5/assets/..%2f..%2fpackage.json',
      '/h5/assets/..%252f..%252fpackage.json',
      '/h5/assets/index-abc123.js%00',
      '/h5/assets/%00',
      '/h5/assets/%00/../package.json',
      '/h5/assets/.%2e/.%2e/package.json',
      '/h5/assets/.hidden',
      '/h5/assets/%E2%80%AE.js',
    ]) {
      const response = await app.inject(url);
      expect(response.statusCode, url).toBe(404);
      expect(response.json(), url).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
  });

  it('leaves every path outside /h5 to its own routes and 404s', async () => {
    const app = await serve(true);
    expect((await app.inject('/api/v1/ping')).json()).toEqual({ ok: true });
    const missing = await app.inject('/api/v1/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect((await app.inject('/docs/nope')).statusCode).toBe(404);
    expect((await app.inject('/h5x')).statusCode).toBe(404);
  });

  it('does not log page loads at info, so a sign-in token in the query stays out of the logs', async () => {
    const logs: string[] = [];
    const app = await serve(true, logs);
    expect((await app.inject('/h5/?channel=shop&token=eyJ.secret.token')).statusCode).toBe(200);
    await app.inject('/api/v1/ping');
    expect(logs.join('')).not.toContain('secret');
    expect(logs.join('')).toContain('/api/v1/ping');
  });

  it('says how to build it when there is no build, and the API still works', async () => {
    const app = await serve(false);
    const page = await app.inject('/h5/');
    expect(page.statusCode).toBe(503);
    expect(page.json()).toMatchObject({
      error: { code: 'UNAVAILABLE', message: expect.stringContaining('build:web') },
    });
    expect((await app.inject('/api/v1/ping')).statusCode).toBe(200);
  });
});
