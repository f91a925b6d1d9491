import { canonicalJson, eventHash, headsDigest } from './chain';

const event = {
  eventId: 'e1',
  streamName: 'rider-r1',
  revision: 0,
  type: 'PointsAwarded',
  schemaVersion: 1,
  data: { riderId: 'r1', points: 20, reason: '夜间巡逻', location: { lng: 106.26, lat: 29.29 } },
  metadata: { actor: { role: 'staff', principalId: 's1' }, occurredAt: '2026-06-15T04:00:00.000Z' },
};

describe('hash chain', () => {
  it('writes canonical JSON: keys sorted at every depth, same bytes for the same value', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 'é', e: null }], c: true } })).toBe(
      '{"a":{"c":true,"d":[1,{"e":null,"f":"é"}]},"b":1}',
    );
    expect(canonicalJson({ x: undefined, y: 1 })).toBe('{"y":1}');
    expect(() => canonicalJson({ n: Number.NaN })).toThrow();
  });

  it('hashes the same event to the same value whatever its key order, and any change to another', () => {
    const reordered = {
      ...event,
      data: {
        location: { lat: 29.29, lng: 106.26 },
        reason: '夜间巡逻',
        points: 20,
        riderId: 'r1',
      },
    };
    const h = eventHash(event, '');
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(eventHash(reordered, '')).toBe(h);
    expect(eventHash({ ...event, metadata: { ...event.metadata, hash: 'x' } }, '')).toBe(h);
    for (const changed of [
      { ...event, data: { ...event.data, points: 21 } },
      { ...event, revision: 1 },
      { ...event, streamName: 'rider-r2' },
      { ...event, type: 'AwardReversed' },
      { ...event, metadata: { ...event.metadata, occurredAt: '2026-06-15T04:00:01.000Z' } },
    ])
      expect(eventHash(changed, '')).not.toBe(h);
    expect(eventHash(event, 'previous')).not.toBe(h);
  });

  it('digests stream heads independently of insertion order', () => {
    const a = new Map([
      ['rider-r1', { revision: 3, hash: 'aa' }],
      ['fund-f1', { revision: 9, hash: 'bb' }],
    ]);
    const b = new Map([...a.entries()].reverse());
    expect(headsDigest(a)).toBe(headsDigest(b));
    expect(headsDigest(new Map([['rider-r1', { revision: 3, hash: 'aa' }]]))).not.toBe(
      headsDigest(a),
    );
  });
});
