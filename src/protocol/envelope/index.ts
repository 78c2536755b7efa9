/**
 * The platform's view of the message envelope (signing, verification, key sets, replay protection,
 * PII encryption). The implementation lives in the lender SDK (sandbox/sdk) and is re-exported here
 * unchanged, so the platform and lenders cannot drift apart; the SDK depends on nothing in src/.
 * The database-backed NonceStore and KeyLookup belong to the modules that own those tables.
 */
export * from '../../../sandbox/sdk/index.ts';
export { ENVELOPE_ERRORS } from './errors.ts';
