import { dirname, relative, resolve } from 'node:path';
import * as ts from 'typescript';
import { imports, nodes, ROOT, sources, TEST_FILE, under, where } from './support/sources';

/*
 * The shape docs/architecture.md describes, held by tests so that it stays: where the core is
 * reached from, which way the folders of libs/ledger depend on each other, what the pure parts
 * import, and how long a function may grow.
 */

/** architecture.md, style rule 8: functions stay short. */
const MAX_FUNCTION_LINES = 70;

describe('architecture', () => {
  it('finds the sources it checks', () => {
    expect(under('apps/api/src/').length).toBeGreaterThan(20);
    expect(under('libs/ledger/src/').length).toBeGreaterThan(40);
  });

  describe('apps/ are adapters: no SQL, no stream writer, no scope rule', () => {
    const apps = under('apps/');

    it('holds no SQL', () => {
      const sql =
        /\b(select\s.+\sfrom|insert\s+into|update\s+\S+\s+set|delete\s+from|create\s+table)\b/is;
      const found = apps.flatMap((s) =>
        nodes(
          s,
          (n) =>
            ts.isStringLiteral(n) ||
            ts.isNoSubstitutionTemplateLiteral(n) ||
            ts.isTemplateExpression(n),
        )
          .filter((n) => sql.test(n.getText()))
          .map((n) => where(s, n)),
      );
      expect(found).toEqual([]);
    });

    it('never names the stream writer, the SQL client or the event store', () => {
      const banned = new Set(['StreamWriter', 'SqlClient', 'SqlQuery', 'READ_MODELS']);
      const found = apps.flatMap((s) =>
        nodes(s, (n) => ts.isIdentifier(n) && banned.has(n.text)).map(
          (n) => `${where(s, n)} ${n.getText()}`,
        ),
      );
      expect(found).toEqual([]);
    });

    it('checks no scope: no community, station or rider comparison, no role test beyond the route table', () => {
      const scope =
        /\.(communityIds|stationIds)\.includes\(|actor\.(riderId|role)\s*[!=]==|[!=]==\s*\w+\.actor\.(riderId|role)/;
      const found = apps.flatMap((s) =>
        s.file.text
          .split('\n')
          .map((line, i) => [line, i] as const)
          .filter(([line]) => scope.test(line))
          .map(([line, i]) => `${s.path}:${i + 1} ${line.trim()}`),
      );
      expect(found).toEqual([]);
    });

    it('gives controllers one dependency: the ledger’s buses (LedgerHttp)', () => {
      const controllers = under('apps/api/src/').filter((s) => s.path.endsWith('.controller.ts'));
      expect(controllers.length).toBeGreaterThan(8);
      const found = controllers.flatMap((s) =>
        nodes(s, ts.isConstructorDeclaration).flatMap((ctor) =>
          (ctor as ts.ConstructorDeclaration).parameters
            .map((p) => p.type?.getText() ?? '(untyped)')
            .filter((type) => type !== 'LedgerHttp')
            .map((type) => `${where(s, ctor)} ${type}`),
        ),
      );
      expect(found).toEqual([]);
    });
  });

  describe('libs/ledger folders depend one way', () => {
    const ledger = under('libs/ledger/src/');
    const folderOf = (path: string) => {
      const rest = relative('libs/ledger/src', path);
      return rest.includes('/') ? rest.split('/')[0] : '(root)';
    };
    const edges = new Map<string, Set<string>>();
    for (const source of ledger) {
      const from = folderOf(source.path);
      for (const target of imports(source).filter((i) => i.startsWith('.'))) {
        const to = folderOf(relative(ROOT, resolve(ROOT, dirname(source.path), target)));
        if (to !== from) edges.set(from, (edges.get(from) ?? new Set()).add(to));
      }
    }

    it('has no import cycle between folders', () => {
      const cycles: string[] = [];
      const visit = (folder: string, path: string[]): void => {
        if (path.includes(folder)) {
          cycles.push([...path.slice(path.indexOf(folder)), folder].join(' → '));
          return;
        }
        for (const next of edges.get(folder) ?? []) visit(next, [...path, folder]);
      };
      for (const folder of edges.keys()) visit(folder, []);
      expect(cycles).toEqual([]);
      expect(edges.size).toBeGreaterThan(5);
    });

    it('keeps the write engine (write/) free of the rest, and the composition root unimported', () => {
      expect([...(edges.get('write') ?? [])]).toEqual([]);
      const intoRoot = [...edges].filter(([, to]) => to.has('(root)')).map(([from]) => from);
      expect(intoRoot).toEqual([]);
    });
  });

  it('keeps the domain pure: it imports only itself', () => {
    const found = under('libs/domain/src/').flatMap((s) =>
      imports(s)
        .filter((i) => !i.startsWith('.'))
        .map((i) => `${s.path} ${i}`),
    );
    expect(found).toEqual([]);
  });

  it('lets the domain’s specs load only the pure spec helper', () => {
    const specs = sources.filter(
      (s) => s.path.startsWith('libs/domain/') && s.path.endsWith('.spec.ts'),
    );
    const found = specs.flatMap((s) =>
      imports(s)
        .filter((i) => i.startsWith('@ledger/') && i !== '@ledger/testing/decider-spec')
        .map((i) => `${s.path} ${i}`),
    );
    expect(specs.length).toBeGreaterThan(5);
    expect(found).toEqual([]);
  });

  it('appends outside the event store only with an exact revision or no_stream (retries are idempotent then on every adapter)', () => {
    // KurrentDB checks a retried append against its index only for these; with `any` or
    // `stream_exists` it remembers ids in a cache, and a late retry could write twice.
    const loose = /\b(ANY|STREAM_EXISTS)\b|expectedRevision:\s*'(any|stream_exists)'/;
    const found = sources
      .filter(
        (s) =>
          !TEST_FILE.test(s.path) &&
          !s.path.startsWith('libs/event-store/') &&
          !s.path.startsWith('libs/testing/') &&
          (s.path.startsWith('libs/') || s.path.startsWith('apps/')),
      )
      .filter((s) => imports(s).includes('@ledger/event-store') && loose.test(s.file.text))
      .map((s) => s.path);
    expect(found).toEqual([]);
  });

  it('keeps libs/testing free of ledger code', () => {
    const testing = sources.filter((s) => s.path.startsWith('libs/testing/'));
    const found = testing.flatMap((s) =>
      imports(s)
        .filter((i) => /^@ledger\/(ledger|projections|seed)\b/.test(i) || i.includes('libs/ledger'))
        .map((i) => `${s.path} ${i}`),
    );
    expect(testing.length).toBeGreaterThan(3);
    expect(found).toEqual([]);
  });

  it(`keeps every function outside the test suites within ${MAX_FUNCTION_LINES} lines`, () => {
    const outsideSuites = sources.filter((s) => !TEST_FILE.test(s.path));
    const found = outsideSuites.flatMap((s) =>
      nodes(s, (n) => ts.isFunctionLike(n) && 'body' in n && n.body !== undefined)
        .map((n) => {
          const start = s.file.getLineAndCharacterOfPosition(n.getStart()).line;
          const end = s.file.getLineAndCharacterOfPosition(n.getEnd()).line;
          return { at: where(s, n), lines: end - start + 1 };
        })
        .filter((f) => f.lines > MAX_FUNCTION_LINES)
        .map((f) => `${f.at} ${f.lines} lines`),
    );
    expect(found).toEqual([]);
  });
});
