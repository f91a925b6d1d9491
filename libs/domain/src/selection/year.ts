import { dayKey } from '../shared/time';

/** The calendar year that holds `instant` in `timeZone`. */
export function periodOfYear(instant: Date, timeZone: string): number {
  return Number(dayKey(instant, timeZone).slice(0, 4));
}
