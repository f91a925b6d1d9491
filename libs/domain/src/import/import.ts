import type { Decider } from '../shared/decider';
import type { Decision } from '../shared/domain-error';
import type { Occupation } from '../rider/rider.events';
import type { Activity } from '../rules/rules';

/**
 * Where an imported event came from: the source file (its SHA-256, which is also the import's id)
 * and the row of it, as a spreadsheet numbers rows (the header is row 1). Written into the data of
 * every event an import makes, so an auditor tells imported history from live history.
 */
export interface ImportedFrom {
  readonly importId: string;
  readonly row: number;
}

/** The rows an import file holds, once read: riders, awards and redemptions of the past. */
export type ImportRow =
  | {
      readonly row: number;
      readonly kind: 'rider';
      readonly riderId: string;
      readonly communityId: string;
      /** Personal data: goes to the erasable table, never into the log (nor into a report). */
      readonly name: string;
      readonly phone?: string;
      readonly platform: string;
      readonly occupation: Occupation;
      /** When the rider joined, if the file says. */
      readonly occurredAt?: string;
    }
  | {
      readonly row: number;
      readonly kind: 'award';
      readonly riderId: string;
      readonly occurredAt: string;
      readonly activity: Activity;
      readonly points: number;
      readonly fundId: string;
      readonly reason: string;
    }
  | {
      readonly row: number;
      readonly kind: 'redemption';
      readonly riderId: string;
      readonly occurredAt: string;
      readonly stationId: string;
      /** What was handed out: a catalogue sku or the paper ledger's own words. */
      readonly item: string;
      readonly quantity: number;
      /** The points the redemption took, all items together. */
      readonly points: number;
    };

export type ImportRowKind = ImportRow['kind'];
export const IMPORT_ROW_KINDS: readonly ImportRowKind[] = ['rider', 'award', 'redemption'];

/**
 * The record of an import in the log, on `import-{importId}`: who confirmed it and when (each
 * confirmation, a resumed one too), every batch written, and how it ended.
 */
export type ImportEvent =
  | {
      type: 'ImportConfirmed';
      data: {
        importId: string;
        fileName: string;
        rows: number;
        /** Rows this run writes; rows an earlier run of the same file wrote are left alone. */
        toWrite: number;
        alreadyImported: number;
      };
    }
  | {
      type: 'ImportBatchWritten';
      data: { importId: string; batch: number; written: number; lastRow: number };
    }
  | {
      type: 'ImportStopped';
      data: { importId: string; row: number; code: string; reason: string };
    }
  | {
      type: 'ImportCompleted';
      data: { importId: string; riders: number; awards: number; redemptions: number };
    };

export type ImportCommand =
  | ({ type: 'ConfirmImport' } & Extract<ImportEvent, { type: 'ImportConfirmed' }>['data'])
  | ({ type: 'RecordImportBatch' } & Extract<ImportEvent, { type: 'ImportBatchWritten' }>['data'])
  | ({ type: 'StopImport' } & Extract<ImportEvent, { type: 'ImportStopped' }>['data'])
  | ({ type: 'CompleteImport' } & Extract<ImportEvent, { type: 'ImportCompleted' }>['data']);

export interface ImportState {
  exists: boolean;
  importId: string;
  fileName: string;
  rows: number;
  /** Rows to write of the last confirmation, and how many of them the batches since wrote. */
  toWrite: number;
  written: number;
  batches: number;
  confirmations: number;
  stopped?: { row: number; code: string; reason: string };
  completed?: { riders: number; awards: number; redemptions: number };
}

export const importDecider = {
  initialState: (): ImportState => ({
    exists: false,
    importId: '',
    fileName: '',
    rows: 0,
    toWrite: 0,
    written: 0,
    batches: 0,
    confirmations: 0,
  }),
  evolve(state: ImportState, event: ImportEvent): ImportState {
    switch (event.type) {
      case 'ImportConfirmed': {
        const { importId, fileName, rows, toWrite } = event.data;
        return {
          ...state,
          ...{ exists: true, importId, fileName, rows, toWrite, written: 0, stopped: undefined },
          confirmations: state.confirmations + 1,
        };
      }
      case 'ImportBatchWritten':
        return {
          ...state,
          batches: event.data.batch,
          written: state.written + event.data.written,
        };
      case 'ImportStopped': {
        const { row, code, reason } = event.data;
        return { ...state, stopped: { row, code, reason } };
      }
      case 'ImportCompleted': {
        const { riders, awards, redemptions } = event.data;
        return { ...state, completed: { riders, awards, redemptions } };
      }
    }
  },
  /** A completed import takes nothing more; a batch already recorded is not recorded again. */
  decide(command: ImportCommand, state: ImportState): Decision<ImportEvent> {
    if (state.completed) return [];
    const { type, ...data } = command;
    switch (type) {
      case 'ConfirmImport':
        return [{ type: 'ImportConfirmed', data: data as ImportConfirmedData }];
      case 'RecordImportBatch':
        return (data as BatchData).batch <= state.batches
          ? []
          : [{ type: 'ImportBatchWritten', data: data as BatchData }];
      case 'StopImport':
        return [{ type: 'ImportStopped', data: data as StoppedData }];
      case 'CompleteImport':
        return [{ type: 'ImportCompleted', data: data as CompletedData }];
    }
  },
} satisfies Decider<ImportCommand, ImportEvent, ImportState>;

type DataOf<T extends ImportEvent['type']> = Extract<ImportEvent, { type: T }>['data'];
type ImportConfirmedData = DataOf<'ImportConfirmed'>;
type BatchData = DataOf<'ImportBatchWritten'>;
type StoppedData = DataOf<'ImportStopped'>;
type CompletedData = DataOf<'ImportCompleted'>;
