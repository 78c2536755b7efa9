/**
 * The platform's view of the message envelope (signing, verification, key sets, replay protection,
 * PII encryption). The implementation lives in the lender SDK (sandbox/sdk) and is re-exported here
 * unchanged, so the platform and lenders cannot drift apart; the SDK depends on nothing in src/.
 * The database-backed NonceStore and KeyLookup belong to the modules that own those tables.
 *
 * The platform speaks the SM suite (SM2-SM3, SM2 + SM4-GCM) with partners that chose it, so loading
 * this module installs the SDK's SM provider (sandbox/sdk/sm.ts, on sm-crypto-v2) for the process.
 */
import { installSm } from '../../../sandbox/sdk/sm.ts';

installSm();

export * from '../../../sandbox/sdk/index.ts';
export { installSm, smCryptoV2Provider } from '../../../sandbox/sdk/sm.ts';
export { ENVELOPE_ERRORS } from './errors.ts';
