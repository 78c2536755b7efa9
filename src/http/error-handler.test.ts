import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { CommitOutcomeUnknown } from '../db/transaction.ts';
import { classify, registerErrorHandling } from './error-handler.ts';

const pgError = (code: string, message: string) =>
  Object.assign(new Error(message), { code, severity: 'FATAL' });

describe('error mapping of database outages', () => {
  it('answers a lost database connection 503 UNAVAILABLE, never showing the driver message', () => {
    const classified = classify(pgError('57P01', 'terminating connection due to administrator command'));
    expect(classified.code).toBe('UNAVAILABLE');
    expect(classified.message).not.toContain('administrator');
    expect(classify(new Error('timeout exceeded when trying to connect')).code).toBe('UNAVAILABLE');
    expect(classify(pgError('40P01', 'deadlock detected')).code).toBe('UNAVAILABLE');
  });

  it('keeps other database errors a 500 INTERNAL: they are defects, not outages', () => {
    expect(classify(pgError('23505', 'duplicate key value violates unique constraint')).code).toBe(
      'INTERNAL',
    );
  });

  it('tells the client when a change may or may not have been saved', () => {
    const classified = classify(new CommitOutcomeUnknown(new Error('Connection terminated')));
    expect(classified.code).toBe('UNAVAILABLE');
    expect(classified.message).toMatch(/may or may not have been saved/);
  });

  it('sends the 503 in the one error shape', async () => {
    const app = Fastify();
    registerErrorHandling(app);
    app.get('/boom', async () => {
      throw pgError('08006', 'connection failure');
    });
    const response = await app.inject({ method: 'GET', url: '/boom' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.json()).toEqual({
      error: { code: 'UNAVAILABLE', message: expect.any(String), requestId: expect.any(String) },
    });
    await app.close();
  });
});
