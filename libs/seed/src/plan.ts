import type { ActivityRule, ItemKind, Occupation, StationKind } from '@ledger/domain';

/**
 * A Jiangjin-sized district (product.md: 5 streets, 63 urban communities, 1,500+ riders, 51 rider
 * stations built on community service centres), generated from a seed so every run is the same.
 */
export const JIANGJIN = {
  district: '江津区',
  streets: ['几江街道', '德感街道', '鼎山街道', '双福街道', '圣泉街道'],
  communitiesPerStreet: [15, 13, 13, 12, 10],
  riders: 1500,
  stations: 51,
};

export const DEMO_FUND = {
  id: 'jiangjin-2026',
  name: '江津区小哥志愿积分专项资金',
  budgetPoints: 5_000_000,
};

/** The point rules of the demo (activities of the field reports). */
export const DEMO_RULES: ActivityRule[] = [
  { activity: 'patrol', points: 20, maxPointsPerRiderPerDay: 60 },
  { activity: 'civility_persuasion', points: 10, maxPointsPerRiderPerDay: 30 },
  { activity: 'grid_duty', points: 15, maxPointsPerRiderPerDay: 45 },
  { activity: 'hazard_report', pointsBySeverity: { minor: 5, moderate: 20, major: 50 } },
  { activity: 'rescue', points: 100 },
  { activity: 'courageous_act', points: 200 },
  { activity: 'community_activity', points: 10 },
  { activity: 'learning_quiz', points: 5, maxPointsPerRiderPerDay: 10 },
  { activity: 'community_registration', points: 10 },
  { activity: 'epidemic_screening', points: 30 },
  { activity: 'task', points: 50 },
];

export const DEMO_BADGES = [
  { id: 'bronze', name: '铜牌小哥', thresholdPoints: 300 },
  { id: 'silver', name: '银牌小哥', thresholdPoints: 800 },
  { id: 'gold', name: '金牌小哥', thresholdPoints: 1500 },
];

/** What a station offers (field reports: goods, mall vouchers, discount coupons, services). */
export const CATALOGUE: { sku: string; name: string; kind: ItemKind; pricePoints: number }[] = [
  { sku: 'water', name: '矿泉水', kind: 'goods', pricePoints: 20 },
  { sku: 'raincoat', name: '雨衣', kind: 'goods', pricePoints: 150 },
  { sku: 'helmet', name: '安全头盔', kind: 'goods', pricePoints: 600 },
  { sku: 'voucher-50', name: '商场代金券50元', kind: 'voucher', pricePoints: 500 },
  { sku: 'meal-coupon', name: '餐饮优惠券', kind: 'coupon', pricePoints: 80 },
  { sku: 'haircut', name: '理发服务', kind: 'service', pricePoints: 200 },
];

/** Activities of an ordinary week, with how often each comes up (weights). */
const EVERYDAY: [ActivityRule['activity'], number][] = [
  ['patrol', 30],
  ['civility_persuasion', 20],
  ['grid_duty', 15],
  ['community_activity', 12],
  ['learning_quiz', 10],
  ['community_registration', 5],
  ['epidemic_screening', 5],
  ['rescue', 2],
  ['courageous_act', 1],
];

const COMMUNITY_ROOTS = [
  '艾坪山',
  '滨江',
  '东门',
  '西门',
  '南安',
  '北固',
  '通泰',
  '小西门',
  '大西门',
  '长风',
  '鼎山',
  '双福',
  '圣泉',
  '德感',
  '油溪',
  '白沙',
  '珞璜',
  '支坪',
  '李市',
  '慈云',
];
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高梁郑谢宋唐许韩冯邓曹彭曾肖田董袁潘';
const GIVEN = '伟强磊军勇杰涛明超华平刚辉鹏飞斌宇浩凯健俊帆波毅林峰亮成';
const PLATFORMS: Record<Occupation, string[]> = {
  courier: ['顺丰', '京东', '中通', '圆通', '邮政'],
  food_delivery: ['美团', '饿了么'],
  ride_hailing: ['滴滴', '曹操出行'],
  other: ['闪送', 'UU跑腿'],
};

export interface SeedPlan {
  communities: { id: string; name: string; street: string }[];
  stations: {
    id: string;
    name: string;
    communityId?: string;
    kind: StationKind;
    stock: Record<string, number>;
  }[];
  riders: {
    id: string;
    communityId: string;
    occupation: Occupation;
    platform: string;
    name: string;
    phone: string;
  }[];
  /** Per rider, in time order: the days (offsets back from today) and activities of its awards. */
  awards: { riderId: string; daysAgo: number; activity: ActivityRule['activity'] }[];
}

/** mulberry32: a small, fast, seeded PRNG; the same seed, the same district. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The district at `scale` (1 = Jiangjin; at least one of everything), from `seed`; `counts` sets
 * the riders and stations apart from the scale (a Chengdu-sized city: 75,000 riders, 240 stations).
 */
export function seedPlan(
  scale = 1,
  seed = 2026,
  awardsPerRider = 20,
  counts: { riders?: number; stations?: number } = {},
): SeedPlan {
  const random = prng(seed);
  const scaled = (n: number) => Math.max(1, Math.round(n * scale));
  const communities = communitiesAt(scaled);
  const stations = stationsAt(counts.stations ?? scaled(JIANGJIN.stations), communities, random);
  const riderCount = counts.riders ?? scaled(JIANGJIN.riders);
  const { riders, awards } = ridersAndAwards(riderCount, awardsPerRider, communities, random);
  return { communities, stations, riders, awards };
}

function communitiesAt(scaled: (n: number) => number): SeedPlan['communities'] {
  const communities: SeedPlan['communities'] = [];
  JIANGJIN.streets.forEach((street, s) => {
    for (let i = 0; i < scaled(JIANGJIN.communitiesPerStreet[s]); i++) {
      const root = COMMUNITY_ROOTS[(s * 7 + i) % COMMUNITY_ROOTS.length];
      communities.push({
        id: `jj-s${s + 1}-c${String(i + 1).padStart(2, '0')}`,
        name: `${street.slice(0, 2)}${root}${i >= COMMUNITY_ROOTS.length ? i : ''}社区`,
        street,
      });
    }
  });
  return communities;
}

/** Stations in communities, one after another, and the district centre last. */
function stationsAt(
  count: number,
  communities: SeedPlan['communities'],
  random: () => number,
): SeedPlan['stations'] {
  return Array.from({ length: count }, (_, i) => {
    const centre = i === count - 1;
    const community = communities[i % communities.length];
    return {
      id: centre ? 'jj-centre' : `jj-station-${String(i + 1).padStart(2, '0')}`,
      name: centre ? '江津区小哥积分兑换中心' : `${community.name}小哥驿站`,
      ...(!centre && { communityId: community.id }),
      kind: centre ? ('centre' as const) : ('station' as const),
      stock: Object.fromEntries(
        CATALOGUE.map((item) => [item.sku, 50 + Math.floor(random() * 150)]),
      ),
    };
  });
}

/** Mobile numbers 13x xxxx xxxx: the nine digits after "13", and a stride prime to their count. */
const PHONE_RANGE = 900_000_000;
const PHONE_STRIDE = 7_919_993;

function ridersAndAwards(
  count: number,
  awardsPerRider: number,
  communities: SeedPlan['communities'],
  random: () => number,
): Pick<SeedPlan, 'riders' | 'awards'> {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const weighted = <T>(items: readonly [T, number][]): T => {
    let r = random() * items.reduce((s, [, w]) => s + w, 0);
    for (const [item, w] of items) if ((r -= w) < 0) return item;
    return items[items.length - 1][0];
  };
  const riders: SeedPlan['riders'] = [];
  const awards: SeedPlan['awards'] = [];
  // One number per rider (one phone, one rider): i × a stride prime to the 9-digit range, from a
  // random start, visits every number of the range once before any repeats.
  const firstPhone = Math.floor(random() * PHONE_RANGE);
  for (let i = 0; i < count; i++) {
    const occupation = weighted<Occupation>([
      ['courier', 40],
      ['food_delivery', 45],
      ['ride_hailing', 12],
      ['other', 3],
    ]);
    const id = `jj-r${String(i + 1).padStart(count > 9999 ? 5 : 4, '0')}`;
    riders.push({
      id,
      communityId: pick(communities).id,
      occupation,
      platform: pick(PLATFORMS[occupation]),
      name: `${pick([...SURNAMES])}${pick([...GIVEN])}${random() < 0.5 ? pick([...GIVEN]) : ''}`,
      phone: `13${100_000_000 + ((firstPhone + i * PHONE_STRIDE) % PHONE_RANGE)}`,
    });
    // Activity differs a lot between riders: a few very active ones make a real top ten.
    const awardCount = Math.round(awardsPerRider * (0.2 + 1.6 * random() ** 2));
    const days = new Set<number>();
    while (days.size < Math.min(awardCount, 360)) days.add(1 + Math.floor(random() * 360));
    for (const daysAgo of [...days].sort((a, b) => b - a))
      awards.push({ riderId: id, daysAgo, activity: weighted(EVERYDAY) });
  }
  return { riders, awards };
}
