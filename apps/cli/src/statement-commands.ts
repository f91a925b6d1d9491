import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { verifyStatement, type Statement } from '@ledger/domain';
import { NODE_STATEMENT_CRYPTO, newSigningKey } from '@ledger/ledger';
import { EXIT, UsageError } from './audit-commands';

/**
 * Statements offline (issue 16): no ledger, no network. `verify-statement` checks a statement
 * saved from `GET /v1/riders/{id}/statement` against the district's public key.
 */
export function statementCommands(program: Command): void {
  program
    .command('verify-statement <file>')
    .description(
      "check a rider's statement offline: the tree head's signature, each event's hash and inclusion, the balance (exit 4 when it does not verify)",
    )
    .option(
      '--public-key <base64>',
      "the district's published key (GET /v1/audit/public-key); the statement's own copy when left out",
    )
    .action(verifyStatementFile);
  program
    .command('signing-key')
    .description('print a new Ed25519 key for LEDGER_SIGNING_KEY (base64 of its 32-byte seed)')
    .action(() => {
      process.stdout.write(`${newSigningKey()}\n`);
    });
}

async function verifyStatementFile(file: string, options: { publicKey?: string }): Promise<void> {
  let statement: Statement;
  try {
    statement = JSON.parse(await readFile(file, 'utf8')) as Statement;
  } catch (error) {
    throw new UsageError(`${file} is not a statement (JSON): ${(error as Error).message}`);
  }
  if (!statement?.checkpoint || !Array.isArray(statement.entries))
    throw new UsageError(`${file} is not a statement: it has no checkpoint or no entries`);
  const key = options.publicKey ?? statement.publicKey?.publicKey;
  if (!key) throw new UsageError('no public key: give --public-key');
  const result = await verifyStatement(statement, key, NODE_STATEMENT_CRYPTO);
  const keySource = options.publicKey
    ? 'given'
    : 'the statement (compare its keyId with the one the district publishes)';
  process.stdout.write(`${JSON.stringify({ ...result, keySource })}\n`);
  if (!result.ok) process.exitCode = EXIT.mismatch;
}
