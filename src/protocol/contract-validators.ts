/**
 * The lender contract's schemas (sandbox/sdk/schemas.ts) compiled with the platform's Ajv — the
 * same configuration and `x-` keywords the callback routes validate with. The SDK runs the same
 * schemas through its own small interpreter; contract-agreement.test.ts requires both to give the
 * same verdict on generated bodies. Handlers get their bodies typed through `typedHandler`, a guard
 * that validates, instead of casts.
 */
import type { ValidateFunction } from 'ajv';
import { createAjv, findNul } from '../shared/ajv.ts';
import { AppError } from '../shared/errors.ts';
import {
  CALL_REQUEST_SCHEMAS,
  CALL_RESPONSE_SCHEMAS,
  CALLBACK_ACK,
  CALLBACK_SCHEMAS,
  type CallbackAck,
  type CallbackBodies,
  type CallbackKind,
  type CallKind,
  type CallRequests,
  type CallResponses,
  type JsonSchema,
} from './envelope/index.ts';
import type { CallbackHandler } from './inbound.ts';

const ajv = createAjv({ coerceTypes: false, allErrors: false });
const ackValidator = checkOf(CALLBACK_ACK);

/** A compiled schema plus the contract's text rule (no NUL, no lone surrogate), as routes apply it. */
type Check = (body: unknown) => boolean;

function checkOf(schema: JsonSchema): Check & { readonly validate: ValidateFunction } {
  const validate = ajv.compile(schema as object);
  return Object.assign((body: unknown) => validate(body) && findNul(body, '') === undefined, { validate });
}

function compileAll<K extends string>(schemas: Readonly<Record<K, JsonSchema>>) {
  const compiled = {} as Record<K, ReturnType<typeof checkOf>>;
  for (const kind of Object.keys(schemas) as K[]) compiled[kind] = checkOf(schemas[kind]);
  return compiled;
}

const callbackValidators = compileAll<CallbackKind>(CALLBACK_SCHEMAS);
const requestValidators = compileAll<CallKind>(CALL_REQUEST_SCHEMAS);
const responseValidators = compileAll<CallKind>(CALL_RESPONSE_SCHEMAS);

/** The first problem found, as `body.field: message`, or `undefined` when valid. */
function firstProblem(check: ReturnType<typeof checkOf>, body: unknown): string | undefined {
  if (check(body)) return undefined;
  const { validate } = check;
  if (validate(body)) {
    const text = findNul(body, '');
    return `body${(text?.instancePath ?? '').replaceAll('/', '.')}: ${text?.message ?? 'is not valid'}`;
  }
  const [error] = validate.errors ?? [];
  if (!error) return 'body: is not valid';
  const path = `body${error.instancePath.replaceAll('/', '.')}`;
  const at = typeof error.params.at === 'string' ? error.params.at : '';
  const member =
    error.keyword === 'required'
      ? `.${String(error.params.missingProperty)}`
      : error.keyword === 'additionalProperties'
        ? `.${String(error.params.additionalProperty)}`
        : '';
  return `${path}${member}${at}: ${error.keyword === 'additionalProperties' ? 'is not a field of this message' : (error.message ?? 'is not valid')}`;
}

/** Whether a stored answer is a callback acknowledgement of the contract. */
export function isCallbackAck(body: unknown): body is CallbackAck {
  return ackValidator(body);
}

export function isCallbackBody<K extends CallbackKind>(kind: K, body: unknown): body is CallbackBodies[K] {
  return callbackValidators[kind](body);
}

export function isCallRequestBody<K extends CallKind>(kind: K, body: unknown): body is CallRequests[K] {
  return requestValidators[kind](body);
}

export function isCallResponseBody<K extends CallKind>(kind: K, body: unknown): body is CallResponses[K] {
  return responseValidators[kind](body);
}

/** Why a lender's answer to a call breaks the contract (the first problem), or `undefined`. */
export function callResponseProblem(kind: CallKind, body: unknown): string | undefined {
  return firstProblem(responseValidators[kind], body);
}

/** Why a callback body breaks the contract (the first problem), or `undefined`. */
export function callbackProblem(kind: CallbackKind, body: unknown): string | undefined {
  return firstProblem(callbackValidators[kind], body);
}

/**
 * A handler of callbacks of one kind, over bodies typed by that kind. The route has validated the
 * body already; held-back callbacks come back from the database, so the guard checks again (a
 * stored body that no longer satisfies the contract is refused rather than trusted).
 */
export function typedHandler<B>(
  accepts: (body: unknown) => body is B,
  what: string,
  handle: CallbackHandler<B>,
): CallbackHandler {
  return (trx, context) => {
    const { body } = context;
    if (!accepts(body)) throw new AppError('VALIDATION_FAILED', `The body is not a valid ${what} callback.`);
    return handle(trx, { ...context, body });
  };
}

/** {@link typedHandler} for a callback kind of the contract. */
export function callbackHandler<K extends CallbackKind>(
  kind: K,
  handle: CallbackHandler<CallbackBodies[K]>,
): CallbackHandler {
  return typedHandler((body): body is CallbackBodies[K] => isCallbackBody(kind, body), kind, handle);
}
