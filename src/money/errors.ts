/**
 * Thrown for any input the money module refuses. `field` names the offending input
 * (e.g. `principalFen`, `fees.upfrontFen`, `payoffDate`) so the HTTP layer can map it to
 * `VALIDATION_FAILED` with the field named. Deliberately dependency-free.
 */
export class MoneyValidationError extends Error {
  /** Dotted path of the rejected input field. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.name = 'MoneyValidationError';
    this.field = field;
  }
}
