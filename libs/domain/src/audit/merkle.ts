/**
 * The log as a Merkle tree, RFC 9162 §2.1 (the tree of Certificate Transparency): leaves are the
 * events in log order, leaf hash = SHA-256(0x00 ‖ the event's chain hash), node hash =
 * SHA-256(0x01 ‖ left ‖ right); a tree of n leaves splits at k, the largest power of two below n.
 * Its root commits to every event and their order; an inclusion proof shows one event is in a
 * tree of a given root, a consistency proof that a bigger tree only added to a smaller one.
 *
 * No Node, no I/O: SHA-256 is given (node:crypto on the server, @noble/hashes in the browser), so
 * the CLI, the API and the console's offline verifier run this same code.
 */

export type Sha256 = (data: Uint8Array) => Uint8Array;

export const HASH_BYTES = 32;

export interface MerkleHasher {
  /** SHA-256 of nothing: the root of the empty tree. */
  empty(): Uint8Array;
  leaf(data: Uint8Array): Uint8Array;
  node(left: Uint8Array, right: Uint8Array): Uint8Array;
}

export function merkleHasher(sha256: Sha256): MerkleHasher {
  return {
    empty: () => sha256(new Uint8Array(0)),
    leaf: (data) => sha256(concat([Uint8Array.of(0x00), data])),
    node: (left, right) => sha256(concat([Uint8Array.of(0x01), left, right])),
  };
}

/**
 * A perfect subtree: the 2^level leaves from index·2^level on. Every left child in an RFC 9162
 * tree is one, so any root or proof is made of a few of them (at most two per level).
 */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** How a hash is computed from perfect subtrees: one of them, or the node hash of two. */
export type HashPlan =
  { readonly perfect: NodeId } | { readonly left: HashPlan; readonly right: HashPlan };

/** The largest power of two strictly below n (n ≥ 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const isPowerOfTwo = (n: number) => n > 0 && (n & (n - 1)) === 0 && Number.isSafeInteger(n);

function log2(n: number): number {
  let level = 0;
  while (2 ** level < n) level++;
  return level;
}

/** MTH(D[start:end]) as a plan (end > start; start a multiple of the range's split as in the RFC). */
export function rangePlan(start: number, end: number): HashPlan {
  const n = end - start;
  if (n <= 0) throw new RangeError(`empty range ${start}..${end}`);
  if (isPowerOfTwo(n) && start % n === 0) return { perfect: { level: log2(n), index: start / n } };
  const k = split(n);
  return { left: rangePlan(start, start + k), right: rangePlan(start + k, end) };
}

/** The root of a tree of `size` leaves (size ≥ 1; the empty tree's root is `empty()`). */
export function rootPlan(size: number): HashPlan {
  return rangePlan(0, size);
}

/** PATH(m, D[0:n]) of RFC 9162 §2.1.3.1, nearest the leaf first. */
export function inclusionPlan(index: number, size: number): HashPlan[] {
  if (!(index >= 0 && index < size))
    throw new RangeError(`leaf ${index} is not in a tree of ${size}`);
  const path = (m: number, start: number, end: number): HashPlan[] => {
    const n = end - start;
    if (n === 1) return [];
    const k = split(n);
    return m < k
      ? [...path(m, start, start + k), rangePlan(start + k, end)]
      : [...path(m - k, start + k, end), rangePlan(start, start + k)];
  };
  return path(index, 0, size);
}

/** PROOF(m, D[0:n]) of RFC 9162 §2.1.4.1: that the tree of `from` leaves is a prefix of `to`'s. */
export function consistencyPlan(from: number, to: number): HashPlan[] {
  if (!(from > 0 && from <= to)) throw new RangeError(`no consistency proof from ${from} to ${to}`);
  const subproof = (m: number, start: number, end: number, complete: boolean): HashPlan[] => {
    const n = end - start;
    if (m === n) return complete ? [] : [rangePlan(start, end)];
    const k = split(n);
    return m <= k
      ? [...subproof(m, start, start + k, complete), rangePlan(start + k, end)]
      : [...subproof(m - k, start + k, end, false), rangePlan(start, start + k)];
  };
  return subproof(from, 0, to, true);
}

/** Every perfect subtree a set of plans reads, each once. */
export function nodesOf(plans: readonly HashPlan[]): NodeId[] {
  const found = new Map<string, NodeId>();
  const walk = (plan: HashPlan) => {
    if ('perfect' in plan) found.set(nodeKey(plan.perfect), plan.perfect);
    else {
      walk(plan.left);
      walk(plan.right);
    }
  };
  plans.forEach(walk);
  return [...found.values()];
}

export const nodeKey = ({ level, index }: NodeId) => `${level}/${index}`;

/** A plan's hash, given the hashes of its perfect subtrees. */
export function hashOf(
  plan: HashPlan,
  perfect: (node: NodeId) => Uint8Array,
  hasher: MerkleHasher,
): Uint8Array {
  return 'perfect' in plan
    ? perfect(plan.perfect)
    : hasher.node(hashOf(plan.left, perfect, hasher), hashOf(plan.right, perfect, hasher));
}

/**
 * A tree held in memory (tests, small logs): its perfect subtrees computed from the leaf hashes on
 * demand and kept.
 */
export class MemoryTree {
  private readonly levels: Uint8Array[][] = [[]];

  constructor(private readonly hasher: MerkleHasher) {}

  get size(): number {
    return this.levels[0].length;
  }

  /** Appends a leaf (its data: the event's chain hash) and the perfect subtrees it completes. */
  append(data: Uint8Array): void {
    let hash = this.hasher.leaf(data);
    let index = this.levels[0].length;
    this.levels[0].push(hash);
    for (let level = 0; index % 2 === 1; level++, index = (index - 1) / 2) {
      hash = this.hasher.node(this.levels[level][index - 1], hash);
      (this.levels[level + 1] ??= []).push(hash);
    }
  }

  perfect = ({ level, index }: NodeId): Uint8Array => {
    const hash = this.levels[level]?.[index];
    if (hash === undefined)
      throw new RangeError(`no subtree ${level}/${index} in a tree of ${this.size}`);
    return hash;
  };

  root(size = this.size): Uint8Array {
    return size === 0 ? this.hasher.empty() : hashOf(rootPlan(size), this.perfect, this.hasher);
  }

  inclusionProof(index: number, size = this.size): Uint8Array[] {
    return inclusionPlan(index, size).map((plan) => hashOf(plan, this.perfect, this.hasher));
  }

  consistencyProof(from: number, to = this.size): Uint8Array[] {
    return consistencyPlan(from, to).map((plan) => hashOf(plan, this.perfect, this.hasher));
  }
}

/** Why a proof does not hold; undefined when it does. */
export type ProofRefusal = string | undefined;

function badHashes(named: Record<string, Uint8Array | readonly Uint8Array[]>): ProofRefusal {
  for (const [name, value] of Object.entries(named)) {
    const all = value instanceof Uint8Array ? [value] : value;
    if (all.some((hash) => hash.length !== HASH_BYTES))
      return `${name} is not ${HASH_BYTES} bytes of SHA-256`;
  }
  return undefined;
}

const badSize = (n: number) => !Number.isSafeInteger(n) || n < 0;

/**
 * RFC 9162 §2.1.3.2: the root an inclusion proof leads to from a leaf hash, or why none. Checks
 * the index against the size and the proof's length against both (a proof too short, too long
 * or meant for another index or size never gives the root).
 */
export function rootFromInclusion(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  hasher: MerkleHasher,
): Uint8Array | string {
  if (badSize(index) || badSize(size)) return 'the index and size must be whole numbers';
  if (index >= size) return `leaf ${index} cannot be in a tree of ${size}`;
  const bad = badHashes({ 'the leaf hash': leafHash, 'a proof hash': proof });
  if (bad) return bad;
  let r = leafHash;
  const misfit = climb(
    index,
    size - 1,
    proof,
    (p) => (r = hasher.node(p, r)),
    (p) => (r = hasher.node(r, p)),
    'tree is',
  );
  return misfit ?? r;
}

/**
 * RFC 9162's walk up an audit path (§2.1.3.2 and §2.1.4.2): `fn` is the node's index and `sn`
 * the last node's at each level; each hash of `path` is a left sibling (`left`) or a right one
 * (`right`). Says why when the path is longer or shorter than the tree is deep.
 */
function climb(
  fn: number,
  sn: number,
  path: readonly Uint8Array[],
  left: (hash: Uint8Array) => void,
  right: (hash: Uint8Array) => void,
  what: 'tree is' | 'trees are',
): string | undefined {
  for (const c of path) {
    if (sn === 0) return `the proof is longer than the ${what} deep`;
    if (fn % 2 === 1 || fn === sn) {
      left(c);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      right(c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? undefined : `the proof is shorter than the ${what} deep`;
}

export function verifyInclusion(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
  hasher: MerkleHasher,
): ProofRefusal {
  const bad = badHashes({ 'the root': root });
  if (bad) return bad;
  const computed = rootFromInclusion(index, size, leafHash, proof, hasher);
  if (typeof computed === 'string') return computed;
  return equalBytes(computed, root) ? undefined : 'the proof does not lead to the root';
}

/**
 * RFC 9162 §2.1.4.2: that the tree of `from` leaves with root `fromRoot` is a prefix of the tree
 * of `to` leaves with root `toRoot`. From an empty tree there is nothing to prove (refused, as a
 * check that would pass anything); equal sizes need equal roots and an empty proof.
 */
export function verifyConsistency(
  from: number,
  to: number,
  fromRoot: Uint8Array,
  toRoot: Uint8Array,
  proof: readonly Uint8Array[],
  hasher: MerkleHasher,
): ProofRefusal {
  if (badSize(from) || badSize(to)) return 'the sizes must be whole numbers';
  if (to < from) return `a tree of ${to} cannot extend one of ${from}`;
  if (from === 0) return 'a consistency proof from an empty tree proves nothing';
  if (from === to) {
    if (proof.length > 0) return 'trees of one size need an empty proof';
    return equalBytes(fromRoot, toRoot) ? undefined : 'two roots of one size differ';
  }
  const bad = badHashes({
    'the first root': fromRoot,
    'the second root': toRoot,
    'a proof hash': proof,
  });
  if (bad) return bad;
  if (proof.length === 0) return 'the proof is empty';
  const path = isPowerOfTwo(from) ? [fromRoot, ...proof] : [...proof];
  let fn = from - 1;
  let sn = to - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  const misfit = climb(
    fn,
    sn,
    path.slice(1),
    (c) => {
      fr = hasher.node(c, fr);
      sr = hasher.node(c, sr);
    },
    (c) => (sr = hasher.node(sr, c)),
    'trees are',
  );
  if (misfit) return misfit;
  if (!equalBytes(fr, fromRoot)) return 'the proof does not lead to the first root';
  if (!equalBytes(sr, toRoot)) return 'the proof does not lead to the second root';
  return undefined;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export function hexToBytes(hex: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/i.test(hex)) throw new Error('not hexadecimal');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 with padding (RFC 4648 §4), without Buffer or atob so it runs anywhere. */
export function bytesToBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b, c] = [bytes[i], bytes[i + 1], bytes[i + 2]];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
    out += b === undefined ? '=' : B64[(n >> 6) & 63];
    out += c === undefined ? '=' : B64[n & 63];
  }
  return out;
}

export function base64ToBytes(text: string): Uint8Array {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text))
    throw new Error('not base64');
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let at = 0;
  for (const ch of clean) {
    value = (value << 6) | B64.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (value >> bits) & 0xff;
    }
  }
  return out;
}
