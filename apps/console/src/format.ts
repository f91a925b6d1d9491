/**
 * A time as the API gives it (ISO-8601 with the deployment's offset, e.g.
 * `2026-12-03T20:00:00+08:00`) as people read it there: `2026-12-03 20:00`. The wall time the
 * API chose is kept; the browser's own zone plays no part.
 */
export function wallTime(iso: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return match ? `${match[1]} ${match[2]}` : iso;
}

/** Minutes east of UTC of an offset (`+08:00` → 480); `Z`, or none, is 0. */
function offsetMinutes(offset: string): number {
  const match = /([+-])(\d{2}):(\d{2})$/.exec(offset);
  return match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
}

/** Today's date where the API's answers say the deployment is (from an offset like +08:00). */
export function dayAt(offset: string, now = new Date()): string {
  return new Date(now.getTime() + offsetMinutes(offset) * 60_000).toISOString().slice(0, 10);
}

/** The offset an API time is written with (`+08:00`), `Z` for UTC. */
export function offsetOf(iso: string): string {
  return /([+-]\d{2}:\d{2}|Z)$/.exec(iso)?.[1] ?? 'Z';
}

/** An API time as a `datetime-local` input's value, in the API's (the deployment's) wall time. */
export function inputTime(iso: string): string {
  return iso.slice(0, 16);
}

/** A `datetime-local` value entered in the deployment's zone, as an ISO time with its offset. */
export function fromInput(local: string, offset: string): string {
  return `${local}:00${offset === 'Z' ? 'Z' : offset}`;
}

/** An API time moved by whole hours, still in its own offset (for default task windows). */
export function hoursLater(iso: string, hours: number): string {
  return atOffset(new Date(Date.parse(iso) + hours * 3_600_000).toISOString(), offsetOf(iso));
}

/** A count of points as people read large numbers in the chosen language (5,000,000). */
export function grouped(n: number, lang: string): string {
  return new Intl.NumberFormat(lang).format(n);
}

/** A UTC time (a stored event's) as the wall time of `offset` (`+08:00`), written with it. */
export function atOffset(iso: string, offset: string): string {
  const at = new Date(Date.parse(iso) + offsetMinutes(offset) * 60_000);
  return `${at.toISOString().slice(0, 19)}${offset}`;
}
