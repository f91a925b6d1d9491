/**
 * CSV as RFC 4180 writes it (every field quoted, quotes doubled, CRLF), with a byte-order mark so
 * spreadsheet programs read the Chinese right. (No DOM here: the type check of the tests reads it.)
 */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const text = (value: unknown) =>
    value === null || value === undefined
      ? ''
      : typeof value === 'string'
        ? value
        : JSON.stringify(value);
  const field = (value: unknown) => `"${text(value).replace(/"/g, '""')}"`;
  return `\uFEFF${[header, ...rows].map((row) => row.map(field).join(',')).join('\r\n')}\r\n`;
}
