import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ok, type Answer } from '../api';
import { fromInput, hoursLater, inputTime, offsetOf } from '../format';
import { FundSelect, useFunds } from '../fund-select';
import { t, words, type Said } from '../i18n';
import { useFields, useWrite } from '../once';
import { useCommunities } from '../places';
import { CommunitySelect, TaskFacts } from '../parts';
import { ProblemNote } from '../problem-note';

type Task = Answer<'/v1/tasks', 'get'>['items'][number];
type SignUp = Answer<'/v1/tasks/{id}/sign-ups', 'get'>['items'][number];

/** 微公益任务 for staff: publish a task, see who signed up, confirm completions (awards once). */
export function TasksPage({ now }: { now: string }) {
  const [error, setError] = useState<unknown>(null);
  const communities = useCommunities(setError);
  const [tasks, setTasks] = useState<Task[]>([]);
  const { funds, fundId, setFundId } = useFunds(setError);
  const [open, setOpen] = useState<string | null>(null);
  const [signUps, setSignUps] = useState<SignUp[]>([]);
  const [done, setDone] = useState<Said | null>(null);
  const key = useRef<string | null>(null);
  const confirmKey = useRef<string | null>(null);
  const { form, setForm, field } = useFields(
    'task',
    {
      communityId: '',
      title: '',
      points: '30',
      slots: '10',
      startsAt: inputTime(now),
      endsAt: inputTime(hoursLater(now, 24 * 7)),
    },
    key,
  );
  const { busy, write } = useWrite(setError);

  const load = () =>
    ok(api.GET('/v1/tasks', { params: { query: { limit: 200 } } }))
      .then((page) => setTasks(page.items))
      .catch(setError);
  /** The task whose sign-ups are shown: an answer for another (opened before) is dropped. */
  const showing = useRef<string | null>(null);
  const loadSignUps = (id: string) =>
    ok(api.GET('/v1/tasks/{id}/sign-ups', { params: { path: { id }, query: { limit: 200 } } }))
      .then((page) => {
        if (showing.current === id) setSignUps(page.items);
      })
      .catch(setError);
  useEffect(() => void load(), []);
  useEffect(
    () => setForm((f) => ({ ...f, communityId: f.communityId || (communities[0]?.id ?? '') })),
    [communities],
  );

  const offset = offsetOf(now);
  // Every task is public; the page shows those of the communities the principal works for.
  const ours = tasks.filter((task) => communities.some((c) => c.id === task.communityId));
  const publish = () =>
    write(async (k) => {
      setDone(null);
      const task = await ok(
        api.POST('/v1/tasks', {
          params: { header: { 'Idempotency-Key': k } },
          body: {
            communityId: form.communityId,
            title: form.title.trim(),
            points: Number(form.points),
            slots: Number(form.slots),
            startsAt: fromInput(form.startsAt, offset),
            endsAt: fromInput(form.endsAt, offset),
          },
        }),
      );
      setForm((f) => ({ ...f, title: '' }));
      await load();
      setDone(['tasks.published', { title: task.title }]);
    }, key);
  const confirm = (taskId: string, riderId: string) =>
    write(async (k) => {
      setDone(null);
      const award = await ok(
        api.POST('/v1/tasks/{id}/completions', {
          params: { path: { id: taskId }, header: { 'Idempotency-Key': k } },
          body: { riderId, fundId },
        }),
      );
      setDone(['tasks.confirmed', { rider: riderId, points: award.points }]);
      await loadSignUps(taskId);
    }, confirmKey);

  return (
    <section>
      <h1>{t('tasks.title')}</h1>
      <ProblemNote error={error} />
      {done && <p role="status">{words(done)}</p>}
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          void publish();
        }}
      >
        <h2>{t('tasks.publish')}</h2>
        <CommunitySelect {...field('communityId')} communities={communities} />
        <label for="task-title">{t('tasks.name')}</label>
        <input required placeholder={t('tasks.namePlaceholder')} {...field('title')} />
        <label for="task-points">{t('tasks.points')}</label>
        <input required inputMode="numeric" {...field('points')} />
        <label for="task-slots">{t('tasks.slots')}</label>
        <input required inputMode="numeric" {...field('slots')} />
        <label for="task-startsAt">{t('tasks.startsAt')}</label>
        <input required type="datetime-local" {...field('startsAt')} />
        <label for="task-endsAt">{t('tasks.endsAt')}</label>
        <input required type="datetime-local" {...field('endsAt')} />
        <button class="primary" type="submit" disabled={busy}>
          {t('tasks.publishButton')}
        </button>
      </form>
      {ours.length === 0 && !error && <p>{t('tasks.none')}</p>}
      <ul class="plain">
        {ours.map((task) => (
          <li key={task.id} class="card">
            <h2>{task.title}</h2>
            <TaskFacts task={task} />
            {open === task.id ? (
              <>
                <FundSelect
                  id={`fund-${task.id}`}
                  funds={funds}
                  value={fundId}
                  onChange={setFundId}
                />
                {signUps.length === 0 && <p>{t('tasks.noSignUps')}</p>}
                <ul>
                  {signUps.map((s) => (
                    <li key={s.riderId} class="row">
                      <span>
                        {s.name ?? t('boards.erased')} <small>{s.riderId}</small>
                      </span>
                      {s.entryId ? (
                        <span class="tag closed">{t('tasks.completed')}</span>
                      ) : (
                        <button
                          type="button"
                          disabled={busy}
                          onClick={() => {
                            confirmKey.current = null;
                            void confirm(task.id, s.riderId);
                          }}
                        >
                          {t('tasks.confirm')}
                          <span class="sr-only"> {s.riderId}</span>
                        </button>
                      )}
                    </li>
                  ))}
                </ul>
              </>
            ) : (
              <button
                type="button"
                onClick={() => {
                  setOpen(task.id);
                  showing.current = task.id;
                  setSignUps([]);
                  void loadSignUps(task.id);
                }}
              >
                {t('tasks.signUps')}
                <span class="sr-only"> {task.title}</span>
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
