import { say } from '../shared/said';
import type { Decider } from '../shared/decider';
import type { PricedItem } from '../rider/rider.events';
import {
  alreadyExists,
  answerAsBefore,
  assertNever,
  DomainError,
  invariant,
  keyReused,
  notFound,
  type Decision,
  type DomainErrorCode,
} from '../shared/domain-error';
import { addPoints, isValidPoints, subtractPoints } from '../shared/points';
import type { CommandContext } from '../shared/context';
import { commandScope } from '../shared/scope';

export const ITEM_KINDS = ['goods', 'voucher', 'coupon', 'service'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];
export const STATION_KINDS = ['station', 'centre'] as const;
export type StationKind = (typeof STATION_KINDS)[number];
/** Restock quantity bound (api.md). */
export const MAX_RESTOCK_QUANTITY = 100_000;

/**
 * The station stream keeps the catalogue and the stock. A redemption first reserves the items
 * here (OUT_OF_STOCK), then debits the rider; if the rider refuses, the reservation is released.
 */
export type StationEvent =
  | {
      type: 'StationRegistered';
      data: {
        stationId: string;
        name: string;
        district: string;
        communityId?: string;
        kind: StationKind;
      };
    }
  | {
      type: 'ItemPriced';
      data: { stationId: string; sku: string; name: string; kind: ItemKind; pricePoints: number };
    }
  | {
      type: 'StockAdded';
      data: { stationId: string; sku: string; quantity: number; stockAfter: number };
    }
  | {
      type: 'StockReserved';
      data: {
        stationId: string;
        redemptionId: string;
        riderId: string;
        items: PricedItem[];
        points: number;
      };
    }
  | {
      type: 'StockReservationReleased';
      data: {
        stationId: string;
        redemptionId: string;
        items: PricedItem[];
        code: DomainErrorCode;
        reason: string;
      };
    }
  | {
      type: 'StockReturned';
      data: { stationId: string; redemptionId: string; items: PricedItem[] };
    };

export type StationCommand =
  | {
      type: 'RegisterStation';
      stationId: string;
      name: string;
      district: string;
      communityId?: string;
      kind: StationKind;
    }
  | {
      type: 'PriceItem';
      stationId: string;
      sku: string;
      name: string;
      kind: ItemKind;
      pricePoints: number;
    }
  | { type: 'AddStock'; stationId: string; sku: string; quantity: number }
  | {
      type: 'ReserveStock';
      stationId: string;
      redemptionId: string;
      riderId: string;
      items: readonly { sku: string; quantity: number }[];
    }
  | {
      type: 'ReleaseStock';
      stationId: string;
      redemptionId: string;
      code: DomainErrorCode;
      reason: string;
    }
  | { type: 'ReturnStock'; stationId: string; redemptionId: string };

export interface CatalogueItem {
  name: string;
  kind: ItemKind;
  pricePoints: number;
  stock: number;
}

interface StockReservation {
  readonly riderId: string;
  readonly items: PricedItem[];
  readonly points: number;
  released?: { code: DomainErrorCode; reason: string };
  returned: boolean;
}

export interface StationState {
  exists: boolean;
  stationId: string;
  communityId?: string;
  readonly items: Map<string, CatalogueItem>;
  readonly reservations: Map<string, StockReservation>;
}

export const stationDecider = {
  initialState: (): StationState => ({
    exists: false,
    stationId: '',
    items: new Map(),
    reservations: new Map(),
  }),

  evolve(state: StationState, event: StationEvent): StationState {
    switch (event.type) {
      case 'StationRegistered':
        state.exists = true;
        state.stationId = event.data.stationId;
        state.communityId = event.data.communityId;
        break;
      case 'ItemPriced': {
        const { sku, name, kind, pricePoints } = event.data;
        state.items.set(sku, { name, kind, pricePoints, stock: state.items.get(sku)?.stock ?? 0 });
        break;
      }
      case 'StockAdded':
        changeStock(state, [{ sku: event.data.sku, quantity: event.data.quantity }], +1);
        break;
      case 'StockReserved':
        changeStock(state, event.data.items, -1);
        state.reservations.set(event.data.redemptionId, {
          riderId: event.data.riderId,
          // The catalogue's own sku strings: one copy per item, not one per redemption.
          items: event.data.items.map(({ sku, quantity, pricePoints }) => ({
            sku: skuOf(state, sku),
            quantity,
            pricePoints,
          })),
          points: event.data.points,
          returned: false,
        });
        break;
      case 'StockReservationReleased':
        changeStock(state, event.data.items, +1);
        reservationOf(state, event.data.redemptionId).released = {
          code: event.data.code,
          reason: event.data.reason,
        };
        break;
      case 'StockReturned':
        changeStock(state, event.data.items, +1);
        reservationOf(state, event.data.redemptionId).returned = true;
        break;
      default:
        assertNever(event);
    }
    return state;
  },

  decide(
    command: StationCommand,
    state: StationState,
    context: CommandContext,
  ): Decision<StationEvent> {
    // A station principal serves only at its own stations (the acts of a redemption it started,
    // a release or a return, are at the station it was already let through for).
    const outOfScope = commandScope(context.actor, command);
    if (outOfScope) return outOfScope;
    if (command.type === 'RegisterStation') {
      if (state.exists) return alreadyExists(say`station ${command.stationId}`);
      const { type: _type, ...data } = command;
      return [{ type: 'StationRegistered', data }];
    }
    if (!state.exists) return notFound(say`station ${command.stationId}`);
    switch (command.type) {
      case 'PriceItem': {
        if (!isValidPoints(command.pricePoints))
          return new DomainError('VALIDATION_FAILED', say`pricePoints must be 1-1,000,000`);
        const { sku, name, kind, pricePoints } = command;
        return [
          {
            type: 'ItemPriced',
            data: { stationId: state.stationId, sku, name, kind, pricePoints },
          },
        ];
      }
      case 'AddStock':
        return addStock(command, state);
      case 'ReserveStock':
        return reserveStock(command, state);
      case 'ReleaseStock': {
        const reservation = state.reservations.get(command.redemptionId);
        if (!reservation) return notFound(say`stock reservation ${command.redemptionId}`);
        if (reservation.released) return [];
        const { redemptionId, code, reason } = command;
        const data = {
          stationId: state.stationId,
          redemptionId,
          items: reservation.items,
          code,
          reason,
        };
        return [{ type: 'StockReservationReleased', data }];
      }
      case 'ReturnStock': {
        const reservation = state.reservations.get(command.redemptionId);
        if (!reservation) return notFound(say`stock reservation ${command.redemptionId}`);
        if (reservation.returned) return [];
        return [
          {
            type: 'StockReturned',
            data: {
              stationId: state.stationId,
              redemptionId: command.redemptionId,
              items: reservation.items,
            },
          },
        ];
      }
      default:
        return assertNever(command);
    }
  },
} satisfies Decider<StationCommand, StationEvent, StationState>;

function addStock(
  command: Extract<StationCommand, { type: 'AddStock' }>,
  state: StationState,
): Decision<StationEvent> {
  const item = state.items.get(command.sku);
  if (!item) return notFound(say`item ${command.sku} at station ${state.stationId}`);
  if (
    !Number.isSafeInteger(command.quantity) ||
    command.quantity < 1 ||
    command.quantity > MAX_RESTOCK_QUANTITY
  ) {
    return new DomainError(
      'VALIDATION_FAILED',
      say`quantity must be from 1 to ${MAX_RESTOCK_QUANTITY}`,
    );
  }
  const stockAfter = addPoints(item.stock, command.quantity);
  return [
    {
      type: 'StockAdded',
      data: {
        stationId: state.stationId,
        sku: command.sku,
        quantity: command.quantity,
        stockAfter,
      },
    },
  ];
}

/** Prices the items, checks the stock, and reserves it; also used to pre-check a redemption. */
function reserveStock(
  command: Extract<StationCommand, { type: 'ReserveStock' }>,
  state: StationState,
): Decision<StationEvent> {
  const earlier = state.reservations.get(command.redemptionId);
  if (earlier) {
    const same = earlier.riderId === command.riderId && sameItems(earlier.items, command.items);
    if (!same) return keyReused(say`redemption ${command.redemptionId}`);
    // A retry: answer as the first attempt ended (released means the rider refused it).
    return answerAsBefore(earlier.released);
  }
  const priced = priceItems(command.items, state);
  if (priced instanceof DomainError) return priced;
  const points = priced.reduce((sum, item) => addPoints(sum, item.pricePoints * item.quantity), 0);
  return [
    {
      type: 'StockReserved',
      data: {
        stationId: state.stationId,
        redemptionId: command.redemptionId,
        riderId: command.riderId,
        items: priced,
        points,
      },
    },
  ];
}

function priceItems(
  items: readonly { sku: string; quantity: number }[],
  state: StationState,
): PricedItem[] | DomainError {
  if (items.length === 0)
    return new DomainError('VALIDATION_FAILED', say`a redemption needs at least one item`);
  const wanted = new Map<string, number>();
  for (const { sku, quantity } of items) {
    if (!Number.isSafeInteger(quantity) || quantity < 1)
      return new DomainError('VALIDATION_FAILED', say`quantity of ${sku} must be ≥ 1`);
    wanted.set(sku, addPoints(wanted.get(sku) ?? 0, quantity));
  }
  const priced: PricedItem[] = [];
  for (const [sku, quantity] of wanted) {
    const item = state.items.get(sku);
    if (!item) return notFound(say`item ${sku} at station ${state.stationId}`);
    if (item.stock < quantity) {
      return new DomainError(
        'OUT_OF_STOCK',
        say`station ${state.stationId} has ${item.stock} of ${sku}; ${quantity} asked`,
      );
    }
    priced.push({ sku, quantity, pricePoints: item.pricePoints });
  }
  return priced;
}

function sameItems(
  priced: readonly PricedItem[],
  asked: readonly { sku: string; quantity: number }[],
): boolean {
  const total = new Map<string, number>();
  for (const { sku, quantity } of asked) total.set(sku, (total.get(sku) ?? 0) + quantity);
  return (
    priced.length === total.size && priced.every((item) => total.get(item.sku) === item.quantity)
  );
}

function changeStock(
  state: StationState,
  items: readonly { sku: string; quantity: number }[],
  sign: 1 | -1,
): void {
  for (const { sku, quantity } of items) {
    const item = state.items.get(sku);
    invariant(item !== undefined, `stocked item ${sku} is priced at ${state.stationId}`);
    item.stock = sign > 0 ? addPoints(item.stock, quantity) : subtractPoints(item.stock, quantity);
    invariant(item.stock >= 0, `stock of ${sku} at ${state.stationId} is not negative`);
  }
}

/**
 * A station holds a record of every redemption it served (for retries, releases and returns), so
 * each is kept small (about 250 bytes; the soak measured what a copy of the whole event costs).
 */
function skuOf(state: StationState, sku: string): string {
  for (const known of state.items.keys()) if (known === sku) return known;
  return sku;
}

function reservationOf(state: StationState, redemptionId: string): StockReservation {
  const reservation = state.reservations.get(redemptionId);
  invariant(reservation !== undefined, `stock reservation ${redemptionId} exists`);
  return reservation;
}
