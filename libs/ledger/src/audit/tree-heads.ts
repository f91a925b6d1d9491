import { createHash } from 'node:crypto';
import {
  consistencyPlan,
  hashOf,
  inclusionPlan,
  nodeKey,
  nodesOf,
  rootPlan,
  type HashPlan,
} from '@ledger/domain';
import { classifiedPg, type SqlClient, type SqlQuery } from '@ledger/event-store';
import { LOG_TREE_HASHER, readTreeNodes, type ReadDb } from '@ledger/projections';
import { LogSigner, newSigningKey, parseSigningKey, type Checkpoint } from './signing-key';

/**
 * Signed tree heads (checkpoints) of the log's Merkle tree (signing-key.ts). The key is
 * `LEDGER_SIGNING_KEY` or, when unset, one made at the first start and kept beside the log
 * (`signing_keys`), shared by every process of the deployment. Heads are kept in `tree_heads`
 * beside the log: not a read model (a rebuild cannot make a signature with its time again).
 */

const DDL = `create table if not exists signing_keys (
  key_id text primary key,
  seed text not null,
  created_at timestamptz not null default now()
);
create table if not exists tree_heads (
  tree_size bigint primary key,
  root_hash text not null,
  signed_at timestamptz not null,
  origin text not null,
  key_id text not null,
  signature text not null
)`;

interface HeadRow {
  tree_size: string | number;
  root_hash: string;
  signed_at: Date | string;
  origin: string;
  key_id: string;
  signature: string;
}

const checkpointOf = (r: HeadRow): Checkpoint => ({
  origin: r.origin,
  treeSize: Number(r.tree_size),
  rootHash: r.root_hash,
  timestamp: (r.signed_at instanceof Date ? r.signed_at : new Date(r.signed_at)).toISOString(),
  keyId: r.key_id,
  signature: r.signature,
});

/** A new head is signed on demand at most this often (a statement asks for the newest tree). */
export const HEAD_EVERY_MS = 60_000;

/** The tree's heads: signed, kept, and the proofs against them (read from the log-tree model). */
export class TreeHeads {
  private constructor(
    private readonly sql: SqlClient,
    private readonly tree: ReadDb,
    readonly signer: LogSigner,
    /**
     * The signing key's text: the deployment's one secret, from which others are derived by
     * labelled HMAC (check-in codes), so every process of the deployment holds the same.
     */
    readonly deploymentSecret: string,
  ) {}

  /**
   * The configured key, or the deployment's own (made once, by whichever process starts first).
   */
  static async open(
    sql: SqlClient,
    tree: ReadDb,
    options: { signingKey: string | undefined; origin: string },
  ): Promise<TreeHeads> {
    await classifiedPg(() => sql.exec(DDL));
    const secret = options.signingKey ?? (await deploymentKey(sql));
    return new TreeHeads(sql, tree, new LogSigner(parseSigningKey(secret), options.origin), secret);
  }

  async latest(): Promise<Checkpoint | undefined> {
    const { rows } = await classifiedPg(() =>
      this.sql.query<HeadRow>('select * from tree_heads order by tree_size desc limit 1'),
    );
    return rows[0] && checkpointOf(rows[0]);
  }

  /** The newest head signed at or before `asOf`. */
  async asOf(at: Date): Promise<Checkpoint | undefined> {
    const { rows } = await classifiedPg(() =>
      this.sql.query<HeadRow>(
        'select * from tree_heads where signed_at <= $1 order by tree_size desc limit 1',
        [at],
      ),
    );
    return rows[0] && checkpointOf(rows[0]);
  }

  /**
   * Signs the tree as the log-tree model holds it now, unless the newest head already covers
   * it, or is younger than `minAgeMs` (then that head is answered). An empty tree has no head.
   */
  async sign(now: Date, minAgeMs = 0): Promise<Checkpoint | undefined> {
    const latest = await this.latest();
    if (latest && now.getTime() - Date.parse(latest.timestamp) < minAgeMs) return latest;
    const { size, root } = await this.tree.read(async (q) => {
      const size = await treeSize(q, this.tree.schema);
      if (size === 0) return { size, root: undefined };
      const [root] = await this.hashes(q, [rootPlan(size)]);
      return { size, root };
    });
    if (root === undefined || (latest && latest.treeSize >= size)) return latest;
    const head = this.signer.sign(size, root, now);
    await classifiedPg(() =>
      this.sql.query(
        `insert into tree_heads values ($1, $2, $3, $4, $5, $6) on conflict (tree_size) do nothing`,
        [head.treeSize, head.rootHash, now, head.origin, head.keyId, head.signature],
      ),
    );
    // Another process may have signed this size first: its head is the one kept.
    const { rows } = await classifiedPg(() =>
      this.sql.query<HeadRow>('select * from tree_heads where tree_size = $1', [size]),
    );
    return checkpointOf(rows[0]);
  }

  /** RFC 9162 consistency proof between two tree sizes the model holds (from ≥ 1). */
  consistency(from: number, to: number): Promise<Uint8Array[]> {
    return this.tree.read((q) => this.hashes(q, consistencyPlan(from, to)));
  }

  /** Inclusion proofs of leaves in the tree of `size`, in the order asked. */
  inclusions(leafIndexes: readonly number[], size: number): Promise<Uint8Array[][]> {
    return this.tree.read(async (q) => {
      const plans = leafIndexes.map((i) => inclusionPlan(i, size));
      const nodes = await readTreeNodes(q, this.tree.schema, nodesOf(plans.flat()));
      return plans.map((path) => path.map((plan) => this.hashWith(plan, nodes)));
    });
  }

  treeSize(): Promise<number> {
    return this.tree.read((q) => treeSize(q, this.tree.schema));
  }

  private async hashes(q: SqlQuery, plans: readonly HashPlan[]): Promise<Uint8Array[]> {
    const nodes = await readTreeNodes(q, this.tree.schema, nodesOf(plans));
    return plans.map((plan) => this.hashWith(plan, nodes));
  }

  private hashWith(plan: HashPlan, nodes: ReadonlyMap<string, Uint8Array>): Uint8Array {
    return hashOf(
      plan,
      (node) => {
        const hash = nodes.get(nodeKey(node));
        if (hash === undefined)
          throw new Error(`the log tree has no subtree ${nodeKey(node)}: is it caught up?`);
        return hash;
      },
      LOG_TREE_HASHER,
    );
  }
}

async function treeSize(q: SqlQuery, schema: string): Promise<number> {
  const { rows } = await q<{ size: string | number }>(
    `select coalesce(max(leaf_index) + 1, 0) as size from ${schema}.log_tree_leaves`,
  );
  return Number(rows[0].size);
}

const FIRST_KEY = 'select seed from signing_keys order by created_at, key_id limit 1';

/** The deployment's own key: the one kept, or one made now (by the first process to start). */
async function deploymentKey(sql: SqlClient): Promise<string> {
  const kept = await classifiedPg(() => sql.query<{ seed: string }>(FIRST_KEY));
  if (kept.rows[0]) return kept.rows[0].seed;
  const made = newSigningKey();
  const id = createHash('sha256').update(made).digest('hex').slice(0, 16);
  await classifiedPg(() =>
    sql.query(
      `insert into signing_keys (key_id, seed) select $1, $2
       where not exists (select 1 from signing_keys) on conflict do nothing`,
      [id, made],
    ),
  );
  // Two processes starting at once may both have made one: the first kept is everyone's.
  const { rows } = await classifiedPg(() => sql.query<{ seed: string }>(FIRST_KEY));
  return rows[0].seed;
}
