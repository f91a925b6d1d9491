import { useEffect, useState } from 'preact/hooks';
import { api, ok, Problem, type Answer } from './api';
import { language, setLanguage, t } from './i18n';
import { ProblemNote } from './problem-note';
import { AuditPage } from './pages/audit';
import { HazardsPage } from './pages/hazards';
import { ReceiptPage } from './pages/receipt';
import { RiderPage } from './pages/rider';
import { RidersPage } from './pages/riders';
import { SignInPage } from './pages/sign-in';
import { StationPage } from './pages/station';
import { StockPage } from './pages/stock';
import { TodayPage } from './pages/today';
import { useRoute } from './router';
import { signOut, token } from './session';

type Me = Answer<'/v1/me', 'get'>;

/** Who is signed in (`GET /v1/me`): `null` before sign-in, `'refused'` for a bad token. */
function useMe(signedIn: number) {
  const [me, setMe] = useState<Me | null | 'refused'>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!token()) return setMe(null);
    ok(api.GET('/v1/me'))
      .then(setMe)
      .catch((e: unknown) => {
        if (e instanceof Problem && e.status === 401) {
          signOut();
          setMe('refused');
        } else setError(e);
      });
  }, [signedIn]);
  return { me, error };
}

/** The console: sign-in, then the pages the principal's role may use. */
export function App() {
  const [signedIn, setSignedIn] = useState(0);
  const [, rerender] = useState(0);
  const { me, error } = useMe(signedIn);
  const route = useRoute();

  const switchLanguage = () =>
    void setLanguage(language() === 'en' ? 'zh-CN' : 'en').then(() => rerender((n) => n + 1));
  const header = (
    <header>
      <strong>{t('app.title')}</strong>
      {me && me !== 'refused' && (
        <span class="who">
          {me.name} · {t(`app.role.${me.role}`)}
        </span>
      )}
      <button
        type="button"
        aria-label={`${t('app.language')} (${t('app.languageLabel')})`}
        onClick={switchLanguage}
      >
        {t('app.language')}
      </button>
      {me && me !== 'refused' && (
        <button
          type="button"
          onClick={() => {
            signOut();
            setSignedIn((n) => n + 1);
          }}
        >
          {t('app.signOut')}
        </button>
      )}
    </header>
  );

  if (!token() || me === 'refused' || (me === null && error === null && !token()))
    return (
      <>
        {header}
        <main>
          <SignInPage refused={me === 'refused'} onSignedIn={() => setSignedIn((n) => n + 1)} />
        </main>
      </>
    );
  if (me === null)
    return (
      <>
        {header}
        <main>{error ? <ProblemNote error={error} /> : <p>{t('app.loading')}</p>}</main>
      </>
    );
  return (
    <>
      {header}
      <Pages me={me} route={route} />
    </>
  );
}

function Pages({ me, route }: { me: Me; route: string[] }) {
  const [page, id] = route;
  const stationId = me.stationIds[0];
  if (me.role === 'station' && stationId)
    return (
      <>
        <Nav
          links={[
            ['station', 'app.nav.station'],
            ['today', 'app.nav.today'],
            ['stock', 'app.nav.stock'],
          ]}
          page={page ?? 'station'}
        />
        <main>
          {page === 'receipt' && id ? (
            <ReceiptPage id={id} />
          ) : page === 'today' ? (
            <TodayPage stationId={stationId} />
          ) : page === 'stock' ? (
            <StockPage stationId={stationId} />
          ) : (
            <StationPage stationId={stationId} />
          )}
        </main>
      </>
    );
  if (me.role === 'staff' || me.role === 'admin')
    return (
      <>
        <Nav
          links={[
            ['riders', 'app.nav.riders'],
            ['hazards', 'app.nav.hazards'],
          ]}
          page={page === 'rider' ? 'riders' : (page ?? 'riders')}
        />
        <main>
          {page === 'rider' && id ? (
            <RiderPage id={id} />
          ) : page === 'hazards' ? (
            <HazardsPage />
          ) : (
            <RidersPage />
          )}
        </main>
      </>
    );
  if (me.role === 'auditor')
    return (
      <>
        <Nav links={[['audit', 'app.nav.audit']]} page="audit" />
        <main>
          <AuditPage />
        </main>
      </>
    );
  if (me.role === 'verifier')
    return (
      <>
        <Nav links={[['hazards', 'app.nav.hazards']]} page="hazards" />
        <main>
          <HazardsPage />
        </main>
      </>
    );
  return (
    <main>
      <p>{t('app.notYet')}</p>
    </main>
  );
}

/** The role's pages; the current one marked for screen readers too. */
function Nav({ links, page }: { links: [string, string][]; page: string }) {
  return (
    <nav class="no-print">
      {links.map(([to, label]) => (
        <a key={to} href={`#/${to}`} aria-current={page === to ? 'page' : undefined}>
          {t(label)}
        </a>
      ))}
    </nav>
  );
}
