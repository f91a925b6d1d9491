import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Answer } from '../api';
import { wallTime } from '../format';
import { t } from '../i18n';
import { ProblemNote } from '../problem-note';

type Line = Answer<'/v1/redemptions', 'get'>['items'][number];

/** 今日兑换: the station's redemptions of today (the deployment's day). */
export function TodayPage({ stationId }: { stationId: string }) {
  const [lines, setLines] = useState<Line[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    ok(api.GET('/v1/redemptions', { params: { query: { stationId, limit: 200 } } }))
      .then((page) => setLines(page.items))
      .catch(setError);
  }, [stationId]);
  return (
    <section>
      <h1>{t('today.title')}</h1>
      <ProblemNote error={error} />
      {lines?.length === 0 && <p>{t('today.none')}</p>}
      <ul class="lines">
        {lines?.map((line) => (
          <li key={line.redemptionId} class={line.cancelled ? 'cancelled' : ''}>
            <span>{wallTime(line.at)}</span>
            <span>{line.riderId}</span>
            <span>{line.points}</span>
            <a href={`#/receipt/${encodeURIComponent(line.redemptionId)}`}>{t('today.open')}</a>
          </li>
        ))}
      </ul>
    </section>
  );
}
