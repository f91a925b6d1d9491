import { JIANGJIN, seedPlan } from './plan';

describe('demo district plan', () => {
  it('has the field figures of Jiangjin at scale 1: 5 streets, 63 communities, 1,500 riders, 51 stations', () => {
    const plan = seedPlan();
    expect(new Set(plan.communities.map((c) => c.street))).toEqual(new Set(JIANGJIN.streets));
    expect(plan.communities).toHaveLength(63);
    expect(plan.riders).toHaveLength(1500);
    expect(plan.stations).toHaveLength(51);
    expect(plan.stations.filter((s) => s.kind === 'centre')).toHaveLength(1);
    expect(new Set(plan.riders.map((r) => r.id)).size).toBe(1500);
    expect(new Set(plan.communities.map((c) => c.name)).size).toBe(63);
    expect(plan.awards.length).toBeGreaterThan(15_000);
    // a year of awards, each day at most once per rider (no daily cap refuses them)
    const days = plan.awards.map((a) => a.daysAgo);
    expect(Math.max(...days)).toBeLessThanOrEqual(360);
    expect(Math.min(...days)).toBeGreaterThanOrEqual(1);
    const perRiderDay = new Set(plan.awards.map((a) => `${a.riderId}/${a.daysAgo}`));
    expect(perRiderDay.size).toBe(plan.awards.length);
  });

  it('is the same district for the same seed, another for another', () => {
    expect(seedPlan(0.1, 7)).toEqual(seedPlan(0.1, 7));
    expect(seedPlan(0.1, 7).riders[0]).not.toEqual(seedPlan(0.1, 8).riders[0]);
  });

  it('keeps at least one of everything at a small scale', () => {
    const plan = seedPlan(0.001);
    expect(plan.communities).toHaveLength(5);
    expect(plan.riders.length).toBeGreaterThanOrEqual(1);
    expect(plan.stations.length).toBeGreaterThanOrEqual(1);
  });

  it('takes rider and station counts apart from the scale (a city for load tests)', () => {
    const plan = seedPlan(0.2, 2026, 0, { riders: 12_000, stations: 24 });
    expect(plan.riders).toHaveLength(12_000);
    expect(new Set(plan.riders.map((r) => r.id)).size).toBe(12_000);
    // one phone, one rider: a city's riders never share a number
    expect(new Set(plan.riders.map((r) => r.phone)).size).toBe(12_000);
    expect(plan.riders.every((r) => /^13\d{9}$/.test(r.phone))).toBe(true);
    expect(plan.stations).toHaveLength(24);
    expect(plan.stations.filter((s) => s.kind === 'centre')).toHaveLength(1);
    expect(plan.awards).toEqual([]);
  });
});
