import { describe, expect, it } from 'vitest';
import { contentSha256, fromBase64, fromBase64Url, toBase64Url } from './encoding.ts';
import { readHeader } from './headers.ts';

describe('encodings', () => {
  it('hashes the exact UTF-8 bytes of the body', () => {
    // Known SHA-256 of the empty string and of "abc".
    expect(contentSha256('')).toBe('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
    expect(contentSha256('abc')).toBe('ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
    expect(contentSha256('抵押')).toBe(contentSha256(Buffer.from('抵押', 'utf8')));
  });

  it('decodes only canonical base64url', () => {
    expect(fromBase64Url(toBase64Url(Uint8Array.of(1, 2, 3, 250)))).toEqual(Buffer.from([1, 2, 3, 250]));
    expect(fromBase64Url('AQID+g')).toBeUndefined(); // standard alphabet
    expect(fromBase64Url('AQI=')).toBeUndefined(); // padding
    expect(fromBase64Url('AQJ')).toBeUndefined(); // stray low bits: non-canonical
    expect(fromBase64Url('A')).toBeUndefined();
  });

  it('decodes only canonical padded base64', () => {
    expect(fromBase64('AQID+g==')).toEqual(Buffer.from([1, 2, 3, 250]));
    expect(fromBase64('AQID+g')).toBeUndefined();
    expect(fromBase64('AQID-g==')).toBeUndefined();
    expect(fromBase64('AQJ=')).toBeUndefined();
  });
});

describe('readHeader', () => {
  it('ignores case and refuses repeated values', () => {
    expect(readHeader({ 'x-a': 'v' }, 'X-A')).toBe('v');
    expect(readHeader({ 'x-a': ['v'] }, 'X-A')).toBe('v');
    expect(readHeader({ 'x-a': ['v', 'w'] }, 'X-A')).toBeUndefined();
    expect(readHeader({ 'x-a': 'v', 'X-A': 'w' }, 'x-a')).toBeUndefined();
    expect(readHeader({ 'x-a': undefined }, 'x-a')).toBeUndefined();
    const headers = new Headers([
      ['x-a', 'v'],
      ['x-a', 'w'],
    ]);
    expect(readHeader(headers, 'x-a')).toBeUndefined();
    expect(readHeader(new Headers({ 'x-a': 'v' }), 'X-A')).toBe('v');
  });
});
