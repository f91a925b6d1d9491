import type { Projection } from '../projection';

/** Stations, their catalogues and stock. */
export const stationsProjection: Projection = {
  name: 'stations',
  tables: [
    { name: 'stations', orderBy: 'station_id' },
    { name: 'station_items', orderBy: 'station_id, sku' },
  ],
  ddl: (s) => `
    create table if not exists ${s}.stations (station_id text primary key, name text not null,
      district text not null, community_id text, kind text not null);
    create table if not exists ${s}.station_items (station_id text not null, sku text not null,
      name text not null, kind text not null, price_points bigint not null, stock bigint not null,
      primary key (station_id, sku), check (stock >= 0));`,
  async applyBatch(batch, q, { schema: s }) {
    const stock = new Map<string, number>();
    const move = (
      stationId: string,
      items: readonly { sku: string; quantity: number }[],
      sign: 1 | -1,
    ) => {
      for (const item of items) {
        const key = `${stationId}\u0000${item.sku}`;
        stock.set(key, (stock.get(key) ?? 0) + sign * item.quantity);
      }
    };
    for (const { event } of batch) {
      switch (event.type) {
        case 'StationRegistered': {
          const { stationId, name, district, communityId, kind } = event.data;
          await q(`insert into ${s}.stations values ($1, $2, $3, $4, $5)`, [
            stationId,
            name,
            district,
            communityId ?? null,
            kind,
          ]);
          break;
        }
        case 'ItemPriced': {
          const { stationId, sku, name, kind, pricePoints } = event.data;
          await q(
            `insert into ${s}.station_items values ($1, $2, $3, $4, $5, 0)
             on conflict (station_id, sku) do update set name = excluded.name, kind = excluded.kind, price_points = excluded.price_points`,
            [stationId, sku, name, kind, pricePoints],
          );
          break;
        }
        case 'StockAdded':
          move(event.data.stationId, [event.data], 1);
          break;
        case 'StockReserved':
          move(event.data.stationId, event.data.items, -1);
          break;
        case 'StockReservationReleased':
        case 'StockReturned':
          move(event.data.stationId, event.data.items, 1);
          break;
        default:
          break;
      }
    }
    if (stock.size === 0) return;
    const keys = [...stock.keys()].map((k) => k.split('\u0000'));
    await q(
      `update ${s}.station_items i set stock = i.stock + d.delta
       from unnest($1::text[], $2::text[], $3::bigint[]) as d(station_id, sku, delta)
       where i.station_id = d.station_id and i.sku = d.sku`,
      [keys.map((k) => k[0]), keys.map((k) => k[1]), [...stock.values()]],
    );
  },
};
