/** Operator roles. `admin` may do everything; the others are scoped to their work. */
export const OPERATOR_ROLES = ['admin', 'operator', 'finance', 'compliance'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

export function isOperatorRole(value: string): value is OperatorRole {
  return (OPERATOR_ROLES as readonly string[]).includes(value);
}

/** True if an operator holding `held` may use a route that allows `allowed`. Admin may use all. */
export function hasAnyRole(held: readonly OperatorRole[], allowed: readonly OperatorRole[]): boolean {
  return held.includes('admin') || held.some((role) => allowed.includes(role));
}
