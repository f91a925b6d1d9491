import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ok, type Answer } from '../api';
import type { paths } from '../api-types';
import { t } from '../i18n';
import { useWrite } from '../once';
import { useCommunities } from '../places';
import { ProblemNote } from '../problem-note';
import { QrCode, signInLink } from '../qr';

type Principal = Answer<'/v1/principals', 'get'>['items'][number];
type Created = Answer<'/v1/principals', 'post'>;
type Station = Answer<'/v1/stations', 'get'>['items'][number];
type Role = NonNullable<
  paths['/v1/principals']['post']['requestBody']
>['content']['application/json']['role'];
const ROLES: Role[] = ['staff', 'station', 'verifier', 'auditor', 'rider', 'admin'];

/** What a new principal of a role acts on: communities, stations, or its rider. */
function scopeOf(role: Role, place: string, riderId: string) {
  if (role === 'staff' || (role === 'verifier' && place)) return { communityIds: [place] };
  if (role === 'station') return { stationIds: [place] };
  if (role === 'rider') return { riderId: riderId.trim() };
  return {};
}

/** 账号: who may sign in; create one with a sign-in link and QR code shown once; revoke. */
export function PrincipalsPage() {
  const [error, setError] = useState<unknown>(null);
  const communities = useCommunities(setError);
  const [stations, setStations] = useState<Station[]>([]);
  const [list, setList] = useState<Principal[]>([]);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('staff');
  const [place, setPlace] = useState('');
  const [riderId, setRiderId] = useState('');
  const [created, setCreated] = useState<Created | null>(null);
  const [revoking, setRevoking] = useState<string | null>(null);
  const key = useRef<string | null>(null);
  const revokeKey = useRef<string | null>(null);
  const { busy, write } = useWrite(setError);

  const load = () =>
    ok(api.GET('/v1/principals', { params: { query: { limit: 200 } } }))
      .then((page) => setList(page.items))
      .catch(setError);
  useEffect(() => {
    void load();
    ok(api.GET('/v1/stations', { params: { query: { limit: 200 } } }))
      .then((page) => setStations(page.items))
      .catch(setError);
  }, []);

  const places: [string, string][] =
    role === 'station'
      ? stations.map((s) => [s.id, s.name])
      : role === 'staff' || role === 'verifier'
        ? communities.map((c) => [c.id, c.name])
        : [];
  useEffect(
    () => setPlace(role === 'verifier' ? '' : (places[0]?.[0] ?? '')),
    [role, communities, stations],
  );
  const edited = () => (key.current = null);

  const create = () =>
    write(async (k) => {
      const made = await ok(
        api.POST('/v1/principals', {
          params: { header: { 'Idempotency-Key': k } },
          body: { name: name.trim(), role, ...scopeOf(role, place, riderId) },
        }),
      );
      setCreated(made);
      setName('');
      setRiderId('');
      await load();
    }, key);
  const revoke = (id: string) =>
    write(async () => {
      await ok(api.DELETE('/v1/principals/{id}', { params: { path: { id } } }));
      setRevoking(null);
      await load();
    }, revokeKey);

  return (
    <section>
      <h1>{t('principals.title')}</h1>
      <ProblemNote error={error} />
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          setCreated(null);
          void create();
        }}
      >
        <h2>{t('principals.create')}</h2>
        <label for="p-name">{t('principals.name')}</label>
        <input
          id="p-name"
          required
          value={name}
          onInput={(e) => {
            edited();
            setName((e.target as HTMLInputElement).value);
          }}
        />
        <label for="p-role">{t('principals.role')}</label>
        <select
          id="p-role"
          value={role}
          onChange={(e) => {
            edited();
            setRole((e.target as HTMLSelectElement).value as Role);
          }}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`app.role.${r}`)}
            </option>
          ))}
        </select>
        {places.length > 0 && (
          <>
            <label for="p-place">
              {role === 'station' ? t('principals.station') : t('principals.community')}
            </label>
            <select
              id="p-place"
              value={place}
              onChange={(e) => {
                edited();
                setPlace((e.target as HTMLSelectElement).value);
              }}
            >
              {role === 'verifier' && <option value="">{t('principals.everyCommunity')}</option>}
              {places.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </>
        )}
        {role === 'rider' && (
          <>
            <label for="p-rider">{t('principals.riderId')}</label>
            <input
              id="p-rider"
              required
              value={riderId}
              onInput={(e) => {
                edited();
                setRiderId((e.target as HTMLInputElement).value);
              }}
            />
          </>
        )}
        <button class="primary" type="submit" disabled={busy}>
          {busy ? t('principals.creating') : t('principals.createButton')}
        </button>
      </form>
      {created && (
        <div class="card printable" role="status">
          <h2>
            {t('principals.created', { name: created.name, role: t(`app.role.${created.role}`) })}
          </h2>
          <p>{t('principals.once')}</p>
          <QrCode
            text={signInLink(created.token)}
            label={t('principals.qr', { name: created.name })}
          />
          <label for="p-link">{t('principals.link')}</label>
          <input id="p-link" class="wide" readOnly value={signInLink(created.token)} />
          <div class="row no-print">
            <button
              type="button"
              onClick={() => void navigator.clipboard?.writeText(signInLink(created.token))}
            >
              {t('principals.copy')}
            </button>
            <button type="button" onClick={() => print()}>
              {t('principals.print')}
            </button>
          </div>
        </div>
      )}
      <table>
        <thead>
          <tr>
            <th scope="col">{t('principals.name')}</th>
            <th scope="col">{t('principals.role')}</th>
            <th scope="col">{t('principals.scope')}</th>
            <th scope="col">
              <span class="sr-only">{t('principals.revoke')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.map((p) => (
            <tr key={p.id}>
              <td>
                {p.name ?? t('boards.erased')} <small>{p.id}</small>
              </td>
              <td>{t(`app.role.${p.role}`)}</td>
              <td>
                {[...p.communityIds, ...p.stationIds, p.riderId ?? ''].filter(Boolean).join(', ')}
              </td>
              <td>
                {p.revoked ? (
                  t('principals.revoked')
                ) : revoking === p.id ? (
                  <button
                    class="primary"
                    type="button"
                    disabled={busy}
                    onClick={() => void revoke(p.id)}
                  >
                    {t('principals.confirmRevoke', { name: p.name ?? p.id })}
                  </button>
                ) : (
                  <button type="button" onClick={() => setRevoking(p.id)}>
                    {t('principals.revoke')}
                    <span class="sr-only"> {p.id}</span>
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
