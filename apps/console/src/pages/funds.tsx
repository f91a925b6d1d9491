import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ok } from '../api';
import type { Fund } from '../fund-select';
import { grouped } from '../format';
import { language, t } from '../i18n';
import { useWrite } from '../once';
import { ProblemNote } from '../problem-note';

/** One fund as a bar: awarded (net of reversals) against the budget, the rest remaining. */
function FundBar({ fund }: { fund: Fund }) {
  const spent = fund.awardedPoints - fund.reversedPoints;
  const share = fund.budgetPoints > 0 ? Math.min(1, spent / fund.budgetPoints) : 0;
  const n = (points: number) => grouped(points, language());
  const words = t('funds.bar', {
    spent: n(spent),
    remaining: n(fund.remainingPoints),
    budget: n(fund.budgetPoints),
    percent: Math.round(share * 100),
  });
  return (
    <div class="bar" role="img" aria-label={words}>
      <div class="spent" style={{ width: `${share * 100}%` }} />
    </div>
  );
}

/** 积分资金: each fund's budget, what was awarded and what remains, as a chart; top-ups. */
export function FundsPage({ canTopUp }: { canTopUp: boolean }) {
  const [funds, setFunds] = useState<Fund[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [topping, setTopping] = useState<string | null>(null);
  const [points, setPoints] = useState('');
  const [reason, setReason] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const key = useRef<string | null>(null);
  const { busy, write } = useWrite(setError);

  const load = () =>
    ok(api.GET('/v1/funds', { params: { query: { limit: 200 } } }))
      .then((page) => setFunds(page.items))
      .catch(setError);
  useEffect(() => void load(), []);

  const topUp = (id: string) =>
    write(async (k) => {
      const fund = await ok(
        api.POST('/v1/funds/{id}/top-ups', {
          params: { path: { id }, header: { 'Idempotency-Key': k } },
          body: { points: Number(points), reason },
        }),
      );
      setTopping(null);
      setPoints('');
      setReason('');
      await load();
      setDone(
        t('funds.toppedUp', {
          name: funds.find((f) => f.id === id)?.name ?? id,
          budget: fund.budgetPoints,
        }),
      );
    }, key);

  return (
    <section>
      <h1>{t('funds.title')}</h1>
      <ProblemNote error={error} />
      {done && <p role="status">{done}</p>}
      {funds.length === 0 && !error && <p>{t('funds.none')}</p>}
      {funds.map((f) => (
        <div class="card" key={f.id}>
          <h2>
            {f.name} <small>{f.district}</small>
          </h2>
          <FundBar fund={f} />
          <dl class="figures">
            <div>
              <dt>{t('funds.budget')}</dt>
              <dd>{grouped(f.budgetPoints, language())}</dd>
            </div>
            <div>
              <dt>{t('funds.spent')}</dt>
              <dd>{grouped(f.awardedPoints - f.reversedPoints, language())}</dd>
            </div>
            <div>
              <dt>{t('funds.remaining')}</dt>
              <dd>{grouped(f.remainingPoints, language())}</dd>
            </div>
          </dl>
          {canTopUp && topping !== f.id && (
            <button
              type="button"
              onClick={() => {
                key.current = null;
                setTopping(f.id);
              }}
            >
              {t('funds.topUp')}
            </button>
          )}
          {topping === f.id && (
            <form
              class="row"
              onSubmit={(e) => {
                e.preventDefault();
                void topUp(f.id);
              }}
            >
              <label for={`points-${f.id}`}>{t('funds.points')}</label>
              <input
                id={`points-${f.id}`}
                inputMode="numeric"
                required
                value={points}
                onInput={(e) => {
                  key.current = null;
                  setPoints((e.target as HTMLInputElement).value);
                }}
              />
              <label for={`reason-${f.id}`}>{t('funds.reason')}</label>
              <input
                id={`reason-${f.id}`}
                required
                value={reason}
                onInput={(e) => {
                  key.current = null;
                  setReason((e.target as HTMLInputElement).value);
                }}
              />
              <button class="primary" type="submit" disabled={busy}>
                {t('funds.confirmTopUp')}
              </button>
            </form>
          )}
        </div>
      ))}
    </section>
  );
}
