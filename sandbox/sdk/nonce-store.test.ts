import { describe, expect, it } from 'vitest';
import { InMemoryNonceStore, NonceStoreFullError } from './nonce-store.ts';

function clock(start: number) {
  const c = { now: start, read: () => c.now };
  return c;
}

describe('InMemoryNonceStore', () => {
  it('grants a nonce once and refuses repeats until it expires', async () => {
    const c = clock(1000);
    const store = new InMemoryNonceStore({ now: c.read });
    expect(await store.claim('p', 'n1', 2000)).toBe(true);
    expect(await store.claim('p', 'n1', 2000)).toBe(false);
    c.now = 1999;
    expect(await store.claim('p', 'n1', 3000)).toBe(false);
    c.now = 2000;
    expect(await store.claim('p', 'n1', 3000)).toBe(true);
  });

  it('keeps partners apart', async () => {
    const store = new InMemoryNonceStore({ now: () => 0 });
    expect(await store.claim('a', 'n', 10)).toBe(true);
    expect(await store.claim('b', 'n', 10)).toBe(true);
    expect(await store.claim('a', 'n', 10)).toBe(false);
  });

  it('grants exactly one of many concurrent claims of the same nonce', async () => {
    const store = new InMemoryNonceStore({ now: () => 0 });
    const results = await Promise.all(Array.from({ length: 20 }, () => store.claim('p', 'n', 10)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('makes room by dropping expired nonces when full', async () => {
    const c = clock(0);
    const store = new InMemoryNonceStore({ maxEntries: 3, now: c.read });
    for (const n of ['a', 'b', 'c']) expect(await store.claim('p', n, 100)).toBe(true);
    c.now = 100;
    expect(await store.claim('p', 'd', 200)).toBe(true);
    expect(store.size).toBe(1);
  });

  it('refuses to forget a live nonce when full', async () => {
    const store = new InMemoryNonceStore({ maxEntries: 2, now: () => 0 });
    await store.claim('p', 'a', 100);
    await store.claim('p', 'b', 100);
    await expect(store.claim('p', 'c', 100)).rejects.toBeInstanceOf(NonceStoreFullError);
    // The live nonces are still remembered.
    expect(await store.claim('p', 'a', 100)).toBe(false);
  });

  it('sweeps expired entries as it goes, so memory follows the live set', async () => {
    const c = clock(0);
    const store = new InMemoryNonceStore({ now: c.read });
    for (let i = 0; i < 5000; i += 1) {
      c.now = i;
      await store.claim('p', `n${i}`, i + 10);
    }
    expect(store.size).toBeLessThan(1100);
  });

  it('rejects a nonsensical capacity', () => {
    expect(() => new InMemoryNonceStore({ maxEntries: 0 })).toThrow(RangeError);
  });
});
