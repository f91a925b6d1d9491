import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ok, type Answer } from '../api';
import { wallTime } from '../format';
import { FundSelect, useFunds, type Fund } from '../fund-select';
import { t } from '../i18n';
import { useWrite } from '../once';
import { ProblemNote } from '../problem-note';

type Report = Answer<'/v1/hazards', 'get'>['items'][number];
type Severity = 'minor' | 'moderate' | 'major';

/** 随手拍核查: reports still open, each confirmed (with a severity and a fund) or rejected, once. */
export function HazardsPage() {
  const [reports, setReports] = useState<Report[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const { funds } = useFunds(setError);
  const [done, setDone] = useState<string | null>(null);

  const load = async () => {
    try {
      const page = await ok(
        api.GET('/v1/hazards', { params: { query: { status: 'submitted', limit: 50 } } }),
      );
      setReports(page.items);
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => void load(), []);

  return (
    <section>
      <h1>{t('hazards.title')}</h1>
      {done && <p role="status">{done}</p>}
      <ProblemNote error={error} />
      {reports?.length === 0 && <p>{t('hazards.none')}</p>}
      {reports?.map((report) => (
        <Verification
          key={report.id}
          report={report}
          funds={funds}
          onDone={(message) => {
            setDone(message);
            void load();
          }}
        />
      ))}
    </section>
  );
}

function Verification({
  report,
  funds,
  onDone,
}: {
  report: Report;
  funds: Fund[];
  onDone: (message: string) => void;
}) {
  const [severity, setSeverity] = useState<Severity>('moderate');
  const [fundId, setFundId] = useState(funds[0]?.id ?? '');
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>(null);
  // One attempt per outcome; what the verification would send changing starts new ones.
  const confirmKey = useRef<string | null>(null);
  const rejectKey = useRef<string | null>(null);
  const edited = () => {
    confirmKey.current = null;
    rejectKey.current = null;
  };
  const { busy, write } = useWrite(setError);
  useEffect(() => setFundId((f) => f || (funds[0]?.id ?? '')), [funds]);

  const verify = (outcome: 'confirmed' | 'rejected') =>
    write(
      async (attemptKey) => {
        const made = await ok(
          api.POST('/v1/hazards/{id}/verification', {
            params: { path: { id: report.id }, header: { 'Idempotency-Key': attemptKey } },
            body: outcome === 'confirmed' ? { outcome, severity, fundId, note } : { outcome, note },
          }),
        );
        onDone(
          outcome === 'confirmed'
            ? t('hazards.confirmed', { id: report.id, points: made.award?.points ?? 0 })
            : t('hazards.rejected', { id: report.id }),
        );
      },
      outcome === 'confirmed' ? confirmKey : rejectKey,
    );

  const id = (field: string) => `${field}-${report.id}`;
  return (
    <form class="card" onSubmit={(e) => e.preventDefault()} aria-labelledby={id('title')}>
      <h2 id={id('title')}>
        {t(`category.${report.category}`, { defaultValue: report.category })}{' '}
        <small>{report.id}</small>
      </h2>
      <dl class="facts">
        <dt>{t('hazards.reporter')}</dt>
        <dd>{report.riderId}</dd>
        <dt>{t('hazards.when')}</dt>
        <dd>{wallTime(report.occurredAt)}</dd>
        <dt>{t('hazards.where')}</dt>
        <dd>
          {report.location.lat.toFixed(5)}, {report.location.lng.toFixed(5)}
        </dd>
        <dt>{t('hazards.description')}</dt>
        <dd>{report.description ?? t('hazards.erased')}</dd>
      </dl>
      <label for={id('severity')}>{t('hazards.severity')}</label>
      <select
        id={id('severity')}
        value={severity}
        onChange={(e) => {
          edited();
          setSeverity((e.target as HTMLSelectElement).value as Severity);
        }}
      >
        {(['minor', 'moderate', 'major'] as const).map((s) => (
          <option key={s} value={s}>
            {t(`hazards.${s}`)}
          </option>
        ))}
      </select>
      <FundSelect
        id={id('fund')}
        funds={funds}
        value={fundId}
        onChange={(f) => {
          edited();
          setFundId(f);
        }}
      />
      <label for={id('note')}>{t('hazards.note')}</label>
      <input
        id={id('note')}
        value={note}
        onInput={(e) => {
          edited();
          setNote((e.target as HTMLInputElement).value);
        }}
      />
      <ProblemNote error={error} />
      <div class="row">
        <button
          type="button"
          class="primary"
          disabled={busy || !fundId || note.trim() === ''}
          onClick={() => void verify('confirmed')}
        >
          {busy ? t('hazards.working') : t('hazards.confirm')}
        </button>
        <button
          type="button"
          disabled={busy || note.trim() === ''}
          onClick={() => void verify('rejected')}
        >
          {t('hazards.reject')}
        </button>
      </div>
    </form>
  );
}
