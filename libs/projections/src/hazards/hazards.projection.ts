import { isKeptText } from '@ledger/domain';
import { perEvent, type Projection } from '../projection';

/**
 * Hazard reports with their status, and the number of filings per category: the duplicate check
 * reads both in one statement, so it knows exactly which filings its answer includes.
 */
export const hazardsProjection: Projection = {
  name: 'hazards',
  // 2: the description is a kept text (`description_text_id`); `description` holds only texts
  // that reports filed before version 2 of HazardReported wrote into the log.
  version: 2,
  tables: [
    { name: 'hazards', orderBy: 'hazard_id' },
    { name: 'hazard_filings', orderBy: 'category' },
  ],
  ddl: (s) => `
    create table if not exists ${s}.hazards (hazard_id text primary key, rider_id text not null,
      community_id text not null, category text not null, description_text_id text, description text,
      lat double precision not null, lng double precision not null, occurred_at timestamptz not null,
      reported_at timestamptz not null, status text not null, duplicate_of text, severity text,
      entry_id text, escalated boolean not null default false, position bigint not null);
    create index if not exists hazards_nearby on ${s}.hazards (category, lat, occurred_at);
    create index if not exists hazards_status on ${s}.hazards (status, hazard_id);
    create table if not exists ${s}.hazard_filings (category text primary key, filings bigint not null);`,
  applyBatch: perEvent(async (event, stored, q, { schema: s }) => {
    switch (event.type) {
      case 'HazardReported': {
        const d = event.data;
        await q(
          `insert into ${s}.hazards values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, null, null, false, $13)`,
          [
            d.hazardId,
            d.riderId,
            d.communityId,
            d.category,
            isKeptText(d.description) ? d.description.textId : null,
            isKeptText(d.description) ? null : d.description.inline,
            d.location.lat,
            d.location.lng,
            d.occurredAt,
            stored.recordedAt,
            d.status,
            d.duplicateOf ?? null,
            stored.position,
          ],
        );
        await q(
          `insert into ${s}.hazard_filings values ($1, 1)
           on conflict (category) do update set filings = ${s}.hazard_filings.filings + 1`,
          [d.category],
        );
        break;
      }
      case 'HazardVerified':
        await q(
          `update ${s}.hazards set status = $2, severity = $3, entry_id = $4 where hazard_id = $1`,
          [
            event.data.hazardId,
            event.data.outcome,
            event.data.severity ?? null,
            event.data.entryId ?? null,
          ],
        );
        break;
      case 'HazardEscalated':
        await q(`update ${s}.hazards set escalated = true where hazard_id = $1`, [
          event.data.hazardId,
        ]);
        break;
      default:
        break;
    }
  }),
};
