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

const hourFormatters = new Map<string, Intl.DateTimeFormat>();

/** The local hour (YYYY-MM-DDTHH) that holds `instant` in `timeZone`: a fund book's name. */
export function hourKey(instant: Date, timeZone: string): string {
  let format = hourFormatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, hour: '2-digit', hourCycle: 'h23' });
    hourFormatters.set(timeZone, format);
  }
  return `${dayKey(instant, timeZone)}T${format.format(instant).padStart(2, '0')}`;
}

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * An instant written as ISO 8601 with its offset (`2026-12-03T20:00:00+08:00`, or `…Z`); with
 * `endOfDay`, `24:00` too (the end of that day, which is the next day's `00:00`). `undefined` for
 * anything else, a time without an offset included: it would be ambiguous (whose 10:00?).
 */
export function parseInstant(text: string, options: { endOfDay?: boolean } = {}): Date | undefined {
  const m = INSTANT.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second = 0] = [1, 2, 3, 4, 5, 6].map((i) =>
    Number(m[i] ?? 0),
  );
  const fraction = Number(`0.${m[7] ?? '0'}`);
  const endOfDay = hour === 24 && minute === 0 && second === 0 && fraction === 0;
  if (hour > 23 && !(endOfDay && options.endOfDay)) return undefined;
  if (minute > 59 || second > 59 || month < 1 || month > 12) return undefined;
  if (day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  const offsetMinutes =
    m[8] === 'Z' ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  if (Math.abs(offsetMinutes) > 14 * 60 || Number(m[11] ?? 0) > 59) return undefined;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second) + fraction * 1000;
  return new Date(utc - offsetMinutes * 60_000);
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The instant as people in `timeZone` read it, with its offset: `2026-12-03T20:00:00+08:00`
 * (milliseconds only when there are some). The same instant as its `…Z` form, for a reader.
 */
export function localIso(instant: Date, timeZone: string): string {
  let format = offsetFormatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    offsetFormatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
  const wall = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  const offset = Math.round((wall - (instant.getTime() - instant.getUTCMilliseconds())) / 60_000);
  const sign = offset < 0 ? '-' : '+';
  const hhmm = `${pad2(Math.floor(Math.abs(offset) / 60))}:${pad2(Math.abs(offset) % 60)}`;
  const ms = instant.getUTCMilliseconds();
  const millis = ms === 0 ? '' : `.${String(ms).padStart(3, '0')}`;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${millis}${sign}${hhmm}`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
