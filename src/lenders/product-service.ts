import { randomUUID } from 'node:crypto';
import { type Actor, recordAudit } from '../audit/audit-log.ts';
import { type Executor, inTransaction } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import { decodeTimeCursor, encodeTimeCursor } from '../shared/cursor.ts';
import { AppError, invalidField } from '../shared/errors.ts';
import type { NewProduct, Page, Product, ProductChanges } from './model.ts';
import { pageOf } from './pagination.ts';
import { requirePartner } from './partner-guards.ts';
import { Problems } from './problems.ts';
import { aprRefusal, type CheckedProduct, checkProductTerms } from './product-rules.ts';
import {
  canMoveProduct,
  PRODUCT_TRANSITIONS,
  type ProductStatus,
  statusAfterEdit,
} from './product-status.ts';
import type { ListQuery } from './service.ts';
import type { LenderTables } from './tables.ts';
import { asCategories, asMethods } from './views.ts';

export interface ProductListQuery extends ListQuery {
  readonly status?: ProductStatus;
}

export interface ProductTransition {
  readonly to: ProductStatus;
  readonly reason: string;
}

/** Thrown inside a transaction so that the refusal is audited after the rollback, on its own. */
class AprRefused extends Error {
  readonly refusal: AppError;
  constructor(refusal: AppError) {
    super(refusal.message);
    this.refusal = refusal;
  }
}

function productColumns(p: CheckedProduct) {
  return {
    name: p.name,
    funder_id: p.funderId,
    apr_min: p.aprMin,
    apr_max: p.aprMax,
    amount_min_fen: p.amountMinFen,
    amount_max_fen: p.amountMaxFen,
    terms_months: [...p.termsMonths],
    repayment_methods: [...p.repaymentMethods],
    day_count: p.dayCount,
    data_categories: [...p.dataCategories],
  };
}

/**
 * Credit products of a partner, with operator review. Creating or editing a product runs the price
 * rule; a refusal is written to the audit log in a transaction of its own, so that it is kept
 * although the request fails.
 */
export class ProductService {
  readonly #db: Executor<LenderTables>;
  readonly #clock: Clock;

  constructor(db: Executor<LenderTables>, options: { readonly clock: Clock }) {
    this.#db = db;
    this.#clock = options.clock;
  }

  async create(lenderId: string, input: NewProduct, actor: Actor, requestId?: string): Promise<Product> {
    const problems = new Problems();
    const checked = checkProductTerms(problems, input);
    problems.throwIfAny();
    const context = { lenderId, productId: null, code: checked.code, operation: 'create' } as const;
    return this.#auditingRefusals(context, actor, requestId, async (trx) => {
      await this.#checkFits(trx, lenderId, checked);
      const now = this.#clock();
      const row = await trx
        .insertInto('lender_products')
        .values({
          id: randomUUID(),
          lender_id: lenderId,
          code: checked.code,
          status: 'draft',
          created_at: now,
          updated_at: now,
          ...productColumns(checked),
        })
        .onConflict((oc) => oc.columns(['lender_id', 'code']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!row) {
        throw new AppError('CONFLICT', `This partner already has a product with code ${checked.code}.`, {
          field: 'code',
        });
      }
      await recordAudit(trx, {
        actor,
        action: 'lender_product.create',
        target: { type: 'lender_product', id: row.id },
        requestId,
        details: { lenderId, code: checked.code, aprMin: checked.aprMin, aprMax: checked.aprMax },
      });
      return this.#get(trx, lenderId, row.id);
    });
  }

  /**
   * Edits a product's terms. An edit to a product in review or approved sends it back to draft,
   * so nothing a borrower sees changes without a new review; a withdrawn product is final.
   */
  async update(
    lenderId: string,
    productId: string,
    changes: ProductChanges,
    actor: Actor,
    requestId?: string,
  ): Promise<Product> {
    const context = { lenderId, productId, code: null, operation: 'update' } as const;
    return this.#auditingRefusals(context, actor, requestId, async (trx) => {
      const current = await this.#lock(trx, lenderId, productId);
      const nextStatus = statusAfterEdit(current.status);
      if (nextStatus === null) throw new AppError('CONFLICT', 'A withdrawn product cannot be changed.');
      const problems = new Problems();
      const checked = checkProductTerms(problems, {
        code: current.code,
        name: changes.name ?? current.name,
        funderId: changes.funderId === undefined ? current.funder_id : changes.funderId,
        aprMin: changes.aprMin ?? current.apr_min,
        aprMax: changes.aprMax ?? current.apr_max,
        amountMinFen: changes.amountMinFen ?? current.amount_min_fen,
        amountMaxFen: changes.amountMaxFen ?? current.amount_max_fen,
        termsMonths: changes.termsMonths ?? current.terms_months,
        repaymentMethods: changes.repaymentMethods ?? asMethods(current.repayment_methods),
        dayCount: changes.dayCount ?? current.day_count,
        dataCategories: changes.dataCategories ?? asCategories(current.data_categories),
      });
      problems.throwIfAny();
      await this.#checkFits(trx, lenderId, checked);
      await trx
        .updateTable('lender_products')
        .set({ ...productColumns(checked), status: nextStatus, updated_at: this.#clock() })
        .where('id', '=', productId)
        .execute();
      await recordAudit(trx, {
        actor,
        action: 'lender_product.update',
        target: { type: 'lender_product', id: productId },
        requestId,
        details: {
          lenderId,
          changed: Object.keys(changes).filter((k) => changes[k as keyof ProductChanges] !== undefined),
          from: current.status,
          status: nextStatus,
        },
      });
      return this.#get(trx, lenderId, productId);
    });
  }

  /** Review: draft → in_review → approved → withdrawn (in_review → draft sends it back). */
  async transition(
    lenderId: string,
    productId: string,
    change: ProductTransition,
    actor: Actor,
    requestId?: string,
  ): Promise<Product> {
    const reason = change.reason.trim();
    if (reason === '' || reason.length > 500) throw invalidField('reason', 'must be 1–500 characters');
    return inTransaction(this.#db, async (trx) => {
      const current = await this.#lock(trx, lenderId, productId);
      if (!canMoveProduct(current.status, change.to)) {
        const allowed = PRODUCT_TRANSITIONS[current.status];
        throw new AppError(
          'CONFLICT',
          allowed.length === 0
            ? `A ${current.status} product cannot change status.`
            : `A ${current.status} product can move only to: ${allowed.join(', ')}.`,
          { from: current.status, to: change.to, allowed },
        );
      }
      if (change.to === 'approved') {
        const lender = await trx
          .selectFrom('lenders')
          .select('status')
          .where('id', '=', lenderId)
          .executeTakeFirstOrThrow();
        if (lender.status === 'terminated')
          throw new AppError('CONFLICT', 'A terminated partner’s product cannot be approved.');
        // Re-checked at approval: the price rule is what review is for, whatever was stored before.
        const refused = aprRefusal({ aprMin: current.apr_min, aprMax: current.apr_max });
        if (refused) throw refused;
      }
      await trx
        .updateTable('lender_products')
        .set({ status: change.to, updated_at: this.#clock() })
        .where('id', '=', productId)
        .execute();
      await recordAudit(trx, {
        actor,
        action: 'lender_product.status_change',
        target: { type: 'lender_product', id: productId },
        requestId,
        details: { lenderId, code: current.code, from: current.status, to: change.to, reason },
      });
      return this.#get(trx, lenderId, productId);
    });
  }

  async get(lenderId: string, productId: string): Promise<Product> {
    return this.#get(this.#db, lenderId, productId);
  }

  /** Newest first, optionally by status, keyset-paginated. */
  async list(lenderId: string, query: ProductListQuery): Promise<Page<Product>> {
    await requirePartner(this.#db, lenderId);
    let select = this.#select(this.#db)
      .where('p.lender_id', '=', lenderId)
      .orderBy('p.created_at', 'desc')
      .orderBy('p.id', 'desc')
      .limit(query.limit + 1);
    if (query.status !== undefined) select = select.where('p.status', '=', query.status);
    if (query.cursor !== undefined) {
      const { at, id } = decodeTimeCursor(query.cursor);
      select = select.where((eb) =>
        eb.or([eb('p.created_at', '<', at), eb.and([eb('p.created_at', '=', at), eb('p.id', '<', id)])]),
      );
    }
    const rows = await select.execute();
    return pageOf(rows, query.limit, toProduct, (row) => encodeTimeCursor(row.created_at, row.id));
  }

  /**
   * Runs `work` in a transaction; if it refuses the price, audits the refusal in a transaction of
   * its own after the rollback, then reports it.
   */
  async #auditingRefusals<T>(
    context: {
      readonly lenderId: string;
      readonly productId: string | null;
      readonly code: string | null;
      readonly operation: 'create' | 'update';
    },
    actor: Actor,
    requestId: string | undefined,
    work: (trx: Executor<LenderTables>) => Promise<T>,
  ): Promise<T> {
    try {
      return await inTransaction(this.#db, async (trx) => {
        try {
          return await work(trx);
        } catch (error) {
          if (
            error instanceof AppError &&
            (error.code === 'APR_CAP_EXCEEDED' || error.code === 'APR_BELOW_FLOOR')
          ) {
            throw new AprRefused(error);
          }
          throw error;
        }
      });
    } catch (error) {
      if (!(error instanceof AprRefused)) throw error;
      const { refusal } = error;
      await inTransaction(this.#db, (trx) =>
        recordAudit(trx, {
          actor,
          action: 'lender_product.apr_refused',
          target: context.productId
            ? { type: 'lender_product', id: context.productId }
            : { type: 'lender', id: context.lenderId },
          requestId,
          details: {
            lenderId: context.lenderId,
            operation: context.operation,
            ...(context.code ? { code: context.code } : {}),
            errorCode: refusal.code,
            field: refusal.details?.field,
            apr: refusal.details?.apr,
            limit: refusal.details?.limit,
          },
        }),
      );
      throw refusal;
    }
  }

  /**
   * Checks a product against its partner: the partner exists and is not terminated, the funder is
   * right for its kind, and the APR range is within the cap (checked last, after the cheap
   * validation, so that a refusal is about price alone).
   */
  async #checkFits(trx: Executor<LenderTables>, lenderId: string, product: CheckedProduct): Promise<void> {
    const lender = await trx
      .selectFrom('lenders')
      .select(['kind', 'status'])
      .where('id', '=', lenderId)
      .executeTakeFirst();
    if (!lender) throw new AppError('NOT_FOUND', 'No partner has this id.');
    if (lender.status === 'terminated')
      throw new AppError('CONFLICT', 'A terminated partner takes no product changes.');
    if (lender.kind === 'facilitator') {
      if (product.funderId === null) {
        throw invalidField('funderId', 'a facilitator’s product must name one of the facilitator’s funders');
      }
      const funder = await trx
        .selectFrom('lender_funders')
        .select('id')
        .where('id', '=', product.funderId)
        .where('lender_id', '=', lenderId)
        .executeTakeFirst();
      if (!funder) throw invalidField('funderId', 'is not one of this facilitator’s funders');
    } else if (product.funderId !== null) {
      throw invalidField('funderId', 'a licensed partner funds its own products; leave funderId out');
    }
    const refused = aprRefusal(product);
    if (refused) throw refused;
  }

  async #lock(trx: Executor<LenderTables>, lenderId: string, productId: string) {
    const row = await trx
      .selectFrom('lender_products')
      .selectAll()
      .where('id', '=', productId)
      .where('lender_id', '=', lenderId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', 'This partner has no product with this id.');
    return row;
  }

  #select(executor: Executor<LenderTables>) {
    return executor
      .selectFrom('lender_products as p')
      .innerJoin('lenders as l', 'l.id', 'p.lender_id')
      .leftJoin('lender_funders as f', 'f.id', 'p.funder_id')
      .selectAll('p')
      .select([
        'l.legal_name as lender_legal_name',
        'l.license_number as lender_license_number',
        'f.legal_name as funder_legal_name',
        'f.license_number as funder_license_number',
      ]);
  }

  async #get(executor: Executor<LenderTables>, lenderId: string, productId: string): Promise<Product> {
    const row = await this.#select(executor)
      .where('p.id', '=', productId)
      .where('p.lender_id', '=', lenderId)
      .executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', 'This partner has no product with this id.');
    return toProduct(row);
  }
}

interface ProductJoinRow {
  readonly id: string;
  readonly lender_id: string;
  readonly code: string;
  readonly name: string;
  readonly funder_id: string | null;
  readonly apr_min: string;
  readonly apr_max: string;
  readonly amount_min_fen: number;
  readonly amount_max_fen: number;
  readonly terms_months: number[];
  readonly repayment_methods: string[];
  readonly day_count: 'ACT/360' | 'ACT/365';
  readonly data_categories: string[];
  readonly status: ProductStatus;
  readonly created_at: Date;
  readonly updated_at: Date;
  readonly lender_legal_name: string;
  readonly lender_license_number: string | null;
  readonly funder_legal_name: string | null;
  readonly funder_license_number: string | null;
}

function toProduct(row: ProductJoinRow): Product {
  return {
    id: row.id,
    lenderId: row.lender_id,
    code: row.code,
    name: row.name,
    funder:
      row.funder_id === null
        ? { funderId: null, legalName: row.lender_legal_name, licenseNumber: row.lender_license_number }
        : {
            funderId: row.funder_id,
            legalName: row.funder_legal_name ?? '',
            licenseNumber: row.funder_license_number,
          },
    aprMin: row.apr_min,
    aprMax: row.apr_max,
    amountMinFen: row.amount_min_fen,
    amountMaxFen: row.amount_max_fen,
    termsMonths: row.terms_months,
    repaymentMethods: asMethods(row.repayment_methods),
    dayCount: row.day_count,
    dataCategories: asCategories(row.data_categories),
    status: row.status,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
