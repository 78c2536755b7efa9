import { ApiError, NetworkError } from '../api/client.ts';
import type { I18n } from '../i18n/context.tsx';
import { isMessageKey } from '../i18n/messages.ts';

/** A message a borrower can read for any failure: by error code where one is known. */
export function errorMessage(t: I18n['t'], error: unknown): string {
  if (error instanceof NetworkError) return t('error.network');
  if (error instanceof ApiError) {
    const key = `error.${error.code}`;
    return isMessageKey(key) ? t(key) : t('error.generic');
  }
  return t('error.generic');
}
