import { dayKey } from '@ledger/domain';

/**
 * Leaderboard periods of an instant, as calendar periods in the deployment's time zone:
 * `all`, the year `YYYY`, the month `YYYY-MM` and the ISO week `YYYY-Www` (ISO week-year).
 */
export function periodsOf(instant: Date, timeZone: string): string[] {
  const { year, month, day } = calendarDate(instant, timeZone);
  return ['all', `${year}`, `${year}-${pad(month)}`, isoWeek(year, month, day)];
}

function calendarDate(
  instant: Date,
  timeZone: string,
): { year: number; month: number; day: number } {
  const [year, month, day] = dayKey(instant, timeZone).split('-').map(Number);
  return { year, month, day };
}

/** ISO 8601 week of a calendar date: weeks start on Monday; week 1 holds the year's first Thursday. */
export function isoWeek(year: number, month: number, day: number): string {
  const date = new Date(Date.UTC(year, month - 1, day));
  const weekday = date.getUTCDay() || 7; // Monday 1 … Sunday 7
  date.setUTCDate(date.getUTCDate() + 4 - weekday); // the Thursday of this week decides the year
  const weekYear = date.getUTCFullYear();
  const week = Math.ceil(((date.getTime() - Date.UTC(weekYear, 0, 1)) / 86_400_000 + 1) / 7);
  return `${weekYear}-W${pad(week)}`;
}

/** `all`, a year, a month or an ISO week: the periods leaderboards keep. */
export const PERIOD = /^(all|\d{4}|\d{4}-(0[1-9]|1[0-2])|\d{4}-W(0[1-9]|[1-4]\d|5[0-3]))$/;

export function isPeriod(value: string): boolean {
  return PERIOD.test(value);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
