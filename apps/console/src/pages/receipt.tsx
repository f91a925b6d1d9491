import { useEffect, useState } from 'preact/hooks';
import { api, newKey, ok, type Answer } from '../api';
import { wallTime } from '../format';
import { t } from '../i18n';
import { ProblemNote } from '../problem-note';
import { go } from '../router';

type Receipt = Answer<'/v1/redemptions/{id}', 'get'>;

/** 兑换小票: what was handed out, printable; the station may cancel it (points and stock go back). */
export function ReceiptPage({ id }: { id: string }) {
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [reason, setReason] = useState(t('receipt.cancelReasonDefault'));
  const [cancelling, setCancelling] = useState<string | null>(null);
  const balanceAfter = sessionStorage.getItem(`ledger.balanceAfter.${id}`);

  const load = async () => {
    try {
      setReceipt(await ok(api.GET('/v1/redemptions/{id}', { params: { path: { id } } })));
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => void load(), [id]);

  const cancel = async () => {
    const key = cancelling ?? newKey();
    setCancelling(key);
    setError(null);
    try {
      const done = await ok(
        api.POST('/v1/redemptions/{id}/cancellation', {
          params: { path: { id }, header: { 'Idempotency-Key': key } },
          body: { reason },
        }),
      );
      sessionStorage.setItem(`ledger.balanceAfter.${id}`, String(done.balanceAfter));
      await load();
    } catch (e) {
      setError(e);
    } finally {
      setCancelling(null);
    }
  };

  if (!receipt) return <ProblemNote error={error} />;
  return (
    <section class="receipt">
      <h1>{t('receipt.title')}</h1>
      <dl>
        <dt>{t('receipt.number')}</dt>
        <dd>{receipt.redemptionId}</dd>
        <dt>{t('receipt.station')}</dt>
        <dd>{receipt.stationId}</dd>
        <dt>{t('receipt.rider')}</dt>
        <dd>{receipt.riderId}</dd>
        <dt>{t('receipt.at')}</dt>
        <dd>{wallTime(receipt.at)}</dd>
        <dt>{t('receipt.servedBy')}</dt>
        <dd>{receipt.servedBy}</dd>
      </dl>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('receipt.item')}</th>
            <th scope="col">{t('receipt.quantity')}</th>
            <th scope="col">{t('receipt.points')}</th>
          </tr>
        </thead>
        <tbody>
          {receipt.items.map((item) => (
            <tr key={item.sku}>
              <td>{item.name}</td>
              <td>{item.quantity}</td>
              <td>{item.quantity * item.pricePoints}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{t('receipt.total')}</th>
            <td />
            <td data-testid="receipt-points">{receipt.points}</td>
          </tr>
        </tfoot>
      </table>
      {balanceAfter !== null && (
        <p>
          {t('receipt.balanceAfter')}: <strong data-testid="balance-after">{balanceAfter}</strong>
        </p>
      )}
      {receipt.cancelled && (
        <p class="cancelled">
          {t('receipt.cancelled', { at: wallTime(receipt.cancelledAt ?? '') })}
        </p>
      )}
      <ProblemNote error={error} />
      <div class="row no-print">
        <button type="button" class="primary" onClick={() => print()}>
          {t('receipt.print')}
        </button>
        <button type="button" onClick={() => go('station')}>
          {t('receipt.back')}
        </button>
      </div>
      {!receipt.cancelled && (
        <details class="no-print">
          <summary>{t('receipt.cancel')}</summary>
          <label for="reason">{t('receipt.cancelReason')}</label>
          <input
            id="reason"
            value={reason}
            onInput={(e) => setReason((e.target as HTMLInputElement).value)}
          />
          <button
            type="button"
            disabled={cancelling !== null || reason.trim() === ''}
            onClick={() => void cancel()}
          >
            {cancelling ? t('receipt.cancelling') : t('receipt.confirmCancel')}
          </button>
        </details>
      )}
    </section>
  );
}
