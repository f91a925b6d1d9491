import {
  BOOTSTRAP_ADMIN_ID,
  isDomainError,
  type ImportRowKind,
  type RowVerdict,
} from '@ledger/domain';
import { Importer, loadConfig, Progress, withLedger, type ImportReport } from '@ledger/ledger';
import { InvalidArgumentError, type Command } from 'commander';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { wordsIn, type Language } from '../../api/src/http/i18n/language';
import { importReportJson } from '../../api/src/imports/import-report';
import { EXIT, UsageError } from './audit-commands';

interface ImportOptions {
  confirm?: string;
  lang: Language;
  all?: boolean;
  json?: boolean;
}

/**
 * `ledger import <file>` (issue 16): checks a CSV or .xlsx of past riders, awards and redemptions
 * and writes nothing; with `--confirm <sha256>` (the hash the check printed) writes that file.
 * Runs as the bootstrap admin, against the store in the configuration, like `ledger seed`.
 */
export function importCommands(program: Command): void {
  program
    .command('import <file>')
    .description(
      'check a CSV or .xlsx of past riders, awards and redemptions row by row, writing nothing (exit 2 when a row is refused); with --confirm <sha256> write it (docs/api.md, "Imports")',
    )
    .option('--confirm <sha256>', 'write the file: its SHA-256, as the check printed it')
    .option('--lang <language>', 'the report in en or zh-CN', language, 'en')
    .option('--all', 'list every row, not only the refused ones')
    .option('--json', 'print the report as one JSON object')
    .action(importFile);
}

async function importFile(file: string, options: ImportOptions): Promise<void> {
  let content: Buffer;
  try {
    content = await readFile(file);
  } catch (error) {
    throw new UsageError(`${file} cannot be read: ${(error as Error).message}`);
  }
  const config = loadConfig();
  const request = {
    context: {
      actor: {
        principalId: BOOTSTRAP_ADMIN_ID,
        role: 'admin',
        bootstrap: true,
        communityIds: [],
        stationIds: [],
      },
      now: new Date(),
      timeZone: config.timeZone,
    },
    correlationId: randomUUID(),
  } as const;
  await withLedger(config, async (app) => {
    // A phone number is checked against every rider the read models know: bring them up to date.
    const importer = app.get(Importer);
    await importer.catchUpReadModels();
    const name = basename(file);
    if (options.confirm === undefined) {
      const report = await importer.check(content, name, request);
      if (isDomainError(report)) throw new UsageError(wordsIn(options.lang, report.said));
      print(report, options);
      if (report.refused > 0) process.exitCode = EXIT.usage;
      return;
    }
    let progress: Progress | undefined;
    const written = await importer.confirm(
      content,
      name,
      options.confirm,
      request,
      (done, total) => {
        progress ??= new Progress('import', total);
        progress.update(done);
      },
    );
    progress?.done();
    if (isDomainError(written)) throw new UsageError(wordsIn(options.lang, written.said));
    console.log(JSON.stringify(written.status));
  });
}

function print(report: ImportReport, options: ImportOptions): void {
  if (options.json) {
    console.log(JSON.stringify(importReportJson(report, options.lang)));
    return;
  }
  const zh = options.lang === 'zh-CN';
  for (const v of report.verdicts) {
    if (v.outcome !== 'refused' && !options.all) continue;
    const reason = v.refusal ? `${v.refusal.code}: ${wordsIn(options.lang, v.refusal.said)}` : '';
    console.log(
      [
        `${zh ? '第' : 'row '}${v.row}${zh ? '行' : ''}`,
        v.kind ? KIND[options.lang][v.kind] : '?',
        v.riderId ?? '',
        OUTCOME[options.lang][v.outcome],
        reason,
      ].join('\t'),
    );
  }
  const { rows, accepted, refused, imported, importId } = report;
  console.log(
    zh
      ? `共 ${rows} 行：可导入 ${accepted}，拒绝 ${refused}，此前已导入 ${imported}。文件 SHA-256：${importId}。未写入任何内容。`
      : `${rows} rows: ${accepted} accepted, ${refused} refused, ${imported} imported before. The file's SHA-256: ${importId}. Nothing was written.`,
  );
  if (refused === 0 && accepted > 0)
    console.log(
      zh
        ? `确认导入：ledger import ${report.fileName} --confirm ${importId}`
        : `To write it: ledger import ${report.fileName} --confirm ${importId}`,
    );
}

const KIND: Record<Language, Record<ImportRowKind, string>> = {
  en: { rider: 'rider', award: 'award', redemption: 'redemption' },
  'zh-CN': { rider: '小哥', award: '奖励', redemption: '兑换' },
};

const OUTCOME: Record<Language, Record<RowVerdict['outcome'], string>> = {
  en: { accepted: 'accepted', refused: 'refused', imported: 'imported before' },
  'zh-CN': { accepted: '可导入', refused: '拒绝', imported: '此前已导入' },
};

function language(value: string): Language {
  if (value !== 'en' && value !== 'zh-CN') throw new InvalidArgumentError('must be en or zh-CN');
  return value;
}
