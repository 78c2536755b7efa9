/**
 * The borrower session lives in sessionStorage only: it ends with the web view, is never put in a
 * URL, and holds no personal data (a random token, its expiry, the channel code).
 */
const KEY = 'lendgate.session';

export interface Session {
  readonly token: string;
  readonly expiresAt: string;
  readonly channel: string;
}

function isSession(value: unknown): value is Session {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record.token === 'string' &&
    typeof record.expiresAt === 'string' &&
    typeof record.channel === 'string'
  );
}

export function currentSession(now = Date.now()): Session | null {
  const raw = window.sessionStorage.getItem(KEY);
  if (!raw) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (isSession(parsed) && Date.parse(parsed.expiresAt) > now) return parsed;
  } catch {
    // A damaged entry is treated as no session.
  }
  window.sessionStorage.removeItem(KEY);
  return null;
}

export function saveSession(session: Session): void {
  window.sessionStorage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(): void {
  window.sessionStorage.removeItem(KEY);
}
