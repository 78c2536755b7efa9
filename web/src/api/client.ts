import { clearSession, currentSession } from './session.ts';
import type { FieldProblem } from './types.ts';

/** An error answer of the API: `{ error: { code, message, requestId, details? } }`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: readonly FieldProblem[];
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    status: number,
    code: string,
    message: string,
    details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.fields = Array.isArray(details.fields) ? (details.fields as FieldProblem[]) : [];
  }
}

/** Thrown when the network or the server cannot be reached at all. */
export class NetworkError extends Error {
  constructor() {
    super('network unavailable');
    this.name = 'NetworkError';
  }
}

type UnauthorizedListener = () => void;
let onUnauthorized: UnauthorizedListener = () => {};

/** What to do when the session is refused (the app sends the borrower back to sign in). */
export function setUnauthorizedListener(listener: UnauthorizedListener): void {
  onUnauthorized = listener;
}

interface ErrorBody {
  readonly error?: {
    readonly code?: string;
    readonly message?: string;
    readonly details?: Record<string, unknown>;
  };
}

export interface RequestOptions {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly body?: unknown;
  /** Whether to send the borrower token (default true). */
  readonly auth?: boolean;
}

/** Calls the API on the same origin; parses JSON; turns error answers into ApiError. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.auth !== false) {
    const session = currentSession();
    if (session) headers.authorization = `Bearer ${session.token}`;
  }
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new NetworkError();
  }
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const error = (parsed as ErrorBody | undefined)?.error;
    const apiError = new ApiError(
      response.status,
      error?.code ?? `HTTP_${response.status}`,
      error?.message ?? response.statusText,
      error?.details ?? {},
    );
    if (response.status === 401 && options.auth !== false) {
      clearSession();
      onUnauthorized();
    }
    throw apiError;
  }
  return parsed as T;
}
