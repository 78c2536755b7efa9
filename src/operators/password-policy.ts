/**
 * What an operator password must be: MIN_PASSWORD_LENGTH to MAX_PASSWORD_LENGTH characters, not
 * built on the account's own email, and strong by zxcvbn's estimate (score MIN_PASSWORD_SCORE of
 * 4, i.e. at least ~10^8 guesses: a common password, a keyboard walk, a dictionary word with a
 * year or a few substitutions all score lower). The dictionaries (common passwords, English words
 * and names, ~30 MB of heap, ~0.5 s) load on the first check only: a server that never sets a
 * password never loads them.
 */
import type { ZxcvbnFactory, ZxcvbnResult } from '@zxcvbn-ts/core';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;
export const MIN_PASSWORD_SCORE = 3;
/** zxcvbn's cost grows with the length; beyond this many characters only the first ones are estimated. */
const ESTIMATED_LENGTH = 100;

export interface PasswordProblem {
  /** One sentence for the field's message. */
  readonly message: string;
  /** zxcvbn's feedback: a warning and suggestions, in English. */
  readonly warning?: string;
  readonly suggestions: readonly string[];
}

let estimator: Promise<ZxcvbnFactory> | undefined;

async function loadEstimator(): Promise<ZxcvbnFactory> {
  const [{ ZxcvbnFactory }, common, en] = await Promise.all([
    import('@zxcvbn-ts/core'),
    import('@zxcvbn-ts/language-common'),
    import('@zxcvbn-ts/language-en'),
  ]);
  return new ZxcvbnFactory({
    translations: en.translations,
    graphs: common.adjacencyGraphs,
    dictionary: { ...common.dictionary, ...en.dictionary },
    maxLength: ESTIMATED_LENGTH,
  });
}

/** Words a password must not be built on: the email, its parts, the product's name. */
export function accountWords(email: string, displayName?: string): string[] {
  const lower = email.toLowerCase();
  const [local = '', domain = ''] = lower.split('@');
  const words = [lower, local, ...local.split(/[._+-]/), ...domain.split('.'), 'lendgate'];
  if (displayName) words.push(displayName.toLowerCase(), ...displayName.toLowerCase().split(/\s+/));
  return [...new Set(words.filter((word) => word.length >= 3))];
}

/** Why `password` is not acceptable for the account with this email, or null when it is. */
export async function passwordProblem(
  password: string,
  account: { readonly email: string; readonly displayName?: string },
): Promise<PasswordProblem | null> {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return { message: `must be at least ${MIN_PASSWORD_LENGTH} characters`, suggestions: [] };
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    return { message: `must be at most ${MAX_PASSWORD_LENGTH} characters`, suggestions: [] };
  }
  const lower = password.toLowerCase();
  const local = account.email.toLowerCase().split('@')[0] ?? '';
  if (local.length >= 4 && lower.includes(local)) {
    return {
      message: 'must not contain the account’s email address or its name part',
      suggestions: ['Use words that have nothing to do with the account.'],
    };
  }
  estimator ??= loadEstimator();
  const result: ZxcvbnResult = (await estimator).check(
    password,
    accountWords(account.email, account.displayName),
  );
  if (result.score >= MIN_PASSWORD_SCORE) return null;
  const warning = result.feedback.warning ?? undefined;
  return {
    message: `is too easy to guess${warning ? ` (${warning.replace(/\.$/, '')})` : ''}; use a longer passphrase of uncommon words`,
    ...(warning ? { warning } : {}),
    suggestions: result.feedback.suggestions,
  };
}
