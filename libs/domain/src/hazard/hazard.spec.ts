import { given } from '@ledger/testing/decider-spec';
import {
  distanceM,
  duplicateOf,
  hazardDecider,
  hazardFilingDecider,
  type HazardEvent,
  type HazardFilingEvent,
  type HazardReport,
} from './hazard';

const report = (hazardId: string, status: HazardReport['status'] = 'submitted'): HazardReport => ({
  hazardId,
  riderId: 'r1',
  communityId: 'c1',
  category: 'manhole_cover',
  description: { textId: 't1', digest: 'cd'.repeat(32) },
  location: { lat: 29.29, lng: 106.26 },
  occurredAt: '2026-06-15T04:00:00Z',
  status,
});
const filed = (hazardId: string): HazardFilingEvent => ({
  type: 'HazardReported',
  data: report(hazardId),
});

describe('hazard filing decider', () => {
  it('files a report judged against every earlier filing of its category', () => {
    given(hazardFilingDecider, [])
      .when({ type: 'FileHazardReport', seenFilings: 0, report: report('h1') })
      .then([filed('h1')]);
    given(hazardFilingDecider, [filed('h1')])
      .when({ type: 'FileHazardReport', seenFilings: 1, report: report('h2') })
      .then([filed('h2')]);
  });
  it('refuses a report judged against a read model that missed a filing (the race’s loser)', () => {
    given(hazardFilingDecider, [filed('h1')])
      .when({ type: 'FileHazardReport', seenFilings: 0, report: report('h2') })
      .thenError('CONCURRENCY_CONFLICT');
  });
  it('answers a report filed before with nothing new', () => {
    given(hazardFilingDecider, [filed('h1'), filed('h2')])
      .when({ type: 'FileHazardReport', seenFilings: 0, report: report('h1') })
      .then([]);
  });
});

describe('hazard decider', () => {
  const verify = {
    type: 'VerifyHazard' as const,
    hazardId: 'h1',
    riderId: 'r1',
    outcome: 'confirmed' as const,
    severity: 'major' as const,
    fundId: 'f1',
    entryId: 'hz-h1',
    note: '养护单位确认：井盖缺失',
  };
  const { type: _type, ...data } = verify;
  const verified: HazardEvent = { type: 'HazardVerified', data };
  const escalated: HazardEvent = {
    type: 'HazardEscalated',
    data: { hazardId: 'h1', waitedHours: 72 },
  };

  it('verifies once: ALREADY_VERIFIED after, unless it is the same verification retried', () => {
    given(hazardDecider, []).when(verify).then([verified]);
    given(hazardDecider, [verified]).when(verify).then([]);
    given(hazardDecider, [verified])
      .when({ type: 'VerifyHazard', hazardId: 'h1', riderId: 'r1', outcome: 'rejected', note: 'x' })
      .thenError('ALREADY_VERIFIED');
  });
  it('escalates a waiting report once, and never a verified one', () => {
    const escalate = { type: 'EscalateHazard' as const, hazardId: 'h1', waitedHours: 72 };
    given(hazardDecider, []).when(escalate).then([escalated]);
    given(hazardDecider, [escalated]).when(escalate).then([]);
    given(hazardDecider, [verified]).when(escalate).then([]);
    given(hazardDecider, [escalated]).when(verify).then([verified]);
  });
});

describe('duplicates', () => {
  const at = (lat: number, lng: number, occurredAt = '2026-06-15T04:00:00Z') => ({
    location: { lat, lng },
    occurredAt,
  });
  it('measures distance on the sphere', () => {
    expect(distanceM({ lat: 29.29, lng: 106.26 }, { lat: 29.29, lng: 106.26 })).toBe(0);
    // 0.0004° of latitude is about 44.5 m; of longitude at 29.29° N about 38.8 m
    expect(distanceM({ lat: 29.29, lng: 106.26 }, { lat: 29.2904, lng: 106.26 })).toBeCloseTo(
      44.5,
      0,
    );
    expect(distanceM({ lat: 29.29, lng: 106.26 }, { lat: 29.29, lng: 106.2604 })).toBeCloseTo(
      38.8,
      0,
    );
  });
  it('is the nearest report within 50 m and 24 h, else none', () => {
    const candidates = [
      { hazardId: 'far', ...at(29.2905, 106.26) }, // 55.6 m
      { hazardId: 'near', ...at(29.2002, 106.2) },
      { hazardId: 'close', ...at(29.2903, 106.26) }, // 33 m
      { hazardId: 'old', ...at(29.29, 106.26, '2026-06-14T03:59:59Z') },
    ];
    expect(duplicateOf(at(29.29, 106.26), candidates)).toBe('close');
    expect(duplicateOf(at(29.29, 106.26), candidates.slice(0, 2))).toBeUndefined();
    expect(duplicateOf(at(29.29, 106.26, '2026-06-14T05:00:00Z'), candidates.slice(3))).toBe('old');
  });
});
