import { ErrorBlock } from 'antd-mobile';
import { useEffect, useState } from 'react';
import { borrowerApi } from './api/borrower.ts';
import { setUnauthorizedListener } from './api/client.ts';
import { currentSession, saveSession } from './api/session.ts';
import { errorMessage } from './components/errors.ts';
import { Loading } from './components/LoadState.tsx';
import { PageShell } from './components/PageShell.tsx';
import { useI18n } from './i18n/context.tsx';
import { ApplicationPage } from './pages/ApplicationPage.tsx';
import { ConsentPage } from './pages/ConsentPage.tsx';
import { DrawdownPage } from './pages/DrawdownPage.tsx';
import { EntryPage } from './pages/EntryPage.tsx';
import { LoanPage } from './pages/LoanPage.tsx';
import { MinePage } from './pages/MinePage.tsx';
import { OffersPage } from './pages/OffersPage.tsx';
import { ProductPage } from './pages/ProductPage.tsx';
import { ProfilePage } from './pages/ProfilePage.tsx';
import { SharedPage } from './pages/SharedPage.tsx';
import { SignInPage } from './pages/SignInPage.tsx';
import { navigate, type Route, useRoute } from './router.ts';

type Boot =
  | { readonly state: 'signing-in' }
  | { readonly state: 'ready' }
  | { readonly state: 'failed'; readonly error: unknown };

/**
 * Host-app sign-in: the channel opens `/h5/?channel=shop&token=<its JWT>`, or better
 * `/h5/#channel=shop&token=<its JWT>` (a fragment never reaches a server or its logs). The token
 * is exchanged at once for a borrower session and removed from the address bar and history.
 */
function hostSignInParams(): { channel: string; token: string } | null {
  for (const source of [window.location.search, window.location.hash.replace(/^#/, '?')]) {
    const params = new URLSearchParams(source);
    const channel = params.get('channel');
    const token = params.get('token');
    if (channel && token) return { channel, token };
  }
  return null;
}

function useHostSignIn(): Boot {
  const [boot, setBoot] = useState<Boot>(() =>
    hostSignInParams() ? { state: 'signing-in' } : { state: 'ready' },
  );
  useEffect(() => {
    const host = hostSignInParams();
    if (!host) return;
    window.history.replaceState(null, '', window.location.pathname);
    borrowerApi.signIn(host.channel, host.token).then(
      (session) => {
        saveSession({ token: session.token, expiresAt: session.expiresAt, channel: host.channel });
        setBoot({ state: 'ready' });
      },
      (error: unknown) => setBoot({ state: 'failed', error }),
    );
  }, []);
  return boot;
}

function Page({ route }: { readonly route: Route }) {
  switch (route.name) {
    case 'signin':
      return <SignInPage />;
    case 'entry':
    case 'notFound':
      return <EntryPage />;
    case 'offers':
      return <OffersPage />;
    case 'product':
      return <ProductPage productId={route.productId} />;
    case 'profile':
      return <ProfilePage productId={route.productId} />;
    case 'consent':
      return <ConsentPage productId={route.productId} />;
    case 'application':
      return <ApplicationPage id={route.id} />;
    case 'drawdown':
      return <DrawdownPage id={route.id} />;
    case 'loan':
      return <LoanPage id={route.id} />;
    case 'mine':
      return <MinePage />;
    case 'shared':
      return <SharedPage />;
  }
}

export function App() {
  const { t } = useI18n();
  const route = useRoute();
  const boot = useHostSignIn();
  const signedIn = boot.state === 'ready' && currentSession() !== null;

  useEffect(() => {
    setUnauthorizedListener(() => navigate({ name: 'signin' }, { replace: true }));
  }, []);
  useEffect(() => {
    if (boot.state === 'ready' && !signedIn && route.name !== 'signin')
      navigate({ name: 'signin' }, { replace: true });
  }, [boot.state, signedIn, route.name]);

  if (boot.state === 'signing-in') {
    return (
      <PageShell title={t('signin.title')}>
        <Loading />
      </PageShell>
    );
  }
  if (boot.state === 'failed') {
    return (
      <PageShell title={t('signin.title')}>
        <ErrorBlock
          status="default"
          title={t('signin.failed', { reason: errorMessage(t, boot.error) })}
          description={t('signin.unavailable')}
        />
      </PageShell>
    );
  }
  if (!signedIn) return <SignInPage />;
  return (
    <Page
      key={`${route.name}:${'id' in route ? route.id : 'productId' in route ? route.productId : ''}`}
      route={route}
    />
  );
}
