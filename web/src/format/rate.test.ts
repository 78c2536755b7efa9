import { describe, expect, it } from 'vitest';
import { percent, percentRange } from './rate.ts';

describe('rates as percentages (exact decimals)', () => {
  it('shifts the point without floats and rounds half up', () => {
    expect(percent('0.18')).toBe('18.00%');
    expect(percent('0.036')).toBe('3.60%');
    expect(percent('0.240000')).toBe('24.00%');
    expect(percent('0.123449')).toBe('12.34%');
    expect(percent('0.123450')).toBe('12.35%');
    // Approvals come with six places like every other APR; ten (as stored) show the same.
    expect(percent('0.136800')).toBe('13.68%');
    expect(percent('0.1368000000')).toBe('13.68%');
    expect(percent('1')).toBe('100.00%');
    expect(percent('0.07', 0)).toBe('7%');
    expect(percent('nonsense')).toBe('—');
  });

  it('shows a range, or one figure when both ends agree', () => {
    expect(percentRange('0.072', '0.18')).toBe('7.20% – 18.00%');
    expect(percentRange('0.18', '0.180000')).toBe('18.00%');
  });
});
