// A deterministic demo fleet: the same seed gives the same cards, ICCIDs, usage and locations.
import { CARRIER_STATUS, type Carrier } from '../../typings/card-status';
import type { DataCard, FlowCard, HistoryRecord, Product } from './model';

/** mulberry32: small, fast, deterministic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function luhnDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) d *= 2;
    if (d > 9) d -= 9;
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export const ICCID_PREFIX: Record<Carrier, string[]> = {
  cmcc: ['898600', '898602', '898604', '898607'],
  cucc: ['898601', '898606', '898609'],
  ctcc: ['898603', '898611'],
};
const MSISDN_PREFIX: Record<Carrier, string> = { cmcc: '1440', cucc: '1460', ctcc: '1410' };
const IMSI_PREFIX: Record<Carrier, string> = { cmcc: '46004', cucc: '46006', ctcc: '46011' };

export function carrierOfIccid(iccid: string): Carrier | undefined {
  const prefix = iccid.slice(0, 6);
  return (Object.keys(ICCID_PREFIX) as Carrier[]).find((c) => ICCID_PREFIX[c].includes(prefix));
}

export const CITIES = [
  { name: '深圳', lng: 114.0579, lat: 22.5431 },
  { name: '广州', lng: 113.2644, lat: 23.1291 },
  { name: '北京', lng: 116.4074, lat: 39.9042 },
  { name: '上海', lng: 121.4737, lat: 31.2304 },
  { name: '成都', lng: 104.0665, lat: 30.5723 },
  { name: '武汉', lng: 114.3055, lat: 30.5928 },
];

export const TAGS = ['冷链', '干线', '城配', '备用', '新能源'];
export const TYPES = [
  { id: 1, name: '车载终端' },
  { id: 2, name: '行车记录仪' },
  { id: 3, name: 'GPS定位器' },
];
export const CATEGORIES = [
  { id: 1, name: '月包卡' },
  { id: 2, name: '年包卡' },
  { id: 3, name: '流量池' },
];
export const PRODUCT_CATEGORIES = [
  { id: 'monthly', name: '月包' },
  { id: 'quarterly', name: '季包' },
  { id: 'yearly', name: '年包' },
  { id: 'booster', name: '加油包' },
];
const ALL: Carrier[] = ['cmcc', 'cucc', 'ctcc'];
export const PRODUCTS: Product[] = [
  { id: 'P-M-1G', name: '月包 1GB', categoryId: 'monthly', dataMB: 1024, validDays: 30, priceFen: 1000, carriers: ALL },
  { id: 'P-M-3G', name: '月包 3GB', categoryId: 'monthly', dataMB: 3072, validDays: 30, priceFen: 2500, carriers: ALL },
  {
    id: 'P-M-10G',
    name: '月包 10GB',
    categoryId: 'monthly',
    dataMB: 10240,
    validDays: 30,
    priceFen: 5900,
    carriers: ['cmcc', 'ctcc'],
  },
  {
    id: 'P-Q-10G',
    name: '季包 10GB',
    categoryId: 'quarterly',
    dataMB: 10240,
    validDays: 90,
    priceFen: 6800,
    carriers: ALL,
  },
  {
    id: 'P-Y-30G',
    name: '年包 30GB',
    categoryId: 'yearly',
    dataMB: 30720,
    validDays: 365,
    priceFen: 19900,
    carriers: ALL,
  },
  {
    id: 'P-Y-100G',
    name: '年包 100GB',
    categoryId: 'yearly',
    dataMB: 102400,
    validDays: 365,
    priceFen: 49900,
    carriers: ['cmcc'],
  },
  {
    id: 'P-B-500M',
    name: '加油包 500MB',
    categoryId: 'booster',
    dataMB: 500,
    validDays: 7,
    priceFen: 500,
    carriers: ALL,
  },
  {
    id: 'P-B-2G',
    name: '加油包 2GB',
    categoryId: 'booster',
    dataMB: 2048,
    validDays: 15,
    priceFen: 1500,
    carriers: ALL,
  },
];

/** Accounts a card may be transferred to (划卡 consignees). */
export const CONSIGNEES = ['partner-001', 'partner-002', '13800138000'];

function digits(rand: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rand() * 10);
  return s;
}

export function makeIccid(rand: () => number, carrier: Carrier, withLetter = false): string {
  const prefixes = ICCID_PREFIX[carrier];
  const prefix = prefixes[Math.floor(rand() * prefixes.length)];
  if (withLetter) {
    // Some Unicom ICCIDs carry a letter; no Luhn digit applies to them.
    const body = digits(rand, 13);
    return `${prefix}${body.slice(0, 2)}${'ABCDEF'[Math.floor(rand() * 6)]}${body.slice(2)}`;
  }
  const body = prefix + digits(rand, 13);
  return body + luhnDigit(body);
}

const DAY = 86_400_000;

/**
 * Every carrier status code appears at least once; the rest are normal cards. Some active cards are
 * nearly out of data, and some stopped cards ran out of it (stopped for arrears).
 */
export function seedFleet(count: number, seed: number, now: number): FlowCard[] {
  const rand = rng(seed);
  const required: Array<{ carrier: Carrier; status: number }> = [];
  for (const carrier of ALL) {
    for (const code of Object.keys(CARRIER_STATUS[carrier])) required.push({ carrier, status: Number(code) });
  }
  const normal: Record<Carrier, number> = { cmcc: 0, cucc: 1, ctcc: 1 };
  const cards: FlowCard[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const special = i >= count - required.length ? required[i - (count - required.length)] : undefined;
    const carrier = special?.carrier ?? ALL[i % 3];
    const status = special?.status ?? normal[carrier];
    let iccid = makeIccid(rand, carrier, carrier === 'cucc' && i % 17 === 4);
    while (seen.has(iccid)) iccid = makeIccid(rand, carrier);
    seen.add(iccid);
    const totalMB = [1024, 3072, 10240, 30720][Math.floor(rand() * 4)];
    let usedMB = Math.round(totalMB * rand() * 0.7 * 100) / 100;
    if (i % 10 === 3) usedMB = Math.round(totalMB * (0.9 + rand() * 0.09) * 100) / 100; // low on data
    if (i % 25 === 7 && status === normal[carrier]) {
      // ran out of data and was stopped for it
      usedMB = totalMB;
      cards.push(
        makeCard(rand, i, iccid, carrier, carrier === 'ctcc' ? 5 : carrier === 'cmcc' ? 1 : 2, totalMB, usedMB, now),
      );
      continue;
    }
    cards.push(makeCard(rand, i, iccid, carrier, status, totalMB, usedMB, now));
  }
  return cards;
}

function makeCard(
  rand: () => number,
  i: number,
  iccid: string,
  carrier: Carrier,
  status: number,
  totalMB: number,
  usedMB: number,
  now: number,
): FlowCard {
  const state = CARRIER_STATUS[carrier][status]?.state;
  const neverActivated = state === 'inactive' || state === 'unknown';
  const periodStart = new Date(now - Math.floor(rand() * 25 + 1) * DAY);
  const city = CITIES[i % CITIES.length];
  const lagHours = 2 + Math.floor(rand() * 20);
  return {
    iccid,
    msisdn: MSISDN_PREFIX[carrier] + digits(rand, 9),
    imsi: IMSI_PREFIX[carrier] + digits(rand, 10),
    carrier,
    status,
    realNameStatus: status === 150001 || rand() < 0.1 ? 0 : 1,
    typeId: TYPES[i % TYPES.length].id,
    categoryId: CATEGORIES[i % CATEGORIES.length].id,
    tags: i % 4 === 0 ? [] : [TAGS[i % TAGS.length]],
    remark: '',
    packageName: `${carrier === 'cmcc' ? '移动' : carrier === 'cucc' ? '联通' : '电信'}物联网 ${Math.round(totalMB / 1024)}GB/月`,
    totalMB: neverActivated ? 0 : totalMB,
    usedMB: neverActivated ? 0 : usedMB,
    periodStart: periodStart.toISOString(),
    periodEnd: new Date(periodStart.getTime() + 30 * DAY).toISOString(),
    activatedAt: neverActivated ? null : new Date(now - (60 + Math.floor(rand() * 600)) * DAY).toISOString(),
    updatedAt: new Date(now - lagHours * 3_600_000).toISOString(),
    statusUpdatedAt: new Date(now - Math.floor(rand() * 72) * 3_600_000).toISOString(),
    location: neverActivated
      ? null
      : {
          lng: Math.round((city.lng + (rand() - 0.5) * 0.3) * 1e6) / 1e6,
          lat: Math.round((city.lat + (rand() - 0.5) * 0.3) * 1e6) / 1e6,
          radius: [150, 300, 500, 1000, 2000][Math.floor(rand() * 5)],
          locatedAt: new Date(now - Math.floor(rand() * 180) * 60_000).toISOString(),
        },
    reality: null,
  };
}

export function seedDataCards(count: number, seed: number, now: number): DataCard[] {
  const rand = rng(seed ^ 0x5eed);
  return Array.from({ length: count }, (_, i) => {
    const product = PRODUCTS[i % PRODUCTS.length];
    const status = (i % 7 === 0 ? 1 : i % 11 === 0 ? 2 : 0) as 0 | 1 | 2;
    return {
      id: `DC${String(i + 1).padStart(8, '0')}`,
      cardNo: digits(rand, 16),
      productId: product.id,
      dataMB: product.dataMB,
      status,
      expireAt: new Date(now + (status === 2 ? -10 : 180) * DAY).toISOString(),
      createdAt: new Date(now - (30 + i) * DAY).toISOString(),
      consignee: null,
    };
  });
}

/**
 * Recharge records (充值记录) for the seeded recharge cards already used (status 1): each went onto one
 * of the fleet's active cards a few days after it was made. Newest first.
 */
export function seedRechargeHistory(dataCards: DataCard[], fleet: FlowCard[]): HistoryRecord[] {
  const active = fleet.filter((c) => CARRIER_STATUS[c.carrier][c.status]?.state === 'active');
  if (active.length === 0) return [];
  return dataCards
    .filter((d) => d.status === 1)
    .map((d, i) => ({
      id: `RH${d.id.slice(2)}`,
      dataCardId: d.id,
      cardNo: d.cardNo,
      iccid: active[(i * 7) % active.length].iccid,
      productId: d.productId,
      dataMB: d.dataMB,
      createdAt: new Date(Date.parse(d.createdAt) + ((i % 20) + 1) * DAY).toISOString(),
    }))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}
