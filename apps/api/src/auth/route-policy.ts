import type { Role } from '@ledger/domain';

export const ALL_ROLES: readonly Role[] = [
  'admin',
  'staff',
  'verifier',
  'station',
  'auditor',
  'rider',
];

/** One route: who may call it, what it does, and the scope rule it applies, if any. */
export interface RouteRule {
  readonly roles: readonly Role[];
  /** One line for people (the OpenAPI operation's summary and docs/roles.md). */
  readonly summary: string;
  /** What the scope rules leave of it for a role that may call it (docs/roles.md). */
  readonly scope?: Partial<Readonly<Record<Role, string>>>;
}

const STAFF = 'their communities only';
const OWN_STATION = 'its stations only';
const SELF = 'itself only';

/**
 * Every route (api.md), by method and path: the one table the guard enforces, the OpenAPI
 * document's summaries and "who may call it" descriptions, the role × route e2e test, and
 * docs/roles.md (generated from it; a test keeps the two the same). A route missing here is
 * refused to everyone but `@Public()` ones. Scope is checked further in, in the ledger.
 */
export const ROUTES: Readonly<Record<string, RouteRule>> = {
  'GET /v1/me': { roles: ALL_ROLES, summary: 'Who the caller is and what it may act on' },
  'POST /v1/principals': {
    roles: ['admin'],
    summary: 'Create a principal and show its token once',
  },
  'GET /v1/principals': { roles: ['admin'], summary: 'List principals (never a token)' },
  'DELETE /v1/principals/:id': { roles: ['admin'], summary: 'Revoke a principal at once' },
  'POST /v1/principals/:id/token-rotations': {
    roles: ['admin'],
    summary: 'Give a principal a new token; the old one stops now or after a grace',
  },
  'DELETE /v1/principals/:id/personal-data': {
    roles: ['admin'],
    summary: "Erase a principal's name for good",
  },
  'POST /v1/communities': { roles: ['admin'], summary: 'Register a community' },
  'GET /v1/communities': {
    roles: ALL_ROLES,
    summary: 'List communities',
    scope: { staff: STAFF, verifier: 'its communities only, when it has some' },
  },
  'GET /v1/communities/:id': { roles: ALL_ROLES, summary: 'Read a community' },
  'POST /v1/funds': { roles: ['admin'], summary: 'Create a fund with its budget' },
  'GET /v1/funds': { roles: ['admin', 'staff', 'verifier', 'auditor'], summary: 'List funds' },
  'GET /v1/funds/:id': {
    roles: ['admin', 'staff', 'verifier', 'auditor'],
    summary: 'Read a fund: budget, awarded, reversed, remaining',
  },
  'POST /v1/funds/:id/top-ups': { roles: ['admin'], summary: 'Raise a fund’s budget' },
  'PUT /v1/rules': { roles: ['admin'], summary: 'Replace the point rules (a new version)' },
  'GET /v1/rules': { roles: ALL_ROLES, summary: 'Read the point rules in force' },
  'GET /v1/badges': { roles: ALL_ROLES, summary: 'Read the badge thresholds in force' },
  'PUT /v1/badges': { roles: ['admin'], summary: 'Replace the badge thresholds' },
  'POST /v1/riders': {
    roles: ['admin', 'staff'],
    summary: 'Register a rider',
    scope: { staff: STAFF },
  },
  'GET /v1/riders': {
    roles: ['admin', 'staff', 'station', 'auditor'],
    summary: 'Find riders by community, phone or name',
    scope: { staff: STAFF, station: 'by a whole phone number only, riders of its districts' },
  },
  'GET /v1/riders/:id': {
    roles: ['admin', 'staff', 'station', 'auditor', 'rider'],
    summary: 'Read a rider with balance and badges',
    scope: { staff: STAFF, station: 'riders of its districts, without the name', rider: SELF },
  },
  'GET /v1/riders/:id/balance': {
    roles: ['admin', 'staff', 'station', 'auditor', 'rider'],
    summary: 'Read a rider’s balance',
    scope: { staff: STAFF, station: 'riders of its districts', rider: SELF },
  },
  'GET /v1/riders/:id/ledger': {
    roles: ['admin', 'staff', 'auditor', 'rider'],
    summary: 'Read a rider’s ledger lines',
    scope: { staff: STAFF, rider: SELF },
  },
  'POST /v1/riders/:id/transfer': {
    roles: ['admin', 'staff'],
    summary: 'Move a rider to another community',
    scope: { staff: 'into their communities only' },
  },
  'DELETE /v1/riders/:id/personal-data': {
    roles: ['admin'],
    summary: 'Erase a rider’s name and phone for good',
  },
  'POST /v1/awards': {
    roles: ['admin', 'staff'],
    summary: 'Award points to a rider from a fund',
    scope: { staff: 'riders of their communities only, at most the rule’s points' },
  },
  'POST /v1/awards/:entryId/reversal': {
    roles: ['admin', 'staff'],
    summary: 'Take an award back (points return to the fund)',
    scope: { staff: 'riders of their communities only' },
  },
  'POST /v1/stations': { roles: ['admin'], summary: 'Register a station or the district centre' },
  'GET /v1/stations': { roles: ALL_ROLES, summary: 'List stations' },
  'GET /v1/stations/:stationId': { roles: ALL_ROLES, summary: 'Read a station' },
  'PUT /v1/stations/:stationId/items/:sku': {
    roles: ['admin', 'station'],
    summary: 'Price a catalogue item',
    scope: { station: OWN_STATION },
  },
  'POST /v1/stations/:stationId/items/:sku/restock': {
    roles: ['admin', 'station'],
    summary: 'Add stock of an item',
    scope: { station: OWN_STATION },
  },
  'GET /v1/stations/:stationId/items': {
    roles: ALL_ROLES,
    summary: 'Read a station’s catalogue and stock',
  },
  'POST /v1/redemptions': {
    roles: ['admin', 'station'],
    summary: 'Redeem points for items at a station',
    scope: { station: OWN_STATION },
  },
  'GET /v1/redemptions': {
    roles: ['admin', 'auditor', 'station'],
    summary: 'List what a station handed out on a day',
    scope: { station: OWN_STATION },
  },
  'GET /v1/redemptions/:id': {
    roles: ['admin', 'auditor', 'station', 'rider'],
    summary: 'Read a redemption as a receipt',
    scope: { station: 'the station that served it only', rider: 'its own only' },
  },
  'POST /v1/redemptions/:id/cancellation': {
    roles: ['admin', 'station'],
    summary: 'Cancel a redemption (points and stock back)',
    scope: { station: 'the station that served it only' },
  },
  'GET /v1/leaderboards': { roles: ALL_ROLES, summary: 'Read a leaderboard' },
  'POST /v1/check-ins': {
    roles: ['admin', 'staff'],
    summary: 'Open a check-in for a task or a patrol shift',
    scope: { staff: STAFF },
  },
  'GET /v1/check-ins/:id': {
    roles: ['admin', 'staff', 'auditor'],
    summary: 'Read a check-in and its riders',
    scope: { staff: STAFF },
  },
  'GET /v1/check-ins/:id/code': {
    roles: ['admin', 'staff'],
    summary: 'The check-in code to show now (rotates every 30 s)',
    scope: { staff: STAFF },
  },
  'POST /v1/check-ins/:id/riders': {
    roles: ['rider'],
    summary: 'Check in with the code shown',
    scope: { rider: SELF },
  },
  'POST /v1/check-ins/:id/check-outs': {
    roles: ['rider'],
    summary: 'Check out with a later code',
    scope: { rider: SELF },
  },
  'POST /v1/check-ins/:id/closing': {
    roles: ['admin', 'staff'],
    summary: 'Close a check-in',
    scope: { staff: STAFF },
  },
  'GET /v1/reports/hazards': {
    roles: ['admin', 'staff', 'auditor'],
    summary: 'Hazard reports of a period by category: filed, duplicates, waiting, by outcome',
    scope: { staff: STAFF },
  },
  'GET /v1/reports/points': {
    roles: ['admin', 'staff', 'auditor'],
    summary: 'Points awarded, reversed and redeemed, and riders active, by group and period',
    scope: { staff: STAFF },
  },
  'POST /v1/webhooks': {
    roles: ['admin'],
    summary: 'Register a webhook endpoint (its secret shown once)',
  },
  'GET /v1/webhooks': { roles: ['admin'], summary: 'List webhook endpoints and their counts' },
  'GET /v1/webhooks/:id/deliveries': {
    roles: ['admin'],
    summary: 'A webhook endpoint’s delivery log, newest first',
  },
  'POST /v1/webhooks/:id/deliveries/:messageId/redelivery': {
    roles: ['admin'],
    summary: 'Send one message of a webhook endpoint again, now',
  },
  'POST /v1/selections': { roles: ['admin'], summary: 'Open a top-ten selection' },
  'POST /v1/selections/:id/close': {
    roles: ['admin'],
    summary: 'Close a selection at the log’s head',
  },
  'GET /v1/selections': { roles: ALL_ROLES, summary: 'List selections' },
  'GET /v1/selections/:id': { roles: ALL_ROLES, summary: 'Read a selection and its winners' },
  'POST /v1/tasks': {
    roles: ['admin', 'staff'],
    summary: 'Publish a micro-volunteering task',
    scope: { staff: STAFF },
  },
  'GET /v1/tasks': { roles: ALL_ROLES, summary: 'List tasks' },
  'POST /v1/tasks/:id/sign-ups': {
    roles: ['rider'],
    summary: 'Sign up for a task',
    scope: { rider: 'as itself only' },
  },
  'GET /v1/tasks/:id/sign-ups': {
    roles: ['admin', 'staff', 'auditor'],
    summary: 'List who signed up for a task',
    scope: { staff: 'tasks of their communities only' },
  },
  'POST /v1/tasks/:id/completions': {
    roles: ['admin', 'staff'],
    summary: 'Confirm a rider’s completion (awards the task’s points)',
    scope: { staff: 'tasks of their communities only' },
  },
  'POST /v1/hazards': {
    roles: ['admin', 'staff', 'rider'],
    summary: 'Report a hazard (随手拍)',
    scope: { staff: 'riders of their communities only', rider: 'as itself only' },
  },
  'POST /v1/hazards/:id/verification': {
    roles: ['admin', 'staff', 'verifier'],
    summary: 'Confirm (award) or reject a hazard report',
    scope: { staff: STAFF, verifier: 'its communities only, when it has some' },
  },
  'GET /v1/hazards': {
    roles: ['admin', 'staff', 'verifier', 'auditor'],
    summary: 'List hazard reports',
    scope: { staff: STAFF, verifier: 'its communities only, when it has some' },
  },
  'GET /v1/audit/events': { roles: ['admin', 'auditor'], summary: 'Read the event log in order' },
  'GET /v1/audit/riders/:id/balance': {
    roles: ['admin', 'auditor'],
    summary: 'A rider’s balance as of a time, from the log alone',
  },
  'GET /v1/audit/verification': {
    roles: ['admin', 'auditor'],
    summary: 'Check every event against the hash chain and seals',
  },
  'POST /v1/audit/replays': {
    roles: ['admin', 'auditor'],
    summary: 'Rebuild every read model in a shadow copy and compare',
  },
  'GET /v1/audit/replays/:id': { roles: ['admin', 'auditor'], summary: 'Read a replay’s progress' },
  'POST /v1/imports': {
    roles: ['admin'],
    summary: 'Check a file of past history row by row; nothing written',
  },
  'PUT /v1/imports/:id': {
    roles: ['admin'],
    summary: 'Write a checked file, named by its SHA-256',
  },
  'GET /v1/imports/:id': {
    roles: ['admin', 'auditor'],
    summary: 'Read an import’s progress and outcome',
  },
  'GET /v1/audit/public-key': {
    roles: ALL_ROLES,
    summary: 'The key tree heads are signed with (no token needed)',
  },
  'GET /v1/audit/checkpoints/latest': {
    roles: ALL_ROLES,
    summary: 'The newest signed tree head of the log',
  },
  'GET /v1/audit/consistency': {
    roles: ALL_ROLES,
    summary: 'Prove a newer tree only added to an older one',
  },
  'GET /v1/riders/:id/statement': {
    roles: ['admin', 'staff', 'auditor', 'rider'],
    summary: 'A rider’s statement, verifiable offline',
    scope: { staff: STAFF, rider: SELF },
  },
};

/** Who may call each route, by role: what the guard enforces. */
export const ROUTE_POLICY: Readonly<Record<string, readonly Role[]>> = Object.fromEntries(
  Object.entries(ROUTES).map(([route, rule]) => [route, rule.roles]),
);

export function routeKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path}`;
}

/** docs/roles.md, generated from ROUTES (`npm run docs:roles` writes it; a test compares). */
export function rolesMarkdown(): string {
  const header = `| route | what | ${ALL_ROLES.join(' | ')} |`;
  const rows = Object.entries(ROUTES).map(([route, rule]) => {
    const cells = ALL_ROLES.map((role) =>
      rule.roles.includes(role) ? (rule.scope?.[role] ?? 'yes') : '—',
    );
    return `| \`${route}\` | ${rule.summary} | ${cells.join(' | ')} |`;
  });
  return [
    '# Roles: who may call which route',
    '',
    'Generated from `apps/api/src/auth/route-policy.ts` by `npm run docs:roles`; a test fails when',
    'the two differ. `—`: the role is refused (403 `FORBIDDEN`). `yes`: allowed on everything the',
    'route reaches. Otherwise what the scope rules leave of it: outside that, the answer is 403',
    '`FORBIDDEN` (for a single thing) or the thing is left out (for a list), as the cell says.',
    '`GET /health` and the API documents need no token; `GET /metrics` takes `METRICS_TOKEN` or',
    'the admin token (docs/operations.md).',
    '',
    header,
    `|${'---|'.repeat(ALL_ROLES.length + 2)}`,
    ...rows,
    '',
  ].join('\n');
}
