import { SYSTEM_ACTOR } from '../audit/audit-log.ts';
import { ConfigError } from '../config.ts';
import { AppError } from '../shared/errors.ts';
import { generatePassword } from './password.ts';
import type { OperatorService } from './service.ts';

export const DEFAULT_ADMIN_EMAIL = 'admin@lendgate.local';

export interface FirstAdmin {
  readonly email: string;
  /** Present only when the password was generated here and must be shown once. */
  readonly generatedPassword?: string;
}

/**
 * Creates the first admin when there is no operator at all: from LENDGATE_ADMIN_EMAIL and
 * LENDGATE_ADMIN_PASSWORD when given, otherwise with a generated password that the caller prints
 * once. Returns null when operators already exist. A configured password must pass the password
 * policy like any other (operators/password-policy.ts); if not, this throws a ConfigError.
 */
export async function ensureFirstAdmin(
  operators: OperatorService,
  configured: { email: string | undefined; password: string | undefined },
): Promise<FirstAdmin | null> {
  if ((await operators.count()) > 0) return null;
  const email = configured.email ?? DEFAULT_ADMIN_EMAIL;
  const generated = configured.password === undefined ? generatePassword() : undefined;
  try {
    await operators.create(
      { email, displayName: 'Administrator', password: configured.password ?? generated!, roles: ['admin'] },
      SYSTEM_ACTOR,
      undefined,
      { generatedPassword: generated !== undefined },
    );
  } catch (error) {
    // Another process starting at the same moment created it first.
    if (error instanceof AppError && error.code === 'CONFLICT') return null;
    // A configured password the policy refuses is a configuration error, named as such.
    if (
      error instanceof AppError &&
      error.code === 'VALIDATION_FAILED' &&
      configured.password !== undefined
    ) {
      const variable =
        error.details?.fields?.[0]?.field === 'email' ? 'LENDGATE_ADMIN_EMAIL' : 'LENDGATE_ADMIN_PASSWORD';
      const field = error.details?.fields?.[0];
      throw new ConfigError([`${variable} ${field?.message ?? error.message}`]);
    }
    throw error;
  }
  return generated === undefined ? { email } : { email, generatedPassword: generated };
}
