import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ts from 'typescript';

/** The project's TypeScript sources, parsed, for tests that read the code itself. */

export const ROOT = resolve(__dirname, '../..');

export interface Source {
  readonly path: string;
  readonly file: ts.SourceFile;
}

export const TEST_FILE = /\.(spec|int-spec|e2e-spec)\.ts$|\.suite\.ts$|\/contract\//;

export const sources: Source[] = execFileSync(
  'git',
  ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts'],
  {
    cwd: ROOT,
    encoding: 'utf8',
  },
)
  .split('\n')
  .filter((path) => path.endsWith('.ts'))
  .map((path) => ({
    path,
    file: ts.createSourceFile(
      path,
      readFileSync(join(ROOT, path), 'utf8'),
      ts.ScriptTarget.Latest,
      true,
    ),
  }));

export const production = sources.filter(
  (s) => !TEST_FILE.test(s.path) && !s.path.includes('/testing/'),
);
export const under = (folder: string, list = production) =>
  list.filter((s) => s.path.startsWith(folder));

export function imports(source: Source): string[] {
  return source.file.statements.flatMap((statement) =>
    (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
    statement.moduleSpecifier &&
    ts.isStringLiteral(statement.moduleSpecifier)
      ? [statement.moduleSpecifier.text]
      : [],
  );
}

export function nodes(source: Source, keep: (node: ts.Node) => boolean): ts.Node[] {
  const found: ts.Node[] = [];
  const visit = (node: ts.Node): void => {
    if (keep(node)) found.push(node);
    ts.forEachChild(node, visit);
  };
  visit(source.file);
  return found;
}

export const where = (source: Source, node: ts.Node) =>
  `${source.path}:${source.file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
