#!/usr/bin/env node
// `npm run ledger -- …` and `npm run seed`: build only when a source is newer than the last build
// (a full type-checked build takes seconds; `--help` should not), then run the CLI.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const main = join(root, 'dist', 'apps', 'cli', 'src', 'main.js');
// Rewritten by every build that had something new to write (tsconfig.build.json, incremental)…
const buildInfo = join(root, 'dist', '.tsbuildinfo');
// …and touched after every build this launcher ran (a touched but unchanged source writes nothing).
const stamp = join(root, 'dist', '.cli-built');
const mtime = (file) => (existsSync(file) ? statSync(file).mtimeMs : 0);
const SOURCES = ['apps', 'libs'];
const CONFIGS = ['package-lock.json', 'tsconfig.base.json', 'tsconfig.build.json'];

/** The newest modification time of the TypeScript sources and the build's configuration. */
function newestSource() {
  let newest = Math.max(...CONFIGS.map((file) => statSync(join(root, file)).mtimeMs));
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of SOURCES) walk(join(root, dir));
  return newest;
}

if (!existsSync(main) || Math.max(mtime(buildInfo), mtime(stamp)) < newestSource()) {
  const built = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
}
const run = spawnSync(process.execPath, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(run.status ?? 1);
