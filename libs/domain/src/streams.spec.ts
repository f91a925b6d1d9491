import { fundBookStream, fundStream, parseStreamName, riderStream, stationStream } from './streams';

describe('stream names', () => {
  it('are built from the kind and the id, and parse back', () => {
    expect(riderStream('r-001')).toBe('rider-r-001');
    expect(fundStream('jiangjin.2026')).toBe('fund-jiangjin.2026');
    expect(parseStreamName(stationStream('S_51'))).toEqual({ kind: 'station', id: 'S_51' });
  });

  it('refuse ids outside the API pattern, so no name can be forged from input', () => {
    for (const bad of ['', '-lead', 'a b', 'x/y', '中文', 'a'.repeat(65), "r'; drop"]) {
      expect(() => riderStream(bad)).toThrow(/invalid rider id/);
    }
    expect(parseStreamName('$all')).toBeUndefined();
    expect(parseStreamName('rider-')).toBeUndefined();
  });

  it("name a fund's books by the day they opened, and parse them back", () => {
    expect(fundBookStream('jj-2026', '2026-12-04T18')).toBe('fund-jj-2026@2026-12-04T18');
    expect(fundBookStream('jj-2026', '')).toBe('fund-jj-2026');
    expect(parseStreamName('fund-jj-2026@2026-12-04T18')).toEqual({
      kind: 'fund',
      id: 'jj-2026',
      book: '2026-12-04T18',
    });
    expect(() => fundBookStream('jj', '2026-12-04')).toThrow(/invalid fund book/);
    expect(parseStreamName('rider-r1@2026-12-04T18')).toBeUndefined();
    expect(parseStreamName('fund-jj@yesterday')).toBeUndefined();
  });
});
