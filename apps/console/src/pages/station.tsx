import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ok, Problem, type Answer } from '../api';
import { t } from '../i18n';
import { useWrite } from '../once';
import { BalanceAndBadges } from '../parts';
import { ProblemNote } from '../problem-note';
import { go } from '../router';
import { canScan, riderIdOf, Scanner } from '../scanner';

type Item = Answer<'/v1/stations/{stationId}/items', 'get'>['items'][number];
type Rider = Answer<'/v1/riders/{id}', 'get'>;

const WHOLE_PHONE = /^(\+?86)?1\d{10}$/;

/** The station's catalogue with stock, read again after every change. */
export function useCatalogue(stationId: string) {
  const [items, setItems] = useState<Item[]>([]);
  const [error, setError] = useState<unknown>(null);
  const load = async () => {
    try {
      const page = await ok(
        api.GET('/v1/stations/{stationId}/items', { params: { path: { stationId } } }),
      );
      setItems(page.items);
      setError(null);
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => void load(), [stationId]);
  return { items, error, reload: load };
}

/** Finds a rider by the whole phone number given at the counter, or by id. */
async function findRider(query: string): Promise<Rider | null> {
  const id0 = riderIdOf(query);
  const q = id0.replace(/[\s-]/g, ''); // a phone as people write it: 138 0013 8000, 138-0013-8000
  let id = id0;
  let name: string | null = null;
  if (WHOLE_PHONE.test(q)) {
    const page = await ok(api.GET('/v1/riders', { params: { query: { q } } }));
    if (page.items.length === 0) return null;
    id = page.items[0].id;
    name = page.items[0].name;
  }
  const rider = await ok(api.GET('/v1/riders/{id}', { params: { path: { id } } }));
  return { ...rider, name: name ?? rider.name };
}

/**
 * 驿站兑换: find the rider, pick items, redeem once. The attempt's Idempotency-Key is made when the
 * cart is confirmed and kept until it succeeds or the cart changes, so a retry after a dropped
 * connection is the same redemption; a second tap while one is in flight does nothing.
 */
export function StationPage({ stationId }: { stationId: string }) {
  const [query, setQuery] = useState('');
  const [rider, setRider] = useState<Rider | null>(null);
  const [notFound, setNotFound] = useState(false);
  const [cart, setCart] = useState<Record<string, number>>({});
  const attempt = useRef<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const { busy: writing, write } = useWrite(setError);
  const [finding, setFinding] = useState(false);
  const busy = finding || writing;
  const catalogue = useCatalogue(stationId);

  const chosen = catalogue.items.filter((i) => (cart[i.sku] ?? 0) > 0);
  const total = chosen.reduce((sum, i) => sum + i.pricePoints * (cart[i.sku] ?? 0), 0);
  const change = (sku: string, by: number) => {
    attempt.current = null;
    setCart((c) => ({ ...c, [sku]: Math.max(0, (c[sku] ?? 0) + by) }));
  };

  const [scanning, setScanning] = useState(false);
  const find = async (e: Event | null, text = query) => {
    e?.preventDefault();
    setFinding(true);
    setError(null);
    setNotFound(false);
    try {
      const found = await findRider(text);
      setRider(found);
      setNotFound(found === null);
      setCart({});
    } catch (err) {
      setError(err);
    } finally {
      setFinding(false);
    }
  };

  const redeem = (current: Rider) =>
    write(async (key) => {
      const items = chosen.map((i) => ({ sku: i.sku, quantity: cart[i.sku] ?? 0 }));
      const made = await ok(
        api.POST('/v1/redemptions', {
          body: { riderId: current.id, stationId, items },
          params: { header: { 'Idempotency-Key': key } },
        }),
      );
      setCart({});
      sessionStorage.setItem(`ledger.balanceAfter.${made.redemptionId}`, String(made.balanceAfter));
      go('receipt', made.redemptionId);
    }, attempt);

  return (
    <section>
      <h1>{t('station.title')}</h1>
      <form onSubmit={(e) => void find(e)} class="row">
        <label for="find">{t('station.find')}</label>
        <input
          id="find"
          inputMode="tel"
          autoComplete="off"
          placeholder={t('station.findHint')}
          value={query}
          onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
        />
        <button type="submit" disabled={busy || query.trim() === ''}>
          {t('station.findButton')}
        </button>
        {canScan() && (
          <button type="button" disabled={busy} onClick={() => setScanning(true)}>
            {t('station.scan')}
          </button>
        )}
      </form>
      {scanning && (
        <Scanner
          onClose={() => setScanning(false)}
          onRead={(text) => {
            setScanning(false);
            setQuery(riderIdOf(text));
            void find(null, text);
          }}
        />
      )}
      {notFound && <p role="status">{t('station.notFound')}</p>}
      <ProblemNote
        error={error ?? catalogue.error}
        next={error instanceof Problem && error.status === 404 ? t('station.notFound') : undefined}
      />
      {rider && (
        <div class="card" aria-live="polite">
          <h2>
            {t('station.rider')} {rider.name ?? ''} <small>{rider.id}</small>
          </h2>
          <BalanceAndBadges rider={rider} testId="balance" />
        </div>
      )}
      {rider && (
        <div class="card">
          <h2>{t('station.catalogue')}</h2>
          <ul class="items">
            {catalogue.items.map((item) => (
              <li key={item.sku}>
                <span class="name">{item.name}</span>
                <span>{t('station.price', { points: item.pricePoints })}</span>
                <span data-testid={`stock-${item.sku}`}>
                  {item.stock > 0
                    ? t('station.stock', { count: item.stock })
                    : t('station.soldOut')}
                </span>
                <span class="qty">
                  <button
                    type="button"
                    aria-label={t('station.remove', { name: item.name })}
                    disabled={(cart[item.sku] ?? 0) === 0 || busy}
                    onClick={() => change(item.sku, -1)}
                  >
                    −
                  </button>
                  <output>{cart[item.sku] ?? 0}</output>
                  <button
                    type="button"
                    aria-label={t('station.add', { name: item.name })}
                    disabled={(cart[item.sku] ?? 0) >= item.stock || busy}
                    onClick={() => change(item.sku, 1)}
                  >
                    +
                  </button>
                </span>
              </li>
            ))}
          </ul>
          <h2>{t('station.cart')}</h2>
          {chosen.length === 0 ? (
            <p>{t('station.emptyCart')}</p>
          ) : (
            <p>
              {t('station.total', { points: total })} ·{' '}
              {total > rider.balance
                ? t('station.notEnough')
                : t('station.after', { points: rider.balance - total })}
            </p>
          )}
          <div class="row">
            <button
              type="button"
              class="primary"
              disabled={busy || chosen.length === 0 || total > rider.balance}
              onClick={() => void redeem(rider)}
            >
              {writing ? t('station.redeeming') : t('station.redeem')}
            </button>
            <button type="button" disabled={busy} onClick={() => setCart({})}>
              {t('station.clear')}
            </button>
            <button
              type="button"
              disabled={busy}
              onClick={() => {
                setRider(null);
                setQuery('');
              }}
            >
              {t('station.another')}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
