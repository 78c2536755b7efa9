import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideEntry, type EntryFacts, phoneSha256, rolloutBucket } from './rollout.ts';

const base: EntryFacts = {
  channelActive: true,
  globalKillSwitch: false,
  channelKillSwitch: false,
  entry: { segment: 'prime', limitFen: 500000 },
  rolloutPercent: 100,
  bucket: 42,
};

describe('rollout and entry decision', () => {
  it('gives every user a stable bucket from 0 to 99, spread evenly', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), (user) => {
        const bucket = rolloutBucket('shop', user);
        return (
          bucket === rolloutBucket('shop', user) && Number.isInteger(bucket) && bucket >= 0 && bucket < 100
        );
      }),
    );
    const counts = new Array<number>(100).fill(0);
    for (let i = 0; i < 20_000; i++) counts[rolloutBucket('shop', `u-${i}`)]! += 1;
    expect(Math.min(...counts)).toBeGreaterThan(130);
    expect(Math.max(...counts)).toBeLessThan(280);
    // Channel-scoped: the same user id on another channel is an unrelated draw.
    const differs = Array.from(
      { length: 50 },
      (_, i) => rolloutBucket('shop', `u-${i}`) !== rolloutBucket('maps', `u-${i}`),
    );
    expect(differs.filter(Boolean).length).toBeGreaterThan(40);
  });

  it('only adds users when a percentage goes up', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.nat(100), fc.nat(100), (user, a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        const bucket = rolloutBucket('resale', user);
        const seesAtLow = decideEntry({ ...base, bucket, rolloutPercent: low }).visible;
        const seesAtHigh = decideEntry({ ...base, bucket, rolloutPercent: high }).visible;
        return !seesAtLow || seesAtHigh;
      }),
    );
  });

  it('checks the widest switch first and names the segment and limit only when visible', () => {
    expect(decideEntry(base)).toEqual({ visible: true, segment: 'prime', preApprovedLimitFen: 500000 });
    expect(decideEntry({ ...base, entry: { segment: 's', limitFen: null } })).toEqual({
      visible: true,
      segment: 's',
    });
    expect(decideEntry({ ...base, channelActive: false, globalKillSwitch: true })).toEqual({
      visible: false,
      reason: 'channel_disabled',
    });
    expect(decideEntry({ ...base, globalKillSwitch: true })).toEqual({
      visible: false,
      reason: 'kill_switch',
    });
    expect(decideEntry({ ...base, channelKillSwitch: true, entry: null })).toEqual({
      visible: false,
      reason: 'kill_switch',
    });
    expect(decideEntry({ ...base, entry: null, rolloutPercent: 0 })).toEqual({
      visible: false,
      reason: 'not_whitelisted',
    });
    expect(decideEntry({ ...base, rolloutPercent: 42 })).toEqual({ visible: false, reason: 'rollout' });
    expect(decideEntry({ ...base, rolloutPercent: 43 }).visible).toBe(true);
  });

  it('hashes a phone as SHA-256 hex of salt followed by the number', () => {
    expect(phoneSha256('salt-1234', '13800138000')).toBe(
      createHash('sha256').update('salt-123413800138000').digest('hex'),
    );
  });
});
