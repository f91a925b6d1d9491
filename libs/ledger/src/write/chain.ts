import { createHash } from 'node:crypto';
import { chainInput, canonicalJson, type Chainable } from '@ledger/domain';

export { canonicalJson, type Chainable };

/** Where each event carries its hash: `metadata.hash` on every adapter. */
export const HASH_KEY = 'hash';

/**
 * SHA-256 (hex) over the event's id, stream, revision, type, schema version, data and metadata and
 * the hash of the event before it in its stream (`''` for the first): editing, deleting,
 * reordering or inserting an event breaks the chain from there on.
 */
export function eventHash(event: Chainable, previousHash: string): string {
  return createHash('sha256').update(chainInput(event, previousHash)).digest('hex');
}

/** The hash an event was stored with; `''` for an event written before the chain existed. */
export function storedHash(event: { metadata: Record<string, unknown> }): string {
  const hash = event.metadata[HASH_KEY];
  return typeof hash === 'string' ? hash : '';
}

/** One digest over every stream's head (name, revision, hash), sorted by name: what a seal records. */
export function headsDigest(
  heads: ReadonlyMap<string, { revision: number; hash: string }>,
): string {
  const hash = createHash('sha256');
  for (const name of [...heads.keys()].sort()) {
    const head = heads.get(name);
    if (head) hash.update(`${name}\u0000${head.revision}\u0000${head.hash}\n`);
  }
  return hash.digest('hex');
}
