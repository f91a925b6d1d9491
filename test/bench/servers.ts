/**
 * The servers the HTTP rows measure, each started in a process of its own (so no baseline shares
 * an event loop with the API, the load generator or another baseline, quality.md):
 *
 *   node dist/test/bench/servers.js bare      a bare Fastify route answering constant JSON
 *   node dist/test/bench/servers.js bare-pg   a bare Fastify route doing one indexed SELECT via pg
 *   node dist/test/bench/servers.js api       the ledger's API, configured by the environment
 *
 * Each prints one line `{"port":N}` once it listens on 127.0.0.1, and stops on SIGTERM.
 */
import Fastify from 'fastify';
import { Pool } from 'pg';
import { loadConfig } from '@ledger/ledger';
import { createApi } from '../../apps/api/src/api';

async function bare(): Promise<{ port: number; close: () => Promise<unknown> }> {
  const app = Fastify();
  app.get('/bare', () => ({}));
  app.post('/bare', () => ({}));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { port: (app.server.address() as { port: number }).port, close: () => app.close() };
}

/** A rider's balance by its key, from a table like the balances read model, through a pool. */
async function barePg(): Promise<{ port: number; close: () => Promise<unknown> }> {
  const schema = process.env.BARE_PG_SCHEMA ?? 'bench_bare_pg';
  const riders = Number(process.env.BARE_PG_RIDERS ?? 64);
  const pool = new Pool({
    connectionString: process.env.DATABASE_URL,
    max: Number(process.env.PG_POOL_SIZE ?? 10),
  });
  await pool.query(`drop schema if exists ${schema} cascade; create schema ${schema};
    create table ${schema}.balances (rider_id text primary key, balance bigint not null,
      earned bigint not null, redeemed bigint not null, reversed bigint not null,
      position bigint not null);
    insert into ${schema}.balances select 'r' || g, 100, 100, 0, 0, g
      from generate_series(0, ${riders - 1}) g;`);
  const app = Fastify();
  app.get<{ Params: { id: string } }>('/bare-pg/:id', async (req) => {
    const { rows } = await pool.query(
      `select rider_id, balance, earned, redeemed, reversed, position from ${schema}.balances
       where rider_id = $1`,
      [req.params.id],
    );
    return rows[0] as unknown;
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    port: (app.server.address() as { port: number }).port,
    close: async () => {
      await app.close();
      await pool.query(`drop schema if exists ${schema} cascade`);
      await pool.end();
    },
  };
}

async function api(): Promise<{ port: number; close: () => Promise<unknown> }> {
  const app = await createApi(loadConfig(process.env), { logger: false });
  await app.listen(0, '127.0.0.1');
  const port = Number(new URL((await app.getUrl()).replace('[::1]', '127.0.0.1')).port);
  return { port, close: () => app.close() };
}

async function main(): Promise<void> {
  const kind = process.argv[2];
  const start = kind === 'bare' ? bare : kind === 'bare-pg' ? barePg : kind === 'api' ? api : null;
  if (!start) throw new Error(`unknown server ${String(kind)}: bare, bare-pg or api`);
  const server = await start();
  process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
  const stop = () => void server.close().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
