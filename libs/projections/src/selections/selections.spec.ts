import { projectionSpec } from '../testing/projection-spec';
import { selectionsProjection } from './selections.projection';
import { selectionOf } from './selections.queries';

describe('selections projection', () => {
  const spec = projectionSpec(selectionsProjection);

  it('holds a selection open, then closed with its cut-off and winners as recorded', async () => {
    const winners = [
      { rank: 1, riderId: 'r2', points: 90 },
      { rank: 2, riderId: 'r1', points: 80 },
    ];
    const db = await spec
      .given([
        {
          type: 'SelectionOpened',
          data: { selectionId: 's26', district: '江津区', year: 2026, size: 10 },
        },
        {
          type: 'SelectionOpened',
          data: { selectionId: 's27', district: '江津区', year: 2027, size: 10 },
        },
        {
          event: {
            type: 'SelectionClosed',
            data: { selectionId: 's26', cutoffPosition: 120, cutoffCursor: '120', winners },
          },
          actor: 'staff-9',
          recordedAt: '2026-12-01T12:00:00.000Z',
        },
      ])
      .then({
        selections: [
          {
            selection_id: 's26',
            status: 'closed',
            cutoff_position: 120,
            winners,
            closed_by: 'staff-9',
            closed_at: '2026-12-01T12:00:00.000Z',
          },
          {
            selection_id: 's27',
            status: 'open',
            cutoff_position: null,
            winners: [],
            closed_by: null,
          },
        ],
      });
    expect(await selectionOf(db, 's26')).toEqual({
      id: 's26',
      district: '江津区',
      year: 2026,
      size: 10,
      status: 'closed',
      cutoffPosition: 120,
      winners,
      closedBy: 'staff-9',
      closedAt: '2026-12-01T12:00:00.000Z',
    });
    expect(await selectionOf(db, 's27')).toEqual({
      id: 's27',
      district: '江津区',
      year: 2027,
      size: 10,
      status: 'open',
    });
  });
});
