import { Button, Form, Input, Selector } from 'antd-mobile';
import { useState } from 'react';
import { borrowerApi } from '../api/borrower.ts';
import { ApiError } from '../api/client.ts';
import type { MaskedProfile, Offer } from '../api/types.ts';
import { CONTACT_RELATIONS } from '../api/types.ts';
import { errorMessage } from '../components/errors.ts';
import { LoadFailed, Loading } from '../components/LoadState.tsx';
import { relationLabel } from '../components/labels.ts';
import { PageShell } from '../components/PageShell.tsx';
import { chinaToday } from '../format/dates.ts';
import { useI18n } from '../i18n/context.tsx';
import { navigate } from '../router.ts';
import { useJourney } from '../state/journey.tsx';
import { useAsync } from '../state/use-async.ts';
import { checkName, checkPhone, groupCardDigits } from '../validation/fields.ts';
import { changesFrom, checkField, type FormValues, formFieldOf, PERSONAL_FIELDS } from './profile-fields.ts';

function savedValue(profile: MaskedProfile, field: string): string | null {
  switch (field) {
    case 'name':
      return profile.name;
    case 'idNumber':
      return profile.idNumber;
    case 'phone':
      return profile.phone;
    case 'bankCard':
      return profile.bankCard;
    case 'contacts': {
      const first = profile.contacts?.[0];
      return first ? `${first.name} ${first.phone}` : null;
    }
    default:
      return null;
  }
}

/** A field already in the vault: shown masked, with a way to enter it again. */
function SavedField({ label, masked, onChange }: { label: string; masked: string; onChange: () => void }) {
  const { t } = useI18n();
  return (
    <Form.Item
      label={label}
      extra={
        <Button size="mini" fill="none" color="primary" onClick={onChange}>
          {t('form.change')}
        </Button>
      }
    >
      <span className="lg-masked" data-testid="masked">
        {t('form.saved', { masked })}
      </span>
    </Form.Item>
  );
}

function ProfileForm({ offer, profile }: { readonly offer: Offer; readonly profile: MaskedProfile }) {
  const { t } = useI18n();
  const journey = useJourney();
  const [form] = Form.useForm<FormValues>();
  const today = chinaToday();
  const needed = new Set(offer.dataCategories);
  const fields = PERSONAL_FIELDS.filter((f) => needed.has(f.category));
  const needsContacts = needed.has('contacts');
  const [editing, setEditing] = useState<ReadonlySet<string>>(
    () =>
      new Set(
        [...fields.map((f) => f.field as string), ...(needsContacts ? ['contacts'] : [])].filter(
          (field) => savedValue(profile, field) === null,
        ),
      ),
  );
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const edit = (field: string) => setEditing((current) => new Set([...current, field]));

  const submit = async (values: FormValues) => {
    setBusy(true);
    setProblem(null);
    try {
      const changes = changesFrom(values, editing);
      if (Object.keys(changes).length > 0) await borrowerApi.updateProfile(changes);
      // Fetching the offers again runs the lenders' pre-check now that the profile is complete.
      const checked = await journey.offer(offer.productId, true);
      if (checked?.preCheck === 'accepted') navigate({ name: 'consent', productId: offer.productId });
      else if (checked) setProblem(t('form.precheckPending', { lender: offer.lender.name }));
      else setProblem(t('form.precheckDeclined', { lender: offer.lender.name }));
    } catch (error) {
      if (error instanceof ApiError && error.fields.length > 0) {
        const known = error.fields.flatMap((problem) => {
          const name = formFieldOf(problem.field);
          return name ? [{ name, errors: [t('form.server', { field: problem.message })] }] : [];
        });
        form.setFields(known);
      }
      setProblem(errorMessage(t, error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Form
      form={form}
      layout="vertical"
      mode="card"
      requiredMarkStyle="none"
      onFinish={submit}
      validateTrigger={['onBlur', 'onSubmit']}
      footer={
        <>
          {problem ? (
            <p className="lg-error" role="alert" data-testid="form-problem">
              {problem}
            </p>
          ) : null}
          <Button
            block
            type="submit"
            color="primary"
            size="large"
            loading={busy}
            data-testid="profile-submit"
          >
            {t('form.submit')}
          </Button>
        </>
      }
    >
      {fields.map((f) => {
        const masked = savedValue(profile, f.field);
        if (masked !== null && !editing.has(f.field)) {
          return (
            <SavedField key={f.field} label={t(f.label)} masked={masked} onChange={() => edit(f.field)} />
          );
        }
        return (
          <Form.Item
            key={f.field}
            name={f.field}
            label={t(f.label)}
            normalize={f.field === 'bankCard' ? (value: string) => groupCardDigits(value ?? '') : undefined}
            rules={[
              {
                validator: async (_rule, value: string | undefined) => {
                  const problemKey = checkField(f.field, value ?? '', today);
                  if (problemKey) throw new Error(t(problemKey));
                },
              },
            ]}
          >
            <Input
              placeholder={t(f.placeholder)}
              autoComplete="off"
              inputMode={f.field === 'phone' || f.field === 'bankCard' ? 'numeric' : 'text'}
              data-testid={`field-${f.field}`}
            />
          </Form.Item>
        );
      })}
      {needsContacts ? (
        savedValue(profile, 'contacts') !== null && !editing.has('contacts') ? (
          <SavedField
            label={t('form.contact')}
            masked={savedValue(profile, 'contacts') ?? ''}
            onChange={() => edit('contacts')}
          />
        ) : (
          <>
            <Form.Header>{t('form.contact')}</Form.Header>
            <Form.Item
              name="contactName"
              label={t('form.contactName')}
              rules={[
                {
                  validator: async (_r, value: string | undefined) => {
                    const key = checkName(value ?? '');
                    if (key) throw new Error(t(key));
                  },
                },
              ]}
            >
              <Input autoComplete="off" data-testid="field-contactName" />
            </Form.Item>
            <Form.Item
              name="contactPhone"
              label={t('form.contactPhone')}
              dependencies={['phone']}
              rules={[
                {
                  validator: async (_r, value: string | undefined) => {
                    const key = checkPhone(value ?? '');
                    if (key) throw new Error(t(key));
                    const own = form.getFieldValue('phone') as string | undefined;
                    if (own && own.replace(/\D/g, '') === (value ?? '').replace(/\D/g, '')) {
                      throw new Error(t('form.contactPhoneSame'));
                    }
                  },
                },
              ]}
            >
              <Input autoComplete="off" inputMode="numeric" data-testid="field-contactPhone" />
            </Form.Item>
            <Form.Item
              name="contactRelation"
              label={t('form.contactRelation')}
              rules={[{ required: true, message: t('form.required') }]}
              validateTrigger={['onChange', 'onSubmit']}
            >
              <Selector
                options={CONTACT_RELATIONS.map((relation) => ({
                  value: relation,
                  label: relationLabel(t, relation),
                }))}
              />
            </Form.Item>
          </>
        )
      ) : null}
    </Form>
  );
}

/** The data form: only the categories this product's lender needs; inline checks; masked once saved. */
export function ProfilePage({ productId }: { readonly productId: string }) {
  const { t } = useI18n();
  const journey = useJourney();
  const loaded = useAsync(
    async () => ({ offer: await journey.offer(productId), profile: await borrowerApi.profile() }),
    [productId],
  );
  return (
    <PageShell title={t('form.title')} back={{ name: 'product', productId }}>
      {loaded.loading ? <Loading /> : null}
      {loaded.error ? <LoadFailed error={loaded.error} onRetry={loaded.reload} /> : null}
      {loaded.data && !loaded.data.offer ? <p className="lg-empty">{t('product.notFound')}</p> : null}
      {loaded.data?.offer ? (
        <>
          <p className="lg-intro">{t('form.intro', { lender: loaded.data.offer.lender.name })}</p>
          <ProfileForm offer={loaded.data.offer} profile={loaded.data.profile} />
        </>
      ) : null}
    </PageShell>
  );
}
