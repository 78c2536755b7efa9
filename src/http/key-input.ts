/** The validity fields of a new public key as the API takes them: RFC 3339 strings. */
interface KeyValidityInput {
  readonly notBefore?: string;
  readonly notAfter?: string | null;
  readonly retire?: { readonly kid: string; readonly at: string };
}

/**
 * A new key's body (a partner's envelope key or a channel's sign-in key) as the key services take
 * it: the same fields, with the validity window and the rotation overlap as Dates. An absent field
 * stays absent, so that the service applies its default (a key starts now and never ends), and a
 * null `notAfter` stays null (no end). Both registries take keys the same way, so the conversion
 * is written once.
 */
export function keyWithDates<Body extends KeyValidityInput>(
  body: Body,
): Omit<Body, keyof KeyValidityInput> & {
  notBefore?: Date;
  notAfter?: Date | null;
  retire?: { kid: string; at: Date };
} {
  const { notBefore, notAfter, retire, ...rest } = body;
  return {
    ...rest,
    ...(notBefore !== undefined ? { notBefore: new Date(notBefore) } : {}),
    ...(notAfter !== undefined ? { notAfter: notAfter === null ? null : new Date(notAfter) } : {}),
    ...(retire !== undefined ? { retire: { kid: retire.kid, at: new Date(retire.at) } } : {}),
  };
}
