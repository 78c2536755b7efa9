/**
 * Lendgate lender SDK: the signed, encrypted message envelope of the Lendgate open protocol.
 *
 * This directory is the one implementation of the envelope; the platform re-exports it from
 * `src/protocol/envelope`, so both sides always sign and verify the same way. It depends only on
 * `node:crypto` and global `fetch`. The format is specified in docs/protocol.md.
 *
 * The SM suite (SM2-SM3 signatures, SM2 + SM4-GCM PII) needs an SM provider (sm-provider.ts):
 * calling `installSm()` of the separate entry point sm.ts installs the sm-crypto-v2 one. sm.ts is
 * the only SDK file that imports a library, and nothing here imports it.
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
export { contentDigest, contentSha256 } from './encoding.ts';
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
  CONTRACT_KEYWORDS,
  type ContractKeyword,
  type JsonSchema,
  type KeywordProblem,
  problemsOf,
} from './json-schema.ts';
export {
  ENCRYPTION_ALGORITHMS,
  type EncryptionAlgorithm,
  findSigningKey,
  type GeneratedKeyPair,
  type GenerateKeyPairOptions,
  generateKeyPair,
  isKeyValidAt,
  isSmAlgorithm,
  MIN_RSA_BITS,
  type PrivateEncryptionKey,
  type PrivateSigningKey,
  type PublicEncryptionKey,
  type PublicKeyRecord,
  type PublicSigningKey,
  SIGNATURE_ALGORITHMS,
  type SignatureAlgorithm,
  type Sm2KeyPair,
  selectEncryptionKey,
  sm2PrivateKey,
  sm2PublicPoint,
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
  PII_ALGORITHMS,
  PII_SM_ALGORITHM,
  type PiiAlgorithm,
  type PiiContext,
  PiiDecryptionError,
  piiAdditionalData,
  piiAlgorithmFor,
} from './pii.ts';
export {
  ENVELOPE_ERROR_CODES,
  type EnvelopeErrorCode,
  type EnvelopeFailure,
  type VerifyResult,
} from './result.ts';
export type { FromSchema } from './schema-types.ts';
export {
  ACCEPTED,
  APPLICANT_PII,
  APPLY_REQUEST,
  CALL_REQUEST_SCHEMAS,
  CALL_RESPONSE_SCHEMAS,
  CALLBACK_ACK,
  CALLBACK_SCHEMAS,
  CREDIT_DECISION_CALLBACK,
  DISBURSEMENT_CALLBACK,
  DRAWDOWN_REQUEST,
  ENCRYPTED_PII,
  ERROR_BODY,
  LOAN_STATUS_CALLBACK,
  PII_BLOCK_ALGORITHMS,
  PRE_CHECK_REQUEST,
  PRE_CHECK_RESPONSE,
  REPAY_REQUEST,
  REPAYMENT_CALLBACK,
  REPAYMENT_SCHEDULE_CALLBACK,
  STATUS_QUERY_REQUEST,
  STATUS_QUERY_RESPONSE,
} from './schemas.ts';
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
  installSmProvider,
  SM2_DEFAULT_USER_ID,
  type SmProvider,
  SmUnavailableError,
  smAvailable,
} from './sm-provider.ts';
export {
  SM2_CURVE,
  sm2PointFromPem,
  sm2PrivateKeyPem,
  sm2PublicKeyPem,
  sm2SignatureFromDer,
  sm2SignatureToDer,
} from './sm2-format.ts';
export {
  type KeyLookup,
  staticKeyLookup,
  type VerifiedRequest,
  type VerifyRequestInput,
  verifyRequest,
} from './verify-request.ts';
export { type VerifiedResponse, type VerifyResponseInput, verifyResponse } from './verify-response.ts';
