/**
 * The life of a lender statement: draft → issued → confirmed / disputed → settled. A disputed
 * statement is confirmed once the dispute is resolved (corrections go into a later statement as
 * reversing or late lines, never into this one); only a confirmed statement is settled.
 */
import type { StatementStatus } from './tables.ts';

export const STATEMENT_STATUSES = ['draft', 'issued', 'confirmed', 'disputed', 'settled'] as const;

export const STATEMENT_TRANSITIONS: Readonly<Record<StatementStatus, readonly StatementStatus[]>> = {
  draft: ['issued'],
  issued: ['confirmed', 'disputed'],
  disputed: ['confirmed'],
  confirmed: ['settled'],
  settled: [],
};

export type StatementVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly allowed: readonly StatementStatus[]; readonly message: string };

export function checkStatementTransition(
  from: StatementStatus,
  to: StatementStatus,
  note: string | undefined,
): StatementVerdict {
  const allowed = STATEMENT_TRANSITIONS[from];
  if (!allowed.includes(to)) {
    return {
      ok: false,
      allowed,
      message:
        allowed.length === 0
          ? `A ${from} statement cannot change.`
          : `A ${from} statement can move only to: ${allowed.join(', ')}.`,
    };
  }
  if (to === 'disputed' && (note === undefined || note.trim() === '')) {
    return { ok: false, allowed, message: 'A dispute needs a note saying what is disputed.' };
  }
  return { ok: true };
}
