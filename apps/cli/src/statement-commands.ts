import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import {
  base64ToBytes,
  checkpointText,
  merkleHasher,
  verifyConsistency,
  verifyStatement,
  type CheckpointView,
  type Statement,
} from '@ledger/domain';
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
    .command('verify-consistency <older> <newer> <proof>')
    .description(
      'check that the log of a newer tree head only added to an older one: two statements or checkpoints, and the proof from GET /v1/audit/consistency (exit 4 when not)',
    )
    .option(
      '--public-key <base64>',
      "the district's published key; the statements' own when left out",
    )
    .action(verifyConsistencyFiles);
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

async function readJson(file: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`${file} is not JSON: ${(error as Error).message}`);
  }
}

/** A checkpoint from a statement file or a checkpoint file, with the key that came with it. */
async function headOf(file: string): Promise<{ head: CheckpointView; key?: string }> {
  const json = await readJson(file);
  const head = (json.checkpoint ?? json) as CheckpointView;
  if (typeof head.treeSize !== 'number' || typeof head.rootHash !== 'string')
    throw new UsageError(`${file} is neither a statement nor a checkpoint`);
  const key = (json.publicKey as { publicKey?: string } | undefined)?.publicKey;
  return { head, ...(key && { key }) };
}

async function verifyConsistencyFiles(
  olderFile: string,
  newerFile: string,
  proofFile: string,
  options: { publicKey?: string },
): Promise<void> {
  const [older, newer, proofJson] = await Promise.all([
    headOf(olderFile),
    headOf(newerFile),
    readJson(proofFile),
  ]);
  const problems: string[] = [];
  const crypto = NODE_STATEMENT_CRYPTO;
  for (const [name, { head, key }] of [
    ['older', older],
    ['newer', newer],
  ] as const) {
    const publicKey = options.publicKey ?? key;
    if (!publicKey) throw new UsageError(`no public key for the ${name} head: give --public-key`);
    let good = false;
    try {
      good = await crypto.verifyEd25519(
        base64ToBytes(head.signature),
        new TextEncoder().encode(checkpointText(head)),
        base64ToBytes(publicKey),
      );
    } catch {
      // not base64, or not a key: not verified
    }
    if (!good) problems.push(`the ${name} tree head's signature does not verify`);
  }
  const proof = proofJson.proof;
  if (
    !Array.isArray(proof) ||
    proofJson.from !== older.head.treeSize ||
    proofJson.to !== newer.head.treeSize
  )
    throw new UsageError(
      `${proofFile} is not the proof from ${older.head.treeSize} to ${newer.head.treeSize}: ` +
        `GET /v1/audit/consistency?from=${older.head.treeSize}&to=${newer.head.treeSize}`,
    );
  let refusal: string | undefined;
  try {
    refusal = verifyConsistency(
      older.head.treeSize,
      newer.head.treeSize,
      base64ToBytes(older.head.rootHash),
      base64ToBytes(newer.head.rootHash),
      (proof as string[]).map(base64ToBytes),
      merkleHasher(crypto.sha256),
    );
  } catch {
    refusal = 'a root or a proof hash is not base64';
  }
  if (refusal !== undefined)
    problems.push(`the newer log does not extend the older one: ${refusal}`);
  const result = {
    ok: problems.length === 0,
    problems,
    from: older.head.treeSize,
    to: newer.head.treeSize,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (!result.ok) process.exitCode = EXIT.mismatch;
}
