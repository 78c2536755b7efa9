import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../audit/audit-log.ts';
import type { DatabaseHandle } from '../db/connection.ts';
import { createTestDatabase } from '../db/testing.ts';
import { registryEndpoints } from './endpoints.ts';
import { createLenderServices, type NewLender } from './index.ts';
import { ed25519PublicPem, rsaPublicPem, uniqueCode } from './testing.ts';

describe('registry endpoints for the protocol module', () => {
  let handle: DatabaseHandle;
  const clock = () => new Date('2026-03-01T00:00:00Z');
  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(async () => handle.close());

  it('gives base URL, per-call timeouts and only the signing keys, by partner code', async () => {
    const lenders = createLenderServices(handle.db, { clock });
    const input: NewLender = {
      code: uniqueCode('ep'),
      kind: 'micro_loan',
      legalName: '端点小贷',
      licenseType: '小额贷款公司经营许可',
      licenseNumber: 'XD-1',
      contact: { name: '赵', email: 'ops@ep.example', phone: '010-5555-0000' },
      dailyApplicationQuota: 10,
      callbackBaseUrl: 'https://ep.example/lendgate/',
      timeouts: { preCheckMs: 800, statusQueryMs: 2_000 },
    };
    const lender = await lenders.partners.create(input, SYSTEM_ACTOR);
    await lenders.keys.add(
      lender.id,
      { kid: 's1', algorithm: 'Ed25519', use: 'signing', publicKeyPem: ed25519PublicPem() },
      SYSTEM_ACTOR,
    );
    await lenders.keys.add(
      lender.id,
      { kid: 'e1', algorithm: 'RSA-OAEP-256', use: 'encryption', publicKeyPem: rsaPublicPem(2048) },
      SYSTEM_ACTOR,
    );
    const endpoint = await registryEndpoints(lenders, clock).endpointOf(input.code);
    expect(endpoint).toMatchObject({
      baseUrl: 'https://ep.example/lendgate',
      timeoutMs: { pre_check: 800, apply: 10_000, drawdown: 10_000, repay: 10_000, status_query: 2_000 },
    });
    expect(endpoint?.signingKeys.map((k) => k.kid)).toEqual(['s1']);
    expect(await registryEndpoints(lenders, clock).endpointOf('unknown-partner')).toBeUndefined();
  });
});
