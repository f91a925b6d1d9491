import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The console's API types (apps/console/src/api-types.ts) are generated from the OpenAPI document
 * the built API serves: a route or an answer changed without `npm run console:types` fails here.
 */
describe('the console’s API types', () => {
  it('match the OpenAPI document', () => {
    const script = join(__dirname, '..', 'apps', 'console', 'scripts', 'api-types.mjs');
    const run = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect({ status: run.status, stderr: run.stderr.trim() }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout).toContain('matches the OpenAPI document');
  }, 60_000);
});
