import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskBankCard, maskIdNumber, maskName, maskPhone, maskProfile } from './masking.ts';
import { SAMPLE, validCard, validIdNumber, validPhone } from './testing.ts';

describe('masking', () => {
  it('masks as the compliance rules show', () => {
    expect(maskIdNumber('110105199003071234')).toBe('110***********1234');
    expect(maskBankCard('6222020200112233445')).toBe('6222 **** **** 3445');
    expect(maskBankCard('622202020011')).toBe('6222 **** **** 0011');
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
    expect(maskName('张')).toBe('*');
    expect(maskName('𠀋一')).toBe('𠀋*');
  });

  it('masks a whole profile, contacts included, keeping relations', () => {
    expect(maskProfile({ ...SAMPLE })).toEqual({
      name: '张**',
      idNumber: `110***********${SAMPLE.idNumber.slice(-4)}`,
      phone: '138****5678',
      bankCard: `6222 **** **** ${SAMPLE.bankCard.slice(-4)}`,
      contacts: [{ name: '李*', phone: '139****1111', relation: 'spouse' }],
    });
  });

  it('never shows the hidden middle of a value (property)', () => {
    fc.assert(
      fc.property(validIdNumber, validPhone, validCard, (id, phone, card) => {
        const maskedId = maskIdNumber(id);
        expect(maskedId).toHaveLength(18);
        expect(maskedId.slice(3, 14)).toBe('*'.repeat(11));
        expect(maskPhone(phone).slice(3, 7)).toBe('****');
        const maskedCard = maskBankCard(card);
        expect(maskedCard.replace(/[\s*]/g, '')).toBe(`${card.slice(0, 4)}${card.slice(-4)}`);
      }),
    );
  });
});
