import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ok, Problem, type Answer } from '../api';
import type { paths } from '../api-types';
import { t } from '../i18n';
import { useFields, useWrite } from '../once';
import { useCommunities } from '../places';
import { CommunitySelect } from '../parts';
import { ProblemNote } from '../problem-note';
import { QrCode } from '../qr';
import { go } from '../router';

type Occupation = NonNullable<
  paths['/v1/riders']['post']['requestBody']
>['content']['application/json']['occupation'];
const OCCUPATIONS: Occupation[] = ['food_delivery', 'courier', 'ride_hailing', 'other'];
type Rider = Answer<'/v1/riders/{id}', 'get'>;

/** 登记小哥: a new rider of one of the staff member's communities, then its QR card. */
export function RegisterPage() {
  const [error, setError] = useState<unknown>(null);
  const communities = useCommunities(setError);
  const key = useRef<string | null>(null);
  const { form, setForm, field } = useFields(
    'reg',
    { communityId: '', name: '', phone: '', platform: '', occupation: 'food_delivery' },
    key,
  );
  const { busy, write } = useWrite(setError);
  useEffect(
    () => setForm((f) => ({ ...f, communityId: f.communityId || (communities[0]?.id ?? '') })),
    [communities],
  );

  const register = () =>
    write(async (k) => {
      const rider = await ok(
        api.POST('/v1/riders', {
          params: { header: { 'Idempotency-Key': k } },
          body: {
            communityId: form.communityId,
            name: form.name.trim(),
            platform: form.platform.trim(),
            occupation: form.occupation as Occupation,
            ...(form.phone.trim() && { phone: form.phone.trim() }),
          },
        }),
      );
      go('card', rider.id);
    }, key);

  const existing =
    error instanceof Problem && error.code === 'ALREADY_EXISTS'
      ? t('register.existing')
      : undefined;
  return (
    <section>
      <h1>{t('register.title')}</h1>
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          void register();
        }}
      >
        <CommunitySelect {...field('communityId')} communities={communities} />
        <label for="reg-name">{t('register.name')}</label>
        <input required {...field('name')} />
        <label for="reg-phone">{t('register.phone')}</label>
        <input type="tel" inputMode="tel" {...field('phone')} />
        <label for="reg-platform">{t('register.platform')}</label>
        <input required placeholder={t('register.platformPlaceholder')} {...field('platform')} />
        <label for="reg-occupation">{t('register.occupation')}</label>
        <select {...field('occupation')}>
          {OCCUPATIONS.map((o) => (
            <option key={o} value={o}>
              {t(`occupation.${o}`)}
            </option>
          ))}
        </select>
        <p>
          <small>{t('register.privacy')}</small>
        </p>
        <button class="primary" type="submit" disabled={busy}>
          {t('register.submit')}
        </button>
      </form>
      <ProblemNote error={error} next={existing} />
    </section>
  );
}

/** A rider's QR card: the station scans it to find the rider; prints on one page. */
export function CardPage({ id }: { id: string }) {
  const [rider, setRider] = useState<Rider | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    ok(api.GET('/v1/riders/{id}', { params: { path: { id } } }))
      .then(setRider)
      .catch(setError);
  }, [id]);
  if (error) return <ProblemNote error={error} />;
  if (!rider) return <p>{t('app.loading')}</p>;
  return (
    <section>
      <div class="card rider-card printable">
        <h1>{t('card.title')}</h1>
        <QrCode text={`rider:${rider.id}`} label={t('card.qr', { id: rider.id })} size={200} />
        <p class="name">{rider.name ?? t('boards.erased')}</p>
        <p>
          {t('card.id')} <strong>{rider.id}</strong>
        </p>
        <p>{t('card.hint')}</p>
      </div>
      <div class="row no-print">
        <button class="primary" type="button" onClick={() => print()}>
          {t('card.print')}
        </button>
        <a href={`#/rider/${encodeURIComponent(rider.id)}`}>{t('card.toRider')}</a>
      </div>
    </section>
  );
}
