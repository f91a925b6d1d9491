import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { notFound, type Actor, type CatalogueItem, type StationState } from '@ledger/domain';
import { GetStockQuery, READ_MODELS } from '@ledger/ledger';
import type { ReadModels } from '@ledger/projections';
import { randomUUID } from 'node:crypto';
import { LedgerHttp, type Caller } from '../http/ledger-http';
import { forbidden, ProblemException } from '../http/problem';
import { Answers, Refusals } from '../http/openapi';
import { Ledger } from '../http/request-context';
import { MinPositionDto } from '../organisation/min-position.dto';
import { CreateStationDto, PriceItemDto, RestockDto, SkuParams } from './stations.dto';

const STATION_EXAMPLE = {
  id: 'jj-station-01',
  name: '几江街道小哥驿站',
  district: '江津区',
  communityId: 'jijiang-aipingshan',
  kind: 'station',
};
const ITEM_EXAMPLE = { sku: 'raincoat', name: '雨衣', kind: 'goods', pricePoints: 150, stock: 30 };

type StockLine = { sku: string; name: string; kind: string; pricePoints: number; stock: number };

/** Redemption stations (驿站) and the district centre: registration, catalogue and stock. */
@ApiTags('stations')
@ApiBearerAuth()
@Controller('v1/stations')
export class StationsController {
  constructor(
    private readonly ledger: LedgerHttp,
    @Inject(READ_MODELS) private readonly readModels: ReadModels,
  ) {}

  @Post()
  @Answers(201, { ...STATION_EXAMPLE, position: 50 })
  @Refusals('ALREADY_EXISTS', 'NOT_FOUND')
  async create(@Body() body: CreateStationDto, @Ledger() caller: Caller) {
    const id = body.id ?? randomUUID();
    const { name, district, communityId, kind } = body;
    const written = await this.ledger.run(
      {
        kind: 'station',
        id,
        command: {
          type: 'RegisterStation',
          stationId: id,
          name,
          district,
          kind,
          ...(communityId !== undefined && { communityId }),
        },
      },
      caller,
      communityId === undefined ? [] : [{ kind: 'community', id: communityId }],
    );
    return {
      id,
      name,
      district,
      communityId: communityId ?? null,
      kind,
      position: written.position,
    };
  }

  @Get(':stationId')
  @Answers(200, STATION_EXAMPLE)
  @Refusals('NOT_FOUND')
  async station(@Param('stationId') id: string, @Query() query: MinPositionDto) {
    await this.readModels.waitForProjections(['stations'], query.minPosition);
    const { rows } = await this.readModels.read((q) =>
      q<{ name: string; district: string; community_id: string | null; kind: string }>(
        `select name, district, community_id, kind from ${this.readModels.schema}.stations where station_id = $1`,
        [id],
      ),
    );
    if (rows.length === 0) throw ProblemException.of(notFound(`station ${id}`));
    const { name, district, community_id, kind } = rows[0];
    return { id, name, district, communityId: community_id, kind };
  }

  /** Sets an item's name, kind and price (creating it with no stock); stock is kept. */
  @Put(':stationId/items/:sku')
  @Answers(200, { ...ITEM_EXAMPLE, position: 51 })
  @Refusals('NOT_FOUND')
  @HttpCode(200)
  async priceItem(@Param() at: SkuParams, @Body() body: PriceItemDto, @Ledger() caller: Caller) {
    mayServe(caller.actor, at.stationId);
    const written = await this.ledger.run(
      {
        kind: 'station',
        id: at.stationId,
        command: { type: 'PriceItem', stationId: at.stationId, sku: at.sku, ...body },
      },
      caller,
    );
    return { ...itemOf(written.state, at.sku), position: written.position };
  }

  @Post(':stationId/items/:sku/restock')
  @Answers(200, { sku: 'raincoat', stock: 30, position: 52 })
  @Refusals('NOT_FOUND')
  @HttpCode(200)
  async restock(@Param() at: SkuParams, @Body() body: RestockDto, @Ledger() caller: Caller) {
    mayServe(caller.actor, at.stationId);
    const written = await this.ledger.run(
      {
        kind: 'station',
        id: at.stationId,
        command: {
          type: 'AddStock',
          stationId: at.stationId,
          sku: at.sku,
          quantity: body.quantity,
        },
      },
      caller,
    );
    const { stock } = itemOf(written.state, at.sku);
    return { sku: at.sku, stock, position: written.position };
  }

  /** The catalogue with stock, by sku; a catalogue is short, so it comes in one page. */
  @Get(':stationId/items')
  @Answers(200, { items: [ITEM_EXAMPLE], nextCursor: null })
  @Refusals('NOT_FOUND')
  async items(@Param('stationId') id: string, @Query() query: MinPositionDto) {
    await this.station(id, query);
    const items = await this.ledger.queries.execute<GetStockQuery, StockLine[]>(
      new GetStockQuery(id),
    );
    return { items, nextCursor: null };
  }
}

/** api.md: a station principal restocks, redeems and cancels only at its own stations. */
export function mayServe(actor: Actor, stationId: string): void {
  if (actor.role === 'station' && !actor.stationIds.includes(stationId))
    throw forbidden(`station principal ${actor.principalId} does not serve station ${stationId}`);
}

function itemOf(state: unknown, sku: string): StockLine {
  const item = (state as StationState).items.get(sku) as CatalogueItem;
  return { sku, ...item };
}
