import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { PlannedCallback } from './book.ts';
import { CallbackDelivery, type CallbackSender } from './delivery.ts';
import { type FaultSettings, NO_FAULTS } from './faults.ts';
import { SandboxStats } from './stats.ts';

function delivery(): CallbackDelivery {
  return new CallbackDelivery({
    platformUrl: undefined,
    platformKeys: () => undefined,
    settings: { timeoutMs: 1_000, retryBaseMs: 100, retryCapMs: 1_000, maxAttempts: 3, horizonMs: 10_000 },
    stats: new SandboxStats(['lender-a']),
    log: pino({ level: 'silent' }),
  });
}

const sender = (faults: Partial<FaultSettings>): CallbackSender => ({
  partnerId: 'lender-a',
  key: undefined as never,
  faults: () => ({ ...NO_FAULTS, ...faults }),
});

const decision = (delayMs: number): PlannedCallback =>
  ({ kind: 'credit-decision', body: { applicationId: 'app-1' }, delayMs, stream: 'app-1' }) as never;

describe('callback planning', () => {
  it('makes a callback due its own delay plus the late-callback fault after now (clock given)', () => {
    const [late] = delivery().plan(sender({ callbackDelayMs: 600 }), [decision(50)], 1_000_000);
    expect(late).toMatchObject({ dueAtMs: 1_000_650, duplicate: false, stream: 'app-1' });
    const [onTime] = delivery().plan(sender({}), [decision(50)], 1_000_000);
    expect(onTime!.dueAtMs).toBe(1_000_050);
  });

  it('releases nothing when no callback waits', () => {
    expect(delivery().releaseDelayed()).toBe(0);
  });
});
