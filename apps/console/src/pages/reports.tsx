import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Answer } from '../api';
import { toCsv } from '../csv';
import { download } from '../download';
import { t } from '../i18n';
import { useCommunities } from '../places';
import { ProblemNote } from '../problem-note';

type Report = Answer<'/v1/reports/points', 'get'>;
type Hazards = Answer<'/v1/reports/hazards', 'get'>;
const HAZARD_COLUMNS = [
  'reported',
  'duplicates',
  'waiting',
  'rejected',
  'minor',
  'moderate',
  'major',
] as const;
type Group = 'community' | 'street' | 'activity' | 'source';

/** A report's JSON answer (the routes answer CSV too, when asked for it; the console is not). */
function json<T extends object>(answer: T | string): T {
  if (typeof answer === 'string') throw new Error('the report came as text, not JSON');
  return answer;
}
const GROUPS: readonly Group[] = ['community', 'street', 'activity', 'source'];

/**
 * 统计报表 (issue 17): points awarded, reversed and redeemed, and riders active, by community,
 * street, activity or source, for a year or a month; a bar for each row's awarded points, the
 * totals, and the table as a CSV file for a spreadsheet.
 */
export function ReportsPage() {
  const [error, setError] = useState<unknown>(null);
  const communities = useCommunities(setError);
  const [groupBy, setGroupBy] = useState<Group>('community');
  const [period, setPeriod] = useState(String(new Date().getFullYear()));
  const [report, setReport] = useState<Report | null>(null);
  const [hazards, setHazards] = useState<Hazards | null>(null);

  const show = async (e?: Event) => {
    e?.preventDefault();
    try {
      setError(null);
      const query = { groupBy, period: period.trim() };
      const [points, filed] = await Promise.all([
        ok(api.GET('/v1/reports/points', { params: { query } })),
        ok(api.GET('/v1/reports/hazards', { params: { query: { period: query.period } } })),
      ]);
      setReport(json(points));
      setHazards(json(filed));
    } catch (err) {
      setReport(null);
      setHazards(null);
      setError(err);
    }
  };
  useEffect(() => void show(), [groupBy]);

  const names = new Map(communities.map((c) => [c.id, c.name]));
  const label = (key: string) => {
    if (!report) return key;
    if (report.groupBy === 'community') return names.get(key) ?? key;
    if (report.groupBy === 'activity') return t(`activity.${key}`, { defaultValue: key });
    if (report.groupBy === 'source') return t(`source.${key}`, { defaultValue: key });
    return key || t('reports.noStreet');
  };
  const most = Math.max(1, ...(report?.rows ?? []).map((r) => r.awarded));
  const columns = ['awarded', 'reversed', 'redeemed', 'riders'] as const;
  // A redemption has no activity and no source: by those, it is in the totals only.
  const byAct = report?.groupBy === 'activity' || report?.groupBy === 'source';
  const shown = columns.filter((c) => !byAct || c !== 'redeemed');
  const saveCsv = () => {
    if (!report) return;
    const header = [t(`reports.by.${report.groupBy}`), ...columns.map((c) => t(`reports.${c}`))];
    const cell = (r: Report['rows'][number], c: (typeof columns)[number]) =>
      byAct && c === 'redeemed' ? '' : r[c];
    const rows = [
      ...report.rows.map((r) => [label(r.key), ...columns.map((c) => cell(r, c))]),
      [t('reports.total'), ...columns.map((c) => report.totals[c])],
    ];
    download(`report-${report.groupBy}-${report.period}.csv`, toCsv(header, rows));
  };

  return (
    <section>
      <h1>{t('reports.title')}</h1>
      <form class="card" onSubmit={(e) => void show(e)}>
        <label for="group-by">{t('reports.groupBy')}</label>
        <select
          id="group-by"
          value={groupBy}
          onChange={(e) => setGroupBy((e.target as HTMLSelectElement).value as Group)}
        >
          {GROUPS.map((g) => (
            <option key={g} value={g}>
              {t(`reports.by.${g}`)}
            </option>
          ))}
        </select>
        <label for="report-period">{t('reports.period')}</label>
        <input
          id="report-period"
          value={period}
          aria-describedby="report-period-hint"
          onInput={(e) => setPeriod((e.target as HTMLInputElement).value)}
        />
        <small id="report-period-hint" class="hint">
          {t('reports.periodHint')}
        </small>
        <button type="submit">{t('reports.show')}</button>
      </form>
      <ProblemNote error={error} />
      {report && (
        <div class="card">
          <p>
            {t('reports.totals', { ...report.totals })}
            {report.communities && ` ${t('reports.yours')}`}
          </p>
          {byAct && <p class="hint">{t('reports.redeemedInTotals')}</p>}
          {report.rows.length === 0 ? (
            <p>{t('reports.empty')}</p>
          ) : (
            <div class="scroll" tabIndex={0} role="region" aria-label={t('reports.title')}>
              <table class="report">
                <thead>
                  <tr>
                    <th scope="col">{t(`reports.by.${report.groupBy}`)}</th>
                    <th scope="col">{t('reports.awarded')}</th>
                    {shown.slice(1).map((c) => (
                      <th scope="col" key={c}>
                        {t(`reports.${c}`)}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {report.rows.map((row) => (
                    <tr key={row.key}>
                      <th scope="row">{label(row.key)}</th>
                      <td>
                        <span class="figure">{row.awarded}</span>
                        <span
                          class="report-bar"
                          style={{ width: `${(100 * row.awarded) / most}%` }}
                          aria-hidden="true"
                        />
                      </td>
                      {shown.slice(1).map((c) => (
                        <td key={c}>{row[c]}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <button type="button" onClick={saveCsv}>
            {t('reports.csv')}
          </button>
        </div>
      )}
      {hazards && (
        <div class="card">
          <h2>{t('reports.hazards')}</h2>
          {hazards.rows.length === 0 ? (
            <p>{t('reports.noHazards')}</p>
          ) : (
            <div class="scroll" tabIndex={0} role="region" aria-label={t('reports.hazards')}>
              <table class="report">
                <thead>
                  <tr>
                    <th scope="col">{t('reports.category')}</th>
                    {HAZARD_COLUMNS.map((c) => (
                      <th scope="col" key={c}>
                        {t(`reports.hazard.${c}`)}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {[...hazards.rows, { ...hazards.totals, category: '' }].map((row) => (
                    <tr key={row.category || 'total'}>
                      <th scope="row">
                        {row.category
                          ? t(`category.${row.category}`, { defaultValue: row.category })
                          : t('reports.total')}
                      </th>
                      {HAZARD_COLUMNS.map((c) => (
                        <td key={c}>{row[c]}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
