/** Awards older than this may not be recorded (api.md): 90 days. */
export const MAX_AWARD_AGE_MS = 90 * 24 * 60 * 60 * 1000;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar day (YYYY-MM-DD) that holds `instant` in `timeZone`. Pure: no clock involved. */
export function dayKey(instant: Date, timeZone: string): string {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  return format.format(instant); // en-CA formats as YYYY-MM-DD
}
