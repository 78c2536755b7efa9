import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Executor } from '../db/transaction.ts';
import { AppError } from '../shared/errors.ts';
import type { Funder, FunderInput } from './model.ts';
import { Problems } from './problems.ts';
import type { LenderFunderRow, LenderRow, LenderTables } from './tables.ts';
import { toFunder } from './views.ts';

/** A funder as stored for a partner: who it is, copied when it was named. */
type FunderSnapshot = Pick<
  Selectable<LenderFunderRow>,
  'funder_lender_id' | 'kind' | 'legal_name' | 'license_number'
>;

/** A registered funder is the same partner; an unregistered one the same license. */
function sameFunder(row: Selectable<LenderFunderRow>, funder: FunderSnapshot): boolean {
  return funder.funder_lender_id !== null
    ? row.funder_lender_id === funder.funder_lender_id
    : row.funder_lender_id === null && row.license_number === funder.license_number;
}

/**
 * A facilitator's funders (资金方): the licensed institutions that fund its loans, each either a
 * registered partner (copied as of when it was named) or named by legal name and license. Read
 * and replaced inside the partner registry's transactions (LenderService); a funder that a product
 * names cannot be dropped.
 */
export class FunderService {
  readonly #db: Executor<LenderTables>;

  constructor(db: Executor<LenderTables>) {
    this.#db = db;
  }

  /** The partner's funders, in their order. */
  async fundersOf(lenderId: string, executor: Executor<LenderTables> = this.#db): Promise<Funder[]> {
    return (await this.fundersOfMany([lenderId], executor)).get(lenderId) ?? [];
  }

  /** The funders of each partner (absent for a partner without any), each list in its order. */
  async fundersOfMany(
    lenderIds: readonly string[],
    executor: Executor<LenderTables> = this.#db,
  ): Promise<Map<string, Funder[]>> {
    const out = new Map<string, Funder[]>();
    if (lenderIds.length === 0) return out;
    const rows = await executor
      .selectFrom('lender_funders')
      .selectAll()
      .where('lender_id', 'in', [...lenderIds])
      .orderBy('position')
      .execute();
    for (const row of rows) {
      const list = out.get(row.lender_id) ?? [];
      list.push(toFunder(row));
      out.set(row.lender_id, list);
    }
    return out;
  }

  /**
   * Makes the partner's funders exactly `wanted`: registered funders are resolved and copied (their
   * legal name and license as of now), funders still named keep their id, and a funder that a
   * product names cannot be dropped.
   */
  async replace(
    trx: Executor<LenderTables>,
    lender: Selectable<LenderRow>,
    wanted: readonly FunderInput[],
    now: Date,
  ): Promise<Funder[]> {
    const resolved = await this.#resolve(trx, lender.id, wanted);
    const existing = await trx
      .selectFrom('lender_funders')
      .selectAll()
      .where('lender_id', '=', lender.id)
      .execute();
    const kept = existing.filter((row) => resolved.some((f) => sameFunder(row, f)));
    const dropped = existing.filter((row) => !kept.includes(row));
    if (dropped.length > 0) {
      const used = await trx
        .selectFrom('lender_products')
        .select(['code', 'funder_id'])
        .where(
          'funder_id',
          'in',
          dropped.map((row) => row.id),
        )
        .execute();
      if (used.length > 0) {
        throw new AppError(
          'CONFLICT',
          `A funder named by products cannot be removed: ${used.map((p) => p.code).join(', ')}.`,
          {
            field: 'funders',
            products: used.map((p) => p.code),
          },
        );
      }
      await trx
        .deleteFrom('lender_funders')
        .where(
          'id',
          'in',
          dropped.map((row) => row.id),
        )
        .execute();
    }
    for (const [position, funder] of resolved.entries()) {
      const match = kept.find((row) => sameFunder(row, funder));
      if (match) {
        await trx
          .updateTable('lender_funders')
          .set({
            kind: funder.kind,
            legal_name: funder.legal_name,
            license_number: funder.license_number,
            position,
          })
          .where('id', '=', match.id)
          .execute();
      } else {
        await trx
          .insertInto('lender_funders')
          .values({ id: randomUUID(), lender_id: lender.id, created_at: now, position, ...funder })
          .execute();
      }
    }
    return this.fundersOf(lender.id, trx);
  }

  /** What each wanted funder stands for: a registered licensed partner, or the name and license given. */
  async #resolve(
    trx: Executor<LenderTables>,
    lenderId: string,
    wanted: readonly FunderInput[],
  ): Promise<FunderSnapshot[]> {
    const ids = wanted.flatMap((f) => (f.lenderId !== undefined ? [f.lenderId] : []));
    const registered =
      ids.length === 0
        ? []
        : await trx
            .selectFrom('lenders')
            .select(['id', 'kind', 'legal_name', 'license_number', 'status'])
            .where('id', 'in', ids)
            .execute();
    const problems = new Problems();
    const out: FunderSnapshot[] = [];
    wanted.forEach((funder, index) => {
      const at = `funders.${index}`;
      let candidate: (typeof out)[number] | undefined;
      if (funder.lenderId !== undefined) {
        const partner = registered.find((row) => row.id === funder.lenderId);
        if (!partner || partner.id === lenderId)
          problems.add(`${at}.lenderId`, 'is not a registered partner');
        else if (partner.kind === 'facilitator' || partner.license_number === null) {
          problems.add(
            `${at}.lenderId`,
            'is a facilitator; a funder must be a licensed bank, consumer-finance or micro-loan company',
          );
        } else if (partner.status === 'terminated') problems.add(`${at}.lenderId`, 'is a terminated partner');
        else {
          candidate = {
            funder_lender_id: partner.id,
            kind: partner.kind,
            legal_name: partner.legal_name,
            license_number: partner.license_number,
          };
        }
      } else if (
        funder.kind !== undefined &&
        funder.legalName !== undefined &&
        funder.licenseNumber !== undefined
      ) {
        candidate = {
          funder_lender_id: null,
          kind: funder.kind,
          legal_name: funder.legalName,
          license_number: funder.licenseNumber,
        };
      }
      if (candidate === undefined) return;
      if (out.some((f) => f.license_number === candidate.license_number)) {
        problems.add(at, `names license ${candidate.license_number} a second time`);
      } else out.push(candidate);
    });
    problems.throwIfAny();
    return out;
  }
}
