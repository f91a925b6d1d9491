import { createRequire } from 'node:module';

/** A cell as write-excel-file takes it: a value, and for a date its type and format. */
export type WorkbookCell = {
  value: string | number | Date;
  type?: DateConstructor;
  format?: string;
};

/** An .xlsx file of one sheet with these rows, as a spreadsheet program would save it. */
export function workbookOf(rows: (string | number | Date)[][]): Promise<Buffer> {
  // write-excel-file's CommonJS build (its types are an ES module's, which this CommonJS build
  // cannot import), typed as used here; loaded when used, since it is a dev dependency.
  const writeXlsxFile = (
    createRequire(__filename)('write-excel-file/node') as {
      default: (sheet: WorkbookCell[][]) => { toBuffer(): Promise<Buffer> };
    }
  ).default;
  return writeXlsxFile(
    rows.map((row) =>
      row.map((value) =>
        value instanceof Date ? { value, type: Date, format: 'yyyy-mm-dd' } : { value },
      ),
    ),
  ).toBuffer();
}
