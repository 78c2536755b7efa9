/** Today in China Standard Time (UTC+8), the calendar loans run on, as YYYY-MM-DD. */
export function chinaToday(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** An ISO instant shown in China time, "2026-11-29 09:30". */
export function chinaDateTime(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  return new Date(time + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}
