import {
  base64ToBytes,
  bytesToHex,
  hexToBytes,
  merkleHasher,
  verifyInclusion,
  type Sha256,
} from './merkle';

/**
 * A rider's statement and its offline check: the rider's events, each with its place in the log's
 * Merkle tree and an inclusion proof against one signed tree head, and the balance they add up to.
 * No Node and no I/O (SHA-256 and Ed25519 are given), so `ledger verify-statement` and the
 * console's verification page run this same code.
 */

/**
 * JSON with object keys sorted at every depth and no spaces: the same value always gives the same
 * bytes, whichever store the event came back from (jsonb reorders keys; KurrentDB does not).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('non-finite number');
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The fields of an event its hash covers (the `hash` in its metadata excepted). */
export interface Chainable {
  readonly eventId: string;
  readonly streamName: string;
  readonly revision: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
}

/** What an event's chain hash is the SHA-256 of (hex): its fields and its predecessor's hash. */
export function chainInput(event: Chainable, previousHash: string): string {
  const { hash: _own, ...metadata } = event.metadata;
  return canonicalJson({
    eventId: event.eventId,
    stream: event.streamName,
    revision: event.revision,
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: event.data,
    metadata,
    previous: previousHash,
  });
}

export interface CheckpointView {
  readonly origin: string;
  readonly treeSize: number;
  readonly rootHash: string;
  readonly timestamp: string;
  readonly keyId: string;
  readonly signature: string;
}

export interface StatementEvent {
  readonly eventId: string;
  readonly stream: string;
  readonly revision: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
  readonly recordedAt: string;
}

export interface StatementEntry {
  readonly leafIndex: number;
  /** The event's chain hash, hex. */
  readonly eventHash: string;
  readonly event: StatementEvent;
  /** RFC 9162 audit path, base64, nearest the leaf first. */
  readonly inclusionProof: readonly string[];
}

export interface Statement {
  readonly riderId: string;
  readonly asOf: string;
  readonly balance: number;
  readonly checkpoint: CheckpointView;
  readonly publicKey: { keyId: string; algorithm: string; publicKey: string; origin: string };
  readonly entries: readonly StatementEntry[];
}

/** A rider's balance from its events as stored: awards in, reversals and redemptions out. */
export function balanceOfEvents(
  events: readonly { type: string; data: Record<string, unknown> }[],
): number {
  let balance = 0;
  for (const { type, data } of events) {
    const points = typeof data.points === 'number' ? data.points : 0;
    if (type === 'PointsAwarded' || type === 'RedemptionCancelled') balance += points;
    if (type === 'AwardReversed' || type === 'RedemptionMade') balance -= points;
  }
  return balance;
}

export interface StatementCrypto {
  readonly sha256: Sha256;
  /** Ed25519: whether `signature` is `publicKey`'s over `message`. */
  readonly verifyEd25519: (
    signature: Uint8Array,
    message: Uint8Array,
    publicKey: Uint8Array,
  ) => boolean | Promise<boolean>;
}

/** What a statement check can find wrong, with the English of each (`{name}`: a value). */
export const STATEMENT_PROBLEMS = {
  keyNotBase64: 'the public key is not base64',
  keyLength: 'the public key is not 32 bytes',
  keyMismatch: 'the tree head names key {named}; this public key is {given}',
  signatureNotBase64: "the tree head's signature is not base64",
  rootNotBase64: "the tree head's root is not base64",
  badSignature: "the tree head's signature does not verify with this public key",
  wrongStream: 'event {n} (revision {revision}) is of stream {stream}, not {expected}',
  missingEvents:
    "event {n} (revision {revision}): the rider's events must be all of them from its first (revision {expected})",
  leafOrder: 'event {n} (revision {revision}): its place in the log is not after the one before',
  hashMismatch:
    'event {n} (revision {revision}): its content does not give its hash (changed, or out of order)',
  proofNotBase64: 'event {n} (revision {revision}): a proof hash is not base64',
  notIncluded: 'event {n} (revision {revision}) is not in the signed tree: {why}',
  balanceMismatch: 'the events add up to {computed}, the statement says {claimed}',
} as const;

export type StatementProblemCode = keyof typeof STATEMENT_PROBLEMS;

export interface StatementFinding {
  readonly code: StatementProblemCode;
  readonly values: Readonly<Record<string, string | number>>;
}

export interface StatementCheck {
  readonly ok: boolean;
  /** Every check that failed, in English words; empty when ok. */
  readonly problems: readonly string[];
  /** The same, as codes and values (for a translation: the console's `statement.problem.*`). */
  readonly findings: readonly StatementFinding[];
  readonly riderId: string;
  readonly entries: number;
  readonly treeSize: number;
  /** The balance the events add up to (whatever the statement says). */
  readonly balance: number;
  readonly keyId: string;
}

/** The bytes a checkpoint's signature covers (C2SP tlog-checkpoint's note body). */
export function checkpointText(
  head: Pick<CheckpointView, 'origin' | 'treeSize' | 'rootHash'>,
): string {
  return `${head.origin}\n${head.treeSize}\n${head.rootHash}\n`;
}

/** C2SP's key id: the first 4 bytes of SHA-256(origin ‖ "\n" ‖ 0x01 ‖ key), hex. */
export function keyIdOf(origin: string, publicKey: Uint8Array, sha256: Sha256): string {
  const name = new TextEncoder().encode(`${origin}\n`);
  const input = new Uint8Array(name.length + 1 + publicKey.length);
  input.set(name);
  input[name.length] = 0x01;
  input.set(publicKey, name.length + 1);
  return bytesToHex(sha256(input).subarray(0, 4));
}

/** Findings gathered as a check goes: each code with its values. */
class Findings {
  readonly all: StatementFinding[] = [];

  add(code: StatementProblemCode, values: Record<string, string | number> = {}): void {
    this.all.push({ code, values });
  }

  /** Bytes of a base64 text, or a finding `code` and undefined. */
  decode(text: string, code: StatementProblemCode, values = {}): Uint8Array | undefined {
    try {
      return base64ToBytes(text);
    } catch {
      this.add(code, values);
      return undefined;
    }
  }
}

/** The head's key and signature; answers the key id of `publicKeyBase64` and the root's bytes. */
async function checkHead(
  checkpoint: CheckpointView,
  publicKeyBase64: string,
  crypto: StatementCrypto,
  findings: Findings,
): Promise<{ keyId: string; root: Uint8Array | undefined }> {
  const key = findings.decode(publicKeyBase64, 'keyNotBase64');
  const keyId = key ? keyIdOf(checkpoint.origin, key, crypto.sha256) : '';
  const signature = findings.decode(checkpoint.signature, 'signatureNotBase64');
  const root = findings.decode(checkpoint.rootHash, 'rootNotBase64');
  if (key && key.length !== 32) findings.add('keyLength');
  if (key && keyId !== checkpoint.keyId)
    findings.add('keyMismatch', { named: checkpoint.keyId, given: keyId });
  if (key && signature && key.length === 32) {
    const message = new TextEncoder().encode(checkpointText(checkpoint));
    const good = await Promise.resolve(crypto.verifyEd25519(signature, message, key)).catch(
      () => false,
    );
    if (!good) findings.add('badSignature');
  }
  return { keyId, root };
}

/** Each entry: of the rider's stream, none left out, in log order, its hash, its inclusion. */
function checkEntries(
  statement: Statement,
  root: Uint8Array | undefined,
  crypto: StatementCrypto,
  findings: Findings,
): void {
  const hasher = merkleHasher(crypto.sha256);
  const stream = `rider-${statement.riderId}`;
  let previous = '';
  let lastLeaf = -1;
  for (const [i, { leafIndex, eventHash, event, inclusionProof }] of statement.entries.entries()) {
    const at = { n: i + 1, revision: event.revision };
    if (event.stream !== stream)
      findings.add('wrongStream', { ...at, stream: event.stream, expected: stream });
    if (event.revision !== i) findings.add('missingEvents', { ...at, expected: i });
    if (!(leafIndex > lastLeaf)) findings.add('leafOrder', at);
    lastLeaf = leafIndex;
    const input = chainInput({ ...event, streamName: event.stream }, previous);
    const recomputed = bytesToHex(crypto.sha256(new TextEncoder().encode(input)));
    if (recomputed !== eventHash || event.metadata.hash !== eventHash)
      findings.add('hashMismatch', at);
    previous = eventHash;
    if (!root || !/^[0-9a-f]{64}$/.test(eventHash)) continue;
    const proof = inclusionProof.flatMap((p) => findings.decode(p, 'proofNotBase64', at) ?? []);
    const leaf = hasher.leaf(hexToBytes(eventHash));
    const refusal = verifyInclusion(
      leafIndex,
      statement.checkpoint.treeSize,
      leaf,
      proof,
      root,
      hasher,
    );
    if (refusal !== undefined) findings.add('notIncluded', { ...at, why: refusal });
  }
}

/**
 * Checks a statement against a public key (base64 of the raw Ed25519 key the district
 * publishes): the tree head's signature; each event's chain hash, recomputed from its fields and
 * the one before it (the rider's stream from its first event, none left out); each event's
 * inclusion in the signed tree; and the balance. Whatever fails is named; nothing throws.
 */
export async function verifyStatement(
  statement: Statement,
  publicKeyBase64: string,
  crypto: StatementCrypto,
): Promise<StatementCheck> {
  const findings = new Findings();
  const { keyId, root } = await checkHead(statement.checkpoint, publicKeyBase64, crypto, findings);
  checkEntries(statement, root, crypto, findings);
  const balance = balanceOfEvents(statement.entries.map((e) => e.event));
  if (balance !== statement.balance)
    findings.add('balanceMismatch', { computed: balance, claimed: statement.balance });
  const problems = findings.all.map(({ code, values }) =>
    STATEMENT_PROBLEMS[code].replace(/\{(\w+)\}/g, (_, name: string) => String(values[name])),
  );
  return {
    ok: problems.length === 0,
    problems,
    findings: findings.all,
    riderId: statement.riderId,
    entries: statement.entries.length,
    treeSize: statement.checkpoint.treeSize,
    balance,
    keyId,
  };
}
