import { Button, Form, Input, NoticeBar, Selector } from 'antd-mobile';
import { useState } from 'react';
import { borrowerApi } from '../api/borrower.ts';
import { ApiError } from '../api/client.ts';
import { saveSession } from '../api/session.ts';
import { errorMessage } from '../components/errors.ts';
import { PageShell } from '../components/PageShell.tsx';
import { useI18n } from '../i18n/context.tsx';
import { navigate } from '../router.ts';

/** The demo channels seeded in demo mode (src/channels/demo.ts). */
const DEMO_CHANNELS = [
  { code: 'shop', zh: '购物', en: 'Shopping' },
  { code: 'maps', zh: '地图', en: 'Maps' },
  { code: 'resale', zh: '二手', en: 'Resale' },
] as const;

/**
 * Local sign-in: asks the dev-only route for a demo user's channel token and exchanges it for a
 * borrower session, as a host app would. In a host app the channel passes its token in the URL
 * instead (see App.tsx) and this page is never seen.
 */
export function SignInPage() {
  const { t, language } = useI18n();
  const [channel, setChannel] = useState<string>('shop');
  const [user, setUser] = useState('demo-001');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const signIn = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const minted = await borrowerApi.mintDemoToken(channel, user.trim());
      const session = await borrowerApi.signIn(channel, minted.token);
      saveSession({ token: session.token, expiresAt: session.expiresAt, channel });
      navigate({ name: 'entry' }, { replace: true });
    } catch (error) {
      setProblem(
        error instanceof ApiError && error.status === 404 && error.code === 'NOT_FOUND'
          ? t('signin.unavailable')
          : t('signin.failed', { reason: errorMessage(t, error) }),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <PageShell title={t('signin.title')}>
      <NoticeBar content={t('app.demoNotice')} color="info" wrap />
      <p className="lg-intro">{t('signin.intro')}</p>
      <Form layout="vertical" mode="card">
        <Form.Item label={t('signin.channel')}>
          <Selector
            columns={3}
            value={[channel]}
            onChange={(values) => values[0] && setChannel(values[0])}
            options={DEMO_CHANNELS.map((c) => ({ value: c.code, label: language === 'zh-CN' ? c.zh : c.en }))}
          />
        </Form.Item>
        <Form.Item label={t('signin.user')}>
          <Input value={user} onChange={setUser} clearable data-testid="demo-user" />
        </Form.Item>
      </Form>
      {problem ? (
        <p className="lg-error" role="alert">
          {problem}
        </p>
      ) : null}
      <div className="lg-actions">
        <Button
          block
          color="primary"
          size="large"
          loading={busy}
          disabled={user.trim() === ''}
          onClick={signIn}
          data-testid="sign-in"
        >
          {t('signin.submit')}
        </Button>
      </div>
    </PageShell>
  );
}
