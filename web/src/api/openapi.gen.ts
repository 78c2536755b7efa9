/**
 * The borrower H5's view of the API: generated from the OpenAPI document (GET /openapi.json) by
 * openapi-typescript. Do not edit: run `npm run api:types` after changing a route's schema;
 * src/openapi-types.test.ts fails while this file is stale. web/src/api/types.ts names the shapes.
 */

export interface paths {
    readonly "/api/v1/channels/{code}/sessions": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /**
         * Sign a channel user in with the channel’s signed token; opens a borrower session
         * @description The JWT is signed by one of the channel’s keys (header kid; ES256, RS256 or EdDSA) with iss = the channel code, aud = lendgate, sub = the channel user id, iat, exp (at most 10 minutes after iat; 30 s clock skew allowed) and a jti never used before. Refusals are CHANNEL_TOKEN_INVALID with details.reason (expired, bad_signature, wrong_audience, wrong_issuer, unknown_key, replayed, …).
         */
        readonly post: operations["postChannelsByCodeSessions"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/dev/channels/{code}/tokens": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** DEV ONLY: mint a sign-in token for a demo channel user (demo mode, never in production) */
        readonly post: operations["postDevChannelsByCodeTokens"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/borrower/entry": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Whether the borrowing entry shows for me, with my segment and pre-approved limit */
        readonly get: operations["getBorrowerEntry"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/borrower/session": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        readonly post?: never;
        /**
         * Sign out: revokes the borrower session token
         * @description After it the token answers 401 UNAUTHORIZED on every borrower route.
         */
        readonly delete: operations["deleteBorrowerSession"];
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/agreements": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** The agreement texts in force: the platform agreement, and with lenderId that lender’s authorization and loan agreement */
        readonly get: operations["getAgreements"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/agreements/{id}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** One agreement version (also past ones: what a consent accepted) */
        readonly get: operations["getAgreementsById"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/borrower/profile": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** My profile, masked */
        readonly get: operations["getBorrowerProfile"];
        /** Change my profile (partial); every field is checked before anything is stored */
        readonly put: operations["putBorrowerProfile"];
        readonly post?: never;
        /** Delete my personal data (destroys my data key); refused while a loan needs it */
        readonly delete: operations["deleteBorrowerProfile"];
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/borrower/consents": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** My consents, newest first (active and ended) */
        readonly get: operations["getBorrowerConsents"];
        readonly put?: never;
        /**
         * Consent separately to one lender receiving my data, against the texts shown
         * @description 201 when recorded; 200 when the same consent is already active. A newer text version in force is refused (VALIDATION_FAILED naming the agreement): show it and ask again.
         */
        readonly post: operations["postBorrowerConsents"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/borrower/consents/{id}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        readonly post?: never;
        /** Withdraw a consent: no more data goes to that lender */
        readonly delete: operations["deleteBorrowerConsentsById"];
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/borrower/data-releases": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** What of my data was shared with whom, and when (newest first) */
        readonly get: operations["getBorrowerDataReleases"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/quotes": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** 试算: schedule, totals and all-in APR of a loan */
        readonly post: operations["postQuotes"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/quotes/payoff": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** 提前结清试算: the free early payoff amount on a date (installments due by then assumed paid) */
        readonly post: operations["postQuotesPayoff"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/borrower/offers": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /**
         * Offers for me: lenders pre-check in parallel within the latency budget; APR range first
         * @description Default order: pre-approved first, then the lowest maximum APR, then the highest indicative limit. sort=apr: lowest minimum APR first.
         */
        readonly get: operations["getBorrowerOffers"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/borrower/applications": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** My applications, newest first */
        readonly get: operations["getBorrowerApplications"];
        readonly put?: never;
        /** 进件: apply to one product (needs a passed pre-check and the separate consent to its lender) */
        readonly post: operations["postBorrowerApplications"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/borrower/applications/{id}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** One of my applications, with its history */
        readonly get: operations["getBorrowerApplicationsById"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/borrower/applications/{id}/cancel": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Withdraw an application before drawing */
        readonly post: operations["postBorrowerApplicationsByIdCancel"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/borrower/applications/{id}/disclosure": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** 综合融资成本明示表: the cost disclosure for drawing these terms (shown before drawing) */
        readonly post: operations["postBorrowerApplicationsByIdDisclosure"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/borrower/applications/{id}/drawdowns": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** 借款: draw money under the approval (after seeing the disclosure sheet) */
        readonly post: operations["postBorrowerApplicationsByIdDrawdowns"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/borrower/loans": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** My loans with their schedules */
        readonly get: operations["getBorrowerLoans"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/borrower/loans/{id}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** One of my loans with its schedule (还款计划) and repayments */
        readonly get: operations["getBorrowerLoansById"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/borrower/loans/{id}/payoff-quote": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** 提前结清: what paying off today costs — free, interest only up to today */
        readonly get: operations["getBorrowerLoansByIdPayoffQuote"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/borrower/loans/{id}/repayments": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** 还款: repay installments, or pay the whole loan off early (free) */
        readonly post: operations["postBorrowerLoansByIdRepayments"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** ErrorResponse */
        readonly ErrorResponse: {
            readonly error: {
                /** @description A code from the error registry, e.g. VALIDATION_FAILED */
                readonly code: string;
                readonly message: string;
                readonly requestId: string;
                readonly details?: {
                    readonly fields?: readonly {
                        readonly field: string;
                        readonly message: string;
                    }[];
                } & {
                    readonly [key: string]: unknown;
                };
            };
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    readonly postChannelsByCodeSessions: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly code: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": {
                    /** @description The channel-signed JWT (compact JWS) */
                    readonly token: string;
                    /** @description Device facts from the host app (platform, os, app version…). Accepted, not stored yet. */
                    readonly device?: {
                        readonly [key: string]: string | number | boolean;
                    };
                };
            };
        };
        readonly responses: {
            /** @description Default Response */
            readonly 201: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        /** @description Borrower session token: send as Authorization: Bearer … */
                        readonly token: string;
                        /** Format: date-time */
                        readonly expiresAt: string;
                        readonly borrower: {
                            /** Format: uuid */
                            readonly id: string;
                        };
                    };
                };
            };
            /** @description Default Response */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 401: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 429: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    readonly postDevChannelsByCodeTokens: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly code: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": {
                    readonly channelUserId: string;
                };
            };
        };
        readonly responses: {
            /** @description Default Response */
            readonly 201: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        readonly token: string;
                        /** Format: date-time */
                        readonly expiresAt: string;
                        readonly kid: string;
                    };
                };
            };
            /** @description Default Response */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 429: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    readonly getBorrowerEntry: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description Default Response */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        readonly visible: boolean;
                        /** @enum {string} */
                        readonly reason?: "not_whitelisted" | "rollout" | "kill_switch" | "channel_disabled";
                        readonly segment?: string;
                        readonly preApprovedLimitFen?: number;
                    };
                };
            };
            /** @description Default Response */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 401: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    readonly deleteBorrowerSession: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description Default Response */
            readonly 204: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 401: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    readonly getAgreements: {
        readonly parameters: {
            readonly query?: {
                readonly lenderId?: string;
            };
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description Default Response */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        readonly items: readonly {
                            /** Format: uuid */
                            readonly id: string;
                            /** @enum {string} */
                            readonly kind: "platform_service" | "pi_authorization" | "lender_loan_agreement";
                            /** Format: uuid */
                            readonly lenderId: string | null;
                            readonly version: number;
                            readonly title: string;
                            readonly text: string;
                            /** @description Lower-case hex SHA-256 of text (UTF-8) */
                            readonly textSha256: string;
                            /** @description Data categories an authorization covers */
                            readonly categories: readonly string[];
                            /** Format: date-time */
                            readonly effectiveFrom: string;
                        }[];
                    };
                };
            };
            /** @description Default Response */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    readonly getAgreementsById: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description Default Response */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        /** Format: uuid */
                        readonly id: string;
                        /** @enum {string} */
                        readonly kind: "platform_service" | "pi_authorization" | "lender_loan_agreement";
                        /** Format: uuid */
                        readonly lenderId: string | null;
                        readonly version: number;
                        readonly title: string;
                        readonly text: string;
                        /** @description Lower-case hex SHA-256 of text (UTF-8) */
                        readonly textSha256: string;
                        /** @description Data categories an authorization covers */
                        readonly categories: readonly string[];
                        /** Format: date-time */
                        readonly effectiveFrom: string;
                    };
                };
            };
            /** @description Default Response */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    readonly getBorrowerProfile: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description Default Response */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        /** @description Masked, e.g. 张* */
                        readonly name: string | null;
                        /** @description Masked, e.g. 110***********1234 */
                        readonly idNumber: string | null;
                        /** @description Masked, e.g. 138****5678 */
                        readonly phone: string | null;
                        /** @description Masked, e.g. 6222 **** **** 1234 */
                        readonly bankCard: string | null;
                        readonly contacts: readonly {
                            readonly name: string;
                            readonly phone: string;
                            readonly relation: string;
                        }[] | null;
                        /** Format: date-time */
                        readonly updatedAt: string | null;
                    };
                };
            };
            /** @description Default Response */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 401: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    readonly putBorrowerProfile: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** @description A partial update: an absent field is kept, null clears it. */
        readonly requestBody: {
            readonly content: {
                readonly "application/json": {
                    readonly name?: string | null;
                    /** @description 18-character resident id */
                    readonly idNumber?: string | null;
                    /** @description Mainland mobile, 11 digits */
                    readonly phone?: string | null;
                    /** @description 12–19 digits, Luhn */
                    readonly bankCard?: string | null;
                    readonly contacts?: readonly {
                        readonly name: string;
                        readonly phone: string;
                        /** @enum {string} */
                        readonly relation: "parent" | "spouse" | "child" | "sibling" | "relative" | "friend" | "colleague" | "other";
                    }[] | null;
                };
            };
        };
        readonly responses: {
            /** @description Default Response */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        /** @description Masked, e.g. 张* */
                        readonly name: string | null;
                        /** @description Masked, e.g. 110***********1234 */
                        readonly idNumber: string | null;
                        /** @description Masked, e.g. 138****5678 */
                        readonly phone: string | null;
                        /** @description Masked, e.g. 6222 **** **** 1234 */
                        readonly bankCard: string | null;
                        readonly contacts: readonly {
                            readonly name: string;
                            readonly phone: string;
                            readonly relation: string;
                        }[] | null;
                        /** Format: date-time */
                        readonly updatedAt: string | null;
                    };
                };
            };
            /** @description Default Response */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 401: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    readonly deleteBorrowerProfile: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description Default Response */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        /** @enum {boolean} */
                        readonly deleted: true;
                        readonly consentsEnded: number;
                    };
                };
            };
            /** @description Default Response */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 401: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    readonly getBorrowerConsents: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description Default Response */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        readonly items: readonly {
                            /** Format: uuid */
                            readonly id: string;
                            /** Format: uuid */
                            readonly borrowerId: string;
                            /** Format: uuid */
                            readonly lenderId: string;
                            readonly lenderName: string | null;
                            /** @description The lender’s public partner id */
                            readonly partnerId: string;
                            /** @description name, id_number, phone, bank_card, contacts */
                            readonly categories: readonly string[];
                            readonly agreements: readonly {
                                /** Format: uuid */
                                readonly agreementId: string;
                                readonly kind: string;
                                readonly version: number;
                                readonly textSha256: string;
                            }[];
                            readonly channel: string;
                            readonly device: {
                                readonly platform: string;
                                readonly model?: string;
                                readonly osVersion?: string;
                                readonly appVersion?: string;
                                readonly userAgent?: string;
                            };
                            /** Format: date-time */
                            readonly givenAt: string;
                            /** @enum {string} */
                            readonly status: "active" | "withdrawn" | "superseded" | "profile_deleted";
                            /** Format: date-time */
                            readonly endedAt: string | null;
                        }[];
                    };
                };
            };
            /** @description Default Response */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 401: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    readonly postBorrowerConsents: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": {
                    /** Format: uuid */
                    readonly lenderId: string;
                    /** @description Every agreement version shown (GET /api/v1/agreements?lenderId=) */
                    readonly agreements: readonly {
                        /** Format: uuid */
                        readonly id: string;
                        readonly version: number;
                    }[];
                    readonly device: {
                        /** @enum {string} */
                        readonly platform: "ios" | "android" | "harmonyos" | "web" | "other";
                        readonly model?: string;
                        readonly osVersion?: string;
                        readonly appVersion?: string;
                    };
                };
            };
        };
        readonly responses: {
            /** @description Default Response */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        /** Format: uuid */
                        readonly id: string;
                        /** Format: uuid */
                        readonly borrowerId: string;
                        /** Format: uuid */
                        readonly lenderId: string;
                        readonly lenderName: string | null;
                        /** @description The lender’s public partner id */
                        readonly partnerId: string;
                        /** @description name, id_number, phone, bank_card, contacts */
                        readonly categories: readonly string[];
                        readonly agreements: readonly {
                            /** Format: uuid */
                            readonly agreementId: string;
                            readonly kind: string;
                            readonly version: number;
                            readonly textSha256: string;
                        }[];
                        readonly channel: string;
                        readonly device: {
                            readonly platform: string;
                            readonly model?: string;
                            readonly osVersion?: string;
                            readonly appVersion?: string;
                            readonly userAgent?: string;
                        };
                        /** Format: date-time */
                        readonly givenAt: string;
                        /** @enum {string} */
                        readonly status: "active" | "withdrawn" | "superseded" | "profile_deleted";
                        /** Format: date-time */
                        readonly endedAt: string | null;
                    };
                };
            };
            /** @description Default Response */
            readonly 201: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        /** Format: uuid */
                        readonly id: string;
                        /** Format: uuid */
                        readonly borrowerId: string;
                        /** Format: uuid */
                        readonly lenderId: string;
                        readonly lenderName: string | null;
                        /** @description The lender’s public partner id */
                        readonly partnerId: string;
                        /** @description name, id_number, phone, bank_card, contacts */
                        readonly categories: readonly string[];
                        readonly agreements: readonly {
                            /** Format: uuid */
                            readonly agreementId: string;
                            readonly kind: string;
                            readonly version: number;
                            readonly textSha256: string;
                        }[];
                        readonly channel: string;
                        readonly device: {
                            readonly platform: string;
                            readonly model?: string;
                            readonly osVersion?: string;
                            readonly appVersion?: string;
                            readonly userAgent?: string;
                        };
                        /** Format: date-time */
                        readonly givenAt: string;
                        /** @enum {string} */
                        readonly status: "active" | "withdrawn" | "superseded" | "profile_deleted";
                        /** Format: date-time */
                        readonly endedAt: string | null;
                    };
                };
            };
            /** @description Default Response */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 401: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    readonly deleteBorrowerConsentsById: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description Default Response */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        /** Format: uuid */
                        readonly id: string;
                        /** Format: uuid */
                        readonly borrowerId: string;
                        /** Format: uuid */
                        readonly lenderId: string;
                        readonly lenderName: string | null;
                        /** @description The lender’s public partner id */
                        readonly partnerId: string;
                        /** @description name, id_number, phone, bank_card, contacts */
                        readonly categories: readonly string[];
                        readonly agreements: readonly {
                            /** Format: uuid */
                            readonly agreementId: string;
                            readonly kind: string;
                            readonly version: number;
                            readonly textSha256: string;
                        }[];
                        readonly channel: string;
                        readonly device: {
                            readonly platform: string;
                            readonly model?: string;
                            readonly osVersion?: string;
                            readonly appVersion?: string;
                            readonly userAgent?: string;
                        };
                        /** Format: date-time */
                        readonly givenAt: string;
                        /** @enum {string} */
                        readonly status: "active" | "withdrawn" | "superseded" | "profile_deleted";
                        /** Format: date-time */
                        readonly endedAt: string | null;
                    };
                };
            };
            /** @description Default Response */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 401: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    readonly getBorrowerDataReleases: {
        readonly parameters: {
            readonly query: {
                readonly limit: number;
                readonly cursor?: string;
            };
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description Default Response */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        readonly items: readonly {
                            /** Format: uuid */
                            readonly id: string;
                            /** Format: uuid */
                            readonly lenderId: string;
                            readonly lenderName: string | null;
                            /** @description name, id_number, phone, bank_card, contacts */
                            readonly categories: readonly string[];
                            /** Format: uuid */
                            readonly consentId: string;
                            /** Format: date-time */
                            readonly releasedAt: string;
                        }[];
                        readonly nextCursor: string | null;
                    };
                };
            };
            /** @description Default Response */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 401: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    readonly postQuotes: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": {
                    /** @description Principal in fen */
                    readonly principalFen: number;
                    readonly termMonths: number;
                    /**
                     * @description 等额本息 equal_installment, 等额本金 equal_principal, 先息后本 interest_first, 一次性还本付息 bullet
                     * @enum {string}
                     */
                    readonly method: "equal_installment" | "equal_principal" | "interest_first" | "bullet";
                    /** @description Nominal annual rate as a decimal string in [0, 1], e.g. "0.24" */
                    readonly annualRate: string;
                    /**
                     * Format: date
                     * @description Disbursement date, YYYY-MM-DD
                     */
                    readonly startDate: string;
                    readonly fees?: {
                        /** @description Fee withheld from the amount received, in fen (0.01 yuan) */
                        readonly upfrontFen?: number;
                        /** @description Fee added to every installment, in fen (0.01 yuan) */
                        readonly perInstallmentFen?: number;
                    };
                    /**
                     * @description Daily interest convention; ACT/360 by default
                     * @enum {string}
                     */
                    readonly dayCount?: "ACT/360" | "ACT/365";
                };
            };
        };
        readonly responses: {
            /** @description Default Response */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        /** @description All-in annualized rate (IRR method), 6 decimals, e.g. "0.240000" */
                        readonly apr: string;
                        /** @description Whether the APR lies within 3.6%…24% */
                        readonly withinCap: boolean;
                        /** @description Why not, when withinCap is false */
                        readonly capReason?: string;
                        readonly principalFen: number;
                        /** @description Principal minus the upfront fee */
                        readonly amountReceivedFen: number;
                        readonly totalInterestFen: number;
                        readonly totalFeeFen: number;
                        readonly totalRepaymentFen: number;
                        readonly installments: readonly {
                            readonly period: number;
                            /** Format: date */
                            readonly dueDate: string;
                            readonly principalFen: number;
                            readonly interestFen: number;
                            readonly feeFen: number;
                            readonly totalFen: number;
                        }[];
                    };
                };
            };
            /** @description Default Response */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 429: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    readonly postQuotesPayoff: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": {
                    /** @description Principal in fen */
                    readonly principalFen: number;
                    readonly termMonths: number;
                    /**
                     * @description 等额本息 equal_installment, 等额本金 equal_principal, 先息后本 interest_first, 一次性还本付息 bullet
                     * @enum {string}
                     */
                    readonly method: "equal_installment" | "equal_principal" | "interest_first" | "bullet";
                    /** @description Nominal annual rate as a decimal string in [0, 1], e.g. "0.24" */
                    readonly annualRate: string;
                    /**
                     * Format: date
                     * @description Disbursement date, YYYY-MM-DD
                     */
                    readonly startDate: string;
                    readonly fees?: {
                        /** @description Fee withheld from the amount received, in fen (0.01 yuan) */
                        readonly upfrontFen?: number;
                        /** @description Fee added to every installment, in fen (0.01 yuan) */
                        readonly perInstallmentFen?: number;
                    };
                    /**
                     * @description Daily interest convention; ACT/360 by default
                     * @enum {string}
                     */
                    readonly dayCount?: "ACT/360" | "ACT/365";
                    /** Format: date */
                    readonly payoffDate: string;
                };
            };
        };
        readonly responses: {
            /** @description Default Response */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        readonly principalFen: number;
                        readonly interestFen: number;
                        /**
                         * @description Early payoff is always free
                         * @enum {number}
                         */
                        readonly feeFen: 0;
                        readonly totalFen: number;
                        /** Format: date */
                        readonly accrualStartDate: string;
                        readonly accrualDays: number;
                    };
                };
            };
            /** @description Default Response */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 429: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    readonly getBorrowerOffers: {
        readonly parameters: {
            readonly query?: {
                /** @description default or apr */
                readonly sort?: "default" | "apr";
                readonly amountFen?: number;
            };
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description Default Response */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        readonly aprRange: {
                            readonly min: string;
                            readonly max: string;
                        } | null;
                        /** @enum {string} */
                        readonly sort: "default" | "apr";
                        readonly profileNeeded: boolean;
                        readonly offers: readonly {
                            /** Format: uuid */
                            readonly productId: string;
                            readonly productCode: string;
                            readonly productName: string;
                            readonly lender: {
                                readonly id: string;
                                readonly code: string;
                                readonly name: string;
                                readonly kind: string;
                            };
                            /** @description The licensed institution that grants the credit */
                            readonly funderName: string;
                            /** @description All-in APR (IRR), lowest */
                            readonly aprMin: string;
                            /** @description All-in APR (IRR), highest */
                            readonly aprMax: string;
                            readonly amountMinFen: number;
                            readonly amountMaxFen: number;
                            readonly termsMonths: readonly number[];
                            readonly methods: readonly string[];
                            /** @description Data the lender needs if you apply */
                            readonly dataCategories: readonly string[];
                            /** @enum {string} */
                            readonly preCheck: "accepted" | "pending_profile";
                            readonly indicativeLimitFen: number | null;
                        }[];
                    };
                };
            };
            /** @description Default Response */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 401: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 429: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    readonly getBorrowerApplications: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description Default Response */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        readonly items: readonly {
                            /** Format: uuid */
                            readonly id: string;
                            /** @enum {string} */
                            readonly status: "submitted" | "pre_checked" | "sent" | "approved" | "rejected" | "drawdown_requested" | "disbursed" | "drawdown_failed" | "repaying" | "overdue" | "settled" | "cancelled" | "expired";
                            readonly productId: string;
                            readonly productCode: string;
                            readonly productName: string;
                            readonly lenderName: string;
                            readonly partnerId: string;
                            readonly channelCode: string;
                            readonly requestedAmountFen: number;
                            readonly termMonths: number;
                            readonly method: string;
                            readonly approval: {
                                /** @description All-in APR of the approval, decimal */
                                readonly apr: string;
                                readonly limitFen: number;
                                readonly termsMonths: readonly number[];
                                readonly methods: readonly string[];
                                /** Format: date-time */
                                readonly validUntil: string | null;
                            } | null;
                            readonly decisionReason: string | null;
                            /** Format: date-time */
                            readonly createdAt: string;
                            /** Format: date-time */
                            readonly updatedAt: string;
                        }[];
                    };
                };
            };
            /** @description Default Response */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 401: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    readonly postBorrowerApplications: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": {
                    /** Format: uuid */
                    readonly productId: string;
                    readonly amountFen: number;
                    readonly termMonths: number;
                    /** @enum {string} */
                    readonly method: "equal_installment" | "equal_principal" | "interest_first" | "bullet";
                };
            };
        };
        readonly responses: {
            /** @description Default Response */
            readonly 201: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        /** Format: uuid */
                        readonly id: string;
                        /** @enum {string} */
                        readonly status: "submitted" | "pre_checked" | "sent" | "approved" | "rejected" | "drawdown_requested" | "disbursed" | "drawdown_failed" | "repaying" | "overdue" | "settled" | "cancelled" | "expired";
                        readonly productId: string;
                        readonly productCode: string;
                        readonly productName: string;
                        readonly lenderName: string;
                        readonly partnerId: string;
                        readonly channelCode: string;
                        readonly requestedAmountFen: number;
                        readonly termMonths: number;
                        readonly method: string;
                        readonly approval: {
                            /** @description All-in APR of the approval, decimal */
                            readonly apr: string;
                            readonly limitFen: number;
                            readonly termsMonths: readonly number[];
                            readonly methods: readonly string[];
                            /** Format: date-time */
                            readonly validUntil: string | null;
                        } | null;
                        readonly decisionReason: string | null;
                        /** Format: date-time */
                        readonly createdAt: string;
                        /** Format: date-time */
                        readonly updatedAt: string;
                    };
                };
            };
            /** @description Default Response */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 401: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    readonly getBorrowerApplicationsById: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description Default Response */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        readonly application: {
                            /** Format: uuid */
                            readonly id: string;
                            /** @enum {string} */
                            readonly status: "submitted" | "pre_checked" | "sent" | "approved" | "rejected" | "drawdown_requested" | "disbursed" | "drawdown_failed" | "repaying" | "overdue" | "settled" | "cancelled" | "expired";
                            readonly productId: string;
                            readonly productCode: string;
                            readonly productName: string;
                            readonly lenderName: string;
                            readonly partnerId: string;
                            readonly channelCode: string;
                            readonly requestedAmountFen: number;
                            readonly termMonths: number;
                            readonly method: string;
                            readonly approval: {
                                /** @description All-in APR of the approval, decimal */
                                readonly apr: string;
                                readonly limitFen: number;
                                readonly termsMonths: readonly number[];
                                readonly methods: readonly string[];
                                /** Format: date-time */
                                readonly validUntil: string | null;
                            } | null;
                            readonly decisionReason: string | null;
                            /** Format: date-time */
                            readonly createdAt: string;
                            /** Format: date-time */
                            readonly updatedAt: string;
                        };
                        readonly history: readonly {
                            readonly event: string;
                            readonly from: string;
                            readonly to: string;
                            readonly cause: string;
                            readonly at: string;
                        }[];
                    };
                };
            };
            /** @description Default Response */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 401: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    readonly postBorrowerApplicationsByIdCancel: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description Default Response */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        /** Format: uuid */
                        readonly id: string;
                        /** @enum {string} */
                        readonly status: "submitted" | "pre_checked" | "sent" | "approved" | "rejected" | "drawdown_requested" | "disbursed" | "drawdown_failed" | "repaying" | "overdue" | "settled" | "cancelled" | "expired";
                        readonly productId: string;
                        readonly productCode: string;
                        readonly productName: string;
                        readonly lenderName: string;
                        readonly partnerId: string;
                        readonly channelCode: string;
                        readonly requestedAmountFen: number;
                        readonly termMonths: number;
                        readonly method: string;
                        readonly approval: {
                            /** @description All-in APR of the approval, decimal */
                            readonly apr: string;
                            readonly limitFen: number;
                            readonly termsMonths: readonly number[];
                            readonly methods: readonly string[];
                            /** Format: date-time */
                            readonly validUntil: string | null;
                        } | null;
                        readonly decisionReason: string | null;
                        /** Format: date-time */
                        readonly createdAt: string;
                        /** Format: date-time */
                        readonly updatedAt: string;
                    };
                };
            };
            /** @description Default Response */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 401: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    readonly postBorrowerApplicationsByIdDisclosure: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": {
                    readonly amountFen: number;
                    readonly termMonths: number;
                    /** @enum {string} */
                    readonly method: "equal_installment" | "equal_principal" | "interest_first" | "bullet";
                };
            };
        };
        readonly responses: {
            /** @description Default Response */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        /** @description All-in APR (IRR), shown first */
                        readonly apr: string;
                        readonly aprPercent: string;
                        readonly principalFen: number;
                        readonly principalYuan: string;
                        readonly amountReceivedFen: number;
                        readonly amountReceivedYuan: string;
                        readonly termMonths: number;
                        /** Format: date */
                        readonly startDate: string;
                        /** Format: date */
                        readonly maturityDate: string;
                        readonly method: string;
                        readonly methodLabel: string;
                        readonly annualRate: string;
                        readonly totalInterestFen: number;
                        readonly totalInterestYuan: string;
                        readonly totalFeeFen: number;
                        readonly totalFeeYuan: string;
                        readonly totalCostFen: number;
                        readonly totalCostYuan: string;
                        readonly totalRepaymentFen: number;
                        readonly totalRepaymentYuan: string;
                        readonly installments: readonly {
                            readonly period: number;
                            /** Format: date */
                            readonly dueDate: string;
                            readonly principalFen: number;
                            readonly interestFen: number;
                            readonly feeFen: number;
                            readonly totalFen: number;
                            readonly principalYuan: string;
                            readonly interestYuan: string;
                            readonly feeYuan: string;
                            readonly totalYuan: string;
                        }[];
                    };
                };
            };
            /** @description Default Response */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 401: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 422: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    readonly postBorrowerApplicationsByIdDrawdowns: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": {
                    readonly amountFen: number;
                    readonly termMonths: number;
                    /** @enum {string} */
                    readonly method: "equal_installment" | "equal_principal" | "interest_first" | "bullet";
                    /** @enum {boolean} */
                    readonly disclosureAccepted: true;
                };
            };
        };
        readonly responses: {
            /** @description Default Response */
            readonly 202: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        /** Format: uuid */
                        readonly drawdownId: string;
                    };
                };
            };
            /** @description Default Response */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 401: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 422: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    readonly getBorrowerLoans: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description Default Response */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        readonly items: readonly {
                            /** Format: uuid */
                            readonly id: string;
                            /** Format: uuid */
                            readonly applicationId: string;
                            readonly partnerId: string;
                            readonly productName: string;
                            readonly lenderName: string;
                            readonly principalFen: number;
                            readonly termMonths: number;
                            readonly method: string;
                            readonly annualRate: string;
                            readonly dayCount: string;
                            /** Format: date */
                            readonly startDate: string;
                            readonly status: string;
                            readonly scheduleVersion: number;
                            readonly installments: readonly {
                                readonly period: number;
                                /** Format: date */
                                readonly dueDate: string;
                                readonly principalFen: number;
                                readonly interestFen: number;
                                readonly feeFen: number;
                                readonly penaltyFen: number;
                                readonly paidFen: number;
                                readonly status: string;
                            }[];
                        }[];
                    };
                };
            };
            /** @description Default Response */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 401: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    readonly getBorrowerLoansById: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description Default Response */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        readonly loan: {
                            /** Format: uuid */
                            readonly id: string;
                            /** Format: uuid */
                            readonly applicationId: string;
                            readonly partnerId: string;
                            readonly productName: string;
                            readonly lenderName: string;
                            readonly principalFen: number;
                            readonly termMonths: number;
                            readonly method: string;
                            readonly annualRate: string;
                            readonly dayCount: string;
                            /** Format: date */
                            readonly startDate: string;
                            readonly status: string;
                            readonly scheduleVersion: number;
                            readonly installments: readonly {
                                readonly period: number;
                                /** Format: date */
                                readonly dueDate: string;
                                readonly principalFen: number;
                                readonly interestFen: number;
                                readonly feeFen: number;
                                readonly penaltyFen: number;
                                readonly paidFen: number;
                                readonly status: string;
                            }[];
                        };
                        readonly repayments: readonly {
                            readonly [key: string]: unknown;
                        }[];
                        /** @description My latest repayment requests (newest first): requested, completed or failed */
                        readonly repaymentRequests: readonly {
                            /** Format: uuid */
                            readonly id: string;
                            /** @enum {string} */
                            readonly kind: "installment" | "payoff";
                            readonly periods: readonly number[];
                            readonly amountFen: number;
                            /** @enum {string} */
                            readonly status: "requested" | "completed" | "failed";
                            readonly failureCode: string | null;
                            /** @description The lender's own words when it refused, else why the call was given up */
                            readonly failureReason: string | null;
                            /** Format: date-time */
                            readonly createdAt: string;
                        }[];
                    };
                };
            };
            /** @description Default Response */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 401: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    readonly getBorrowerLoansByIdPayoffQuote: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description Default Response */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        readonly principalFen: number;
                        readonly interestFen: number;
                        /** @description Fees and penalties of installments already due; paying off itself is free */
                        readonly feeFen: number;
                        readonly totalFen: number;
                        readonly accrualStartDate: string;
                        readonly accrualDays: number;
                    };
                };
            };
            /** @description Default Response */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 401: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    readonly postBorrowerLoansByIdRepayments: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": {
                    /** @enum {string} */
                    readonly kind: "installment";
                    readonly periods: readonly number[];
                } | {
                    /** @enum {string} */
                    readonly kind: "payoff";
                };
            };
        };
        readonly responses: {
            /** @description Default Response */
            readonly 202: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        /** Format: uuid */
                        readonly repaymentId: string;
                        readonly amountFen: number;
                    };
                };
            };
            /** @description Default Response */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 401: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Default Response */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
}
