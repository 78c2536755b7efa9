import { ENVELOPE_ERROR_CODES, type EnvelopeErrorCode } from '../../../sandbox/sdk/index.ts';
import { ERROR_CODES } from '../../shared/errors.ts';

/**
 * HTTP status and public message for each envelope failure: the envelope part of the platform's
 * error registry (src/shared/errors.ts), whose statuses are the SDK's PROTOCOL_ERRORS. Bad format
 * answers 400; anything about who signed, when, or with which key answers 401, telling the sender
 * not to retry unchanged.
 */
export const ENVELOPE_ERRORS: { readonly [C in EnvelopeErrorCode]: (typeof ERROR_CODES)[C] } = Object.freeze(
  Object.fromEntries(ENVELOPE_ERROR_CODES.map((code) => [code, ERROR_CODES[code]])) as {
    readonly [C in EnvelopeErrorCode]: (typeof ERROR_CODES)[C];
  },
);
