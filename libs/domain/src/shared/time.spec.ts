import { localIso, parseInstant } from './time';

describe('instants as people write and read them', () => {
  it('reads ISO 8601 with an offset, and refuses one without (whose 10:00?)', () => {
    expect(parseInstant('2026-12-03T20:00:00+08:00')?.toISOString()).toBe(
      '2026-12-03T12:00:00.000Z',
    );
    expect(parseInstant('2026-12-03T12:00Z')?.toISOString()).toBe('2026-12-03T12:00:00.000Z');
    expect(parseInstant('2026-12-03T12:00:00.5-05:30')?.toISOString()).toBe(
      '2026-12-03T17:30:00.500Z',
    );
    for (const bad of [
      '2026-12-03T10:00',
      '2026-12-03 10:00:00+08:00',
      '2026-02-30T10:00:00Z',
      '2026-12-03T10:60:00Z',
      '2026-12-03T24:00:00+08:00',
      '2026-12-03T10:00:00+15:00',
      '2026-12-03',
    ])
      expect({ bad, read: parseInstant(bad) }).toEqual({ bad, read: undefined });
  });

  it('takes 24:00 as the end of the day where asked', () => {
    const end = parseInstant('2026-06-30T24:00:00+08:00', { endOfDay: true });
    expect(end?.toISOString()).toBe('2026-06-30T16:00:00.000Z');
    expect(parseInstant('2026-06-30T24:00:01+08:00', { endOfDay: true })).toBeUndefined();
  });

  it('writes an instant with the zone’s offset, milliseconds only when there are some', () => {
    expect(localIso(new Date('2026-12-03T12:00:00.000Z'), 'Asia/Shanghai')).toBe(
      '2026-12-03T20:00:00+08:00',
    );
    expect(localIso(new Date('2026-06-30T16:00:00.123Z'), 'Asia/Shanghai')).toBe(
      '2026-07-01T00:00:00.123+08:00',
    );
    // A zone with summer time and a half-hour offset.
    expect(localIso(new Date('2026-07-01T12:00:00Z'), 'America/New_York')).toBe(
      '2026-07-01T08:00:00-04:00',
    );
    expect(localIso(new Date('2026-01-01T00:00:00Z'), 'Asia/Kolkata')).toBe(
      '2026-01-01T05:30:00+05:30',
    );
    // Read back, the same instant.
    const instant = new Date('2026-03-08T06:59:59.999Z');
    expect(parseInstant(localIso(instant, 'America/New_York'))?.getTime()).toBe(instant.getTime());
  });
});
