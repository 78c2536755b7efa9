/**
 * The calendar the business runs on: China Standard Time, UTC+8 all year (no daylight saving).
 * Loans, quotas, statements, birthdays and certificate expiries all count days in Beijing.
 */
const CHINA_OFFSET_MS = 8 * 3_600_000;

/** The China Standard Time calendar date (`YYYY-MM-DD`) of an instant (a Date or epoch ms). */
export function chinaDate(instant: Date | number): string {
  const ms = typeof instant === 'number' ? instant : instant.getTime();
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}
