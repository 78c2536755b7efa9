import { describe, expect, it } from 'vitest';
import {
  checkBankCard,
  checkIdNumber,
  checkName,
  checkPhone,
  groupCardDigits,
  idCheckCharacter,
} from './fields.ts';

const TODAY = '2026-11-29';

describe('inline checks of the data form', () => {
  it('resident id: shape, birth date and the MOD 11-2 check character', () => {
    expect(checkIdNumber('110105199003071239', TODAY)).toBeNull();
    expect(checkIdNumber('11010519491231002x', TODAY)).toBeNull();
    expect(checkIdNumber('110105199003071230', TODAY)).toBe('form.idNumber.checksum');
    expect(checkIdNumber('11010519900230123X', TODAY)).toBe('form.idNumber.birthDate');
    expect(checkIdNumber('110105203001011234', TODAY)).toBe('form.idNumber.birthDate');
    expect(checkIdNumber('1101051990030712', TODAY)).toBe('form.idNumber.shape');
    expect(checkIdNumber('', TODAY)).toBe('form.required');
    expect(idCheckCharacter('11010519491231002')).toBe('X');
  });

  it('bank card: 12–19 digits passing Luhn', () => {
    expect(checkBankCard('6222 0202 0011 2345 679')).toBeNull();
    expect(checkBankCard('6222020200112345670')).toBe('form.bankCard.luhn');
    expect(checkBankCard('12345')).toBe('form.bankCard.digits');
    expect(groupCardDigits('6222020200112345679')).toBe('6222 0202 0011 2345 679');
  });

  it('phone and name', () => {
    expect(checkPhone('+86 138-0013-8000')).toBeNull();
    expect(checkPhone('12800138000')).toBe('form.phone.invalid');
    expect(checkName('阿卜杜·热合曼')).toBeNull();
    expect(checkName('Wang Fang')).toBeNull();
    expect(checkName('张3')).toBe('form.name.invalid');
    expect(checkName(' ')).toBe('form.required');
  });
});
