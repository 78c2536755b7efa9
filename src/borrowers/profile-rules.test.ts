import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyChanges,
  checkBankCard,
  checkName,
  checkPhone,
  checkProfileChanges,
  EMPTY_PROFILE,
  luhnValid,
} from './profile-rules.ts';
import { SAMPLE, validCard, validPhone } from './testing.ts';

const TODAY = '2026-11-29';

describe('profile field rules', () => {
  it('normalizes and checks mainland mobile numbers', () => {
    expect(checkPhone('138 1234 5678')).toEqual({ ok: true, value: '13812345678' });
    expect(checkPhone('+86 138-1234-5678')).toEqual({ ok: true, value: '13812345678' });
    for (const bad of ['12812345678', '1381234567', '138123456789', '23812345678', 'abc']) {
      expect(checkPhone(bad).ok).toBe(false);
    }
  });

  it('checks bank cards with Luhn and length 12–19', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(checkBankCard('4111 1111 1111 1111')).toEqual({ ok: true, value: '4111111111111111' });
    expect(checkBankCard('4111111111111112')).toEqual({
      ok: false,
      message: 'checksum (Luhn) does not match',
    });
    expect(checkBankCard('41111111111')).toEqual({ ok: false, message: 'must be 12–19 digits' });
    expect(checkBankCard('41111111111111111111')).toEqual({ ok: false, message: 'must be 12–19 digits' });
  });

  it('Luhn catches every single-digit error (property)', () => {
    fc.assert(
      fc.property(validCard, fc.nat(), fc.integer({ min: 1, max: 9 }), (card, position, delta) => {
        expect(checkBankCard(card).ok).toBe(true);
        const at = position % card.length;
        const changed = `${card.slice(0, at)}${(Number(card[at]) + delta) % 10}${card.slice(at + 1)}`;
        expect(checkBankCard(changed).ok).toBe(false);
      }),
    );
  });

  it('accepts any valid mobile number (property)', () => {
    fc.assert(
      fc.property(validPhone, (phone) => {
        expect(checkPhone(phone)).toEqual({ ok: true, value: phone });
      }),
    );
  });

  it('accepts names of any script with name separators, refuses digits and empties', () => {
    expect(checkName(' 张三 ')).toEqual({ ok: true, value: '张三' });
    expect(checkName('阿卜杜·热合曼').ok).toBe(true);
    expect(checkName("Mary-Jane O'Neil").ok).toBe(true);
    expect(checkName('张3').ok).toBe(false);
    expect(checkName('   ').ok).toBe(false);
    expect(checkName('张'.repeat(51)).ok).toBe(false);
  });

  it('names every failing field with the prefix and stores nothing of a failing change', () => {
    const { changes, problems } = checkProfileChanges(
      {
        name: '张三',
        idNumber: `${SAMPLE.idNumber.slice(0, 17)}${SAMPLE.idNumber[17] === '1' ? '2' : '1'}`,
        phone: '12345',
        bankCard: '4111111111111112',
        contacts: [{ name: '李四', phone: '139', relation: 'boss' }],
      },
      TODAY,
      'body.',
    );
    expect(problems).toEqual([
      { field: 'body.idNumber', message: 'checksum does not match' },
      { field: 'body.phone', message: 'must be an 11-digit mainland mobile number starting with 13–19' },
      { field: 'body.bankCard', message: 'checksum (Luhn) does not match' },
      {
        field: 'body.contacts.0.phone',
        message: 'must be an 11-digit mainland mobile number starting with 13–19',
      },
      { field: 'body.contacts.0.relation', message: expect.stringContaining('must be one of') },
    ]);
    expect(changes.name).toBe('张三');
  });

  it('applies a partial update: absent keeps, null clears, a value replaces', () => {
    const { changes, problems } = checkProfileChanges({ ...SAMPLE }, TODAY);
    expect(problems).toEqual([]);
    const full = applyChanges(EMPTY_PROFILE, changes);
    expect(full).toEqual({ ...SAMPLE });
    const partial = applyChanges(
      full,
      checkProfileChanges({ phone: '13700000000', bankCard: null }, TODAY).changes,
    );
    expect(partial).toEqual({ ...SAMPLE, phone: '13700000000', bankCard: null });
  });
});
