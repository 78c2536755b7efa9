import type { MaskedProfile, ProfileChanges } from '../api/types.ts';
import { CONTACT_RELATIONS, type ContactRelation } from '../api/types.ts';
import type { MessageKey } from '../i18n/messages.ts';
import { checkBankCard, checkIdNumber, checkName, checkPhone } from '../validation/fields.ts';

/** The personal fields of the form, each tied to the data category a lender asks for. */
export const PERSONAL_FIELDS = [
  { field: 'name', category: 'name', label: 'form.name', placeholder: 'form.name.placeholder' },
  {
    field: 'idNumber',
    category: 'id_number',
    label: 'form.idNumber',
    placeholder: 'form.idNumber.placeholder',
  },
  { field: 'phone', category: 'phone', label: 'form.phone', placeholder: 'form.phone.placeholder' },
  {
    field: 'bankCard',
    category: 'bank_card',
    label: 'form.bankCard',
    placeholder: 'form.bankCard.placeholder',
  },
] as const satisfies readonly {
  field: keyof MaskedProfile;
  category: string;
  label: MessageKey;
  placeholder: MessageKey;
}[];

export type PersonalField = (typeof PERSONAL_FIELDS)[number]['field'];

/** The form's values: strings as typed (no value leaves this page except in the PUT body). */
export interface FormValues {
  name?: string;
  idNumber?: string;
  phone?: string;
  bankCard?: string;
  contactName?: string;
  contactPhone?: string;
  contactRelation?: string[];
}

export function checkField(field: PersonalField, value: string, today: string): MessageKey | null {
  switch (field) {
    case 'name':
      return checkName(value);
    case 'idNumber':
      return checkIdNumber(value, today);
    case 'phone':
      return checkPhone(value);
    case 'bankCard':
      return checkBankCard(value);
  }
}

function isRelation(value: string | undefined): value is ContactRelation {
  return value !== undefined && (CONTACT_RELATIONS as readonly string[]).includes(value);
}

/** The PUT body: only the fields the borrower is entering now, in the form the vault expects. */
export function changesFrom(values: FormValues, editing: ReadonlySet<string>): ProfileChanges {
  const changes: ProfileChanges = {};
  if (editing.has('name') && values.name) changes.name = values.name.trim();
  if (editing.has('idNumber') && values.idNumber) changes.idNumber = values.idNumber.trim().toUpperCase();
  if (editing.has('phone') && values.phone) changes.phone = values.phone.replace(/[\s-]/g, '');
  if (editing.has('bankCard') && values.bankCard) changes.bankCard = values.bankCard.replace(/\D/g, '');
  const relation = values.contactRelation?.[0];
  if (editing.has('contacts') && values.contactName && values.contactPhone && isRelation(relation)) {
    changes.contacts = [
      { name: values.contactName.trim(), phone: values.contactPhone.replace(/[\s-]/g, ''), relation },
    ];
  }
  return changes;
}

/** Maps a server field path (`body.idNumber`, `body.contacts[0].phone`) to a form field. */
export function formFieldOf(path: string): keyof FormValues | null {
  const field = path.replace(/^body\./, '');
  if (field === 'name' || field === 'idNumber' || field === 'phone' || field === 'bankCard') return field;
  if (/^contacts(\[\d+\]|\.\d+)?\.name$/.test(field)) return 'contactName';
  if (/^contacts(\[\d+\]|\.\d+)?\.phone$/.test(field)) return 'contactPhone';
  if (/^contacts(\[\d+\]|\.\d+)?\.relation$/.test(field)) return 'contactRelation';
  return field.startsWith('contacts') ? 'contactName' : null;
}
