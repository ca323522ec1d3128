// Daily usage snapshots (collection 'usage', `_id: iccid:YYYY-MM-DD`, Asia/Shanghai dates), taken by the
// card sync, and what they tell: a card's history and the "runs out in about N days" forecast.
import type { Usage, UsagePoint } from '../../../typings/api';
import type { Deps } from '../runtime/handler';
import { DuplicateKeyError, type Doc } from '../store/store';
import type { PlatformCard } from './cards';

export interface UsageDoc extends Doc {
  iccid: string;
  date: string;
  usedMB: number;
  totalMB: number;
}

const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
/** The forecast averages the growth over this many days of snapshots. */
export const FORECAST_WINDOW_DAYS = 30;

/** The calendar date in Asia/Shanghai (no daylight saving), as YYYY-MM-DD. */
export function shanghaiDate(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

export const usageId = (iccid: string, date: string) => `${iccid}:${date}`;

/** Today's snapshot for each card that has none yet; answers how many were taken. */
export async function snapshotUsage(deps: Deps, cards: PlatformCard[]): Promise<number> {
  if (cards.length === 0) return 0;
  const date = shanghaiDate(deps.now());
  const taken = await deps.store.find<UsageDoc>(
    'usage',
    { date, iccid: { in: cards.map((c) => c.iccid) } },
    { take: cards.length },
  );
  const done = new Set(taken.map((d) => d.iccid));
  const missing = cards.filter((c) => !done.has(c.iccid));
  const inserted = await Promise.all(
    missing.map(async (c) => {
      try {
        await deps.store.insert<UsageDoc>('usage', {
          _id: usageId(c.iccid, date),
          iccid: c.iccid,
          date,
          usedMB: c.usedMB,
          totalMB: c.totalMB,
        });
        return 1;
      } catch (error) {
        // Another pass took it first today: once a day is all that is wanted.
        if (error instanceof DuplicateKeyError) return 0;
        throw error;
      }
    }),
  );
  return inserted.reduce<number>((a, b) => a + b, 0);
}

/** The snapshots of the last `days` days (today included), oldest first. */
export async function usageHistory(deps: Deps, iccid: string, days: number): Promise<UsagePoint[]> {
  const from = shanghaiDate(deps.now() - (days - 1) * DAY_MS);
  const docs = await deps.store.find<UsageDoc>(
    'usage',
    { iccid, date: { gte: from } },
    { orderBy: { field: 'date', direction: 'asc' }, take: days + 1 },
  );
  return docs.map((d) => ({ date: d.date, usedMB: d.usedMB, totalMB: d.totalMB }));
}

/**
 * Average MB a day between the first and the last snapshot. When usage drops (a new period began), what
 * was used since the reset counts as that day's growth.
 */
export function dailyGrowth(points: UsagePoint[]): number | null {
  if (points.length < 2) return null;
  const first = points[0];
  const last = points[points.length - 1];
  const days = (Date.parse(last.date) - Date.parse(first.date)) / DAY_MS;
  if (!(days > 0)) return null;
  let used = 0;
  for (let i = 1; i < points.length; i++) {
    const step = points[i].usedMB - points[i - 1].usedMB;
    used += step >= 0 ? step : points[i].usedMB;
  }
  return Math.round((used / days) * 100) / 100;
}

/** What the platform's 查流量 answers. */
type PlatformUsage = Omit<Usage, 'iccid' | 'dailyMB' | 'forecastDaysLeft'>;

/** The carrier's latest usage of a card, with the forecast from the snapshots. */
export async function usageWithForecast(deps: Deps, iccid: string): Promise<Usage> {
  const [data, points] = await Promise.all([
    deps.platform.call<PlatformUsage>('flowcard.data', { params: { iccid } }),
    usageHistory(deps, iccid, FORECAST_WINDOW_DAYS),
  ]);
  const dailyMB = dailyGrowth(points);
  return {
    iccid,
    usedMB: data.usedMB,
    totalMB: data.totalMB,
    remainingMB: data.remainingMB,
    periodStart: data.periodStart,
    periodEnd: data.periodEnd,
    updatedAt: data.updatedAt,
    dailyMB,
    forecastDaysLeft: dailyMB !== null && dailyMB > 0 ? Math.floor(data.remainingMB / dailyMB) : null,
  };
}
