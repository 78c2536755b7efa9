import type { FastifyPluginAsync } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../shared/logger.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { operationIdFor } from './openapi-operations.ts';
import { BearerSecurity, errorResponses } from './schemas.ts';
import { buildServer } from './server.ts';

describe('operationIdFor', () => {
  it('names an operation by its method and URL, readably', () => {
    expect(operationIdFor('GET', '/healthz')).toBe('getHealthz');
    expect(operationIdFor('POST', '/api/v1/admin/sessions')).toBe('postAdminSessions');
    expect(operationIdFor('GET', '/api/v1/borrower/loans/:id/payoff-quote')).toBe(
      'getBorrowerLoansByIdPayoffQuote',
    );
    expect(operationIdFor('POST', '/api/v1/admin/lenders/:lenderId/keys/:kid/revoke')).toBe(
      'postAdminLendersByLenderIdKeysByKidRevoke',
    );
    expect(operationIdFor('GET', '/open/v1/keys')).toBe('getOpenKeys');
    expect(operationIdFor('PUT', '/api/v1/admin/whitelists/{channel}/kill-switch')).toBe(
      'putAdminWhitelistsByChannelKillSwitch',
    );
    // Another version is not folded into v1's names.
    expect(operationIdFor('GET', '/api/v2/quotes')).toBe('getApiV2Quotes');
  });
});

describe('operation defaults in the OpenAPI document', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  const serverWith = (routes: FastifyPluginAsync) =>
    buildServer({
      config: { bodyLimitBytes: 1024, corsOrigins: [], trustProxy: false },
      logger: createLogger('silent'),
      operators: t.app.services.operators,
      borrowerSessions: t.app.services.borrowerSessions,
      version: 'test',
      routes: [routes],
    });

  it('derives operationId and security from the URL and the guards, keeping what a route names', async () => {
    const server = await serverWith(async (app) => {
      const response = { 200: { type: 'object' }, ...errorResponses(404) };
      app.get('/api/v1/things/:id', { schema: { response } }, async () => ({}));
      app.get('/api/v1/borrower/things', { schema: { response } }, async () => ({}));
      app.get(
        '/api/v1/admin/things',
        { schema: { response, operationId: 'listThings' }, config: { roles: ['operator'] } },
        async () => ({}),
      );
      app.post('/api/v1/admin/knock', { schema: { response }, config: { public: true } }, async () => ({}));
    });
    const document = server.swagger() as unknown as {
      paths: Record<string, Record<string, { operationId?: string; security?: unknown }>>;
    };
    await server.close();
    expect(document.paths['/api/v1/things/{id}']?.get).toMatchObject({
      operationId: 'getThingsById',
      security: [],
    });
    expect(document.paths['/api/v1/borrower/things']?.get).toMatchObject({
      operationId: 'getBorrowerThings',
      security: [{ borrowerAuth: [] }],
    });
    expect(document.paths['/api/v1/admin/things']?.get).toMatchObject({
      operationId: 'listThings',
      security: [{ bearerAuth: [] }],
    });
    expect(document.paths['/api/v1/admin/knock']?.post).toMatchObject({
      operationId: 'postAdminKnock',
      security: [],
    });
  });

  it('refuses to start when a route declares security its guard does not enforce', async () => {
    await expect(
      serverWith(async (app) => {
        app.get('/api/v1/quotes/secret', { schema: { security: BearerSecurity } }, async () => ({}));
      }),
    ).rejects.toThrow(
      /GET \/api\/v1\/quotes\/secret declares security \[bearerAuth\] but its guard enforces \[\]/,
    );
    await expect(
      serverWith(async (app) => {
        app.get(
          '/api/v1/admin/open',
          { schema: { security: [] }, config: { roles: ['operator'] } },
          async () => ({}),
        );
      }),
    ).rejects.toThrow(/declares security \[\] but its guard enforces \[bearerAuth\]/);
  });

  it('refuses to start when two operations would have the same operationId', async () => {
    await expect(
      serverWith(async (app) => {
        app.get('/api/v1/things', async () => ({}));
        app.get('/api/v1/stuff', { schema: { operationId: 'getThings' } }, async () => ({}));
      }),
    ).rejects.toThrow(
      /GET \/api\/v1\/things and GET \/api\/v1\/stuff have the same OpenAPI operationId "getThings"/,
    );
  });
});
