import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Answer } from '../api';
import { t } from '../i18n';
import { ProblemNote } from '../problem-note';

type RiderItem = Answer<'/v1/riders', 'get'>['items'][number];

/** 社区小哥: the riders of the staff member's communities, by id, searchable by name or phone. */
export function RidersPage() {
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const [pages, setPages] = useState<RiderItem[][]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const load = async (cursor: string | null) => {
    try {
      const page = await ok(
        api.GET('/v1/riders', {
          params: { query: { limit: 50, ...(search && { q: search }), ...(cursor && { cursor }) } },
        }),
      );
      setPages((p) => (cursor ? [...p, page.items] : [page.items]));
      setNext(page.nextCursor ?? null);
      setError(null);
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => void load(null), [search]);
  const riders = pages.flat();

  return (
    <section>
      <h1>{t('staff.riders')}</h1>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          setSearch(q.trim());
        }}
      >
        <label for="q">{t('staff.search')}</label>
        <input id="q" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        <button type="submit">{t('staff.searchButton')}</button>
      </form>
      <ProblemNote error={error} />
      {riders.length === 0 && !error && <p>{t('staff.none')}</p>}
      <table>
        <thead>
          <tr>
            <th scope="col">{t('staff.rider')}</th>
            <th scope="col">{t('staff.community')}</th>
            <th scope="col">
              <span class="sr-only">{t('staff.open')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {riders.map((r) => (
            <tr key={r.id}>
              <td>
                {r.name ?? '—'} <small>{r.id}</small>
              </td>
              <td>{r.communityId}</td>
              <td>
                <a href={`#/rider/${encodeURIComponent(r.id)}`}>
                  {t('staff.open')}
                  <span class="sr-only"> {r.id}</span>
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {next && (
        <button type="button" onClick={() => void load(next)}>
          {t('staff.more')}
        </button>
      )}
    </section>
  );
}
