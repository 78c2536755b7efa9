/** One function per borrower API call the H5 makes; the shapes are generated from /openapi.json (types.ts). */
import { api } from './client.ts';
import type {
  Application,
  ApplicationDetail,
  Consent,
  Disclosure,
  DrawdownTerms,
  Entry,
  LoanDetail,
  MaskedProfile,
  MintResponse,
  OfferSort,
  OffersPage,
  PayoffQuote,
  ProfileChanges,
  Quote,
  QuoteRequest,
  RepayRequest,
  RequestOf,
  ResponseOf,
  SignInResponse,
} from './types.ts';

const enc = encodeURIComponent;

export const borrowerApi = {
  mintDemoToken: (channel: string, channelUserId: string) =>
    api<MintResponse>(`/api/v1/dev/channels/${enc(channel)}/tokens`, {
      method: 'POST',
      body: { channelUserId },
      auth: false,
    }),
  signIn: (channel: string, token: string) =>
    api<SignInResponse>(`/api/v1/channels/${enc(channel)}/sessions`, {
      method: 'POST',
      body: { token, device: { platform: 'web' } },
      auth: false,
    }),
  entry: () => api<Entry>('/api/v1/borrower/entry'),
  offers: (sort: OfferSort) => api<OffersPage>(`/api/v1/borrower/offers?sort=${sort}`),
  quote: (request: QuoteRequest) =>
    api<Quote>('/api/v1/quotes', { method: 'POST', body: request, auth: false }),
  profile: () => api<MaskedProfile>('/api/v1/borrower/profile'),
  updateProfile: (changes: ProfileChanges) =>
    api<MaskedProfile>('/api/v1/borrower/profile', { method: 'PUT', body: changes }),
  agreements: (lenderId: string) =>
    api<ResponseOf<'getAgreements', 200>>(`/api/v1/agreements?lenderId=${enc(lenderId)}`, { auth: false }),
  consents: () => api<ResponseOf<'getBorrowerConsents', 200>>('/api/v1/borrower/consents'),
  giveConsent: (lenderId: string, agreements: RequestOf<'postBorrowerConsents'>['agreements']) =>
    api<Consent>('/api/v1/borrower/consents', {
      method: 'POST',
      body: { lenderId, agreements, device: { platform: 'web' } },
    }),
  withdrawConsent: (id: string) => api<Consent>(`/api/v1/borrower/consents/${enc(id)}`, { method: 'DELETE' }),
  dataReleases: () =>
    api<ResponseOf<'getBorrowerDataReleases', 200>>('/api/v1/borrower/data-releases?limit=50'),
  apply: (productId: string, terms: DrawdownTerms) =>
    api<Application>('/api/v1/borrower/applications', { method: 'POST', body: { productId, ...terms } }),
  applications: () => api<ResponseOf<'getBorrowerApplications', 200>>('/api/v1/borrower/applications'),
  application: (id: string) => api<ApplicationDetail>(`/api/v1/borrower/applications/${enc(id)}`),
  disclosure: (id: string, terms: DrawdownTerms) =>
    api<Disclosure>(`/api/v1/borrower/applications/${enc(id)}/disclosure`, { method: 'POST', body: terms }),
  drawdown: (id: string, terms: DrawdownTerms) =>
    api<ResponseOf<'postBorrowerApplicationsByIdDrawdowns', 202>>(
      `/api/v1/borrower/applications/${enc(id)}/drawdowns`,
      {
        method: 'POST',
        body: { ...terms, disclosureAccepted: true },
      },
    ),
  loans: () => api<ResponseOf<'getBorrowerLoans', 200>>('/api/v1/borrower/loans'),
  loan: (id: string) => api<LoanDetail>(`/api/v1/borrower/loans/${enc(id)}`),
  payoffQuote: (id: string) => api<PayoffQuote>(`/api/v1/borrower/loans/${enc(id)}/payoff-quote`),
  repay: (id: string, request: RepayRequest) =>
    api<ResponseOf<'postBorrowerLoansByIdRepayments', 202>>(`/api/v1/borrower/loans/${enc(id)}/repayments`, {
      method: 'POST',
      body: request,
    }),
};
