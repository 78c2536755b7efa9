/**
 * The registry seen from the protocol module: where and how to call a partner (its callback base
 * URL, per-call timeouts and signing keys), by the envelope's partner id (the partner's code).
 */
import type { LenderEndpoint, LenderEndpoints } from '../protocol/lender-client.ts';
import type { Clock } from '../shared/clock.ts';
import type { LenderServices } from './index.ts';

/**
 * Endpoints of every registered partner, whatever its status: a suspended or terminated partner
 * still receives repayment and status calls for loans in flight. Whether it gets new applications
 * is `isAcceptingApplications`'s question, asked before anything is queued.
 */
export function registryEndpoints(lenders: LenderServices, clock: Clock): LenderEndpoints {
  return {
    async endpointOf(partnerId: string): Promise<LenderEndpoint | undefined> {
      const lender = await lenders.partners.findByCode(partnerId);
      if (!lender) return undefined;
      const keys = (await lenders.keys.keySetFor(lender.id, clock())) ?? [];
      const t = lender.timeouts;
      return {
        baseUrl: lender.callbackBaseUrl,
        timeoutMs: {
          pre_check: t.preCheckMs,
          apply: t.applyMs,
          drawdown: t.drawdownMs,
          repay: t.repayMs,
          status_query: t.statusQueryMs,
        },
        signingKeys: keys.filter((key) => key.use === 'signing'),
      };
    },
  };
}
