import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { StationState } from '@ledger/domain';
import {
  GetStationQuery,
  GetStockQuery,
  ListStationsQuery,
  StreamCommand,
  type CommandOf,
} from '@ledger/ledger';
import { DEFAULT_LIST_LIMIT } from '@ledger/projections';
import { randomUUID } from 'node:crypto';
import { LedgerHttp, type Caller } from '../http/ledger-http';
import { Answers, Refusals } from '../http/openapi';
import { Ledger } from '../http/request-context';
import { MinPositionDto } from '../organisation/min-position.dto';
import {
  CreateStationDto,
  PriceItemDto,
  RestockDto,
  SkuParams,
  StationListDto,
} from './stations.dto';

const STATION_EXAMPLE = {
  id: 'jj-station-01',
  name: '几江街道小哥驿站',
  district: '江津区',
  communityId: 'jijiang-aipingshan',
  kind: 'station',
};
const ITEM_EXAMPLE = { sku: 'raincoat', name: '雨衣', kind: 'goods', pricePoints: 150, stock: 30 };

/** Redemption stations (驿站) and the district centre: registration, catalogue and stock. */
@ApiTags('stations')
@ApiBearerAuth()
@Controller('v1/stations')
export class StationsController {
  constructor(private readonly ledger: LedgerHttp) {}

  @Post()
  @Answers(201, { ...STATION_EXAMPLE, position: 50 })
  @Refusals('ALREADY_EXISTS', 'NOT_FOUND')
  async create(@Body() body: CreateStationDto, @Ledger() caller: Caller) {
    const { id = randomUUID(), name, district, communityId, kind } = body;
    const written = await this.onStation(id, caller, {
      type: 'RegisterStation',
      stationId: id,
      name,
      district,
      kind,
      ...(communityId !== undefined && { communityId }),
    });
    return {
      id,
      name,
      district,
      communityId: communityId ?? null,
      kind,
      position: written.position,
    };
  }

  /** Stations (驿站 and the district centre) by district and name: where riders redeem. */
  @Get()
  @Answers(200, { items: [STATION_EXAMPLE], nextCursor: null })
  list(@Query() query: StationListDto, @Ledger() caller: Caller) {
    const { district, limit = DEFAULT_LIST_LIMIT, cursor, minPosition } = query;
    return this.ledger.ask(
      new ListStationsQuery(caller.actor, { district }, { limit, cursor }, minPosition),
    );
  }

  @Get(':stationId')
  @Answers(200, STATION_EXAMPLE)
  @Refusals('NOT_FOUND')
  station(@Param('stationId') id: string, @Query() query: MinPositionDto) {
    return this.ledger.ask(new GetStationQuery(id, query.minPosition));
  }

  /** Sets an item's name, kind and price (creating it with no stock); stock is kept. */
  @Put(':stationId/items/:sku')
  @Answers(200, { ...ITEM_EXAMPLE, position: 51 })
  @Refusals('NOT_FOUND')
  @HttpCode(200)
  async priceItem(@Param() at: SkuParams, @Body() body: PriceItemDto, @Ledger() caller: Caller) {
    const { stationId, sku } = at;
    const written = await this.onStation(stationId, caller, {
      type: 'PriceItem',
      stationId,
      sku,
      ...body,
    });
    return { ...itemOf(written.state, sku), position: written.position };
  }

  @Post(':stationId/items/:sku/restock')
  @Answers(200, { sku: 'raincoat', stock: 30, position: 52 })
  @Refusals('NOT_FOUND')
  @HttpCode(200)
  async restock(@Param() at: SkuParams, @Body() body: RestockDto, @Ledger() caller: Caller) {
    const { stationId, sku } = at;
    const written = await this.onStation(stationId, caller, {
      type: 'AddStock',
      stationId,
      sku,
      quantity: body.quantity,
    });
    return { sku, stock: itemOf(written.state, sku).stock, position: written.position };
  }

  /** The catalogue with stock, by sku; a catalogue is short, so it comes in one page. */
  @Get(':stationId/items')
  @Answers(200, { items: [ITEM_EXAMPLE], nextCursor: null })
  @Refusals('NOT_FOUND')
  async items(@Param('stationId') id: string, @Query() query: MinPositionDto) {
    const items = await this.ledger.ask(new GetStockQuery(id, query.minPosition));
    return { items, nextCursor: null };
  }

  private onStation(id: string, caller: Caller, command: CommandOf<'station'>) {
    return this.ledger.execute(
      new StreamCommand({ kind: 'station', id, command }, this.ledger.request(caller)),
    );
  }
}

/** The item as the station's catalogue holds it after the write (it is there: the write made it). */
function itemOf(state: StationState, sku: string) {
  const item = state.items.get(sku);
  if (!item) throw new Error(`item ${sku} missing after it was written`);
  return { sku, ...item };
}
