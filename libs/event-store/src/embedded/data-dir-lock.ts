import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StoreUnavailable } from '../event-store.errors';

const LOCK_FILE = 'ledger.lock';

/**
 * One process at a time may open an embedded data folder: two PGlite instances on one folder
 * would corrupt it. The lock file holds the owner's pid; a lock whose process is gone (after a
 * crash or SIGKILL) is taken over.
 */
export class DataDirLock {
  private released = false;

  private constructor(private readonly path: string) {}

  static acquire(dataDir: string): DataDirLock {
    const path = join(dataDir, LOCK_FILE);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return new DataDirLock(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const owner = Number(readFileSync(path, 'utf8'));
        if (owner !== process.pid && isAlive(owner)) {
          throw new StoreUnavailable(
            `data folder ${dataDir} is in use by process ${owner} (the API?): stop that process, ` +
              'or run this against PostgreSQL (EVENT_STORE=postgres), or set another DATA_DIR',
          );
        }
        rmSync(path, { force: true });
      }
    }
    throw new StoreUnavailable(`could not lock data folder ${dataDir}`);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    rmSync(this.path, { force: true });
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
