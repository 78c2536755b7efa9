import { describe, expect, it } from 'vitest';
import { enUS } from './en-US.ts';
import { translate } from './messages.ts';
import { zhCN } from './zh-CN.ts';

describe('the dictionaries', () => {
  it('have the same keys and the same placeholders in both languages', () => {
    expect(Object.keys(enUS).sort()).toEqual(Object.keys(zhCN).sort());
    const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(zhCN) as (keyof typeof zhCN)[]) {
      if (key === 'consent.textLanguage') continue;
      expect(names(enUS[key]), key).toEqual(names(zhCN[key]));
    }
  });

  it('fill placeholders', () => {
    expect(translate('zh-CN', 'offers.months', { n: 12 })).toBe('12 个月');
    expect(translate('en-US', 'consent.agreePi', { lender: 'X' })).toBe(
      'I separately consent to my data above going to X',
    );
  });
});
