/**
 * Inline checks of the data form, the same rules the vault applies on the server (which checks
 * again and has the last word). Each check returns null when the value is fine, otherwise the
 * dictionary key of the message to show. Values are never logged or echoed.
 */
import type { MessageKey } from '../i18n/messages.ts';

export type FieldCheck = (value: string) => MessageKey | null;

const NAME_PATTERN = /^[\p{L}\p{M}][\p{L}\p{M}·・.' -]*$/u;

export const checkName: FieldCheck = (input) => {
  const value = input.normalize('NFC').trim();
  if (value.length === 0) return 'form.required';
  if (Array.from(value).length > 50) return 'form.name.tooLong';
  return NAME_PATTERN.test(value) ? null : 'form.name.invalid';
};

export const checkPhone: FieldCheck = (input) => {
  const value = input.replace(/[\s-]/g, '').replace(/^\+?86(?=\d{11}$)/, '');
  if (value.length === 0) return 'form.required';
  return /^1[3-9]\d{9}$/.test(value) ? null : 'form.phone.invalid';
};

/** Luhn (ISO/IEC 7812) over a string of digits. */
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

export const checkBankCard: FieldCheck = (input) => {
  const value = input.replace(/[\s-]/g, '');
  if (value.length === 0) return 'form.required';
  if (!/^\d{12,19}$/.test(value)) return 'form.bankCard.digits';
  return luhnValid(value) ? null : 'form.bankCard.luhn';
};

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK_CHARACTERS = '10X98765432';

/** The ISO 7064 MOD 11-2 check character of the first 17 digits of a resident id number. */
export function idCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(first17[i]) * (ID_WEIGHTS[i] ?? 0);
  return ID_CHECK_CHARACTERS[sum % 11] ?? '';
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** 18-character resident id (GB 11643-1999): shape, birth date, check character. */
export function checkIdNumber(input: string, today: string): MessageKey | null {
  const value = input.trim().toUpperCase();
  if (value.length === 0) return 'form.required';
  if (!/^\d{17}[\dX]$/.test(value)) return 'form.idNumber.shape';
  const year = Number(value.slice(6, 10));
  const birth = `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`;
  if (
    year < 1900 ||
    !isCalendarDate(year, Number(value.slice(10, 12)), Number(value.slice(12, 14))) ||
    birth > today
  ) {
    return 'form.idNumber.birthDate';
  }
  return idCheckCharacter(value) === value[17] ? null : 'form.idNumber.checksum';
}

/** Digits only, with a space every four, as bank cards are printed. */
export function groupCardDigits(input: string): string {
  return input
    .replace(/\D/g, '')
    .slice(0, 19)
    .replace(/(\d{4})(?=\d)/g, '$1 ');
}
