import { createConnection, createServer } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { AppError } from '../shared/errors.ts';
import {
  isConnectionFailure,
  isConnectTimeout,
  isSerializationFailure,
  isTransientDatabaseFailure,
} from './failures.ts';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

/** A port on which nothing listens: bound, noted and released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('database failure classes', () => {
  it('knows a lost or refused connection by SQLSTATE, errno code or driver message', () => {
    for (const code of [
      '08006',
      '08003',
      '08P01',
      '57P01',
      '57P02',
      '57P03',
      'ECONNREFUSED',
      'ECONNRESET',
      'EPIPE',
    ])
      expect(isConnectionFailure(withCode(code)), code).toBe(true);
    for (const message of [
      'Connection terminated unexpectedly',
      'Connection terminated due to connection timeout',
      'Client has encountered a connection error and is not queryable',
      'timeout exceeded when trying to connect',
    ])
      expect(isConnectionFailure(new Error(message)), message).toBe(true);
    // pg-pool wraps the timeout's socket error; Node wraps one error per address tried.
    expect(isConnectionFailure(new Error('outer', { cause: withCode('ECONNRESET') }))).toBe(true);
    expect(isConnectionFailure(new AggregateError([withCode('ECONNREFUSED')]))).toBe(true);
  });

  it('tells a connect timeout (the wait is spent) from other connection failures', () => {
    expect(isConnectTimeout(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isConnectTimeout(new Error('Connection terminated due to connection timeout'))).toBe(true);
    expect(isConnectTimeout(new Error('Connection terminated unexpectedly'))).toBe(false);
    expect(isConnectTimeout(withCode('ECONNREFUSED'))).toBe(false);
  });

  it('does not take a failure of the request or a defect for an outage', () => {
    for (const error of [
      withCode('23505', 'duplicate key value violates unique constraint'),
      withCode('42P01', 'relation "x" does not exist'),
      withCode('40001'),
      new AppError('CONFLICT'),
      new TypeError('x is undefined'),
      'a string',
      null,
    ])
      expect(isConnectionFailure(error)).toBe(false);
  });

  it('knows serialization failures and deadlocks, which a rerun may get past', () => {
    expect(isSerializationFailure(withCode('40001'))).toBe(true);
    expect(isSerializationFailure(withCode('40P01'))).toBe(true);
    expect(isSerializationFailure(withCode('23505'))).toBe(false);
    expect(isTransientDatabaseFailure(withCode('40P01'))).toBe(true);
    expect(isTransientDatabaseFailure(withCode('57P01'))).toBe(true);
    expect(isTransientDatabaseFailure(withCode('22003'))).toBe(false);
  });

  it('recognises what pg really throws when nothing listens on the port', async () => {
    const port = await closedPort();
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'nobody', database: 'none' });
    const error = await client.connect().catch((failure: unknown) => failure);
    expect(isConnectionFailure(error)).toBe(true);
    // The same for a bare socket, whatever the driver makes of it.
    const socketError = await new Promise((resolve) =>
      createConnection({ host: '127.0.0.1', port }).on('error', resolve),
    );
    expect(isConnectionFailure(socketError)).toBe(true);
  });

  it('recognises the embedded database closed under a request (shutdown)', async () => {
    const pglite = await PGlite.create('memory://');
    await pglite.close();
    const error = await pglite.query('SELECT 1').catch((failure: unknown) => failure);
    expect(isConnectionFailure(error)).toBe(true);
  }, 60_000); // booting PGlite takes seconds on a busy machine
});
