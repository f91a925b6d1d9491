import { useState } from 'preact/hooks';
import { api, newKey, ok } from '../api';
import { t, words, type Said } from '../i18n';
import { ProblemNote } from '../problem-note';
import { useCatalogue } from './station';

/** 库存: each item's stock, and restocking it. */
export function StockPage({ stationId }: { stationId: string }) {
  const catalogue = useCatalogue(stationId);
  const [quantity, setQuantity] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const [done, setDone] = useState<Said | null>(null);
  const [error, setError] = useState<unknown>(null);

  const restock = async (sku: string, name: string) => {
    setBusy(sku);
    setError(null);
    try {
      const made = await ok(
        api.POST('/v1/stations/{stationId}/items/{sku}/restock', {
          params: { path: { stationId, sku }, header: { 'Idempotency-Key': newKey() } },
          body: { quantity: Number(quantity[sku] ?? 0) },
        }),
      );
      setDone(['stock.done', { name, count: made.stock }]);
      setQuantity((q) => ({ ...q, [sku]: '' }));
      await catalogue.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section>
      <h1>{t('stock.title')}</h1>
      <ProblemNote error={error ?? catalogue.error} />
      {done && <p role="status">{words(done)}</p>}
      <ul class="items">
        {catalogue.items.map((item) => (
          <li key={item.sku}>
            <span class="name">{item.name}</span>
            <span>{t('station.stock', { count: item.stock })}</span>
            <label class="sr-only" for={`q-${item.sku}`}>
              {t('stock.quantity')} {item.name}
            </label>
            <input
              id={`q-${item.sku}`}
              type="number"
              min={1}
              max={100000}
              inputMode="numeric"
              placeholder={t('stock.quantity')}
              value={quantity[item.sku] ?? ''}
              onInput={(e) =>
                setQuantity((q) => ({ ...q, [item.sku]: (e.target as HTMLInputElement).value }))
              }
            />
            <button
              type="button"
              disabled={busy !== null || !(Number(quantity[item.sku]) > 0)}
              onClick={() => void restock(item.sku, item.name)}
            >
              {busy === item.sku ? t('stock.restocking') : t('stock.restock')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
