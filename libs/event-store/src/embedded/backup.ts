import { PGlite } from '@electric-sql/pglite';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgument } from '../event-store.errors';
import { DataDirLock } from './data-dir-lock';
import { makePrivateFolder, restrictModes } from './private-folder';

/** What a backup or a restore did: the file, its size and SHA-256, the events it holds. */
export interface BackupFigures {
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly events: number;
  readonly head: number | null;
}

/**
 * Writes the whole embedded folder's database (log, read models, keys and personal data beside
 * the log) to `file` as PGlite's gzipped tarball of its data directory. The folder is locked for
 * the time it takes, so no process writes meanwhile and the copy is consistent; a folder in use
 * (the API running) is refused with the lock's message, never copied under a writer. The file is
 * written beside its name and renamed into place, owner-only: it holds personal data.
 */
export async function backupEmbedded(dataDir: string, file: string): Promise<BackupFigures> {
  const folder = resolve(dataDir);
  if (!existsSync(resolve(folder, 'pglite')))
    throw new InvalidArgument(`${folder} holds no embedded store (no pglite folder) to back up`);
  const lock = DataDirLock.acquire(folder);
  try {
    const db = await PGlite.create(resolve(folder, 'pglite'));
    try {
      const figures = await logFigures(db);
      const dump = Buffer.from(await (await db.dumpDataDir('gzip')).arrayBuffer());
      const target = resolve(file);
      const partial = `${target}.partial`;
      writeFileSync(partial, dump, { mode: 0o600 });
      renameSync(partial, target);
      return { file: target, bytes: dump.length, sha256: sha256(dump), ...figures };
    } finally {
      await db.close();
      restrictModes(folder);
    }
  } finally {
    lock.release();
  }
}

/**
 * Makes a new embedded folder at `dataDir` from a backup. Refuses a folder that already holds a
 * store (a restore never overwrites a ledger: restore into a new place, then point DATA_DIR at
 * it). The restored database is opened and counted before this answers.
 */
export async function restoreEmbedded(file: string, dataDir: string): Promise<BackupFigures> {
  const folder = resolve(dataDir);
  const target = resolve(folder, 'pglite');
  if (existsSync(target) && readdirSync(target).length > 0)
    throw new InvalidArgument(
      `${folder} already holds a store; restore into an empty or new folder, then set DATA_DIR to it`,
    );
  const dump = readFileSync(resolve(file));
  makePrivateFolder(folder);
  makePrivateFolder(target);
  const lock = DataDirLock.acquire(folder);
  try {
    let db: PGlite;
    try {
      db = await PGlite.create(target, { loadDataDir: new Blob([dump]) });
    } catch (error) {
      rmSync(target, { recursive: true, force: true });
      throw new InvalidArgument(`${file} is not a backup of an embedded ledger folder`, {
        cause: error,
      });
    }
    try {
      const figures = await logFigures(db);
      return { file: resolve(file), bytes: dump.length, sha256: sha256(dump), ...figures };
    } finally {
      await db.close();
      restrictModes(folder);
    }
  } finally {
    lock.release();
  }
}

async function logFigures(db: PGlite): Promise<{ events: number; head: number | null }> {
  const present = await db.query<{ present: boolean }>(
    `select to_regclass('ledger.events') is not null as present`,
  );
  if (!present.rows[0]?.present) return { events: 0, head: null };
  const { rows } = await db.query<{ events: number; head: string | null }>(
    'select count(*)::int as events, max(global_position)::text as head from ledger.events',
  );
  const head = rows[0]?.head;
  return {
    events: rows[0]?.events ?? 0,
    head: head === null || head === undefined ? null : Number(head),
  };
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
