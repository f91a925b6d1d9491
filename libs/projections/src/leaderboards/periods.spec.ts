import { isoWeek, isPeriod, periodsOf } from './periods';

describe('leaderboard periods', () => {
  it('follow the calendar in Asia/Shanghai: 16:00Z is already the next day there', () => {
    expect(periodsOf(new Date('2026-12-31T15:59:59Z'), 'Asia/Shanghai')).toEqual([
      'all',
      '2026',
      '2026-12',
      '2026-W53',
    ]);
    expect(periodsOf(new Date('2026-12-31T16:00:00Z'), 'Asia/Shanghai')).toEqual([
      'all',
      '2027',
      '2027-01',
      '2026-W53',
    ]);
  });

  it('number ISO weeks by the week-year of their Thursday', () => {
    expect(isoWeek(2026, 1, 1)).toBe('2026-W01'); // a Thursday
    expect(isoWeek(2027, 1, 3)).toBe('2026-W53'); // Sunday before week 1 of 2027
    expect(isoWeek(2027, 1, 4)).toBe('2027-W01');
    expect(isoWeek(2024, 12, 30)).toBe('2025-W01');
  });

  it('accepts only the period forms of the API', () => {
    for (const ok of ['all', '2026', '2026-02', '2026-W07', '2026-W53'])
      expect(isPeriod(ok)).toBe(true);
    for (const bad of ['ALL', '26', '2026-13', '2026-W54', '2026-W00', '2026-1', "2026'"])
      expect(isPeriod(bad)).toBe(false);
  });
});
