import { useEffect, useState } from 'preact/hooks';
import { api, ok, Problem, type Answer } from '../api';
import { checkInOf, checkInText, spaced } from '../codes';
import { FundSelect, Picker, useFunds } from '../fund-select';
import { t } from '../i18n';
import { useCommunities } from '../places';
import { ProblemNote } from '../problem-note';
import { QrCode } from '../qr';
import { go } from '../router';
import { canScan, Scanner } from '../scanner';

type CheckIn = Answer<'/v1/check-ins/{id}', 'get'>;
type Code = Answer<'/v1/check-ins/{id}/code', 'get'>;
type CheckedIn = Answer<'/v1/check-ins/{id}/riders', 'post'>;
type Task = Answer<'/v1/tasks', 'get'>['items'][number];

/** A short id a rider can type from the screen: `ci-` and six letters or digits. */
function shortId(): string {
  const letters = 'abcdefghjkmnpqrstuvwxyz23456789';
  const random = crypto.getRandomValues(new Uint8Array(6));
  return `ci-${[...random].map((b) => letters[b % letters.length]).join('')}`;
}

/** 发起签到: staff open a check-in for a patrol shift or a task of theirs, then show its code. */
export function CheckInsPage() {
  const [error, setError] = useState<unknown>(null);
  const communities = useCommunities(setError);
  const { funds, fundId, setFundId } = useFunds(setError);
  const [kind, setKind] = useState<'patrol' | 'task'>('patrol');
  const [communityId, setCommunityId] = useState('');
  const [tasks, setTasks] = useState<Task[]>([]);
  const [taskId, setTaskId] = useState('');
  const [title, setTitle] = useState(t('checkIn.defaultTitle'));
  const [hours, setHours] = useState('4');
  const [minMinutes, setMinMinutes] = useState('');
  const [writing, setWriting] = useState(false);
  useEffect(() => setCommunityId((c) => c || (communities[0]?.id ?? '')), [communities]);
  useEffect(() => {
    ok(api.GET('/v1/tasks', { params: { query: { open: 'true', limit: 100 } } }))
      .then((page) => {
        setTasks(page.items);
        setTaskId((id) => id || (page.items[0]?.id ?? ''));
      })
      .catch(setError);
  }, []);

  const open = async (e: Event) => {
    e.preventDefault();
    setWriting(true);
    try {
      setError(null);
      let closing = Date.now() + Number(hours) * 3_600_000;
      // A task's check-in closes when the task ends at the latest (the API's rule).
      const task = kind === 'task' ? tasks.find((x) => x.id === taskId) : undefined;
      if (task) closing = Math.min(closing, Date.parse(task.endsAt));
      const closesAt = new Date(closing).toISOString();
      const place =
        kind === 'patrol' ? { communityId, title: title.trim() } : { taskId, title: undefined };
      const opened = await ok(
        api.POST('/v1/check-ins', {
          body: {
            ...{ id: shortId(), kind, fundId, closesAt, ...place },
            ...(minMinutes.trim() && { minMinutes: Number(minMinutes) }),
          },
        }),
      );
      go('check-in-code', opened.checkInId);
    } catch (err) {
      setError(err);
    } finally {
      setWriting(false);
    }
  };

  return (
    <section>
      <h1>{t('checkIn.title')}</h1>
      <form class="card" onSubmit={(e) => void open(e)}>
        <label for="check-in-kind">{t('checkIn.kind')}</label>
        <select
          id="check-in-kind"
          value={kind}
          onChange={(e) => setKind((e.target as HTMLSelectElement).value as 'patrol' | 'task')}
        >
          <option value="patrol">{t('checkIn.patrol')}</option>
          <option value="task">{t('checkIn.task')}</option>
        </select>
        {kind === 'patrol' ? (
          <>
            <Picker
              id="check-in-community"
              label={t('checkIn.community')}
              options={communities}
              value={communityId}
              onChange={setCommunityId}
            />
            <label for="check-in-title">{t('checkIn.what')}</label>
            <input
              id="check-in-title"
              value={title}
              maxLength={100}
              onInput={(e) => setTitle((e.target as HTMLInputElement).value)}
            />
          </>
        ) : (
          <>
            <Picker
              id="check-in-task"
              label={t('checkIn.task')}
              options={tasks.map((task) => ({ id: task.id, name: task.title }))}
              value={taskId}
              onChange={setTaskId}
            />
          </>
        )}
        <FundSelect id="check-in-fund" funds={funds} value={fundId} onChange={setFundId} />
        <label for="check-in-hours">{t('checkIn.hours')}</label>
        <select
          id="check-in-hours"
          value={hours}
          onChange={(e) => setHours((e.target as HTMLSelectElement).value)}
        >
          {['1', '2', '4', '8', '12'].map((h) => (
            <option key={h} value={h}>
              {t('checkIn.hoursOption', { hours: h })}
            </option>
          ))}
        </select>
        <label for="check-in-stay">{t('checkIn.stay')}</label>
        <input
          id="check-in-stay"
          inputMode="numeric"
          value={minMinutes}
          aria-describedby="check-in-stay-hint"
          onInput={(e) => setMinMinutes((e.target as HTMLInputElement).value)}
        />
        <small id="check-in-stay-hint" class="hint">
          {t('checkIn.stayHint')}
        </small>
        <button type="submit" disabled={writing || !fundId}>
          {t('checkIn.open')}
        </button>
      </form>
      <ProblemNote error={error} />
    </section>
  );
}

/** 签到码: the code of now, large and as a QR code, turning every 30 s; who has come; closing. */
export function CheckInShowPage({ id }: { id: string }) {
  const [error, setError] = useState<unknown>(null);
  const [checkIn, setCheckIn] = useState<CheckIn | null>(null);
  const [code, setCode] = useState<Code | null>(null);
  const [left, setLeft] = useState(0);

  const read = () =>
    ok(api.GET('/v1/check-ins/{id}', { params: { path: { id } } }))
      .then(setCheckIn)
      .catch(setError);
  useEffect(() => {
    void read();
    const every = setInterval(() => void read(), 5000);
    return () => clearInterval(every);
  }, [id]);
  useEffect(() => {
    if (!checkIn) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const next = () =>
      ok(api.GET('/v1/check-ins/{id}/code', { params: { path: { id } } }))
        .then((shown) => {
          setError(null);
          setCode(shown);
          // Asked again just after it turns (by the server's clock, whatever this screen's says).
          const wait = Date.parse(shown.validUntil) - Date.now() + 300;
          timer = setTimeout(() => void next(), Math.min(30_000, Math.max(1000, wait)));
        })
        .catch((err: unknown) => {
          // 422: closed, and no rider has a stay to end: no code any more.
          if (err instanceof Problem && err.status === 422) return setCode(null);
          setError(err);
          timer = setTimeout(() => void next(), 2000); // a network blip does not stop the code
        });
    void next();
    return () => clearTimeout(timer);
  }, [checkIn?.checkInId, checkIn?.closedAt]);
  useEffect(() => {
    const tick = setInterval(() => {
      setLeft(code ? Math.max(0, Math.ceil((Date.parse(code.validUntil) - Date.now()) / 1000)) : 0);
    }, 250);
    return () => clearInterval(tick);
  }, [code]);

  const close = async () => {
    try {
      setCheckIn(await ok(api.POST('/v1/check-ins/{id}/closing', { params: { path: { id } } })));
      setCode(null);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section>
      <h1>{checkIn?.title ?? t('checkIn.title')}</h1>
      <ProblemNote error={error} />
      {checkIn && (
        <div class="card check-in">
          <p>
            {t('checkIn.idIs')} <strong data-testid="check-in-id">{checkIn.checkInId}</strong>
          </p>
          {code ? (
            <>
              <p class="code" data-testid="check-in-code" aria-live="polite">
                {spaced(code.code)}
              </p>
              <QrCode
                text={checkInText(checkIn.checkInId, code.code)}
                label={t('checkIn.qr')}
                size={220}
              />
              <p class="hint">{t('checkIn.turnsIn', { seconds: left })}</p>
              {checkIn.closedAt === null ? (
                <button type="button" onClick={() => void close()}>
                  {t('checkIn.close')}
                </button>
              ) : (
                <p>{t('checkIn.outsOnly')}</p>
              )}
            </>
          ) : (
            checkIn.closedAt !== null && <p>{t('checkIn.closed')}</p>
          )}
          <h2>{t('checkIn.came', { count: checkIn.riders.length })}</h2>
          <ul data-testid="checked-in">
            {checkIn.riders.map((r) => (
              <li key={r.riderId}>
                {r.riderId} · {new Date(r.at).toLocaleTimeString()}
                {r.out && ` · ${t('checkIn.stayed', { minutes: r.out.minutes })}`}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

/** 签到: a rider scans the code on the staff's screen, or types the check-in's id and its code. */
export function RiderCheckInPage() {
  const [error, setError] = useState<unknown>(null);
  const [id, setId] = useState('');
  const [code, setCode] = useState('');
  const [scanning, setScanning] = useState(false);
  const [done, setDone] = useState<CheckedIn | null>(null);
  const [writing, setWriting] = useState(false);
  /** Checked in to this check-in, with a stay asked before the award: the next code checks out. */
  const staying = (checkInId: string) =>
    done !== null &&
    done.checkInId === checkInId.trim() &&
    done.out === null &&
    done.award === null &&
    done.awardRefused === null;

  const send = async (checkInId: string, typed: string, out: boolean) => {
    setWriting(true);
    try {
      setError(null);
      const path = out ? '/v1/check-ins/{id}/check-outs' : '/v1/check-ins/{id}/riders';
      const answer = await ok(
        api.POST(path, { params: { path: { id: checkInId.trim() } }, body: { code: typed } }),
      );
      setDone(answer);
      setCode('');
    } catch (err) {
      setError(err);
    } finally {
      setWriting(false);
    }
  };

  return (
    <section>
      <h1>{t('checkIn.riderTitle')}</h1>
      {scanning && (
        <Scanner
          onRead={(text) => {
            setScanning(false);
            const read = checkInOf(text);
            if (!read) return setError(new Error(t('checkIn.notACode')));
            setId(read.id);
            void send(read.id, read.code, staying(read.id));
          }}
          onClose={() => setScanning(false)}
        />
      )}
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          void send(id, code, staying(id));
        }}
      >
        {canScan() && (
          <button type="button" onClick={() => setScanning(true)}>
            {t('checkIn.scan')}
          </button>
        )}
        <label for="rider-check-in-id">{t('checkIn.idLabel')}</label>
        <input
          id="rider-check-in-id"
          value={id}
          autoCapitalize="off"
          onInput={(e) => setId((e.target as HTMLInputElement).value)}
        />
        <label for="rider-check-in-code">{t('checkIn.codeLabel')}</label>
        <input
          id="rider-check-in-code"
          inputMode="numeric"
          autoComplete="one-time-code"
          value={code}
          onInput={(e) => setCode((e.target as HTMLInputElement).value)}
        />
        <button type="submit" disabled={writing || !id.trim() || !code.trim()}>
          {staying(id) ? t('checkIn.checkOut') : t('checkIn.checkIn')}
        </button>
      </form>
      <ProblemNote error={error} />
      {done && (
        <p class="card" role="status" data-testid="check-in-done">
          {done.award
            ? t('checkIn.awarded', { points: done.award.points, balance: done.award.balanceAfter })
            : done.awardRefused
              ? t('checkIn.notAwarded', { why: done.awardRefused.detail })
              : done.out
                ? t('checkIn.out', { minutes: done.out.minutes })
                : t('checkIn.inStay')}
        </p>
      )}
    </section>
  );
}
