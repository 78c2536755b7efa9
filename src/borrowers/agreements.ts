import { createHash, randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { type Actor, recordAudit } from '../audit/audit-log.ts';
import { type Executor, inTransaction } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError, invalidField } from '../shared/errors.ts';
import { type AuthorizationTerms, renderPiAuthorization } from './agreement-texts.ts';
import { isPiiCategory, normalizeCategories, type PiiCategory } from './categories.ts';
import type { LenderDirectory, LenderParty } from './lender-directory.ts';
import type { AgreementKind, AgreementRow, BorrowerTables } from './tables.ts';

export const AGREEMENT_KINDS = ['platform_service', 'pi_authorization', 'lender_loan_agreement'] as const;

export interface Agreement {
  readonly id: string;
  readonly kind: AgreementKind;
  /** `null` for the platform's own agreement; the lender it concerns otherwise. */
  readonly lenderId: string | null;
  readonly version: number;
  readonly title: string;
  readonly text: string;
  /** Lower-case hex SHA-256 of `text` (UTF-8), the form consent evidence carries. */
  readonly textSha256: string;
  /** For a personal-information authorization: the categories it covers. Empty otherwise. */
  readonly categories: PiiCategory[];
  readonly effectiveFrom: string;
}

export interface NewAgreement {
  readonly kind: AgreementKind;
  readonly lenderId?: string | null;
  readonly title: string;
  readonly text: string;
  readonly categories?: readonly PiiCategory[];
  /** When it takes effect; now when omitted. */
  readonly effectiveFrom?: Date;
}

export function textSha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function toAgreement(row: Selectable<AgreementRow>): Agreement {
  return {
    id: row.id,
    kind: row.kind,
    lenderId: row.lender_id,
    version: row.version,
    title: row.title,
    text: row.content,
    textSha256: row.content_sha256,
    categories: row.categories.filter(isPiiCategory),
    effectiveFrom: row.effective_from.toISOString(),
  };
}

/**
 * Versioned agreement texts: the platform's service agreement, and per lender the separate
 * personal-information authorization and the lender's own loan agreement. A published version is
 * never changed (the database refuses); a change is a new version. The version in force is the
 * highest one whose effective time has come.
 */
export class AgreementService {
  readonly #db: Executor<BorrowerTables>;
  readonly #clock: Clock;
  readonly #lenders: LenderDirectory;

  constructor(
    db: Executor<BorrowerTables>,
    options: { readonly clock: Clock; readonly lenders: LenderDirectory },
  ) {
    this.#db = db;
    this.#clock = options.clock;
    this.#lenders = options.lenders;
  }

  async #lender(lenderId: string): Promise<LenderParty> {
    const lender = await this.#lenders.find(lenderId);
    if (!lender) throw invalidField('lenderId', 'no lender has this id');
    return lender;
  }

  /** Publishes the next version of an agreement. */
  async publish(
    input: NewAgreement,
    actor: Actor,
    requestId?: string,
    executor: Executor<BorrowerTables> = this.#db,
  ): Promise<Agreement> {
    const lenderId = input.kind === 'platform_service' ? null : (input.lenderId ?? null);
    if (input.kind !== 'platform_service') {
      if (lenderId === null) throw invalidField('lenderId', `is required for a ${input.kind}`);
      await this.#lender(lenderId);
    } else if (input.lenderId) {
      throw invalidField('lenderId', 'must be absent for the platform service agreement');
    }
    const categories = normalizeCategories(input.categories ?? []);
    if (input.kind === 'pi_authorization' && categories.length === 0) {
      throw invalidField('categories', 'must name at least one category for an authorization');
    }
    if (input.kind !== 'pi_authorization' && categories.length > 0) {
      throw invalidField('categories', 'only an authorization names categories');
    }
    const title = input.title.trim();
    if (title.length === 0 || title.length > 200) throw invalidField('title', 'must be 1–200 characters');
    if (input.text.trim().length === 0 || input.text.length > 100_000) {
      throw invalidField('text', 'must be 1–100000 characters');
    }
    return inTransaction(executor, async (trx) => {
      let latest = trx
        .selectFrom('agreements')
        .select((eb) => eb.fn.max('version').as('version'))
        .where('kind', '=', input.kind);
      latest =
        lenderId === null ? latest.where('lender_id', 'is', null) : latest.where('lender_id', '=', lenderId);
      const version = ((await latest.executeTakeFirst())?.version ?? 0) + 1;
      const now = this.#clock();
      const row = await trx
        .insertInto('agreements')
        .values({
          id: randomUUID(),
          kind: input.kind,
          lender_id: lenderId,
          version,
          title,
          content: input.text,
          content_sha256: textSha256(input.text),
          categories,
          effective_from: input.effectiveFrom ?? now,
          created_at: now,
        })
        .onConflict((oc) => oc.doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new AppError('CONFLICT', 'Another version was published at the same time; try again.');
      await recordAudit(trx, {
        actor,
        action: 'agreement.publish',
        target: { type: 'agreement', id: row.id },
        requestId,
        details: { kind: row.kind, lenderId, version, textSha256: row.content_sha256 },
      });
      return toAgreement(row);
    });
  }

  /** Renders the authorization text from the lender's registry facts and publishes it. */
  async publishPiAuthorization(
    lenderId: string,
    terms: AuthorizationTerms & { readonly effectiveFrom?: Date },
    actor: Actor,
    requestId?: string,
    executor: Executor<BorrowerTables> = this.#db,
  ): Promise<Agreement> {
    const lender = await this.#lender(lenderId);
    const purpose = terms.purpose.trim();
    const retention = terms.retention.trim();
    if (purpose.length === 0 || purpose.length > 500)
      throw invalidField('purpose', 'must be 1–500 characters');
    if (retention.length === 0 || retention.length > 200)
      throw invalidField('retention', 'must be 1–200 characters');
    const categories = normalizeCategories(terms.categories);
    return this.publish(
      {
        kind: 'pi_authorization',
        lenderId,
        title: `个人信息对外提供授权书（${lender.legalName}）`,
        text: renderPiAuthorization(lender, { categories, purpose, retention }),
        categories,
        ...(terms.effectiveFrom ? { effectiveFrom: terms.effectiveFrom } : {}),
      },
      actor,
      requestId,
      executor,
    );
  }

  async get(id: string, executor: Executor<BorrowerTables> = this.#db): Promise<Agreement> {
    const row = await executor.selectFrom('agreements').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', 'No agreement has this id.');
    return toAgreement(row);
  }

  /** The version in force now of one agreement, or `undefined` when none is published. */
  async current(
    kind: AgreementKind,
    lenderId: string | null,
    executor: Executor<BorrowerTables> = this.#db,
  ): Promise<Agreement | undefined> {
    let select = executor
      .selectFrom('agreements')
      .selectAll()
      .where('kind', '=', kind)
      .where('effective_from', '<=', this.#clock())
      .orderBy('version', 'desc')
      .limit(1);
    select =
      lenderId === null ? select.where('lender_id', 'is', null) : select.where('lender_id', '=', lenderId);
    const row = await select.executeTakeFirst();
    return row ? toAgreement(row) : undefined;
  }

  /**
   * The texts a borrower is shown before consenting to a lender: the platform agreement, the
   * authorization naming the lender, and the lender's loan agreement — those that are published.
   * Without a lender, only the platform agreement.
   */
  async inForce(lenderId?: string): Promise<Agreement[]> {
    const found = await Promise.all([
      this.current('platform_service', null),
      ...(lenderId === undefined
        ? []
        : [this.current('pi_authorization', lenderId), this.current('lender_loan_agreement', lenderId)]),
    ]);
    return found.filter((agreement) => agreement !== undefined);
  }
}
