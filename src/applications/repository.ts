import type { Selectable } from 'kysely';
import type { Executor } from '../db/transaction.ts';
import { AppError } from '../shared/errors.ts';
import { isUuid } from '../shared/ids.ts';
import { type ApplicationEvent, type ApplicationState, transition } from './state-machine.ts';
import type { ApplicationRow, ApplicationTables } from './tables.ts';

export interface Cause {
  readonly type: 'borrower' | 'lender' | 'system';
  readonly id: string | null;
}

export interface Application {
  readonly id: string;
  readonly borrowerId: string;
  readonly channelCode: string;
  readonly lenderId: string;
  readonly partnerId: string;
  readonly productId: string;
  readonly productCode: string;
  readonly productName: string;
  readonly lenderName: string;
  readonly requestedAmountFen: number;
  readonly termMonths: number;
  readonly method: string;
  readonly dayCount: string;
  readonly status: ApplicationState;
  readonly consentId: string;
  readonly approval: {
    readonly limitFen: number;
    readonly apr: string;
    readonly termsMonths: number[];
    readonly methods: string[];
    readonly validUntil: string | null;
  } | null;
  readonly decisionReason: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * A stored rate (numeric with up to 10 places) shown like every other APR in the API: at least six
 * places, trailing zeros beyond them dropped ("0.1368000000" → "0.136800").
 */
export function sixPlaces(rate: string): string {
  const [whole = '0', fraction = ''] = rate.split('.');
  const trimmed = fraction.replace(/0+$/, '');
  return `${whole}.${trimmed.padEnd(6, '0')}`;
}

export function toApplication(row: Selectable<ApplicationRow>): Application {
  return {
    id: row.id,
    borrowerId: row.borrower_id,
    channelCode: row.channel_code,
    lenderId: row.lender_id,
    partnerId: row.partner_id,
    productId: row.product_id,
    productCode: row.product_code,
    productName: row.product_name,
    lenderName: row.lender_name,
    requestedAmountFen: row.requested_amount_fen,
    termMonths: row.term_months,
    method: row.method,
    dayCount: row.day_count,
    status: row.status as ApplicationState,
    consentId: row.consent_id,
    approval:
      row.approved_limit_fen === null || row.approved_apr === null
        ? null
        : {
            limitFen: row.approved_limit_fen,
            apr: sixPlaces(row.approved_apr),
            termsMonths: row.approved_terms ?? [],
            methods: row.approved_methods ?? [],
            validUntil: row.approval_valid_until?.toISOString() ?? null,
          },
    decisionReason: row.decision_reason,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The product and lender names an application was made for, as offered at the time. */
export async function applicationNames(
  executor: Executor<ApplicationTables>,
  id: string,
): Promise<{ productName: string; lenderName: string }> {
  const row = await executor
    .selectFrom('applications')
    .select(['product_name', 'lender_name'])
    .where('id', '=', id)
    .executeTakeFirst();
  return { productName: row?.product_name ?? '', lenderName: row?.lender_name ?? '' };
}

/** Reads an application and locks it for the rest of the transaction (transitions serialize). */
export async function lockApplication(
  trx: Executor<ApplicationTables>,
  id: string,
): Promise<Selectable<ApplicationRow> | undefined> {
  // Application ids are UUIDs; a lender may send any id its contract allows ("app_0001"), which
  // is unknown here, not a failed cast.
  if (!isUuid(id)) return undefined;
  return trx.selectFrom('applications').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/**
 * Applies an event to a locked application row: checks the state machine, writes the new status
 * and the event with its cause. Returns whether anything changed (false for a repeat).
 */
export async function applyEvent(
  trx: Executor<ApplicationTables>,
  row: Selectable<ApplicationRow>,
  event: ApplicationEvent,
  cause: Cause,
  at: Date,
  changes: Partial<
    Omit<ApplicationRow, 'id' | 'created_at' | 'status' | 'product_name' | 'lender_name'>
  > = {},
  details: Record<string, unknown> = {},
): Promise<boolean> {
  const from = row.status as ApplicationState;
  const result = transition(from, event);
  if (!result.ok) throw new AppError('INVALID_STATE', result.reason, { status: from, event });
  if (!result.changed) return false;
  await trx
    .updateTable('applications')
    .set({ ...changes, status: result.next, updated_at: at })
    .where('id', '=', row.id)
    .execute();
  await trx
    .insertInto('application_events')
    .values({
      application_id: row.id,
      event,
      from_status: from,
      to_status: result.next,
      cause_type: cause.type,
      cause_id: cause.id,
      at,
      details: JSON.stringify(details),
    })
    .execute();
  return true;
}
