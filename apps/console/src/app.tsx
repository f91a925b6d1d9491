import { useEffect, useState } from 'preact/hooks';
import { api, ok, Problem, type Answer } from './api';
import { language, setLanguage, t } from './i18n';
import { ProblemNote } from './problem-note';
import { AuditPage } from './pages/audit';
import { FundsPage } from './pages/funds';
import { HazardsPage } from './pages/hazards';
import { LeaderboardsPage } from './pages/leaderboards';
import { MinePage, ReportPage, RiderTasksPage } from './pages/mine';
import { PrincipalsPage } from './pages/principals';
import { ReportsPage } from './pages/reports';
import { CardPage, RegisterPage } from './pages/register';
import { CheckInShowPage, CheckInsPage, RiderCheckInPage } from './pages/check-ins';
import { RulesPage } from './pages/rules';
import { SelectionsPage, WinnersPage } from './pages/selections';
import { TasksPage } from './pages/tasks';
import { ReceiptPage } from './pages/receipt';
import { RiderPage } from './pages/rider';
import { RidersPage } from './pages/riders';
import { SignInPage } from './pages/sign-in';
import { StatementPage, VerifyPage } from './pages/statement';
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

  // Checking a statement file needs no account: a rider checks the file they were given.
  if (route[0] === 'verify' && (!token() || me === 'refused'))
    return (
      <>
        {header}
        <main>
          <VerifyPage />
        </main>
      </>
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

type Link = [string, string];

/** The pages of each role: its links, the first being where it starts. */
function linksOf(me: Me): Link[] {
  switch (me.role) {
    case 'station':
      return [
        ['station', 'app.nav.station'],
        ['today', 'app.nav.today'],
        ['stock', 'app.nav.stock'],
      ];
    case 'admin':
      return [
        ['riders', 'app.nav.riders'],
        ['register', 'app.nav.register'],
        ['tasks', 'app.nav.tasks'],
        ['check-ins', 'app.nav.checkIns'],
        ['hazards', 'app.nav.hazards'],
        ['boards', 'app.nav.boards'],
        ['reports', 'app.nav.reports'],
        ['funds', 'app.nav.funds'],
        ['selections', 'app.nav.selections'],
        ['principals', 'app.nav.principals'],
        ['rules', 'app.nav.rules'],
      ];
    case 'staff':
      return [
        ['riders', 'app.nav.riders'],
        ['register', 'app.nav.register'],
        ['tasks', 'app.nav.tasks'],
        ['check-ins', 'app.nav.checkIns'],
        ['hazards', 'app.nav.hazards'],
        ['boards', 'app.nav.boards'],
        ['reports', 'app.nav.reports'],
      ];
    case 'auditor':
      return [
        ['audit', 'app.nav.audit'],
        ['boards', 'app.nav.boards'],
        ['reports', 'app.nav.reports'],
        ['funds', 'app.nav.funds'],
        ['rules', 'app.nav.rules'],
      ];
    case 'verifier':
      return [['hazards', 'app.nav.hazards']];
    case 'rider':
      return [
        ['mine', 'app.nav.mine'],
        ['my-tasks', 'app.nav.tasks'],
        ['check-in', 'app.nav.checkIn'],
        ['report', 'app.nav.report'],
      ];
    default:
      return [];
  }
}

/** Pages reached from another (a receipt, a rider, a card, a selection's winners): their nav link. */
const PARENT: Record<string, string> = {
  receipt: 'station',
  rider: 'riders',
  card: 'register',
  selection: 'selections',
  'check-in-code': 'check-ins',
};

/** Where a statement is reached from, by role (staff and admins: a rider's page). */
const STATEMENT_PARENT: Record<string, string> = { rider: 'mine', auditor: 'audit' };

function Pages({ me, route }: { me: Me; route: string[] }) {
  const links = linksOf(me);
  const [first] = links;
  const stationId = me.stationIds[0];
  if (!first || (me.role === 'station' && !stationId) || (me.role === 'rider' && !me.riderId))
    return (
      <main>
        <p>{t('app.notYet')}</p>
      </main>
    );
  // A statement is reached from the rider page, the rider's own page or the audit page.
  const parentOf = (name: string) =>
    name === 'statement'
      ? (STATEMENT_PARENT[me.role] ?? 'riders')
      : name === 'verify'
        ? first[0]
        : (PARENT[name] ?? name);
  const allowed = (name: string | undefined): name is string =>
    name !== undefined && links.some(([to]) => to === parentOf(name));
  const [asked, id] = route;
  const page = allowed(asked) ? asked : first[0];
  return (
    <>
      <Nav links={links} page={parentOf(page)} />
      <main>
        <Page me={me} page={page} id={id} />
      </main>
    </>
  );
}

/** One page of the role's, by its route name. */
function Page({ me, page, id }: { me: Me; page: string; id: string | undefined }) {
  const stationId = me.stationIds[0] ?? '';
  const riderId = me.riderId ?? '';
  switch (page) {
    case 'station':
      return <StationPage stationId={stationId} />;
    case 'receipt':
      return id ? <ReceiptPage id={id} /> : <StationPage stationId={stationId} />;
    case 'today':
      return <TodayPage stationId={stationId} />;
    case 'stock':
      return <StockPage stationId={stationId} />;
    case 'rider':
      return id ? <RiderPage key={id} id={id} /> : <RidersPage />;
    case 'register':
      return <RegisterPage />;
    case 'card':
      return id ? <CardPage id={id} /> : <RegisterPage />;
    case 'tasks':
      return <TasksPage now={me.now} />;
    case 'hazards':
      return <HazardsPage />;
    case 'boards':
      return <LeaderboardsPage />;
    case 'reports':
      return <ReportsPage />;
    case 'check-ins':
      return <CheckInsPage />;
    case 'check-in-code':
      return id ? <CheckInShowPage key={id} id={id} /> : <CheckInsPage />;
    case 'check-in':
      return <RiderCheckInPage />;
    case 'funds':
      return <FundsPage canTopUp={me.role === 'admin'} />;
    case 'selections':
      return <SelectionsPage />;
    case 'selection':
      return id ? <WinnersPage id={id} /> : <SelectionsPage />;
    case 'principals':
      return <PrincipalsPage />;
    case 'rules':
      return <RulesPage canEdit={me.role === 'admin'} />;
    case 'audit':
      return <AuditPage />;
    case 'statement':
      return <StatementPage key={id ?? riderId} riderId={id ?? riderId} />;
    case 'verify':
      return <VerifyPage />;
    case 'mine':
      return <MinePage riderId={riderId} now={me.now} />;
    case 'my-tasks':
      return <RiderTasksPage riderId={riderId} />;
    case 'report':
      return <ReportPage riderId={riderId} />;
    default:
      return <RidersPage />;
  }
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
