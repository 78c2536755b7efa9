import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { recordAudit } from '../audit/audit-log.ts';
import { type Executor, inTransaction } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import { decodeTimeCursor, encodeTimeCursor, type TimeCursor } from '../shared/cursor.ts';
import { AppError, type FieldProblem } from '../shared/errors.ts';
import type { BorrowerPrincipal } from '../shared/principal.ts';
import type { AgreementService } from './agreements.ts';
import { isPiiCategory, type PiiCategory } from './categories.ts';
import type { LenderDirectory } from './lender-directory.ts';
import type {
  AcceptedAgreementJson,
  AgreementKind,
  BorrowerConsentRow,
  BorrowerTables,
  ConsentEndReason,
  DeviceJson,
} from './tables.ts';

export type ConsentStatus = 'active' | ConsentEndReason;

export interface Consent {
  readonly id: string;
  readonly borrowerId: string;
  readonly lenderId: string;
  /** The lender's public partner id (envelope), fixed when the consent was given. */
  readonly partnerId: string;
  readonly categories: PiiCategory[];
  readonly agreements: AcceptedAgreementJson[];
  readonly channel: string;
  readonly device: DeviceJson;
  readonly givenAt: string;
  readonly status: ConsentStatus;
  readonly endedAt: string | null;
}

/** Evidence of a consent in the lender protocol's form (ApplyRequest.consent). */
export interface ConsentEvidence {
  readonly version: string;
  readonly textSha256: string;
  readonly givenAt: string;
}

export interface ActiveConsent extends Consent {
  readonly evidence: ConsentEvidence;
}

export interface ShownAgreement {
  readonly id: string;
  readonly version: number;
}

export interface NewConsent {
  readonly lenderId: string;
  /** Every agreement version the borrower was shown and accepted. */
  readonly agreements: readonly ShownAgreement[];
  readonly device: DeviceJson;
}

export interface ConsentQuery {
  readonly borrowerId?: string;
  readonly lenderId?: string;
  readonly status?: 'active' | 'ended';
  readonly limit: number;
  readonly cursor?: string;
}

export function toConsent(row: Selectable<BorrowerConsentRow>): Consent {
  return {
    id: row.id,
    borrowerId: row.borrower_id,
    lenderId: row.lender_id,
    partnerId: row.partner_id,
    categories: row.categories.filter(isPiiCategory),
    agreements: row.agreements,
    channel: row.channel_code,
    device: row.device,
    givenAt: row.given_at.toISOString(),
    status: row.end_reason ?? 'active',
    endedAt: row.ended_at?.toISOString() ?? null,
  };
}

function evidenceOf(consent: Consent): ConsentEvidence {
  const authorization = consent.agreements.find((a) => a.kind === 'pi_authorization');
  if (!authorization) throw new Error(`consent ${consent.id} holds no authorization`);
  return {
    version: `pi_authorization-v${authorization.version}`,
    textSha256: authorization.textSha256,
    givenAt: consent.givenAt,
  };
}

/** Same set of agreement versions (order aside). */
function sameAgreements(a: readonly AcceptedAgreementJson[], b: readonly AcceptedAgreementJson[]): boolean {
  const ids = (list: readonly AcceptedAgreementJson[]) =>
    list
      .map((x) => x.agreementId)
      .sort()
      .join(',');
  return ids(a) === ids(b);
}

const REQUIRED_KINDS: readonly AgreementKind[] = [
  'platform_service',
  'pi_authorization',
  'lender_loan_agreement',
];

/**
 * A borrower's separate consent per lender (PIPL art. 23, 29): given against the exact agreement
 * versions in force, recorded with the channel and device, withdrawn as easily as given. At most
 * one consent per (borrower, lender) is active; consenting again to newer texts supersedes it.
 */
export class ConsentService {
  readonly #db: Executor<BorrowerTables>;
  readonly #clock: Clock;
  readonly #lenders: LenderDirectory;
  readonly #agreements: AgreementService;

  constructor(
    db: Executor<BorrowerTables>,
    options: {
      readonly clock: Clock;
      readonly lenders: LenderDirectory;
      readonly agreements: AgreementService;
    },
  ) {
    this.#db = db;
    this.#clock = options.clock;
    this.#lenders = options.lenders;
    this.#agreements = options.agreements;
  }

  /**
   * Records a consent. Refused unless the borrower accepted exactly the versions in force of the
   * lender's authorization, the lender's loan agreement and the platform agreement (those that
   * exist). Returns whether a new consent was created (`false` when the same one is already active).
   */
  async give(
    principal: BorrowerPrincipal,
    input: NewConsent,
    requestId?: string,
  ): Promise<{ consent: Consent; created: boolean }> {
    const lender = await this.#lenders.find(input.lenderId);
    if (!lender) throw new AppError('NOT_FOUND', 'No lender has this id.', { field: 'body.lenderId' });
    if (!lender.acceptsConsents) throw new AppError('CONFLICT', 'This lender no longer takes new consents.');

    const inForce = new Map<AgreementKind, Awaited<ReturnType<AgreementService['current']>>>();
    for (const kind of REQUIRED_KINDS) {
      inForce.set(kind, await this.#agreements.current(kind, kind === 'platform_service' ? null : lender.id));
    }
    const authorization = inForce.get('pi_authorization');
    if (!authorization) {
      throw new AppError('CONFLICT', 'This lender has no published personal-information authorization yet.');
    }

    const problems: FieldProblem[] = [];
    const accepted: AcceptedAgreementJson[] = [];
    const seen = new Set<string>();
    for (const [i, shown] of input.agreements.entries()) {
      const field = `body.agreements.${i}`;
      const current = [...inForce.values()].find((agreement) => agreement?.id === shown.id);
      if (seen.has(shown.id)) problems.push({ field, message: 'is listed twice' });
      else if (!current) {
        problems.push({ field: `${field}.id`, message: 'is not an agreement in force for this lender' });
      } else if (current.version !== shown.version) {
        problems.push({
          field: `${field}.version`,
          message: `does not match the agreement (v${current.version})`,
        });
      } else {
        accepted.push({
          agreementId: current.id,
          kind: current.kind,
          version: current.version,
          textSha256: current.textSha256,
        });
      }
      seen.add(shown.id);
    }
    for (const [kind, agreement] of inForce) {
      if (agreement && !input.agreements.some((shown) => shown.id === agreement.id)) {
        problems.push({
          field: 'body.agreements',
          message: `must include the ${kind} in force (v${agreement.version})`,
        });
      }
    }
    if (problems.length > 0) {
      // A stale version is the usual cause: the text changed after the page was shown.
      throw new AppError('VALIDATION_FAILED', problems.map((p) => `${p.field}: ${p.message}`).join('; '), {
        fields: problems,
      });
    }

    return inTransaction(this.#db, async (trx) => {
      // One consent change at a time per borrower, so two taps cannot create two active consents.
      await trx
        .selectFrom('borrowers')
        .select('id')
        .where('id', '=', principal.borrowerId)
        .forUpdate()
        .execute();
      const active = await trx
        .selectFrom('borrower_consents')
        .selectAll()
        .where('borrower_id', '=', principal.borrowerId)
        .where('lender_id', '=', lender.id)
        .where('ended_at', 'is', null)
        .executeTakeFirst();
      if (active && sameAgreements(active.agreements, accepted))
        return { consent: toConsent(active), created: false };
      const now = this.#clock();
      if (active) {
        await trx
          .updateTable('borrower_consents')
          .set({ ended_at: now, end_reason: 'superseded', ended_channel_code: principal.channelCode })
          .where('id', '=', active.id)
          .execute();
      }
      const row = await trx
        .insertInto('borrower_consents')
        .values({
          id: randomUUID(),
          borrower_id: principal.borrowerId,
          lender_id: lender.id,
          partner_id: lender.code,
          categories: authorization.categories,
          authorization_agreement_id: authorization.id,
          agreements: JSON.stringify(accepted),
          channel_code: principal.channelCode,
          device: JSON.stringify(input.device),
          given_at: now,
          ended_at: null,
          end_reason: null,
          ended_channel_code: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        actor: { type: 'borrower', id: principal.borrowerId },
        action: 'consent.give',
        target: { type: 'consent', id: row.id },
        requestId,
        details: {
          lenderId: lender.id,
          categories: authorization.categories,
          agreements: accepted.map((a) => `${a.kind}-v${a.version}`),
          supersedes: active?.id ?? null,
        },
      });
      return { consent: toConsent(row), created: true };
    });
  }

  /** Withdraws the borrower's own consent; withdrawing twice is not an error. */
  async withdraw(principal: BorrowerPrincipal, consentId: string, requestId?: string): Promise<Consent> {
    return inTransaction(this.#db, async (trx) => {
      // Locking the row waits for a release that is using this consent, and keeps any later one out.
      const row = await trx
        .selectFrom('borrower_consents')
        .selectAll()
        .where('id', '=', consentId)
        .where('borrower_id', '=', principal.borrowerId)
        .forUpdate()
        .executeTakeFirst();
      if (!row) throw new AppError('NOT_FOUND', 'You have no consent with this id.');
      if (row.ended_at !== null) return toConsent(row);
      const updated = await trx
        .updateTable('borrower_consents')
        .set({ ended_at: this.#clock(), end_reason: 'withdrawn', ended_channel_code: principal.channelCode })
        .where('id', '=', consentId)
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        actor: { type: 'borrower', id: principal.borrowerId },
        action: 'consent.withdraw',
        target: { type: 'consent', id: consentId },
        requestId,
        details: { lenderId: row.lender_id },
      });
      return toConsent(updated);
    });
  }

  /** Ends every active consent of a borrower (their data was deleted). */
  async endAll(trx: Executor<BorrowerTables>, borrowerId: string, reason: ConsentEndReason): Promise<number> {
    const ended = await trx
      .updateTable('borrower_consents')
      .set({ ended_at: this.#clock(), end_reason: reason })
      .where('borrower_id', '=', borrowerId)
      .where('ended_at', 'is', null)
      .returning('id')
      .execute();
    return ended.length;
  }

  /**
   * The active consent of a borrower to a lender, or `null`. With `lock`, the row is locked until
   * the transaction ends, so a withdrawal cannot slip between this check and a release.
   */
  async active(
    borrowerId: string,
    lenderId: string,
    executor: Executor<BorrowerTables> = this.#db,
    options: { readonly lock?: boolean } = {},
  ): Promise<ActiveConsent | null> {
    let select = executor
      .selectFrom('borrower_consents')
      .selectAll()
      .where('borrower_id', '=', borrowerId)
      .where('lender_id', '=', lenderId)
      .where('ended_at', 'is', null);
    if (options.lock) select = select.forShare();
    const row = await select.executeTakeFirst();
    if (!row) return null;
    const consent = toConsent(row);
    return { ...consent, evidence: evidenceOf(consent) };
  }

  /**
   * The active consent covering every category, or a CONSENT_REQUIRED refusal naming what is
   * missing. Pass the transaction of the release and `lock` so the consent cannot end meanwhile.
   */
  async require(
    borrowerId: string,
    lenderId: string,
    categories: readonly PiiCategory[],
    executor: Executor<BorrowerTables> = this.#db,
    options: { readonly lock?: boolean } = {},
  ): Promise<ActiveConsent> {
    const consent = await this.active(borrowerId, lenderId, executor, options);
    if (!consent) {
      throw new AppError(
        'CONSENT_REQUIRED',
        'The borrower has not consented to share data with this lender.',
        {
          lenderId,
        },
      );
    }
    const missing = categories.filter((category) => !consent.categories.includes(category));
    if (missing.length > 0) {
      throw new AppError('CONSENT_REQUIRED', `The consent does not cover: ${missing.join(', ')}.`, {
        lenderId,
        missing,
      });
    }
    return consent;
  }

  /** One borrower's consents, newest first. */
  async listOwn(borrowerId: string): Promise<Consent[]> {
    const rows = await this.#db
      .selectFrom('borrower_consents')
      .selectAll()
      .where('borrower_id', '=', borrowerId)
      .orderBy('given_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map(toConsent);
  }

  /** Compliance search, newest first, keyset-paginated. */
  async search(query: ConsentQuery): Promise<{ items: Consent[]; nextCursor: string | null }> {
    let select = this.#db
      .selectFrom('borrower_consents')
      .selectAll()
      .orderBy('given_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit + 1);
    if (query.borrowerId !== undefined) select = select.where('borrower_id', '=', query.borrowerId);
    if (query.lenderId !== undefined) select = select.where('lender_id', '=', query.lenderId);
    if (query.status === 'active') select = select.where('ended_at', 'is', null);
    if (query.status === 'ended') select = select.where('ended_at', 'is not', null);
    if (query.cursor !== undefined) {
      const { at, id }: TimeCursor = decodeTimeCursor(query.cursor, { field: 'query.cursor' });
      select = select.where((eb) =>
        eb.or([eb('given_at', '<', at), eb.and([eb('given_at', '=', at), eb('id', '<', id)])]),
      );
    }
    const rows = await select.execute();
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map(toConsent),
      nextCursor: rows.length > query.limit && last ? encodeTimeCursor(last.given_at, last.id) : null,
    };
  }
}
