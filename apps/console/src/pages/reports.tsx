import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Answer } from '../api';
import { toCsv } from '../csv';
import { download } from '../download';
import { t } from '../i18n';
import { useCommunities } from '../places';
import { ProblemNote } from '../problem-note';

type Report = Answer<'/v1/reports/points', 'get'>;
type Hazards = Answer<'/v1/reports/hazards', 'get'>;
type HazardRow = Hazards['rows'][number];
type Group = 'community' | 'street' | 'activity' | 'source';
const GROUPS: readonly Group[] = ['community', 'street', 'activity', 'source'];
/** The points report's figures, in the API's (and its CSV's) order. */
const POINTS = ['awarded', 'reversed', 'redeemed', 'riders'] as const;
type Series = (typeof POINTS)[number];
/** How the hazard reports of a category stand, one part of its bar each, the confirmed first. */
const OUTCOMES = ['minor', 'moderate', 'major', 'rejected', 'waiting', 'duplicates'] as const;
/** The hazards report's figures, in the API's (and its CSV's) order. */
const HAZARD_FIGURES = [
  'reported',
  'duplicates',
  'waiting',
  'rejected',
  'minor',
  'moderate',
  'major',
] as const;

/** By activity or by source a redemption has no row (it has neither): it is in the totals only. */
function redemptionsInTotalsOnly(report: Report): boolean {
  return report.groupBy === 'activity' || report.groupBy === 'source';
}

/** A report's JSON answer (the routes answer CSV too, when asked for it; the console is not). */
function json<T extends object>(answer: T | string): T {
  if (typeof answer === 'string') throw new Error('the report came as text, not JSON');
  return answer;
}

/** `value` of `most` as a bar's width; a figure above nothing still shows (a sliver). */
function width(value: number, most: number): string {
  if (value <= 0 || most <= 0) return '0';
  return `max(2px, ${((100 * value) / most).toFixed(2)}%)`;
}

/** A legend: a swatch of each series' colour and its name. */
function Legend({
  items,
  label,
}: {
  items: readonly { key: string; name: string }[];
  label: string;
}) {
  return (
    <ul class="legend" aria-label={label}>
      {items.map((item) => (
        <li key={item.key}>
          <span class={`swatch s-${item.key}`} aria-hidden="true" />
          {item.name}
        </li>
      ))}
    </ul>
  );
}

/** One series of a row: its name (for screen readers), its figure, its bar on the chart's scale. */
function SeriesBar({ series, value, most }: { series: Series; value: number; most: number }) {
  return (
    <div class={`series s-${series}`} data-series={series}>
      <span class="sr-only">{t(`reports.${series}`)} </span>
      <span class="figure">{value}</span>
      <span class="track" aria-hidden="true">
        <span class="fill" style={{ width: width(value, most) }} />
      </span>
    </div>
  );
}

/**
 * The points report as a chart: per row, awarded, reversed and redeemed on one scale (redeemed
 * only by community or street: a redemption has no activity and no source), and the riders active
 * on a scale of their own; the figures are text beside the bars.
 */
function PointsChart({ report, label }: { report: Report; label: (key: string) => string }) {
  const byAct = redemptionsInTotalsOnly(report);
  const points = POINTS.filter((c) => c !== 'riders' && (!byAct || c !== 'redeemed'));
  const most = Math.max(1, ...report.rows.flatMap((r) => points.map((c) => r[c])));
  const mostRiders = Math.max(1, ...report.rows.map((r) => r.riders));
  const legend = [...points, 'riders' as const].map((c) => ({
    key: c,
    name: t(c === 'riders' ? 'reports.ridersLegend' : `reports.${c}`),
  }));
  return (
    <>
      <Legend items={legend} label={t('reports.legend')} />
      <table class="report points-chart">
        <thead>
          <tr>
            <th scope="col">{t(`reports.by.${report.groupBy}`)}</th>
            <th scope="col">{t('reports.points')}</th>
            <th scope="col">{t('reports.riders')}</th>
          </tr>
        </thead>
        <tbody>
          {report.rows.map((row) => (
            <tr key={row.key}>
              <th scope="row">{label(row.key)}</th>
              <td>
                {points.map((c) => (
                  <SeriesBar key={c} series={c} value={row[c]} most={most} />
                ))}
              </td>
              <td>
                <SeriesBar series="riders" value={row.riders} most={mostRiders} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** A category's reports as one bar (its length on the chart's scale), a part per outcome. */
function HazardBar({ row, most }: { row: HazardRow; most: number }) {
  return (
    <div class="stack" style={{ width: width(row.reported, most) }} aria-hidden="true">
      {OUTCOMES.filter((o) => row[o] > 0).map((o) => (
        <span
          key={o}
          class={`part s-${o}`}
          data-outcome={o}
          style={{ width: `${((100 * row[o]) / row.reported).toFixed(2)}%` }}
        />
      ))}
    </div>
  );
}

/**
 * The hazards report as a table with a stacked bar per category (by severity when confirmed,
 * rejected, waiting, duplicates) and the figures; the totals last. On a phone each category is a
 * block: its name, its bar, then its figures, each with its name.
 */
function HazardsChart({ hazards }: { hazards: Hazards }) {
  const most = Math.max(1, ...hazards.rows.map((r) => r.reported));
  const columns = ['reported', ...OUTCOMES] as const;
  const legend = OUTCOMES.map((o) => ({ key: o, name: t(`reports.hazard.${o}`) }));
  const rows = [...hazards.rows, { ...hazards.totals, category: '' }];
  return (
    <>
      <Legend items={legend} label={t('reports.legend')} />
      <p class="hint">{t('reports.outcomesHint')}</p>
      <table class="report hazards-chart">
        <thead>
          <tr>
            <th scope="col">{t('reports.category')}</th>
            <th scope="col">{t('reports.byOutcome')}</th>
            {columns.map((c) => (
              <th scope="col" key={c}>
                {t(`reports.hazard.${c}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.category || 'total'} class={row.category ? undefined : 'total'}>
              <th scope="row">
                {row.category
                  ? t(`category.${row.category}`, { defaultValue: row.category })
                  : t('reports.total')}
              </th>
              <td class="chart">{row.category && <HazardBar row={row} most={most} />}</td>
              {columns.map((c) => (
                <td key={c} class={`figure f-${c}`}>
                  <span class="cell-label" aria-hidden="true">
                    {c !== 'reported' && <span class={`swatch s-${c}`} />}
                    {t(`reports.hazard.${c}`)}
                  </span>
                  {row[c]}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** The points report's card: the totals, the chart, the CSV download. */
function PointsCard({ report, label }: { report: Report; label: (key: string) => string }) {
  const byAct = redemptionsInTotalsOnly(report);
  const saveCsv = () => {
    const header = [t(`reports.by.${report.groupBy}`), ...POINTS.map((c) => t(`reports.${c}`))];
    const cell = (r: Report['rows'][number], c: Series) => (byAct && c === 'redeemed' ? '' : r[c]);
    const rows = [
      ...report.rows.map((r) => [label(r.key), ...POINTS.map((c) => cell(r, c))]),
      [t('reports.total'), ...POINTS.map((c) => report.totals[c])],
    ];
    download(`report-${report.groupBy}-${report.period}.csv`, toCsv(header, rows));
  };
  return (
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
          <PointsChart report={report} label={label} />
        </div>
      )}
      <button type="button" onClick={saveCsv}>
        {t('reports.csv')}
      </button>
    </div>
  );
}

/** The hazards report's card: the chart and the table, the CSV download. */
function HazardsCard({ hazards }: { hazards: Hazards }) {
  const saveCsv = () => {
    const header = [t('reports.category'), ...HAZARD_FIGURES.map((c) => t(`reports.hazard.${c}`))];
    const rows = [
      ...hazards.rows.map((r) => [
        t(`category.${r.category}`, { defaultValue: r.category }),
        ...HAZARD_FIGURES.map((c) => r[c]),
      ]),
      [t('reports.total'), ...HAZARD_FIGURES.map((c) => hazards.totals[c])],
    ];
    download(`hazards-${hazards.period}.csv`, toCsv(header, rows));
  };
  return (
    <div class="card">
      <h2>{t('reports.hazards')}</h2>
      {hazards.rows.length === 0 ? (
        <p>{t('reports.noHazards')}</p>
      ) : (
        <div class="scroll" tabIndex={0} role="region" aria-label={t('reports.hazards')}>
          <HazardsChart hazards={hazards} />
        </div>
      )}
      <button type="button" onClick={saveCsv}>
        {t('reports.hazardsCsv')}
      </button>
    </div>
  );
}

/**
 * 统计报表 (issue 17): points awarded, reversed and redeemed, and riders active, by community,
 * street, activity or source, for a year or a month, as a chart with its figures and the totals;
 * the 随手拍 of the period by category and outcome, as a stacked chart with its figures; each
 * downloaded as a CSV file for a spreadsheet.
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
        <div>
          <button type="submit">{t('reports.show')}</button>
        </div>
      </form>
      <ProblemNote error={error} />
      {report && <PointsCard report={report} label={label} />}
      {hazards && <HazardsCard hazards={hazards} />}
    </section>
  );
}
