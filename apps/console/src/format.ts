/**
 * A time as the API gives it (ISO-8601 with the deployment's offset, e.g.
 * `2026-12-03T20:00:00+08:00`) as people read it there: `2026-12-03 20:00`. The wall time the
 * API chose is kept; the browser's own zone plays no part.
 */
export function wallTime(iso: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return match ? `${match[1]} ${match[2]}` : iso;
}

/** Today's date where the API's answers say the deployment is (from an offset like +08:00). */
export function dayAt(offset: string, now = new Date()): string {
  const match = /([+-])(\d{2}):(\d{2})$/.exec(offset);
  const minutes = match
    ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]))
    : 0;
  return new Date(now.getTime() + minutes * 60_000).toISOString().slice(0, 10);
}
