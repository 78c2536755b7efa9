import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  APPLICATION_EVENTS,
  APPLICATION_STATES,
  type ApplicationEvent,
  isFinal,
  transition,
} from './state-machine.ts';

function run(events: readonly ApplicationEvent[]) {
  let state: (typeof APPLICATION_STATES)[number] = 'submitted';
  for (const event of events) {
    const result = transition(state, event);
    if (!result.ok) throw new Error(result.reason);
    state = result.next;
  }
  return state;
}

describe('application state machine', () => {
  it('walks the happy path from submission to settlement', () => {
    expect(
      run([
        'pre_check_passed',
        'apply_acknowledged',
        'decision_approved',
        'drawdown_requested',
        'disbursement_succeeded',
        'schedule_received',
        'loan_overdue',
        'loan_current',
        'loan_settled',
      ]),
    ).toBe('settled');
  });

  it('treats a repeated event as a no-op, and a decision before the apply acknowledgement as fine', () => {
    expect(transition('approved', 'decision_approved')).toEqual({
      ok: true,
      next: 'approved',
      changed: false,
    });
    expect(run(['pre_check_passed', 'decision_approved', 'apply_acknowledged'])).toBe('approved');
  });

  it('refuses events that make no sense, with a reason', () => {
    expect(transition('rejected', 'drawdown_requested')).toEqual({
      ok: false,
      reason: 'cannot drawdown requested an application that is rejected',
    });
    expect(transition('settled', 'cancel').ok).toBe(false);
    expect(transition('drawdown_requested', 'cancel').ok).toBe(false);
  });

  it('lets a failed drawdown be requested again', () => {
    expect(
      run([
        'pre_check_passed',
        'decision_approved',
        'drawdown_requested',
        'disbursement_failed',
        'drawdown_requested',
      ]),
    ).toBe('drawdown_requested');
  });

  it('never leaves a final state, whatever events arrive (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...APPLICATION_EVENTS), { maxLength: 30 }), (events) => {
        let state: (typeof APPLICATION_STATES)[number] = 'submitted';
        let finalSeen: string | undefined;
        for (const event of events) {
          const result = transition(state, event);
          if (!result.ok) continue;
          if (finalSeen !== undefined) expect(result.next).toBe(finalSeen);
          state = result.next;
          if (isFinal(state)) finalSeen = state;
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('applies any event twice in a row with the same result as once (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...APPLICATION_STATES),
        fc.constantFrom(...APPLICATION_EVENTS),
        (state, event) => {
          const once = transition(state, event);
          if (!once.ok) return;
          const twice = transition(once.next, event);
          expect(twice).toEqual({ ok: true, next: once.next, changed: false });
        },
      ),
    );
  });
});
