import type { Role } from '@ledger/domain';

export const ALL_ROLES: readonly Role[] = [
  'admin',
  'staff',
  'verifier',
  'station',
  'auditor',
  'rider',
];

/**
 * Who may call each route (api.md), by role: the one table the guard enforces and the
 * role × route test reads. A route missing here is refused to everyone but `@Public()` ones.
 * Scope (which community, station or rider) is checked further in, per request.
 */
export const ROUTE_POLICY: Readonly<Record<string, readonly Role[]>> = {
  'GET /v1/me': ALL_ROLES,
  'POST /v1/principals': ['admin'],
  'GET /v1/principals': ['admin'],
  'DELETE /v1/principals/:id': ['admin'],
  'POST /v1/communities': ['admin'],
  'GET /v1/communities': ALL_ROLES,
  'GET /v1/communities/:id': ALL_ROLES,
  'POST /v1/funds': ['admin'],
  'GET /v1/funds': ['admin', 'staff', 'verifier', 'auditor'],
  'GET /v1/funds/:id': ['admin', 'staff', 'verifier', 'auditor'],
  'POST /v1/funds/:id/top-ups': ['admin'],
  'PUT /v1/rules': ['admin'],
  'GET /v1/rules': ALL_ROLES,
  'GET /v1/badges': ALL_ROLES,
  'PUT /v1/badges': ['admin'],
  'POST /v1/riders': ['admin', 'staff'],
  'GET /v1/riders': ['admin', 'staff', 'auditor'],
  'GET /v1/riders/:id': ['admin', 'staff', 'station', 'auditor', 'rider'],
  'GET /v1/riders/:id/balance': ['admin', 'staff', 'station', 'auditor', 'rider'],
  'GET /v1/riders/:id/ledger': ['admin', 'staff', 'station', 'auditor', 'rider'],
  'POST /v1/riders/:id/transfer': ['admin', 'staff'],
  'DELETE /v1/riders/:id/personal-data': ['admin'],
  'POST /v1/awards': ['admin', 'staff'],
  'POST /v1/awards/:entryId/reversal': ['admin', 'staff'],
  'POST /v1/stations': ['admin'],
  'GET /v1/stations': ALL_ROLES,
  'GET /v1/stations/:stationId': ALL_ROLES,
  'PUT /v1/stations/:stationId/items/:sku': ['admin', 'station'],
  'POST /v1/stations/:stationId/items/:sku/restock': ['admin', 'station'],
  'GET /v1/stations/:stationId/items': ALL_ROLES,
  'POST /v1/redemptions': ['admin', 'station'],
  'GET /v1/redemptions': ['admin', 'auditor', 'station'],
  'GET /v1/redemptions/:id': ['admin', 'auditor', 'station', 'rider'],
  'POST /v1/redemptions/:id/cancellation': ['admin', 'station'],
  'GET /v1/leaderboards': ALL_ROLES,
  'POST /v1/selections': ['admin'],
  'POST /v1/selections/:id/close': ['admin'],
  'GET /v1/selections/:id': ALL_ROLES,
  'POST /v1/tasks': ['admin', 'staff'],
  'GET /v1/tasks': ALL_ROLES,
  'POST /v1/tasks/:id/sign-ups': ['rider'],
  'POST /v1/tasks/:id/completions': ['admin', 'staff'],
  'POST /v1/hazards': ['admin', 'staff', 'rider'],
  'POST /v1/hazards/:id/verification': ['admin', 'staff', 'verifier'],
  'GET /v1/hazards': ['admin', 'staff', 'verifier', 'auditor'],
  'GET /v1/audit/events': ['admin', 'auditor'],
  'GET /v1/audit/riders/:id/balance': ['admin', 'auditor'],
  'GET /v1/audit/verification': ['admin', 'auditor'],
  'POST /v1/audit/replays': ['admin', 'auditor'],
  'GET /v1/audit/replays/:id': ['admin', 'auditor'],
};

export function routeKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path}`;
}
