import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The embedded folder holds the ledger and personal data: only its owner may enter it. The
 * folder is created (or tightened) to 0700 before the store opens, so nothing in it can be
 * reached by another user even while PGlite writes files with the modes of its bundled data
 * folder (0666); every file is then set to 0600 and every folder to 0700 at open and at close.
 */
export function makePrivateFolder(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700);
}

/** Owner-only modes for everything under `path` (symbolic links are left alone). */
export function restrictModes(path: string): void {
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const inner = join(path, entry.name);
    if (entry.isDirectory()) {
      chmodSync(inner, 0o700);
      restrictModes(inner);
    } else if (entry.isFile() && (lstatSync(inner).mode & 0o077) !== 0) {
      chmodSync(inner, 0o600);
    }
  }
}
