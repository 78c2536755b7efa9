/**
 * The rules a borrower profile keeps, as pure functions: each field is checked and normalized
 * before anything is encrypted, and every problem names its field. Messages never repeat the
 * value, because they travel into responses and logs.
 */
import type { FieldProblem } from '../shared/errors.ts';
import { parseIdNumber } from './id-number.ts';

export const CONTACT_RELATIONS = [
  'parent',
  'spouse',
  'child',
  'sibling',
  'relative',
  'friend',
  'colleague',
  'other',
] as const;
export type ContactRelation = (typeof CONTACT_RELATIONS)[number];

/** The most emergency contacts a profile holds (the lender protocol allows up to 10). */
export const MAX_CONTACTS = 5;
export const MAX_NAME_LENGTH = 50;

export interface Contact {
  readonly name: string;
  readonly phone: string;
  readonly relation: ContactRelation;
}

/** The plain profile, as held in memory after decryption. Every field may be absent. */
export interface PlainProfile {
  readonly name: string | null;
  readonly idNumber: string | null;
  readonly phone: string | null;
  readonly bankCard: string | null;
  readonly contacts: readonly Contact[] | null;
}

export const EMPTY_PROFILE: PlainProfile = Object.freeze({
  name: null,
  idNumber: null,
  phone: null,
  bankCard: null,
  contacts: null,
});

export interface ContactInput {
  readonly name: string;
  readonly phone: string;
  readonly relation: string;
}

/** A partial update: an absent field is kept, `null` clears it, a value replaces it. */
export interface ProfileChanges {
  readonly name?: string | null;
  readonly idNumber?: string | null;
  readonly phone?: string | null;
  readonly bankCard?: string | null;
  readonly contacts?: readonly ContactInput[] | null;
}

/** A profile change that passed every rule, values normalized. */
export interface CheckedChanges {
  readonly name?: string | null;
  readonly idNumber?: string | null;
  readonly phone?: string | null;
  readonly bankCard?: string | null;
  readonly contacts?: readonly Contact[] | null;
}

export type FieldCheck<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: string };

// Letters of any script, combining marks, and the separators real names use: the middle dot of
// transliterated names (阿卜杜·热合曼), spaces, apostrophes, hyphens and periods of Latin names.
const NAME_PATTERN = /^[\p{L}\p{M}][\p{L}\p{M}·・.' -]*$/u;

export function checkName(input: string): FieldCheck<string> {
  const value = input.normalize('NFC').trim().replace(/\s+/g, ' ');
  const length = Array.from(value).length;
  if (length === 0) return { ok: false, message: 'must not be empty' };
  if (length > MAX_NAME_LENGTH)
    return { ok: false, message: `must be at most ${MAX_NAME_LENGTH} characters` };
  if (!NAME_PATTERN.test(value))
    return { ok: false, message: 'must contain only letters and name separators' };
  return { ok: true, value };
}

/** Mainland mobile number: 11 digits starting with 13–19; spaces, hyphens and a +86 prefix are dropped. */
export function checkPhone(input: string): FieldCheck<string> {
  const value = input.replace(/[\s-]/g, '').replace(/^\+?86(?=\d{11}$)/, '');
  if (!/^1[3-9][0-9]{9}$/.test(value)) {
    return { ok: false, message: 'must be an 11-digit mainland mobile number starting with 13–19' };
  }
  return { ok: true, value };
}

/** Luhn (ISO/IEC 7812) check over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** Bank card number: 12–19 digits passing the Luhn check; spaces and hyphens are dropped. */
export function checkBankCard(input: string): FieldCheck<string> {
  const value = input.replace(/[\s-]/g, '');
  if (!/^[0-9]{12,19}$/.test(value)) return { ok: false, message: 'must be 12–19 digits' };
  if (!luhnValid(value)) return { ok: false, message: 'checksum (Luhn) does not match' };
  return { ok: true, value };
}

export function checkIdNumber(input: string, today: string): FieldCheck<string> {
  const result = parseIdNumber(input, today);
  return result.ok ? { ok: true, value: result.value.normalized } : result;
}

function isRelation(value: string): value is ContactRelation {
  return (CONTACT_RELATIONS as readonly string[]).includes(value);
}

/**
 * Checks a partial update. `today` is the China date (`YYYY-MM-DD`) that birth dates are checked
 * against; `prefix` is put before each field name (`body.` for a request body).
 */
export function checkProfileChanges(
  input: ProfileChanges,
  today: string,
  prefix = '',
): { readonly changes: CheckedChanges; readonly problems: readonly FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const changes: { -readonly [K in keyof CheckedChanges]: CheckedChanges[K] } = {};
  const single = <K extends 'name' | 'idNumber' | 'phone' | 'bankCard'>(
    key: K,
    check: (value: string) => FieldCheck<string>,
  ) => {
    const value = input[key];
    if (value === undefined) return;
    if (value === null) {
      changes[key] = null;
      return;
    }
    const result = check(value);
    if (result.ok) changes[key] = result.value;
    else problems.push({ field: `${prefix}${key}`, message: result.message });
  };
  single('name', checkName);
  single('idNumber', (value) => checkIdNumber(value, today));
  single('phone', checkPhone);
  single('bankCard', checkBankCard);

  if (input.contacts === null) changes.contacts = null;
  else if (input.contacts !== undefined) {
    if (input.contacts.length > MAX_CONTACTS) {
      problems.push({ field: `${prefix}contacts`, message: `must hold at most ${MAX_CONTACTS} contacts` });
    } else {
      const contacts: Contact[] = [];
      input.contacts.forEach((contact, i) => {
        const at = `${prefix}contacts.${i}.`;
        const name = checkName(contact.name);
        const phone = checkPhone(contact.phone);
        if (!name.ok) problems.push({ field: `${at}name`, message: name.message });
        if (!phone.ok) problems.push({ field: `${at}phone`, message: phone.message });
        if (!isRelation(contact.relation)) {
          problems.push({
            field: `${at}relation`,
            message: `must be one of ${CONTACT_RELATIONS.join(', ')}`,
          });
        }
        if (name.ok && phone.ok && isRelation(contact.relation)) {
          contacts.push({ name: name.value, phone: phone.value, relation: contact.relation });
        }
      });
      changes.contacts = contacts;
    }
  }
  return { changes, problems };
}

/** The profile after applying checked changes. */
export function applyChanges(current: PlainProfile, changes: CheckedChanges): PlainProfile {
  return {
    name: changes.name === undefined ? current.name : changes.name,
    idNumber: changes.idNumber === undefined ? current.idNumber : changes.idNumber,
    phone: changes.phone === undefined ? current.phone : changes.phone,
    bankCard: changes.bankCard === undefined ? current.bankCard : changes.bankCard,
    contacts: changes.contacts === undefined ? current.contacts : changes.contacts,
  };
}
