import { CONFIG_VARIABLES, loadConfig } from '@ledger/ledger';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
}

/** docker-compose.yml cannot be run here (no Docker engine); this keeps it valid and in step. */
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(__dirname, '..', 'docker-compose.yml'), 'utf8'), {
    merge: true,
  }) as { services: Record<string, Service> };
  const services = compose.services;

  it('has KurrentDB, PostgreSQL, Redis, the API and the worker', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['kurrentdb', 'postgres', 'redis', 'api', 'worker']),
    );
    expect(services.kurrentdb.environment).toMatchObject({
      KURRENTDB_INSECURE: 'true',
      KURRENTDB_CLUSTER_SIZE: '1',
    });
    expect(services.redis.command).toEqual(expect.arrayContaining(['noeviction']));
  });

  it.each(['api', 'worker'])(
    'gives %s only variables the apps read, and a valid config',
    (name) => {
      const env = services[name].environment ?? {};
      for (const key of Object.keys(env)) expect(CONFIG_VARIABLES).toContain(key);
      const resolved = Object.fromEntries(
        Object.entries(env).map(([k, v]) => [k, v.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]),
      );
      expect(loadConfig(resolved).eventStore.kind).toBe('kurrentdb');
      expect(loadConfig({ ...resolved, EVENT_STORE: 'postgres' }).eventStore).toMatchObject({
        databaseUrl: 'postgres://ledger:ledger@postgres:5432/ledger',
      });
      for (const dependency of ['kurrentdb', 'postgres', 'redis']) {
        expect(services[name].depends_on?.[dependency]).toEqual({ condition: 'service_healthy' });
      }
    },
  );

  it('starts the apps from the paths the build writes', () => {
    expect(services.api.command).toEqual(['node', 'dist/apps/api/src/main.js']);
    expect(services.worker.command).toEqual(['node', 'dist/apps/worker/src/main.js']);
  });
});
