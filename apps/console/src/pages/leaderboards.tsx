import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Answer } from '../api';
import { t } from '../i18n';
import { districtsOf, streetsOf, useCommunities } from '../places';
import { Standings } from '../parts';
import { ProblemNote } from '../problem-note';

type Board = Answer<'/v1/leaderboards', 'get'>;
type Kind = 'district' | 'street' | 'community';

/** 排行榜: a community's, street's or district's board for a period, with the riders' names. */
export function LeaderboardsPage() {
  const [error, setError] = useState<unknown>(null);
  const communities = useCommunities(setError);
  const [kind, setKind] = useState<Kind>('district');
  const [place, setPlace] = useState('');
  const [period, setPeriod] = useState(String(new Date().getFullYear()));
  const [board, setBoard] = useState<Board | null>(null);

  const places: [string, string][] =
    kind === 'district'
      ? districtsOf(communities).map((d) => [d, d])
      : kind === 'street'
        ? streetsOf(communities).map((s) => [s, s])
        : communities.map((c) => [c.id, c.name]);
  useEffect(() => setPlace(places[0]?.[0] ?? ''), [kind, communities]);

  const show = async (e?: Event | null, cursor?: string) => {
    e?.preventDefault();
    if (!place) return;
    try {
      setError(null);
      const page = await ok(
        api.GET('/v1/leaderboards', {
          params: {
            query: {
              scope: `${kind}:${place}`,
              period: period.trim(),
              limit: 50,
              ...(cursor && { cursor }),
            },
          },
        }),
      );
      setBoard((before) =>
        cursor && before ? { ...page, items: [...before.items, ...page.items] } : page,
      );
    } catch (err) {
      setBoard(null);
      setError(err);
    }
  };
  useEffect(() => void show(), [place]);

  return (
    <section>
      <h1>{t('boards.title')}</h1>
      <form class="card" onSubmit={(e) => void show(e)}>
        <label for="kind">{t('boards.kind')}</label>
        <select
          id="kind"
          value={kind}
          onChange={(e) => setKind((e.target as HTMLSelectElement).value as Kind)}
        >
          {(['district', 'street', 'community'] as const).map((k) => (
            <option key={k} value={k}>
              {t(`boards.${k}`)}
            </option>
          ))}
        </select>
        <label for="place">{t('boards.place')}</label>
        <select
          id="place"
          value={place}
          onChange={(e) => setPlace((e.target as HTMLSelectElement).value)}
        >
          {places.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
        <label for="period">{t('boards.period')}</label>
        <input
          id="period"
          value={period}
          aria-describedby="period-hint"
          onInput={(e) => setPeriod((e.target as HTMLInputElement).value)}
        />
        <small id="period-hint" class="hint">
          {t('boards.periodHint')}
        </small>
        <button type="submit">{t('boards.show')}</button>
      </form>
      <ProblemNote error={error} />
      {board && board.items.length === 0 && <p>{t('boards.empty')}</p>}
      {board && board.items.length > 0 && <Standings rows={board.items} />}
      {board?.nextCursor && (
        <button type="button" onClick={() => void show(null, board.nextCursor ?? undefined)}>
          {t('staff.more')}
        </button>
      )}
    </section>
  );
}
