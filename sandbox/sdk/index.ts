/**
 * Lendgate lender SDK: the signed, encrypted message envelope of the Lendgate open protocol.
 *
 * This directory is the one implementation of the envelope; the platform re-exports it from
 * `src/protocol/envelope`, so both sides always sign and verify the same way. It depends only on
 * `node:crypto` and global `fetch`. The format is specified in docs/protocol.md.
 */

export {
  FIELD_PATTERNS,
  REQUEST_TAG,
  RESPONSE_TAG,
  type RequestSigningFields,
  type ResponseSigningFields,
  requestCanonicalString,
  responseCanonicalString,
} from './canonical.ts';
export * from './contract.ts';
export { contentSha256 } from './encoding.ts';
export { TIMESTAMP_WINDOW_MS } from './envelope-checks.ts';
export { ENVELOPE_HEADERS, type EnvelopeHeaders, type HeaderSource } from './headers.ts';
export {
  ResponseVerificationError,
  type SendOptions,
  type SignedCallResult,
  sendCallback,
  sendSignedRequest,
} from './http-client.ts';
export {
  type EncryptionAlgorithm,
  findSigningKey,
  type GeneratedKeyPair,
  type GenerateKeyPairOptions,
  generateKeyPair,
  isKeyValidAt,
  MIN_RSA_BITS,
  type PrivateEncryptionKey,
  type PrivateSigningKey,
  type PublicEncryptionKey,
  type PublicKeyRecord,
  type PublicSigningKey,
  SIGNATURE_ALGORITHMS,
  type SignatureAlgorithm,
  selectEncryptionKey,
  spkiThumbprint,
} from './keys.ts';
export {
  InMemoryNonceStore,
  type InMemoryNonceStoreOptions,
  type NonceStore,
  NonceStoreFullError,
} from './nonce-store.ts';
export {
  decryptPii,
  type EncryptedPii,
  encryptPii,
  PII_ALGORITHM,
  type PiiContext,
  PiiDecryptionError,
  piiAdditionalData,
} from './pii.ts';
export {
  ENVELOPE_ERROR_CODES,
  type EnvelopeErrorCode,
  type EnvelopeFailure,
  type VerifyResult,
} from './result.ts';
export {
  type AnsweredRequest,
  newNonce,
  type SignedMessage,
  type SignRequestInput,
  type SignResponseInput,
  signRequest,
  signResponse,
} from './sign.ts';
export {
  type KeyLookup,
  staticKeyLookup,
  type VerifiedRequest,
  type VerifyRequestInput,
  verifyRequest,
} from './verify-request.ts';
export { type VerifiedResponse, type VerifyResponseInput, verifyResponse } from './verify-response.ts';
