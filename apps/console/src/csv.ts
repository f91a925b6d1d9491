/**
 * CSV as RFC 4180 writes it (every field quoted, quotes doubled, CRLF), with a byte-order mark so
 * spreadsheet programs read the Chinese right; and a download of it from the browser.
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

export function download(filename: string, csv: string): void {
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
