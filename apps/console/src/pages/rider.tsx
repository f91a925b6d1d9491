import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ok, type Answer } from '../api';
import type { paths } from '../api-types';
import { dayAt, wallTime } from '../format';
import { FundSelect, useFunds } from '../fund-select';
import { t, words, type Said } from '../i18n';
import { useWrite } from '../once';
import { ProblemNote } from '../problem-note';

type Rider = Answer<'/v1/riders/{id}', 'get'>;
type Line = Answer<'/v1/riders/{id}/ledger', 'get'>['items'][number];
type Rule = Answer<'/v1/rules', 'get'>['rules'][number];
type Activity = NonNullable<
  paths['/v1/awards']['post']['requestBody']
>['content']['application/json']['activity'];

/** Points of the activity awarded on the deployment's today (for what is left of the daily cap). */
function awardedToday(lines: readonly Line[], activity: string, today: string): number {
  return lines
    .filter((l) => l.activity === activity && l.occurredAt.slice(0, 10) === today)
    .reduce((sum, l) => sum + l.points, 0);
}

/** A rider as staff see it: balance, award (rule's points, the daily cap), latest entries, reversal. */
export function RiderPage({ id }: { id: string }) {
  const [rider, setRider] = useState<Rider | null>(null);
  const [lines, setLines] = useState<Line[]>([]);
  const [rules, setRules] = useState<Rule[]>([]);
  const [activity, setActivity] = useState<Activity | ''>('');
  const [reason, setReason] = useState('');
  const [reversing, setReversing] = useState<string | null>(null);
  const [reverseReason, setReverseReason] = useState(t('staff.reverseDefault'));
  const [done, setDone] = useState<Said | null>(null);
  const [error, setError] = useState<unknown>(null);
  const { funds, fundId, setFundId } = useFunds(setError);
  const awardKey = useRef<string | null>(null);
  const reverseKey = useRef<string | null>(null);
  /** What an award would send changed: a new attempt. */
  const awardEdited = () => (awardKey.current = null);
  /** Another line to reverse, or another reason: a new attempt. */
  const reverseEdited = () => (reverseKey.current = null);
  const { busy: writing, write } = useWrite(setError);

  const load = async () => {
    try {
      const [r, page] = await Promise.all([
        ok(api.GET('/v1/riders/{id}', { params: { path: { id } } })),
        ok(
          api.GET('/v1/riders/{id}/ledger', {
            params: { path: { id }, query: { order: 'desc', limit: 20 } },
          }),
        ),
      ]);
      setRider(r);
      setLines(page.items);
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => {
    void load();
    ok(api.GET('/v1/rules'))
      .then((set) => {
        const awardable = set.rules.filter((r) => r.points !== undefined);
        setRules(awardable);
        setActivity((a) => a || ((awardable[0]?.activity ?? '') as Activity | ''));
      })
      .catch(setError);
  }, [id]);

  // A reversal names the award it undoes, and is newer: in the newest lines whenever its award is.
  const reversed = new Set(lines.flatMap((l) => (l.reversalOf ? [l.reversalOf] : [])));
  const rule = rules.find((r) => r.activity === activity);
  const today = rider ? dayAt(rider.registeredAt) : '';
  const cap = rule?.maxPointsPerRiderPerDay;
  const left =
    cap === undefined ? undefined : Math.max(0, cap - awardedToday(lines, activity, today));

  const award = () =>
    write(async (key, at) => {
      const made = await ok(
        api.POST('/v1/awards', {
          params: { header: { 'Idempotency-Key': key } },
          body: {
            riderId: id,
            activity: activity as Activity,
            fundId,
            reason,
            occurredAt: at,
          },
        }),
      );
      setReason('');
      // The status last: when it shows, the balance and lines on the page include the award.
      await load();
      setDone(['staff.awarded', { points: made.points, balance: made.balanceAfter }]);
    }, awardKey);

  const reverse = (entryId: string) =>
    write(async (key) => {
      const made = await ok(
        api.POST('/v1/awards/{entryId}/reversal', {
          params: { path: { entryId }, header: { 'Idempotency-Key': key } },
          body: { reason: reverseReason },
        }),
      );
      setReversing(null);
      await load();
      setDone(['staff.reversed', { points: Math.abs(made.points), balance: made.balanceAfter }]);
    }, reverseKey);

  if (!rider) return <ProblemNote error={error} />;
  return (
    <section>
      <h1>
        {rider.name ?? '—'} <small>{rider.id}</small>
      </h1>
      <p class="balance">
        {t('staff.balance')}: <strong data-testid="balance">{rider.balance}</strong>{' '}
        <a href={`#/statement/${encodeURIComponent(rider.id)}`}>{t('statement.open')}</a>
      </p>
      {done && <p role="status">{words(done)}</p>}
      <ProblemNote error={error} />
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          void award();
        }}
      >
        <h2>{t('staff.award')}</h2>
        <label for="activity">{t('staff.activity')}</label>
        <select
          id="activity"
          value={activity}
          onChange={(e) => {
            awardEdited();
            setActivity((e.target as HTMLSelectElement).value as Activity);
          }}
        >
          {rules.map((r) => (
            <option key={r.activity} value={r.activity}>
              {t(`activity.${r.activity}`, { defaultValue: r.activity })} ·{' '}
              {t('staff.pointsOf', { points: r.points })}
            </option>
          ))}
        </select>
        <p class="hint" data-testid="cap">
          {left === undefined ? t('staff.noCap') : t('staff.capLeft', { left, cap })}
        </p>
        <FundSelect
          id="fund"
          funds={funds}
          value={fundId}
          onChange={(f) => {
            awardEdited();
            setFundId(f);
          }}
        />
        <label for="reason">{t('staff.reason')}</label>
        <input
          id="reason"
          value={reason}
          placeholder={t('staff.reasonHint')}
          onInput={(e) => {
            awardEdited();
            setReason((e.target as HTMLInputElement).value);
          }}
        />
        <button
          type="submit"
          class="primary"
          disabled={writing || !activity || !fundId || reason.trim() === '' || left === 0}
        >
          {writing ? t('staff.awarding') : t('staff.submitAward')}
        </button>
      </form>
      <div class="card">
        <h2>{t('staff.history')}</h2>
        <ul class="lines">
          {lines.map((line) => (
            <li key={`${line.type}-${line.entryId}`}>
              <span>{wallTime(line.occurredAt)}</span>
              <span>{t(`staff.type.${line.type}`, { defaultValue: line.type })}</span>
              <span>
                {line.activity
                  ? t(`activity.${line.activity}`, { defaultValue: line.activity })
                  : ''}
              </span>
              <span class="source">
                {line.source ? t(`source.${line.source}`, { defaultValue: line.source }) : ''}
                {line.approvedBy && (
                  <small class="approver" title={line.approvedBy}>
                    {' '}
                    {t('staff.approvedBy', { who: line.approvedByName ?? line.approvedBy })}
                  </small>
                )}
              </span>
              <span>{line.points > 0 ? `+${line.points}` : line.points}</span>
              {line.type === 'award' && reversed.has(line.entryId) && (
                <span class="tag closed">{t('staff.wasReversed')}</span>
              )}
              {line.type === 'award' && !reversed.has(line.entryId) && (
                <button
                  type="button"
                  onClick={() => {
                    reverseEdited();
                    setReversing(line.entryId);
                  }}
                >
                  {t('staff.reverse')}
                </button>
              )}
              {reversing === line.entryId && (
                <span class="row">
                  <label for="reverse-reason" class="sr-only">
                    {t('staff.reverseReason')}
                  </label>
                  <input
                    id="reverse-reason"
                    value={reverseReason}
                    onInput={(e) => {
                      reverseEdited();
                      setReverseReason((e.target as HTMLInputElement).value);
                    }}
                  />
                  <button
                    type="button"
                    class="primary"
                    disabled={writing || reverseReason.trim() === ''}
                    onClick={() => void reverse(line.entryId)}
                  >
                    {t('staff.confirmReverse')}
                  </button>
                </span>
              )}
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}
