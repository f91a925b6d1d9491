import type { Role } from '@ledger/domain';
import type { CommandOf, StreamTarget } from '@ledger/ledger';
import { CATALOGUE, DEMO_BADGES, DEMO_FUND, DEMO_RULES, JIANGJIN, type SeedPlan } from './plan';

type Step =
  | StreamTarget<'rules'>
  | StreamTarget<'badges'>
  | StreamTarget<'fund'>
  | StreamTarget<'community'>
  | StreamTarget<'station'>;

/** The district before its riders: rules, badges, the fund, communities, stations and their stock. */
export function organisationSteps(plan: SeedPlan): Step[] {
  return [
    { kind: 'rules', command: { type: 'SetRules', rules: DEMO_RULES } },
    { kind: 'badges', command: { type: 'SetBadges', badges: DEMO_BADGES } },
    {
      kind: 'fund',
      id: DEMO_FUND.id,
      command: {
        type: 'CreateFund',
        fundId: DEMO_FUND.id,
        name: DEMO_FUND.name,
        district: JIANGJIN.district,
        // Jiangjin's budget, or more when the district is sized up (30 points an award covers
        // the activities' mix with room to spare).
        budgetPoints: Math.max(DEMO_FUND.budgetPoints, plan.awards.length * 30),
      },
    },
    ...plan.communities.map((c): Step => ({
      kind: 'community',
      id: c.id,
      command: {
        type: 'RegisterCommunity',
        communityId: c.id,
        name: c.name,
        street: c.street,
        district: JIANGJIN.district,
      },
    })),
    ...plan.stations.flatMap(stationSteps),
  ];
}

function stationSteps(station: SeedPlan['stations'][number]): Step[] {
  const at = (command: CommandOf<'station'>): Step => ({
    kind: 'station',
    id: station.id,
    command,
  });
  return [
    at({
      type: 'RegisterStation',
      stationId: station.id,
      name: station.name,
      district: JIANGJIN.district,
      kind: station.kind,
      ...(station.communityId !== undefined && { communityId: station.communityId }),
    }),
    ...CATALOGUE.flatMap((item) => [
      at({ type: 'PriceItem', stationId: station.id, ...item }),
      at({
        type: 'AddStock',
        stationId: station.id,
        sku: item.sku,
        quantity: station.stock[item.sku],
      }),
    ]),
  ];
}

export interface SeedPrincipal {
  id: string;
  name: string;
  role: Role;
  communityIds: string[];
  stationIds: string[];
  riderId?: string;
}

/**
 * One staff member per street, one principal per station, a verifier, an auditor, and the first
 * rider's own account (so the demo shows a rider's pages too).
 */
export function principalsOf(plan: SeedPlan): SeedPrincipal[] {
  const nobody = { communityIds: [], stationIds: [] };
  return [
    ...JIANGJIN.streets.map((street, i) => ({
      id: `staff-s${i + 1}`,
      name: `${street}社区工作站`,
      role: 'staff' as const,
      communityIds: plan.communities.filter((c) => c.street === street).map((c) => c.id),
      stationIds: [],
    })),
    ...plan.stations.map((s) => ({
      id: `station-${s.id}`,
      name: s.name,
      role: 'station' as const,
      communityIds: [],
      stationIds: [s.id],
    })),
    { id: 'verifier-cg', name: '江津区城市管理局', role: 'verifier', ...nobody },
    { id: 'auditor-jw', name: '江津区纪委监委', role: 'auditor', ...nobody },
    ...plan.riders.slice(0, 1).map((r) => ({
      id: `rider-${r.id}`,
      name: r.name,
      role: 'rider' as const,
      ...nobody,
      riderId: r.id,
    })),
  ];
}
