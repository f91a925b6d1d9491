/**
 * Stream names: one function per stream kind, and nothing else in the code builds one. A stream
 * is the unit of consistency: every rule that must hold at once lives inside one stream.
 */

/** Client-chosen ids follow the API's pattern, so a stream name never needs escaping. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export type StreamKind =
  | 'rider'
  | 'fund'
  | 'station'
  | 'task'
  | 'hazard'
  | 'hazards'
  | 'selection'
  | 'principal'
  | 'community'
  | 'import'
  | 'checkin';

function streamOf(kind: StreamKind, id: string): string {
  if (!ID_PATTERN.test(id)) throw new Error(`invalid ${kind} id "${id}"`);
  return `${kind}-${id}`;
}

export const riderStream = (riderId: string): string => streamOf('rider', riderId);
/** A fund's first stream: its creation, and its first book (docs/protocols.md, "Fund books"). */
export const fundStream = (fundId: string): string => streamOf('fund', fundId);
/** A book of a fund after its first: `fund-{id}@{hour}`, the local hour it opened (`@` is in no id). */
export const fundBookStream = (fundId: string, book: string): string => {
  if (book === '') return fundStream(fundId);
  if (!BOOK_PATTERN.test(book)) throw new Error(`invalid fund book "${book}"`);
  return `${fundStream(fundId)}@${book}`;
};
/** A book is named by the local hour it opened: YYYY-MM-DDTHH. */
export const BOOK_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}$/;
export const stationStream = (stationId: string): string => streamOf('station', stationId);
export const taskStream = (taskId: string): string => streamOf('task', taskId);
export const hazardStream = (hazardId: string): string => streamOf('hazard', hazardId);
/** Every report of one hazard category is filed here, one after another (duplicate checks). */
export const hazardFilingStream = (category: string): string => streamOf('hazards', category);
export const selectionStream = (selectionId: string): string => streamOf('selection', selectionId);
export const principalStream = (principalId: string): string => streamOf('principal', principalId);
export const communityStream = (communityId: string): string => streamOf('community', communityId);
/** A check-in of a task or a patrol shift (issue 17): its opening, riders in and out, closing. */
export const checkInStream = (checkInId: string): string => streamOf('checkin', checkInId);
/** The record of one import of past history, by its id (the SHA-256 of the file). */
export const importStream = (importId: string): string => streamOf('import', importId);
/** The point rules and badge thresholds are one versioned stream each for the deployment. */
export const RULES_STREAM = 'rules';
export const BADGES_STREAM = 'badges';
/** Seals of the whole log (tamper evidence, issue 06). */
export const SEALS_STREAM = 'seals';

/** Splits a stream name back into its kind and id; `undefined` for names this ledger never makes. */
export function parseStreamName(
  name: string,
): { kind: StreamKind; id: string; book?: string } | undefined {
  const match =
    /^(rider|fund|station|task|hazards|hazard|selection|principal|community|import|checkin)-([^@]+)(?:@(.+))?$/.exec(
      name,
    );
  if (!match || !ID_PATTERN.test(match[2])) return undefined;
  if (match[3] !== undefined && (match[1] !== 'fund' || !BOOK_PATTERN.test(match[3])))
    return undefined;
  return { kind: match[1] as StreamKind, id: match[2], ...(match[3] && { book: match[3] }) };
}
