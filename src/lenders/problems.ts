import { AppError, type FieldProblem } from '../shared/errors.ts';

/** Collects every problem with an input, so that one answer names all the fields to fix. */
export class Problems {
  readonly #list: FieldProblem[] = [];

  add(field: string, message: string): void {
    this.#list.push({ field, message });
  }

  get empty(): boolean {
    return this.#list.length === 0;
  }

  /** Throws VALIDATION_FAILED naming each field, if any problem was found. */
  throwIfAny(): void {
    if (this.#list.length === 0) return;
    const message = this.#list.map((p) => `${p.field}: ${p.message}`).join('; ');
    throw new AppError('VALIDATION_FAILED', message, { fields: [...this.#list] });
  }
}

/** A trimmed string of bounded length, or a problem. */
export function text(problems: Problems, field: string, value: string, max: number, min = 1): string {
  const trimmed = value.trim();
  if (trimmed.length < min) problems.add(field, 'must not be empty');
  else if (trimmed.length > max) problems.add(field, `must be at most ${max} characters`);
  return trimmed;
}

/** Whether `value` is a real calendar date written `YYYY-MM-DD`. */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
