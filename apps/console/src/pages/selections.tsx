import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ok, type Answer } from '../api';
import { wallTime } from '../format';
import { t } from '../i18n';
import { useWrite } from '../once';
import { districtsOf, useCommunities } from '../places';
import { Standings } from '../parts';
import { ProblemNote } from '../problem-note';
import { go } from '../router';

type Summary = Answer<'/v1/selections', 'get'>['items'][number];
type Selection = Answer<'/v1/selections/{id}', 'get'>;

/** 十佳评选: the selections, opening one for a district's year, and closing it. */
export function SelectionsPage() {
  const [error, setError] = useState<unknown>(null);
  const communities = useCommunities(setError);
  const districts = districtsOf(communities);
  const [list, setList] = useState<Summary[]>([]);
  const [district, setDistrict] = useState('');
  const [year, setYear] = useState(String(new Date().getFullYear()));
  const [closing, setClosing] = useState<string | null>(null);
  const key = useRef<string | null>(null);
  const closeKey = useRef<string | null>(null);
  const { busy, write } = useWrite(setError);

  const load = () =>
    ok(api.GET('/v1/selections', { params: { query: { limit: 200 } } }))
      .then((page) => setList(page.items))
      .catch(setError);
  useEffect(() => void load(), []);
  useEffect(() => setDistrict((d) => d || (districts[0] ?? '')), [communities]);

  const open = () =>
    write(async (k) => {
      await ok(
        api.POST('/v1/selections', {
          params: { header: { 'Idempotency-Key': k } },
          body: { district, year: Number(year), size: 10 },
        }),
      );
      await load();
    }, key);
  const close = (id: string) =>
    write(async (k) => {
      await ok(
        api.POST('/v1/selections/{id}/close', {
          params: { path: { id }, header: { 'Idempotency-Key': k } },
        }),
      );
      go('selection', id);
    }, closeKey);

  return (
    <section>
      <h1>{t('selections.title')}</h1>
      <ProblemNote error={error} />
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          void open();
        }}
      >
        <h2>{t('selections.open')}</h2>
        <label for="sel-district">{t('selections.district')}</label>
        <select
          id="sel-district"
          value={district}
          onChange={(e) => {
            key.current = null;
            setDistrict((e.target as HTMLSelectElement).value);
          }}
        >
          {districts.map((d) => (
            <option key={d}>{d}</option>
          ))}
        </select>
        <label for="sel-year">{t('selections.year')}</label>
        <input
          id="sel-year"
          inputMode="numeric"
          value={year}
          onInput={(e) => {
            key.current = null;
            setYear((e.target as HTMLInputElement).value);
          }}
        />
        <button class="primary" type="submit" disabled={busy || !district}>
          {t('selections.openButton')}
        </button>
      </form>
      {list.length === 0 && !error && <p>{t('selections.none')}</p>}
      <ul class="plain">
        {list.map((s) => (
          <li key={s.id} class="card">
            <strong>{t('selections.name', { district: s.district, year: s.year })}</strong>{' '}
            <small>{s.id}</small>{' '}
            <span class={`tag ${s.status}`}>{t(`selections.status.${s.status}`)}</span>
            <div class="row">
              {s.status === 'closed' ? (
                <a href={`#/selection/${encodeURIComponent(s.id)}`}>{t('selections.winners')}</a>
              ) : closing === s.id ? (
                <>
                  <span>{t('selections.closeWarning')}</span>
                  <button
                    class="primary"
                    type="button"
                    disabled={busy}
                    onClick={() => void close(s.id)}
                  >
                    {busy ? t('selections.closing') : t('selections.confirmClose')}
                  </button>
                  <button type="button" onClick={() => setClosing(null)}>
                    {t('selections.keepOpen')}
                  </button>
                </>
              ) : (
                <button
                  type="button"
                  onClick={() => {
                    closeKey.current = null;
                    setClosing(s.id);
                  }}
                >
                  {t('selections.close')}
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The winners of a closed selection as a list that prints on one page. */
export function WinnersPage({ id }: { id: string }) {
  const [selection, setSelection] = useState<Selection | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    ok(api.GET('/v1/selections/{id}', { params: { path: { id } } }))
      .then(setSelection)
      .catch(setError);
  }, [id]);
  if (error) return <ProblemNote error={error} />;
  if (!selection) return <p>{t('app.loading')}</p>;
  const winners = selection.status === 'closed' ? (selection.winners ?? []) : [];
  return (
    <section class="printable">
      <h1>{t('selections.listTitle', { district: selection.district, year: selection.year })}</h1>
      {selection.status !== 'closed' ? (
        <p>{t('selections.stillOpen')}</p>
      ) : (
        <>
          <p>
            {t('selections.cutoff', {
              at: selection.closedAt ? wallTime(selection.closedAt) : '',
              position: selection.cutoffPosition,
              by: selection.closedBy,
            })}
          </p>
          <Standings rows={winners} />
        </>
      )}
      <div class="row no-print">
        <button class="primary" type="button" onClick={() => print()}>
          {t('selections.print')}
        </button>
        <a href="#/selections">{t('selections.back')}</a>
      </div>
    </section>
  );
}
