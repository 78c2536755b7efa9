import { useEffect, useState } from 'react';

/**
 * A small router over the History API: the H5 lives under /h5/ and the server answers every
 * /h5/* path with index.html. Paths carry only ids (uuids), never personal data.
 */
export type Route =
  | { readonly name: 'signin' }
  | { readonly name: 'entry' }
  | { readonly name: 'offers' }
  | { readonly name: 'product'; readonly productId: string }
  | { readonly name: 'profile'; readonly productId: string }
  | { readonly name: 'consent'; readonly productId: string }
  | { readonly name: 'application'; readonly id: string }
  | { readonly name: 'drawdown'; readonly id: string }
  | { readonly name: 'loan'; readonly id: string }
  | { readonly name: 'mine' }
  | { readonly name: 'shared' }
  | { readonly name: 'notFound' };

export const BASE = import.meta.env.BASE_URL.replace(/\/$/, '');

const ID = '([0-9a-fA-F-]{36})';
const PATTERNS: readonly [RegExp, (match: RegExpExecArray) => Route][] = [
  [/^\/?$/, () => ({ name: 'entry' })],
  [/^\/sign-in$/, () => ({ name: 'signin' })],
  [/^\/offers$/, () => ({ name: 'offers' })],
  [new RegExp(`^/products/${ID}$`), (m) => ({ name: 'product', productId: m[1]! })],
  [new RegExp(`^/products/${ID}/profile$`), (m) => ({ name: 'profile', productId: m[1]! })],
  [new RegExp(`^/products/${ID}/consent$`), (m) => ({ name: 'consent', productId: m[1]! })],
  [new RegExp(`^/applications/${ID}$`), (m) => ({ name: 'application', id: m[1]! })],
  [new RegExp(`^/applications/${ID}/drawdown$`), (m) => ({ name: 'drawdown', id: m[1]! })],
  [new RegExp(`^/loans/${ID}$`), (m) => ({ name: 'loan', id: m[1]! })],
  [/^\/mine$/, () => ({ name: 'mine' })],
  [/^\/shared$/, () => ({ name: 'shared' })],
];

export function parseRoute(pathname: string): Route {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const trimmed = path.length > 1 ? path.replace(/\/$/, '') : path;
  for (const [pattern, build] of PATTERNS) {
    const match = pattern.exec(trimmed);
    if (match) return build(match);
  }
  return { name: 'notFound' };
}

export function pathOf(route: Route): string {
  switch (route.name) {
    case 'entry':
    case 'notFound':
      return `${BASE}/`;
    case 'signin':
      return `${BASE}/sign-in`;
    case 'offers':
      return `${BASE}/offers`;
    case 'product':
      return `${BASE}/products/${route.productId}`;
    case 'profile':
      return `${BASE}/products/${route.productId}/profile`;
    case 'consent':
      return `${BASE}/products/${route.productId}/consent`;
    case 'application':
      return `${BASE}/applications/${route.id}`;
    case 'drawdown':
      return `${BASE}/applications/${route.id}/drawdown`;
    case 'loan':
      return `${BASE}/loans/${route.id}`;
    case 'mine':
      return `${BASE}/mine`;
    case 'shared':
      return `${BASE}/shared`;
  }
}

const CHANGE = 'lendgate:navigate';

/** Goes to a page; `replace` when the current page should not stay in the back history. */
export function navigate(route: Route, options: { readonly replace?: boolean } = {}): void {
  const path = pathOf(route);
  if (options.replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  window.scrollTo(0, 0);
  window.dispatchEvent(new Event(CHANGE));
}

export function goBack(fallback: Route): void {
  if (window.history.length > 1) window.history.back();
  else navigate(fallback, { replace: true });
}

export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.pathname));
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return route;
}
