import { useEffect, useState } from 'preact/hooks';
import { api, ok } from '../api';
import { download } from '../download';
import { atOffset, offsetOf, wallTime } from '../format';
import { t, words, type Said } from '../i18n';
import { ProblemNote } from '../problem-note';
import { QrCode } from '../qr';
import { checkStatement, type Statement, type StatementCheck } from '../statement-check';

/** Saves a statement as a JSON file, for `ledger verify-statement` or the verification page. */
function save(statement: Statement): void {
  download(
    `statement-${statement.riderId}-${statement.checkpoint.treeSize}.json`,
    JSON.stringify(statement, null, 1),
    'application/json',
  );
}

/** What the check found, in words: passed with its figures, or each problem. */
export function CheckResult({ check }: { check: StatementCheck }) {
  return check.ok ? (
    <p class="good" role="status" data-testid="statement-check">
      {t('statement.verified', {
        entries: check.entries,
        balance: check.balance,
        treeSize: check.treeSize,
        keyId: check.keyId,
      })}
    </p>
  ) : (
    <div class="bad" role="alert" data-testid="statement-check">
      <p>{t('statement.notVerified')}</p>
      <ul>
        {check.findings.map((f, i) => (
          <li key={i}>{t(`statement.problem.${f.code}`, f.values)}</li>
        ))}
      </ul>
    </div>
  );
}

/** When the act happened (an award's or redemption's own time), else when it was recorded. */
function happenedAt(event: Statement['entries'][number]['event']): string {
  const at = event.data.occurredAt ?? event.metadata.occurredAt;
  return typeof at === 'string' ? at : event.recordedAt;
}

const POINTS_OUT = new Set(['AwardReversed', 'RedemptionMade']);
const POINTS_IN = new Set(['PointsAwarded', 'RedemptionCancelled']);

/**
 * 可验证积分对账单: a rider's events with their places in the log and proofs against a signed
 * tree head; checked here in the browser, printable with a QR code of its address, saved as a
 * file anyone can check offline.
 */
export function StatementPage({ riderId }: { riderId: string }) {
  const [statement, setStatement] = useState<Statement | null>(null);
  const [check, setCheck] = useState<StatementCheck | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [checking, setChecking] = useState(false);

  useEffect(() => {
    setStatement(null);
    setCheck(null);
    ok(api.GET('/v1/riders/{id}/statement', { params: { path: { id: riderId }, query: {} } }))
      .then((answer) => setStatement(answer as unknown as Statement))
      .catch(setError);
  }, [riderId]);

  const verify = async () => {
    if (!statement) return;
    setChecking(true);
    try {
      const key = await ok(api.GET('/v1/audit/public-key'));
      setCheck(await checkStatement(statement, key.publicKey));
    } catch (e) {
      setError(e);
    } finally {
      setChecking(false);
    }
  };

  if (!statement) return <ProblemNote error={error} />;
  const { checkpoint } = statement;
  const offset = offsetOf(checkpoint.timestamp);
  const address = `${location.origin}/v1/riders/${encodeURIComponent(riderId)}/statement?asOf=${encodeURIComponent(checkpoint.timestamp)}`;
  return (
    <section class="statement printable">
      <h1>{t('statement.title')}</h1>
      <ProblemNote error={error} />
      <dl>
        <dt>{t('statement.rider')}</dt>
        <dd>{statement.riderId}</dd>
        <dt>{t('statement.balance')}</dt>
        <dd data-testid="statement-balance">{statement.balance}</dd>
        <dt>{t('statement.signedAt')}</dt>
        <dd>{wallTime(checkpoint.timestamp)}</dd>
        <dt>{t('statement.log')}</dt>
        <dd>
          {checkpoint.origin} · {t('statement.treeSize', { treeSize: checkpoint.treeSize })}
        </dd>
        <dt>{t('statement.key')}</dt>
        <dd>{checkpoint.keyId}</dd>
      </dl>
      <table>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{t('statement.what')}</th>
            <th scope="col">{t('statement.points')}</th>
            <th scope="col">{t('statement.occurredAt')}</th>
            <th scope="col">{t('statement.leaf')}</th>
          </tr>
        </thead>
        <tbody>
          {statement.entries.map(({ event, leafIndex }) => {
            const points = typeof event.data.points === 'number' ? event.data.points : 0;
            const signed = POINTS_OUT.has(event.type)
              ? -points
              : POINTS_IN.has(event.type)
                ? points
                : 0;
            return (
              <tr key={event.eventId}>
                <td>{event.revision}</td>
                <td>{t(`statement.type.${event.type}`, { defaultValue: event.type })}</td>
                <td class={signed < 0 ? 'minus' : signed > 0 ? 'plus' : ''}>
                  {signed > 0 ? `+${signed}` : signed || ''}
                </td>
                <td>{wallTime(atOffset(happenedAt(event), offset))}</td>
                <td>{leafIndex}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div class="qr-block">
        <QrCode text={address} label={t('statement.address')} size={140} />
        <p>
          <small>{t('statement.howToCheck')}</small>
        </p>
      </div>
      {check && <CheckResult check={check} />}
      <p class="no-print actions">
        <button type="button" onClick={() => void verify()} disabled={checking}>
          {checking ? t('statement.checking') : t('statement.verify')}
        </button>
        <button type="button" onClick={() => save(statement)}>
          {t('statement.save')}
        </button>
        <button type="button" onClick={() => print()}>
          {t('statement.print')}
        </button>
      </p>
    </section>
  );
}

/**
 * 验证对账单: a statement file checked in this browser, against the public key the district
 * publishes (filled in from this ledger when it answers; any other may be pasted). No sign-in:
 * a rider checks the file they were given.
 */
export function VerifyPage() {
  const [text, setText] = useState('');
  const [publicKey, setPublicKey] = useState('');
  const [check, setCheck] = useState<StatementCheck | null>(null);
  const [problem, setProblem] = useState<Said | null>(null);

  useEffect(() => {
    fetch('/v1/audit/public-key')
      .then((r) => (r.ok ? (r.json() as Promise<{ publicKey: string }>) : undefined))
      .then((key) => key && setPublicKey((now) => now || key.publicKey))
      .catch(() => undefined);
  }, []);

  const verify = async () => {
    setCheck(null);
    setProblem(null);
    let statement: Statement;
    try {
      statement = JSON.parse(text) as Statement;
      if (!statement?.checkpoint || !Array.isArray(statement.entries)) throw new Error();
    } catch {
      setProblem(['statement.notAStatement']);
      return;
    }
    setCheck(await checkStatement(statement, publicKey.trim()));
  };

  const open = async (files: FileList | null) => {
    const file = files?.[0];
    if (file) setText(await file.text());
  };

  return (
    <section class="verify">
      <h1>{t('statement.verifyTitle')}</h1>
      <p>{t('statement.verifyIntro')}</p>
      <label>
        {t('statement.file')}
        <input
          type="file"
          accept="application/json,.json"
          onChange={(e) => void open(e.currentTarget.files)}
        />
      </label>
      <label>
        {t('statement.paste')}
        <textarea
          rows={6}
          class="wide"
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </label>
      <label>
        {t('statement.publicKey')}
        <input
          class="wide"
          value={publicKey}
          onInput={(e) => setPublicKey(e.currentTarget.value)}
        />
      </label>
      <button type="button" onClick={() => void verify()} disabled={!text || !publicKey}>
        {t('statement.verify')}
      </button>
      {problem && <p role="alert">{words(problem)}</p>}
      {check && <CheckResult check={check} />}
    </section>
  );
}
