import { workbookOf } from '@ledger/testing';
import { readImportFile } from './import-file';

const context = { timeZone: 'Asia/Shanghai', now: new Date('2026-12-05T00:00:00Z') };

describe('reading an import file', () => {
  it('reads a workbook with Chinese headers and date cells as the same rows as its CSV', async () => {
    const workbook = await workbookOf([
      ['类型', '小哥编号', '日期', '活动', '积分', '资金编号', '事由'],
      ['奖励', 'r1', new Date(Date.UTC(2024, 2, 14)), 'patrol', 20, 'f1', '夜间巡逻'],
    ]);
    const csv = Buffer.from(
      '\ufeffkind,riderId,date,activity,points,fundId,reason\naward,r1,2024-03-14,patrol,20,f1,夜间巡逻\n',
    );
    const fromXlsx = await readImportFile(workbook, context);
    const fromCsv = await readImportFile(csv, context);
    expect(fromXlsx).toMatchObject({ format: 'xlsx' });
    expect(fromCsv).toMatchObject({ format: 'csv' });
    const row = {
      row: 2,
      kind: 'award',
      riderId: 'r1',
      occurredAt: '2024-03-14T04:00:00.000Z', // noon in Shanghai
      activity: 'patrol',
      points: 20,
      fundId: 'f1',
      reason: '夜间巡逻',
    };
    expect(fromXlsx).toMatchObject({ rows: [row] });
    expect(fromCsv).toMatchObject({ rows: [row] });
  });

  it('reads CSV saved as GB18030, and dates written the Chinese way', async () => {
    const text =
      'kind,riderId,date,activity,points,fundId,reason\naward,r1,2024年3月14日,patrol,20,f1,巡逻\n';
    // 巡逻 in GB18030 (as Excel saves CSV on Chinese Windows); the rest is ASCII.
    const gb = Buffer.concat([
      Buffer.from(text.slice(0, text.indexOf('2024'))),
      Buffer.from([0x32, 0x30, 0x32, 0x34, 0xc4, 0xea, 0x33, 0xd4, 0xc2, 0x31, 0x34, 0xc8, 0xd5]),
      Buffer.from(',patrol,20,f1,'),
      Buffer.from([0xd1, 0xb2, 0xc2, 0xdf, 0x0a]),
    ]);
    const read = await readImportFile(gb, context);
    expect(read).toMatchObject({
      rows: [{ row: 2, occurredAt: '2024-03-14T04:00:00.000Z', reason: '巡逻' }],
    });
  });

  it('refuses a file without its header, and names what each unreadable row lacks', async () => {
    expect(await readImportFile(Buffer.from('a,b\n1,2\n'), context)).toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    const read = await readImportFile(
      Buffer.from(
        `kind,riderId,date,activity,points,fundId,reason,phone,communityId,name,platform,occupation\naward,r1,2024-02-30,patrol,20,f1,x\naward,r1,2024-02-03,patrol,2.5,f1,x\nredemption,r1,2024-02-03,,,,\naward,r1,2024-02-03,patrol,20,f1,${'长'.repeat(501)}\nrider,r2,,,,,,call me,c1,张伟,美团,courier\n`,
      ),
      context,
    );
    if (!('rows' in read)) throw new Error('not read');
    expect(read.rows.map((r) => ('refusal' in r ? r.refusal.detail : 'read'))).toEqual([
      'date 2024-02-30 is not a date (2025-03-14, 2025-03-14 09:30 or 2025年3月14日)',
      'points must be a whole number from 1 to 1,000,000, not 2.5',
      'points is empty',
      'reason must be at most 500 characters',
      'phone must be 5–20 digits, spaces or dashes, with a + in front if need be',
    ]);
  });

  it('refuses a row whose cells moved a column (a comma outside quotes), and reads a short one', async () => {
    const read = await readImportFile(
      Buffer.from(
        'kind,riderId,date,activity,points,fundId,reason,,\naward,r1,2024-02-03,patrol,20,f1,巡逻,文明劝导\naward,r1,2024-02-03,patrol,20,f1,"巡逻,文明劝导"\naward,r1,2024-02-04,patrol,20,f1,巡逻,,\nrider,r2\n',
      ),
      context,
    );
    if (!('rows' in read)) throw new Error('not read');
    expect(read.rows.map((r) => ('refusal' in r ? r.refusal.detail : r.row))).toEqual([
      'the row has 8 cells but the first row names 7 columns; a cell with a comma needs quotes',
      3,
      4,
      'occupation is empty',
    ]);
  });
});
