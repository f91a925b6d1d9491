import { setUpDistrict } from '../e2e/api-fixture';
import { call, type ApiProcess } from '../support/processes';

/**
 * The reliability harnesses' district, over HTTP as the admin: community c1, fund f1 with a large
 * budget, patrol worth 10, riders r0…r(n-1), station s1 selling water at 5 points with `stock`
 * bottles, and the principals asked for (their tokens by id).
 */
export async function waterDistrict(
  api: ApiProcess,
  options: {
    riders: number;
    stock: number;
    principals?: ({ id: string; name: string; role: string } & Record<string, unknown>)[];
  },
): Promise<Record<string, string>> {
  const tokens = await setUpDistrict(
    async (method, path, body, token) => ({
      ...(await call(api, method, path, body, { token })),
      headers: {},
    }),
    {
      communities: { c1: '几江街道' },
      budgetPoints: 10_000_000,
      rules: [{ activity: 'patrol', points: 10 }],
      riders: Object.fromEntries(Array.from({ length: options.riders }, (_, i) => [`r${i}`, 'c1'])),
      stations: [{ id: 's1', name: '几江驿站', kind: 'station' }],
      principals: options.principals ?? [],
    },
  );
  const must = async (method: string, path: string, body: unknown) => {
    const res = await call(api, method, path, body);
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  await must('PUT', '/v1/stations/s1/items/water', {
    name: '矿泉水',
    kind: 'goods',
    pricePoints: 5,
  });
  await must('POST', '/v1/stations/s1/items/water/restock', { quantity: options.stock });
  return tokens;
}

/** The `i`th client's award in the water district: a patrol of a minute ago by rider i mod riders. */
export const waterAward = (i: number, riders: number) => ({
  riderId: `r${i % riders}`,
  activity: 'patrol',
  fundId: 'f1',
  reason: '夜间巡逻',
  occurredAt: new Date(Date.now() - 60_000).toISOString(),
});

/** The `i`th client's redemption: a bottle of water at s1 for rider i mod riders. */
export const waterRedemption = (i: number, riders: number) => ({
  riderId: `r${i % riders}`,
  stationId: 's1',
  items: [{ sku: 'water', quantity: 1 }],
});

/** A write the API acknowledged (201), as a harness keeps it to check later. */
export interface Acknowledged {
  readonly route: '/v1/awards' | '/v1/redemptions';
  readonly key: string;
  readonly body: unknown;
  /** The entry id of an award, the redemption id of a redemption. */
  readonly id: string;
}
