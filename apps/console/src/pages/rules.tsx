import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ok } from '../api';
import type { components } from '../api-types';
import { t, words, type Said } from '../i18n';
import { useWrite } from '../once';
import { ProblemNote } from '../problem-note';

type Rule = components['schemas']['RuleDto'];
type Badge = components['schemas']['BadgeDto'];

/** A whole number typed into a cell, or `undefined` for an empty one. */
const whole = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text));

/** 规则与勋章: the points of each activity, the daily caps, and the badge thresholds. */
export function RulesPage({ canEdit }: { canEdit: boolean }) {
  const [rules, setRules] = useState<Rule[]>([]);
  const [version, setVersion] = useState<number | null>(null);
  const [badges, setBadges] = useState<Badge[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<Said | null>(null);
  const rulesKey = useRef<string | null>(null);
  const badgesKey = useRef<string | null>(null);
  const { busy, write } = useWrite(setError);

  useEffect(() => {
    ok(api.GET('/v1/rules'))
      .then((set) => {
        setRules(set.rules as Rule[]);
        setVersion(set.version);
      })
      .catch(setError);
    ok(api.GET('/v1/badges'))
      .then((set) => setBadges(set.badges))
      .catch(setError);
  }, []);

  const change = (i: number, patch: Partial<Rule>) => {
    rulesKey.current = null;
    setRules((all) => all.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  };
  const changeBadge = (i: number, patch: Partial<Badge>) => {
    badgesKey.current = null;
    setBadges((all) => all.map((b, j) => (j === i ? { ...b, ...patch } : b)));
  };

  const saveRules = () =>
    write(async (k) => {
      setDone(null);
      const set = await ok(
        api.PUT('/v1/rules', { params: { header: { 'Idempotency-Key': k } }, body: { rules } }),
      );
      setVersion(set.version);
      setDone(['rules.saved', { version: set.version }]);
    }, rulesKey);
  const saveBadges = () =>
    write(async (k) => {
      setDone(null);
      await ok(
        api.PUT('/v1/badges', { params: { header: { 'Idempotency-Key': k } }, body: { badges } }),
      );
      setDone(['rules.badgesSaved']);
    }, badgesKey);

  const cell = (
    id: string,
    label: string,
    value: number | undefined,
    set: (n: number | undefined) => void,
  ) =>
    canEdit ? (
      <input
        id={id}
        aria-label={label}
        inputMode="numeric"
        size={6}
        value={value ?? ''}
        onInput={(e) => set(whole((e.target as HTMLInputElement).value))}
      />
    ) : (
      <span>{value ?? '—'}</span>
    );

  return (
    <section>
      <h1>{t('rules.title')}</h1>
      <ProblemNote error={error} />
      {done && <p role="status">{words(done)}</p>}
      <div class="card">
        <h2>{t('rules.rules', { version: version ?? '—' })}</h2>
        <p>{t('rules.intro')}</p>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('staff.activity')}</th>
              <th scope="col">{t('rules.points')}</th>
              <th scope="col">{t('rules.cap')}</th>
            </tr>
          </thead>
          <tbody>
            {rules.map((r, i) => {
              const name = t(`activity.${r.activity}`);
              return (
                <tr key={r.activity}>
                  <td>{name}</td>
                  <td>
                    {r.pointsBySeverity
                      ? (['minor', 'moderate', 'major'] as const).map((s) => (
                          <span key={s} class="severity">
                            {t(`hazards.${s}`)}{' '}
                            {cell(
                              `${r.activity}-${s}`,
                              `${name} ${t(`hazards.${s}`)}`,
                              r.pointsBySeverity?.[s],
                              (n) =>
                                change(i, {
                                  pointsBySeverity: { ...r.pointsBySeverity!, [s]: n ?? 0 },
                                }),
                            )}
                          </span>
                        ))
                      : cell(
                          `${r.activity}-points`,
                          `${name} ${t('rules.points')}`,
                          r.points,
                          (n) => change(i, { points: n }),
                        )}
                  </td>
                  <td>
                    {cell(
                      `${r.activity}-cap`,
                      `${name} ${t('rules.cap')}`,
                      r.maxPointsPerRiderPerDay,
                      (n) => change(i, { maxPointsPerRiderPerDay: n }),
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {canEdit && (
          <button class="primary" type="button" disabled={busy} onClick={() => void saveRules()}>
            {t('rules.save')}
          </button>
        )}
      </div>
      <div class="card">
        <h2>{t('rules.badges')}</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('rules.badge')}</th>
              <th scope="col">{t('rules.threshold')}</th>
            </tr>
          </thead>
          <tbody>
            {badges.map((b, i) => (
              <tr key={b.id}>
                <td>{b.name}</td>
                <td>
                  {cell(
                    `badge-${b.id}`,
                    `${b.name} ${t('rules.threshold')}`,
                    b.thresholdPoints,
                    (n) => changeBadge(i, { thresholdPoints: n ?? 0 }),
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {canEdit && (
          <button class="primary" type="button" disabled={busy} onClick={() => void saveBadges()}>
            {t('rules.saveBadges')}
          </button>
        )}
      </div>
    </section>
  );
}
