import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ActivationReadiness,
  checkLenderTransition,
  isAcceptingApplications,
  LENDER_STATUSES,
  LENDER_TRANSITIONS,
  type LenderStatus,
  remainingDailyQuota,
} from './status.ts';

const READY: ActivationReadiness = {
  latestConformancePassed: true,
  hasContractReference: true,
  certificationValid: true,
};

const ALLOWED: readonly [LenderStatus, LenderStatus][] = [
  ['applied', 'under_review'],
  ['under_review', 'sandbox'],
  ['under_review', 'terminated'],
  ['sandbox', 'active'],
  ['sandbox', 'terminated'],
  ['active', 'suspended'],
  ['active', 'terminated'],
  ['suspended', 'active'],
  ['suspended', 'terminated'],
];

describe('partner status machine', () => {
  it('allows exactly the listed moves', () => {
    for (const [from, to] of ALLOWED) expect(checkLenderTransition(from, to, READY)).toEqual({ ok: true });
  });

  it('refuses every other move, naming the moves that are allowed', () => {
    const refused: [LenderStatus, LenderStatus][] = [];
    for (const from of LENDER_STATUSES) {
      for (const to of LENDER_STATUSES) {
        if (ALLOWED.some(([f, t]) => f === from && t === to)) continue;
        refused.push([from, to]);
        const verdict = checkLenderTransition(from, to, READY);
        expect(verdict).toEqual({ ok: false, reason: 'not_allowed', allowed: LENDER_TRANSITIONS[from] });
      }
    }
    // 36 pairs, 9 allowed: every self-move, every skip, every way out of terminated is refused.
    expect(refused).toHaveLength(27);
    expect(refused).toContainEqual(['applied', 'active']);
    expect(refused).toContainEqual(['terminated', 'active']);
    expect(refused).toContainEqual(['active', 'active']);
    expect(refused).toContainEqual(['suspended', 'sandbox']);
  });

  it('refuses activation without a passed latest conformance run', () => {
    for (const from of ['sandbox', 'suspended'] as const) {
      expect(checkLenderTransition(from, 'active', { ...READY, latestConformancePassed: null })).toEqual({
        ok: false,
        reason: 'not_conformant',
        latestConformancePassed: null,
        outdated: [],
      });
      expect(
        checkLenderTransition(from, 'active', { ...READY, latestConformancePassed: false }),
      ).toMatchObject({
        reason: 'not_conformant',
        latestConformancePassed: false,
      });
      expect(checkLenderTransition(from, 'active')).toMatchObject({ ok: false, reason: 'not_conformant' });
    }
  });

  it('refuses activation on a pass for another base URL or other keys than the partner has now', () => {
    expect(
      checkLenderTransition('sandbox', 'active', {
        ...READY,
        conformanceOutdated: ['callbackBaseUrl', 'keys'],
      }),
    ).toEqual({
      ok: false,
      reason: 'not_conformant',
      latestConformancePassed: true,
      outdated: ['callbackBaseUrl', 'keys'],
    });
    expect(checkLenderTransition('suspended', 'active', { ...READY, conformanceOutdated: [] })).toEqual({
      ok: true,
    });
  });

  it('refuses activation with a missing contract or an invalid certification, naming both', () => {
    expect(
      checkLenderTransition('sandbox', 'active', {
        ...READY,
        hasContractReference: false,
        certificationValid: false,
      }),
    ).toEqual({
      ok: false,
      reason: 'admission_incomplete',
      missing: ['contractReference', 'securityCertification'],
    });
    expect(checkLenderTransition('sandbox', 'active', { ...READY, certificationValid: false })).toMatchObject(
      {
        missing: ['securityCertification'],
      },
    );
  });

  it('never consults readiness for a move that is not to active', () => {
    const notReady: ActivationReadiness = {
      latestConformancePassed: null,
      hasContractReference: false,
      certificationValid: false,
    };
    expect(checkLenderTransition('active', 'suspended', notReady)).toEqual({ ok: true });
    expect(checkLenderTransition('under_review', 'sandbox', notReady)).toEqual({ ok: true });
  });

  it('never leaves terminated, and enters active only from sandbox or suspended (property)', () => {
    const status = fc.constantFrom(...LENDER_STATUSES);
    fc.assert(
      fc.property(fc.array(status, { maxLength: 30 }), (path) => {
        let current: LenderStatus = 'applied';
        for (const to of path) {
          const verdict = checkLenderTransition(current, to, READY);
          if (current === 'terminated') expect(verdict.ok).toBe(false);
          if (verdict.ok && to === 'active') expect(['sandbox', 'suspended']).toContain(current);
          if (verdict.ok) current = to;
        }
      }),
    );
  });

  it('accepts applications only when active with a quota; suspension stops them at once', () => {
    expect(isAcceptingApplications({ status: 'active', dailyApplicationQuota: 100 })).toBe(true);
    expect(isAcceptingApplications({ status: 'active', dailyApplicationQuota: 0 })).toBe(false);
    for (const status of LENDER_STATUSES.filter((s) => s !== 'active')) {
      expect(isAcceptingApplications({ status, dailyApplicationQuota: 100 })).toBe(false);
    }
    expect(remainingDailyQuota({ status: 'active', dailyApplicationQuota: 100 }, 40)).toBe(60);
    expect(remainingDailyQuota({ status: 'active', dailyApplicationQuota: 100 }, 140)).toBe(0);
    expect(remainingDailyQuota({ status: 'suspended', dailyApplicationQuota: 100 }, 0)).toBe(0);
  });
});
