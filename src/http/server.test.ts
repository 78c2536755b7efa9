import SwaggerParser from '@apidevtools/swagger-parser';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY } from '../../test/security/policy.ts';
import { createLogger } from '../shared/logger.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { buildServer } from './server.ts';

interface OpenApiOperation {
  readonly operationId?: string;
  readonly security?: readonly Record<string, unknown>[];
  readonly responses: Record<string, unknown>;
}

describe('HTTP server', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('answers /healthz with 200 ok once migrated', async () => {
    const response = await t.server.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('serves an OpenAPI 3 document that passes a real validator', async () => {
    const response = await t.server.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toMatch(/^3\./);
    await expect(SwaggerParser.validate(structuredClone(document))).resolves.toBeTruthy();
    expect(Object.keys(document.paths)).toContain('/api/v1/admin/sessions');
  });

  it('gives every operation an operationId, its security and a 4xx; the document servers and a license', async () => {
    const document = (await t.server.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(document.servers).toEqual([{ url: '/', description: expect.any(String) }]);
    expect(document.info.license).toEqual({ name: 'Apache-2.0', url: expect.stringMatching(/^https:/) });
    const operations = Object.entries(
      document.paths as Record<string, Record<string, OpenApiOperation>>,
    ).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({
        key: `${method.toUpperCase()} ${path}`,
        operation,
      })),
    );
    expect(operations.length).toBeGreaterThan(50);
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z0-9]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(document.paths['/api/v1/borrower/loans/{id}/payoff-quote'].get.operationId).toBe(
      'getBorrowerLoansByIdPayoffQuote',
    );
    for (const { key, operation } of operations) {
      const schemes = operation.security?.flatMap((requirement) => Object.keys(requirement));
      const path = key.split(' ')[1]!;
      const expected = path.startsWith('/api/v1/borrower/')
        ? ['borrowerAuth']
        : path.startsWith('/api/v1/admin/') && key !== 'POST /api/v1/admin/sessions'
          ? ['bearerAuth']
          : [];
      expect({ key, schemes }).toEqual({ key, schemes: expected });
      // Whatever the policy lets anyone call declares no security (test/security/policy.ts).
      if (POLICY[key]?.anonymous.verdict === 'allow') expect({ key, schemes }).toEqual({ key, schemes: [] });
      // The health probe alone answers no client error (see .redocly.lint-ignore.yaml).
      const clientErrors = Object.keys(operation.responses).filter((status) => /^4/.test(status));
      if (key !== 'GET /healthz')
        expect({ key, clientErrors }).toEqual({
          key,
          clientErrors: expect.arrayContaining([expect.any(String)]),
        });
    }
    // A rate-limited route names its 429 (http/rate-limits.ts adds it).
    expect(Object.keys(document.paths['/api/v1/quotes'].post.responses)).toContain('429');
    expect(Object.keys(document.paths['/open/v1/keys'].get.responses)).toContain('429');
  });

  it('serves interactive docs at /docs', async () => {
    const response = await t.server.inject({ method: 'GET', url: '/docs/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
  });

  it('gives MALFORMED_JSON for a body that is not JSON', async () => {
    const response = await t.server.inject({
      method: 'POST',
      url: '/api/v1/admin/sessions',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": "a@b.c", ',
    });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.error.code).toBe('MALFORMED_JSON');
    expect(body.error.requestId).toBe(response.headers['x-request-id']);
  });

  it('gives UNSUPPORTED_MEDIA_TYPE for a wrong content type', async () => {
    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
      const response = await t.server.inject({
        method: 'POST',
        url: '/api/v1/admin/sessions',
        headers: { 'content-type': type },
        payload: 'email=a@b.c',
      });
      expect(response.statusCode).toBe(415);
      expect(response.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('gives PAYLOAD_TOO_LARGE for a 2 MB body', async () => {
    const response = await t.server.inject({
      method: 'POST',
      url: '/api/v1/admin/sessions',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('gives NOT_FOUND in the same shape for an unknown route', async () => {
    const response = await t.server.inject({ method: 'GET', url: '/api/v1/nothing-here?x=1' });
    expect(response.statusCode).toBe(404);
    const body = response.json();
    expect(body.error.code).toBe('NOT_FOUND');
    expect(body.error.message).toBe('No route for GET /api/v1/nothing-here.');
  });

  it('names every failing field in VALIDATION_FAILED and never coerces body types', async () => {
    const response = await t.server.inject({
      method: 'POST',
      url: '/api/v1/admin/sessions',
      payload: { email: 12345, extra: true },
    });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.error.code).toBe('VALIDATION_FAILED');
    const fields = body.error.details.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['body.email', 'body.password', 'body.extra']));
  });

  it('chooses every request id itself, keeping a well-formed client id apart', async () => {
    const kept = await t.server.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'req-12345678' },
    });
    expect(kept.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(kept.headers['x-client-request-id']).toBe('req-12345678');
    const bad = await t.server.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'bad id!' },
    });
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(bad.headers['x-client-request-id']).toBeUndefined();
  });

  it('sends security headers and no CORS headers by default', async () => {
    const response = await t.server.inject({
      method: 'GET',
      url: '/healthz',
      headers: { origin: 'https://evil.example' },
    });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('HTTP server internals', () => {
  let server: FastifyInstance;
  let internals: TestApp;
  let borrowerSessions: TestApp['app']['services']['borrowerSessions'];
  beforeAll(async () => {
    const t = await createTestApp();
    internals = t;
    borrowerSessions = t.app.services.borrowerSessions;
    server = await buildServer({
      config: { bodyLimitBytes: 1024 * 1024, corsOrigins: ['https://console.example'], trustProxy: false },
      logger: createLogger('silent'),
      operators: t.app.services.operators,
      borrowerSessions: t.app.services.borrowerSessions,
      version: 'test',
      routes: [
        async (app) => {
          app.get('/boom', async () => {
            throw new Error('connection to 10.0.0.7:5432 refused for user lendgate');
          });
          app.get('/api/v1/borrower/whoami', async (request) => request.borrower ?? {});
        },
      ],
    });
  });
  afterAll(async () => {
    await server.close();
    await internals.close();
  });

  it('never leaks the internals of a 5xx', async () => {
    const response = await server.inject({ method: 'GET', url: '/boom' });
    expect(response.statusCode).toBe(500);
    const body = response.json();
    expect(body.error.code).toBe('INTERNAL');
    expect(response.body).not.toContain('10.0.0.7');
    expect(response.body).not.toContain('lendgate');
  });

  it('guards every borrower route with a borrower session', async () => {
    const anonymous = await server.inject({ method: 'GET', url: '/api/v1/borrower/whoami' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('UNAUTHORIZED');
    const borrowerId = await borrowerSessions.createBorrower();
    const { token } = await borrowerSessions.open({ borrowerId, channelCode: 'shop' });
    const signedIn = await server.inject({
      method: 'GET',
      url: '/api/v1/borrower/whoami',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(signedIn.json()).toEqual({ borrowerId, channelCode: 'shop' });
  });

  it('allows CORS only for configured origins', async () => {
    const allowed = await server.inject({
      method: 'GET',
      url: '/boom',
      headers: { origin: 'https://console.example' },
    });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://console.example');
    const other = await server.inject({
      method: 'GET',
      url: '/boom',
      headers: { origin: 'https://evil.example' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses to start with an operator route that declares no roles', async () => {
    const t = await createTestApp();
    await expect(
      buildServer({
        config: { bodyLimitBytes: 1024, corsOrigins: [], trustProxy: false },
        logger: createLogger('silent'),
        operators: t.app.services.operators,
        borrowerSessions: t.app.services.borrowerSessions,
        version: 'test',
        routes: [
          async (app) => {
            app.get('/api/v1/admin/unguarded', async () => ({}));
          },
        ],
      }),
    ).rejects.toThrow(/must declare the operator roles/);
    await t.close();
  });
});
