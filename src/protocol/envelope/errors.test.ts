import { describe, expect, it } from 'vitest';
import { ENVELOPE_ERRORS } from './errors.ts';
import { ENVELOPE_ERROR_CODES } from './index.ts';

describe('ENVELOPE_ERRORS', () => {
  it('gives every envelope failure code exactly one status and message', () => {
    expect(Object.keys(ENVELOPE_ERRORS).sort()).toEqual([...ENVELOPE_ERROR_CODES].sort());
    for (const { status } of Object.values(ENVELOPE_ERRORS)) expect([400, 401]).toContain(status);
  });
});
