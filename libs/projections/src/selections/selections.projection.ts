import { perEvent, type Projection } from '../projection';

/**
 * Selections: open, or closed with their cut-off and winners (as recorded by the close), who
 * closed them and when.
 */
export const selectionsProjection: Projection = {
  name: 'selections',
  /** 2: who closed a selection, and when. */
  version: 2,
  tables: [{ name: 'selections', orderBy: 'selection_id' }],
  ddl: (s) => `
    create table if not exists ${s}.selections (selection_id text primary key, district text not null,
      year integer not null, size integer not null, status text not null, cutoff_position bigint,
      winners jsonb not null default '[]', closed_by text, closed_at timestamptz);`,
  applyBatch: perEvent(async (event, stored, q, { schema: s }) => {
    switch (event.type) {
      case 'SelectionOpened': {
        const { selectionId, district, year, size } = event.data;
        await q(
          `insert into ${s}.selections (selection_id, district, year, size, status)
           values ($1, $2, $3, $4, 'open')`,
          [selectionId, district, year, size],
        );
        break;
      }
      case 'SelectionClosed': {
        const actor = (stored.metadata.actor as { principalId?: string } | undefined)?.principalId;
        await q(
          `update ${s}.selections set status = 'closed', cutoff_position = $2, winners = $3::jsonb,
             closed_by = $4, closed_at = $5 where selection_id = $1`,
          [
            event.data.selectionId,
            event.data.cutoffPosition,
            JSON.stringify(event.data.winners),
            actor ?? 'unknown',
            // The request's time, as the close answered it.
            typeof stored.metadata.occurredAt === 'string'
              ? stored.metadata.occurredAt
              : stored.recordedAt,
          ],
        );
        break;
      }
      default:
        break;
    }
  }),
};
