import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ok, type Answer } from '../api';
import { wallTime } from '../format';
import { t } from '../i18n';
import { ProblemNote } from '../problem-note';

type Verification = Answer<'/v1/audit/verification', 'get'>;
type Replay = Answer<'/v1/audit/replays/{id}', 'get'>;
type AuditEvent = Answer<'/v1/audit/events', 'get'>['items'][number];

/** Pages of 1,000 events read for one click when looking for one stream's events. */
const STREAM_PAGES = 50;

/** 审计: verify the chain now, replay and compare with live progress, a balance as of a moment, the log. */
export function AuditPage() {
  return (
    <section>
      <h1>{t('audit.title')}</h1>
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
          params: { path: { id: riderId.trim() }, query: asOf ? { asOf } : {} },
        }),
      );
      setAnswer(
        t('audit.balanceAsOf', {
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

function EventsCard() {
  const [stream, setStream] = useState('');
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  /**
   * The next events of the log (of one stream when named). The API filters a page of the global
   * log by stream, so a page of one rider's events may be empty: pages are read on, up to
   * STREAM_PAGES of them, until enough are found or the log ends.
   */
  const load = async (after: string | null) => {
    setError(null);
    try {
      const found: AuditEvent[] = [];
      let cursor = after;
      const named = stream.trim();
      for (let read = 0; read < STREAM_PAGES; read++) {
        const page = await ok(
          api.GET('/v1/audit/events', {
            params: {
              query: {
                limit: named ? 1000 : 50,
                ...(named && { stream: named }),
                ...(cursor && { after: cursor }),
              },
            },
          }),
        );
        found.push(...page.items);
        cursor = page.nextCursor ?? null;
        if (!named || found.length >= 50 || cursor === null) break;
      }
      setEvents((e) => (after ? [...e, ...found] : found));
      setNext(cursor);
    } catch (e) {
      setError(e);
    }
  };
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
      {next && (
        <button type="button" onClick={() => void load(next)}>
          {t('audit.more')}
        </button>
      )}
    </form>
  );
}
