/**
 * The vault's cryptography (docs/borrowers.md):
 * - each borrower has a random 256-bit data key, stored only wrapped by the master key;
 * - each field is sealed separately (AES-256-GCM, fresh IV) with the borrower id and the field
 *   name as additional data, so a ciphertext moved to another field or borrower does not open;
 * - blind indexes (HMAC-SHA256 under a key derived from the master key) find a borrower by phone
 *   or id number without decrypting anything, and mean nothing without the master key.
 */
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { seal, unseal } from '../crypto/seal.ts';

export type VaultField = 'name' | 'idNumber' | 'phone' | 'bankCard' | 'contacts';

export function newDataKey(): Buffer {
  return randomBytes(32);
}

function dataKeyPurpose(borrowerId: string): string {
  return `lendgate/borrower-data-key/v1/${borrowerId}`;
}

function fieldPurpose(borrowerId: string, field: VaultField): string {
  return `lendgate/borrower-field/v1/${borrowerId}/${field}`;
}

/** The data key sealed by the master key, bound to its borrower. */
export function wrapDataKey(masterKey: Buffer, borrowerId: string, dataKey: Buffer): string {
  return seal(masterKey, dataKeyPurpose(borrowerId), dataKey.toString('base64'));
}

export function unwrapDataKey(masterKey: Buffer, borrowerId: string, wrapped: string): Buffer {
  const key = Buffer.from(unseal(masterKey, dataKeyPurpose(borrowerId), wrapped), 'base64');
  if (key.length !== 32) throw new Error('a wrapped data key did not hold 32 bytes');
  return key;
}

export function encryptField(
  dataKey: Buffer,
  borrowerId: string,
  field: VaultField,
  plaintext: string,
): string {
  return seal(dataKey, fieldPurpose(borrowerId, field), plaintext);
}

/** Throws when the ciphertext was altered or belongs to another field or borrower. */
export function decryptField(dataKey: Buffer, borrowerId: string, field: VaultField, sealed: string): string {
  return unseal(dataKey, fieldPurpose(borrowerId, field), sealed);
}

/** The blind-index key, derived so that the master key itself never keys an HMAC. */
export function blindIndexKey(masterKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'lendgate/blind-index/v1', 32));
}

/**
 * Keyed lookup value of a phone or id number (normalized form). The field name is part of the
 * message so that equal strings in different fields do not share an index value.
 */
export function blindIndex(indexKey: Buffer, field: 'phone' | 'idNumber', value: string): string {
  return createHmac('sha256', indexKey).update(`${field}\n${value}`, 'utf8').digest('hex');
}

/**
 * The pre-check (撞库) form of a phone or id number in the lender protocol: lower-case hex
 * HMAC-SHA256 of the value (UTF-8) under the partner's pre-check key. The key is secret and never
 * travels in a message, so a message does not let anyone test guesses (an unkeyed or publicly
 * salted hash of an 11-digit phone falls to trying every number); and each partner has its own
 * key, so hashes sent to one partner cannot be joined with another's.
 */
export function preCheckHmac(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value, 'utf8').digest('hex');
}
