/**
 * Masking rules for showing personal data (COMPLIANCE.md: sensitive data is masked when shown).
 * Every API response carries only these forms; only the release to a consented lender carries
 * plain values, and only inside a block encrypted for that lender.
 */
import type { Contact, PlainProfile } from './profile-rules.ts';

/** `110***********1234`: the first 3 and the last 4 characters, the rest starred (length kept). */
export function maskIdNumber(value: string): string {
  if (value.length <= 7) return '*'.repeat(value.length);
  return `${value.slice(0, 3)}${'*'.repeat(value.length - 7)}${value.slice(-4)}`;
}

/** `6222 **** **** 1234`: the issuer prefix and the last 4 digits, whatever the card's length. */
export function maskBankCard(value: string): string {
  if (value.length <= 8) return '*'.repeat(value.length);
  return `${value.slice(0, 4)} **** **** ${value.slice(-4)}`;
}

/** `138****5678`: the first 3 and the last 4 digits. */
export function maskPhone(value: string): string {
  if (value.length <= 7) return '*'.repeat(value.length);
  return `${value.slice(0, 3)}${'*'.repeat(value.length - 7)}${value.slice(-4)}`;
}

/** `张*`, `欧阳**`→`欧***`: the first character, every other one starred (by code point). */
export function maskName(value: string): string {
  const characters = Array.from(value);
  if (characters.length <= 1) return '*';
  return `${characters[0]}${'*'.repeat(characters.length - 1)}`;
}

export interface MaskedContact {
  readonly name: string;
  readonly phone: string;
  readonly relation: Contact['relation'];
}

export interface MaskedProfile {
  readonly name: string | null;
  readonly idNumber: string | null;
  readonly phone: string | null;
  readonly bankCard: string | null;
  readonly contacts: MaskedContact[] | null;
}

export function maskContact(contact: Contact): MaskedContact {
  return { name: maskName(contact.name), phone: maskPhone(contact.phone), relation: contact.relation };
}

export function maskProfile(profile: PlainProfile): MaskedProfile {
  return {
    name: profile.name === null ? null : maskName(profile.name),
    idNumber: profile.idNumber === null ? null : maskIdNumber(profile.idNumber),
    phone: profile.phone === null ? null : maskPhone(profile.phone),
    bankCard: profile.bankCard === null ? null : maskBankCard(profile.bankCard),
    contacts: profile.contacts === null ? null : profile.contacts.map(maskContact),
  };
}
