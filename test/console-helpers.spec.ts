import { checkInOf, checkInText, spaced } from '../apps/console/src/codes';
import { toCsv } from '../apps/console/src/csv';
import {
  dayAt,
  fromInput,
  grouped,
  hoursLater,
  inputTime,
  offsetOf,
  wallTime,
} from '../apps/console/src/format';

/** The console's own helpers for times, numbers and CSV (its pages are tested in the browser). */
describe('console helpers', () => {
  it('keeps the deployment’s wall time and offset, whatever the machine’s zone', () => {
    const now = '2026-12-04T23:30:00.000+08:00';
    expect(wallTime(now)).toBe('2026-12-04 23:30');
    expect(offsetOf(now)).toBe('+08:00');
    expect(offsetOf('2026-12-04T15:30:00.000Z')).toBe('Z');
    expect(inputTime(now)).toBe('2026-12-04T23:30');
    expect(fromInput('2026-12-05T09:00', '+08:00')).toBe('2026-12-05T09:00:00+08:00');
    // A week later in the same offset, across a month's end.
    expect(hoursLater('2026-11-28T23:30:00.000+08:00', 24 * 7)).toBe('2026-12-05T23:30:00+08:00');
    expect(hoursLater('2026-03-01T01:00:00.000-05:30', 1)).toBe('2026-03-01T02:00:00-05:30');
    // 00:30 on the 5th in Shanghai is still the 4th in UTC: the deployment's day is the 5th.
    expect(dayAt('+08:00', new Date('2026-12-04T16:30:00.000Z'))).toBe('2026-12-05');
  });

  it('writes large numbers as people read them in each language', () => {
    expect(grouped(5_000_000, 'zh-CN')).toBe('5,000,000');
    expect(grouped(4_917_870, 'en')).toBe('4,917,870');
  });

  it('writes CSV as RFC 4180 does, with a byte-order mark for spreadsheet programs', () => {
    const csv = toCsv(
      ['position', 'reason', 'data'],
      [
        [1, '夜间巡逻, "两小时"', { points: 20 }],
        [2, null, 'line\nbreak'],
      ],
    );
    expect(csv).toBe(
      '\uFEFF"position","reason","data"\r\n' +
        '"1","夜间巡逻, ""两小时""","{""points"":20}"\r\n' +
        '"2","","line\nbreak"\r\n',
    );
  });

  it('reads a check-in’s QR code back, and nothing else as one', () => {
    expect(checkInOf(checkInText('ci-96brbv', '590760'))).toEqual({
      id: 'ci-96brbv',
      code: '590760',
    });
    expect(checkInOf(' checkin:ci-96brbv:590760\n')).toEqual({ id: 'ci-96brbv', code: '590760' });
    for (const text of [
      'rider:r-0001',
      'checkin:ci-96brbv:59076',
      'checkin::590760',
      'checkin:a/b:590760',
    ])
      expect(checkInOf(text)).toBeUndefined();
    expect(spaced('590760')).toBe('590 760');
  });
});
