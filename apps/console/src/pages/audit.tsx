import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ok, type Answer } from '../api';
import { toCsv } from '../csv';
import { download } from '../download';
import { wallTime } from '../format';
import { t } from '../i18n';
import { ProblemNote } from '../problem-note';

type Verification = Answer<'/v1/audit/verification', 'get'>;
type Replay = Answer<'/v1/audit/replays/{id}', 'get'>;
type AuditEvent = Answer<'/v1/audit/events', 'get'>['items'][number];

/** 审计: verify the chain now, replay and compare with live progress, a balance as of a moment, the log. */
export function AuditPage() {
  return (
    <section>
      <h1>{t('audit.title')}</h1>
      <LastSealCard />
      <VerifyCard />
      <ReplayCard />
      <AsOfCard />
      <EventsCard />
    </section>
  );
}

function VerifyCard() {
  const [incremental, setIncremental] = useState(false);
  const [result, setResult] = useState<Verification | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const verify = async () => {
    setBusy(true);
    setError(null);
    try {
      const query = incremental ? { incremental: 'true' as const } : {};
      setResult(await ok(api.GET('/v1/audit/verification', { params: { query } })));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="card">
      <h2>{t('audit.verification')}</h2>
      <label class="check">
        <input
          type="checkbox"
          checked={incremental}
          onChange={(e) => setIncremental((e.target as HTMLInputElement).checked)}
        />{' '}
        {t('audit.incremental')}
      </label>
      <button type="button" class="primary" disabled={busy} onClick={() => void verify()}>
        {busy ? t('audit.verifying') : t('audit.verify')}
      </button>
      <ProblemNote error={error} />
      {result && (
        <p role="status" class={result.ok ? '' : 'problem'} data-testid="verification">
          {result.ok
            ? t('audit.verified', {
                events: result.eventsChecked,
                seals: result.sealsChecked,
                head: result.head ?? 0,
              })
            : t('audit.broken', {
                position: result.firstBadPosition ?? '?',
                problem: result.problem ?? '',
              })}{' '}
          {result.from ? t('audit.fromSeal', { head: result.from.headPosition }) : ''}
        </p>
      )}
    </div>
  );
}

/** Starts a replay and follows it: the progress bar moves until it is done, then its findings. */
function ReplayCard() {
  const [replay, setReplay] = useState<Replay | null>(null);
  const [error, setError] = useState<unknown>(null);
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const follow = async (id: string) => {
    try {
      const status = await ok(api.GET('/v1/audit/replays/{id}', { params: { path: { id } } }));
      setReplay(status);
      if (status.status === 'queued' || status.status === 'running')
        timer.current = window.setTimeout(() => void follow(id), 300);
    } catch (e) {
      setError(e);
    }
  };
  const start = async () => {
    setError(null);
    try {
      const started = await ok(api.POST('/v1/audit/replays'));
      setReplay({
        id: started.id,
        status: 'queued',
        progress: 0,
        eventsReplayed: 0,
        rowsCompared: 0,
        differences: [],
      });
      await follow(started.id);
    } catch (e) {
      setError(e);
    }
  };
  const running = replay?.status === 'queued' || replay?.status === 'running';
  return (
    <div class="card">
      <h2>{t('audit.replay')}</h2>
      <p class="hint">{t('audit.replayIntro')}</p>
      <button type="button" class="primary" disabled={running} onClick={() => void start()}>
        {t('audit.startReplay')}
      </button>
      <ProblemNote error={error} />
      {replay && (
        <div aria-live="polite">
          <progress max={100} value={replay.progress} aria-label={t('audit.replay')} />
          <p role="status" data-testid="replay">
            {replay.status === 'done'
              ? t('audit.replayDone', {
                  events: replay.eventsReplayed,
                  rows: replay.rowsCompared,
                  differences: replay.differences.length,
                })
              : replay.status === 'failed'
                ? t('audit.replayFailed', { error: replay.error ?? '' })
                : t('audit.replaying', { progress: replay.progress })}
          </p>
        </div>
      )}
    </div>
  );
}

function AsOfCard() {
  const [riderId, setRiderId] = useState('');
  const [at, setAt] = useState('');
  // By when the acts happened (imported history counts in its year), or when they were recorded.
  const [by, setBy] = useState<'occurred' | 'recorded'>('occurred');
  const [answer, setAnswer] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const lookUp = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      // A local date and time as typed, read in the deployment's zone by the API: send its offset.
      const asOf = at ? new Date(at).toISOString() : undefined;
      const figures = await ok(
        api.GET('/v1/audit/riders/{id}/balance', {
          params: { path: { id: riderId.trim() }, query: { ...(asOf && { asOf }), by } },
        }),
      );
      setAnswer(
        t(figures.by === 'occurred' ? 'audit.balanceAsOfOccurred' : 'audit.balanceAsOf', {
          rider: figures.riderId,
          at: wallTime(figures.asOf),
          balance: figures.balance,
          events: figures.eventsApplied,
        }),
      );
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="card" onSubmit={(e) => void lookUp(e)}>
      <h2>{t('audit.asOf')}</h2>
      <label for="asof-rider">{t('audit.rider')}</label>
      <input
        id="asof-rider"
        value={riderId}
        onInput={(e) => setRiderId((e.target as HTMLInputElement).value)}
      />
      <label for="asof-at">{t('audit.date')}</label>
      <input
        id="asof-at"
        type="datetime-local"
        value={at}
        onInput={(e) => setAt((e.target as HTMLInputElement).value)}
      />
      <label for="asof-by">{t('audit.by')}</label>
      <select
        id="asof-by"
        value={by}
        onChange={(e) => setBy((e.target as HTMLSelectElement).value as typeof by)}
      >
        <option value="occurred">{t('audit.byOccurred')}</option>
        <option value="recorded">{t('audit.byRecorded')}</option>
      </select>
      <button type="submit" disabled={riderId.trim() === ''}>
        {t('audit.lookUp')}
      </button>
      <ProblemNote error={error} />
      {answer && (
        <p role="status" data-testid="as-of">
          {answer}
        </p>
      )}
    </form>
  );
}

/** The newest seal in the log (the `seals` stream read to its end), or `null` before the first. */
function LastSealCard() {
  const [seal, setSeal] = useState<AuditEvent | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const read = async (after?: string): Promise<AuditEvent | null> => {
      const page = await ok(
        api.GET('/v1/audit/events', {
          params: { query: { stream: 'seals', limit: 1000, ...(after && { after }) } },
        }),
      );
      if (page.nextCursor) return read(page.nextCursor);
      return page.items.at(-1) ?? null;
    };
    read().then(setSeal).catch(setError);
  }, []);
  const head = (seal?.data as { headPosition?: number } | undefined)?.headPosition;
  return (
    <div class="card">
      <h2>{t('audit.lastSeal')}</h2>
      <ProblemNote error={error} />
      <p data-testid="last-seal">
        {seal === undefined
          ? t('app.loading')
          : seal === null
            ? t('audit.noSeal')
            : t('audit.seal', { position: seal.position, head, at: wallTime(seal.recordedAt) })}
      </p>
    </div>
  );
}

const EVENTS_PAGE = 50;

/** The log, or one stream of it, page by page; what is shown downloads as CSV. */
function EventsCard() {
  const [stream, setStream] = useState('');
  const [shown, setShown] = useState('');
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  /** A first page of what is typed; a next page of what is shown (its cursor belongs to it). */
  const load = async (after: string | null) => {
    setError(null);
    const named = after ? shown : stream.trim();
    try {
      const page = await ok(
        api.GET('/v1/audit/events', {
          params: {
            query: {
              limit: EVENTS_PAGE,
              ...(named && { stream: named }),
              ...(after && { after }),
            },
          },
        }),
      );
      setEvents((e) => (after ? [...e, ...page.items] : page.items));
      setNext(page.nextCursor ?? null);
      setShown(named);
    } catch (e) {
      setError(e);
    }
  };
  const csv = () =>
    download(
      `events-${shown || 'log'}-${events[0]?.position ?? 0}-${events.at(-1)?.position ?? 0}.csv`,
      toCsv(
        ['position', 'stream', 'revision', 'type', 'recordedAt', 'hash', 'data', 'metadata'],
        events.map((e) => [
          e.position,
          e.stream,
          e.revision,
          e.type,
          e.recordedAt,
          e.hash,
          e.data,
          e.metadata,
        ]),
      ),
    );
  return (
    <form
      class="card"
      onSubmit={(e) => {
        e.preventDefault();
        void load(null);
      }}
    >
      <h2>{t('audit.events')}</h2>
      <label for="stream">{t('audit.stream')}</label>
      <input
        id="stream"
        value={stream}
        onInput={(e) => setStream((e.target as HTMLInputElement).value)}
      />
      <button type="submit">{t('audit.show')}</button>
      <ProblemNote error={error} />
      <ul class="lines">
        {events.map((e) => (
          <li key={e.position}>
            <span>{e.position}</span>
            <span>{e.stream}</span>
            <span>{e.type}</span>
            <span>{wallTime(e.recordedAt)}</span>
          </li>
        ))}
      </ul>
      <div class="row">
        {next && (
          <button type="button" onClick={() => void load(next)}>
            {t('audit.more')}
          </button>
        )}
        {events.length > 0 && (
          <button type="button" onClick={csv}>
            {t('audit.csv', { count: events.length })}
          </button>
        )}
      </div>
    </form>
  );
}
