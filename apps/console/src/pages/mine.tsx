import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ok, Problem, type Answer } from '../api';
import { wallTime } from '../format';
import { t, words, type Said } from '../i18n';
import { useWrite } from '../once';
import { BalanceAndBadges, TaskFacts } from '../parts';
import { ProblemNote } from '../problem-note';

type Rider = Answer<'/v1/riders/{id}', 'get'>;
type Line = Answer<'/v1/riders/{id}/ledger', 'get'>['items'][number];
type Task = Answer<'/v1/tasks', 'get'>['items'][number];

/** The rider's place on its community's board for the year, among the first 200 (or none). */
async function rankOf(rider: Rider, year: string): Promise<number | null> {
  const board = await ok(
    api.GET('/v1/leaderboards', {
      params: { query: { scope: `community:${rider.communityId}`, period: year, limit: 200 } },
    }),
  );
  return board.items.find((row) => row.riderId === rider.id)?.rank ?? null;
}

/** 我的积分: the rider's balance, badges, place in the community this year, and history. */
export function MinePage({ riderId, now }: { riderId: string; now: string }) {
  const [rider, setRider] = useState<Rider | null>(null);
  const [rank, setRank] = useState<number | null | undefined>(undefined);
  const [lines, setLines] = useState<Line[]>([]);
  const [error, setError] = useState<unknown>(null);
  const year = now.slice(0, 4);
  useEffect(() => {
    ok(api.GET('/v1/riders/{id}', { params: { path: { id: riderId } } }))
      .then(async (r) => {
        setRider(r);
        setRank(await rankOf(r, year));
      })
      .catch(setError);
    ok(
      api.GET('/v1/riders/{id}/ledger', {
        params: { path: { id: riderId }, query: { order: 'desc', limit: 30 } },
      }),
    )
      .then((page) => setLines(page.items))
      .catch(setError);
  }, [riderId]);

  return (
    <section>
      <h1>{t('mine.title')}</h1>
      <ProblemNote error={error} />
      {rider && (
        <div class="card">
          <h2>
            {rider.name ?? ''} <small>{rider.id}</small>
          </h2>
          <BalanceAndBadges rider={rider} testId="my-balance" />
          <p>
            <a href="#/statement">{t('statement.open')}</a>
          </p>
          <p>
            {rank === undefined
              ? t('app.loading')
              : rank === null
                ? t('mine.noRank', { year })
                : t('mine.rank', { year, rank })}
          </p>
        </div>
      )}
      <div class="card">
        <h2>{t('staff.history')}</h2>
        {lines.length === 0 && <p>{t('mine.noHistory')}</p>}
        <ul class="history">
          {lines.map((l) => (
            <li key={l.entryId}>
              <span class="what">
                {t(`staff.type.${l.type}`, { defaultValue: l.type })}
                {l.activity
                  ? ` · ${t(`activity.${l.activity}`, { defaultValue: l.activity })}`
                  : ''}
                {l.source ? ` · ${t(`source.${l.source}`, { defaultValue: l.source })}` : ''}
              </span>
              <strong class={l.points < 0 ? 'minus' : 'plus'}>
                {l.points > 0 ? `+${l.points}` : l.points}
              </strong>
              <small>{wallTime(l.occurredAt)}</small>
              <small>{t('mine.after', { balance: l.balanceAfter })}</small>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}

/** 微公益任务 for a rider: the community's open tasks, each signed up for with one tap. */
export function RiderTasksPage({ riderId }: { riderId: string }) {
  const [tasks, setTasks] = useState<Task[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<Said | null>(null);
  const key = useRef<string | null>(null);
  const { busy, write } = useWrite(setError);
  const load = async () => {
    const rider = await ok(api.GET('/v1/riders/{id}', { params: { path: { id: riderId } } }));
    const page = await ok(
      api.GET('/v1/tasks', {
        params: { query: { communityId: rider.communityId, open: 'true', limit: 200 } },
      }),
    );
    setTasks(page.items);
  };
  useEffect(() => void load().catch(setError), [riderId]);

  const signUp = (task: Task) =>
    write(async (k) => {
      setDone(null);
      try {
        await ok(
          api.POST('/v1/tasks/{id}/sign-ups', {
            params: { path: { id: task.id }, header: { 'Idempotency-Key': k } },
          }),
        );
        await load();
        setDone(['mine.signedUp', { title: task.title }]);
      } catch (e) {
        // Signed up before (on another device, or an answer that never arrived): say so.
        if (!(e instanceof Problem && e.code === 'ALREADY_EXISTS')) throw e;
        setDone(['mine.already', { title: task.title }]);
      }
    }, key);

  return (
    <section>
      <h1>{t('mine.tasks')}</h1>
      <ProblemNote error={error} />
      {done && <p role="status">{words(done)}</p>}
      {tasks.length === 0 && !error && <p>{t('mine.noTasks')}</p>}
      <ul class="plain">
        {tasks.map((task) => (
          <li key={task.id} class="card">
            <h2>{task.title}</h2>
            <TaskFacts task={task} />
            <button
              class="primary"
              type="button"
              disabled={busy}
              onClick={() => {
                key.current = null;
                void signUp(task);
              }}
            >
              {t('mine.signUp')}
              <span class="sr-only"> {task.title}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

const CATEGORIES = [
  'road_damage',
  'manhole_cover',
  'traffic_light',
  'fallen_tree',
  'flooding',
  'street_light',
] as const;

/** 随手拍: a hazard report with where the phone is (asked of the browser) and what was seen. */
export function ReportPage({ riderId }: { riderId: string }) {
  const [category, setCategory] = useState<string>(CATEGORIES[0]);
  const [description, setDescription] = useState('');
  const [where, setWhere] = useState<{ lat: number; lng: number } | null>(null);
  const [locating, setLocating] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<Said | null>(null);
  const [locationProblem, setLocationProblem] = useState(false);
  const key = useRef<string | null>(null);
  const { busy, write } = useWrite(setError);

  const locate = () => {
    if (!navigator.geolocation) return setLocationProblem(true);
    setLocating(true);
    setLocationProblem(false);
    navigator.geolocation.getCurrentPosition(
      (p) => {
        key.current = null;
        setWhere({ lat: p.coords.latitude, lng: p.coords.longitude });
        setLocating(false);
      },
      () => {
        setLocationProblem(true);
        setLocating(false);
      },
      { enableHighAccuracy: true, timeout: 15_000 },
    );
  };
  useEffect(locate, []);

  const report = () =>
    write(async (k, at) => {
      if (!where) return;
      setDone(null);
      const filed = await ok(
        api.POST('/v1/hazards', {
          params: { header: { 'Idempotency-Key': k } },
          body: {
            riderId,
            category,
            description: description.trim(),
            location: where,
            occurredAt: at,
          },
        }),
      );
      setDone([filed.status === 'duplicate' ? 'report.duplicate' : 'report.filed']);
      setDescription('');
    }, key);

  return (
    <section>
      <h1>{t('report.title')}</h1>
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          void report();
        }}
      >
        <label for="hz-category">{t('hazards.category')}</label>
        <select
          id="hz-category"
          value={category}
          onChange={(e) => {
            key.current = null;
            setCategory((e.target as HTMLSelectElement).value);
          }}
        >
          {CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {t(`category.${c}`)}
            </option>
          ))}
        </select>
        <label for="hz-description">{t('hazards.description')}</label>
        <input
          id="hz-description"
          required
          placeholder={t('report.placeholder')}
          value={description}
          onInput={(e) => {
            key.current = null;
            setDescription((e.target as HTMLInputElement).value);
          }}
        />
        <p role="status">
          {where
            ? t('report.at', { lat: where.lat.toFixed(5), lng: where.lng.toFixed(5) })
            : locating
              ? t('report.locating')
              : locationProblem
                ? t('report.noLocation')
                : ''}
        </p>
        <div class="row">
          <button type="button" onClick={locate} disabled={locating}>
            {t('report.locate')}
          </button>
          <button class="primary" type="submit" disabled={busy || !where}>
            {t('report.submit')}
          </button>
        </div>
      </form>
      <ProblemNote error={error} />
      {done && <p role="status">{words(done)}</p>}
    </section>
  );
}
