import { perEvent, type Projection } from '../projection';

/** Selections: open, or closed with their cut-off and winners (as recorded by the close). */
export const selectionsProjection: Projection = {
  name: 'selections',
  tables: [{ name: 'selections', orderBy: 'selection_id' }],
  ddl: (s) => `
    create table if not exists ${s}.selections (selection_id text primary key, district text not null,
      year integer not null, size integer not null, status text not null, cutoff_position bigint,
      winners jsonb not null default '[]');`,
  applyBatch: perEvent(async (event, _stored, q, { schema: s }) => {
    switch (event.type) {
      case 'SelectionOpened': {
        const { selectionId, district, year, size } = event.data;
        await q(`insert into ${s}.selections values ($1, $2, $3, $4, 'open', null, '[]')`, [
          selectionId,
          district,
          year,
          size,
        ]);
        break;
      }
      case 'SelectionClosed':
        await q(
          `update ${s}.selections set status = 'closed', cutoff_position = $2, winners = $3::jsonb where selection_id = $1`,
          [event.data.selectionId, event.data.cutoffPosition, JSON.stringify(event.data.winners)],
        );
        break;
      default:
        break;
    }
  }),
};
