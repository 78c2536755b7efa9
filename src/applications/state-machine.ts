/**
 * The application life cycle as a pure state machine. Borrower actions and lender callbacks are
 * events; `transition` says where an event leads from a state, or why it cannot. Applying the
 * event that produced the current state again is a no-op (`changed: false`), which is what makes
 * repeated callbacks and double clicks harmless.
 *
 *   submitted ─pre_check_passed→ pre_checked ─apply_acknowledged→ sent ─decision_approved→ approved
 *       │                │                                          └─decision_rejected→ rejected
 *       └─pre_check_declined→ rejected
 *   approved ─drawdown_requested→ drawdown_requested ─disbursement_succeeded→ disbursed
 *                                                     └─disbursement_failed→ drawdown_failed ─drawdown_requested→ …
 *   disbursed ─schedule_received→ repaying ⇄ overdue (loan_overdue / loan_current) ─loan_settled→ settled
 *   approved ─approval_expired→ expired;   submitted | pre_checked | sent | approved ─cancel→ cancelled
 */
export const APPLICATION_STATES = [
  'submitted',
  'pre_checked',
  'sent',
  'approved',
  'rejected',
  'drawdown_requested',
  'disbursed',
  'drawdown_failed',
  'repaying',
  'overdue',
  'settled',
  'cancelled',
  'expired',
] as const;
export type ApplicationState = (typeof APPLICATION_STATES)[number];

export const APPLICATION_EVENTS = [
  'pre_check_passed',
  'pre_check_declined',
  'apply_acknowledged',
  'decision_approved',
  'decision_rejected',
  'drawdown_requested',
  'disbursement_succeeded',
  'disbursement_failed',
  'schedule_received',
  'loan_overdue',
  'loan_current',
  'loan_settled',
  'approval_expired',
  'cancel',
] as const;
export type ApplicationEvent = (typeof APPLICATION_EVENTS)[number];

interface Rule {
  readonly from: readonly ApplicationState[];
  readonly to: ApplicationState;
  /** States where the event arrives late and is simply ignored (the application has moved on). */
  readonly staleIn?: readonly ApplicationState[];
}

/** Where each event may be applied from, and where it leads. */
const RULES: Readonly<Record<ApplicationEvent, Rule>> = {
  pre_check_passed: { from: ['submitted'], to: 'pre_checked' },
  pre_check_declined: { from: ['submitted'], to: 'rejected' },
  // A lender may decide before its acknowledgement of the apply call is recorded; `sent` is then skipped.
  apply_acknowledged: {
    from: ['pre_checked'],
    to: 'sent',
    staleIn: APPLICATION_STATES.filter((s) => !['submitted', 'pre_checked', 'sent'].includes(s)),
  },
  decision_approved: { from: ['pre_checked', 'sent'], to: 'approved' },
  decision_rejected: { from: ['pre_checked', 'sent'], to: 'rejected' },
  drawdown_requested: { from: ['approved', 'drawdown_failed'], to: 'drawdown_requested' },
  disbursement_succeeded: { from: ['drawdown_requested'], to: 'disbursed' },
  disbursement_failed: { from: ['drawdown_requested'], to: 'drawdown_failed' },
  schedule_received: { from: ['disbursed'], to: 'repaying' },
  loan_overdue: { from: ['repaying', 'disbursed'], to: 'overdue' },
  loan_current: { from: ['overdue', 'disbursed'], to: 'repaying' },
  loan_settled: { from: ['repaying', 'overdue', 'disbursed'], to: 'settled' },
  approval_expired: { from: ['approved'], to: 'expired' },
  cancel: { from: ['submitted', 'pre_checked', 'sent', 'approved'], to: 'cancelled' },
};

/** States from which the borrower can still change their mind, and states that are final. */
export const FINAL_STATES: readonly ApplicationState[] = ['rejected', 'settled', 'cancelled', 'expired'];

export type TransitionResult =
  | { readonly ok: true; readonly next: ApplicationState; readonly changed: boolean }
  | { readonly ok: false; readonly reason: string };

/** Where `event` leads from `state`. Pure: no clock, no I/O. */
export function transition(state: ApplicationState, event: ApplicationEvent): TransitionResult {
  const rule = RULES[event];
  if (rule.from.includes(state)) return { ok: true, next: rule.to, changed: true };
  // The event already happened: the state it produced is where we are.
  if (state === rule.to || rule.staleIn?.includes(state)) return { ok: true, next: state, changed: false };
  return {
    ok: false,
    reason: `cannot ${event.replaceAll('_', ' ')} an application that is ${state.replaceAll('_', ' ')}`,
  };
}

export function isFinal(state: ApplicationState): boolean {
  return FINAL_STATES.includes(state);
}
