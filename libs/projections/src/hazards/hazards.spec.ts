import type { HazardReport } from '@ledger/domain';
import { projectionSpec, SPEC_RECORDED_AT } from '../testing/projection-spec';
import { hazardsProjection } from './hazards.projection';
import { hazardPage, nearbyReports, unverifiedBefore } from './hazards.queries';

const report = (hazardId: string, more: Partial<HazardReport> = {}): HazardReport => ({
  hazardId,
  riderId: 'r1',
  communityId: 'c1',
  category: 'manhole_cover',
  description: { textId: `text-${hazardId}`, digest: 'cd'.repeat(32) },
  location: { lat: 29.2905, lng: 106.2594 },
  occurredAt: '2026-06-15T03:10:00.000Z',
  status: 'submitted',
  ...more,
});

describe('hazards projection', () => {
  const spec = projectionSpec(hazardsProjection);

  it('files reports per category, then verification and escalation', async () => {
    const db = await spec
      .given([
        { type: 'HazardReported', data: report('h1') },
        { type: 'HazardReported', data: report('h2', { status: 'duplicate', duplicateOf: 'h1' }) },
        { type: 'HazardReported', data: report('h3', { category: 'flooding', communityId: 'c2' }) },
        {
          type: 'HazardVerified',
          data: {
            hazardId: 'h1',
            riderId: 'r1',
            outcome: 'confirmed',
            severity: 'major',
            fundId: 'f1',
            entryId: 'e1',
            note: '属实',
          },
        },
        { type: 'HazardEscalated', data: { hazardId: 'h3', waitedHours: 48 } },
        { type: 'HazardReported', data: report('h4', { category: 'flooding', communityId: 'c2' }) },
      ])
      .then({
        hazards: [
          {
            hazard_id: 'h1',
            status: 'confirmed',
            severity: 'major',
            entry_id: 'e1',
            escalated: false,
            position: 1,
          },
          {
            hazard_id: 'h2',
            status: 'duplicate',
            duplicate_of: 'h1',
            reported_at: SPEC_RECORDED_AT,
          },
          { hazard_id: 'h3', category: 'flooding', status: 'submitted', escalated: true },
          { hazard_id: 'h4', category: 'flooding', status: 'submitted', escalated: false },
        ],
        hazard_filings: [
          { category: 'flooding', filings: 2 },
          { category: 'manhole_cover', filings: 2 },
        ],
      });
    const c2 = await hazardPage(db, { communities: ['c2'], limit: 10 });
    expect(c2.items.map((h) => h.id)).toEqual(['h3', 'h4']);
    const near = await nearbyReports(db, {
      hazardId: 'h9',
      category: 'manhole_cover',
      location: { lat: 29.2906, lng: 106.2594 },
      occurredAt: '2026-06-15T05:00:00.000Z',
    });
    expect(near).toMatchObject({ filings: 2, existing: null, candidates: [{ hazardId: 'h1' }] });
    // h1 is verified, h2 a duplicate, h3 already escalated: only h4 waits.
    expect(await unverifiedBefore(db, new Date('2026-06-16T00:00:00Z'), 10)).toEqual(['h4']);
  });
});
