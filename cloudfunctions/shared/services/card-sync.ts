// The card sync: reads every card of the platform account into the card index, page by page within each
// timer tick's budget, and resumes where it stopped on the next tick (cursor in meta/cardSync). Each page
// also gets today's usage snapshot. When the listing is through, index entries not seen since the pass began
// are checked one by one: gone from the platform (transferred away) → removed; still there (paging shifted
// under us) → indexed again.
import type { Budget, CronTask } from '../functions/cron';
import { AppError } from '../runtime/errors';
import type { Deps } from '../runtime/handler';
import type { Doc } from '../store/store';
import { indexCards, type CardDoc, type PlatformCard } from './cards';
import { SYNCED_AT_ID, markSynced } from './card-index';
import { snapshotUsage } from './card-usage';

interface SyncCursor extends Doc {
  phase: 'list' | 'verify';
  skip: number;
  startedAt: number;
}

export interface SyncReport {
  skipped?: boolean;
  indexed: number;
  removed: number;
  snapshots: number;
  completed: boolean;
}

const CURSOR_ID = 'cardSync';
const PAGE_SIZE = 100;
/** Index entries checked at once (concurrently, paced by the client) in one step. */
const VERIFY_BATCH = 20;
/** A step (a page, a batch of checks) starts only with at least this much of the budget left. */
const STEP_MARGIN_MS = 800;
/** The timer starts a new pass at most this often; a pass under way continues on every tick. */
export const SYNC_INTERVAL_MS = 5 * 60_000;

async function listStep(deps: Deps, cursor: SyncCursor, report: SyncReport): Promise<SyncCursor> {
  const page = await deps.platform.call<{ total: number; items: PlatformCard[] }>('flowcard.list', {
    query: { skip: cursor.skip, take: PAGE_SIZE },
  });
  await indexCards(deps, page.items);
  report.snapshots += await snapshotUsage(deps, page.items);
  report.indexed += page.items.length;
  const skip = cursor.skip + page.items.length;
  const done = page.items.length < PAGE_SIZE || skip >= page.total;
  return done ? { ...cursor, phase: 'verify', skip: 0 } : { ...cursor, skip };
}

/** Checks a batch of the index entries the listing did not see; answers whether more may be left. */
async function verifyStep(deps: Deps, cursor: SyncCursor, report: SyncReport): Promise<boolean> {
  const stale = await deps.store.find<CardDoc>('cards', { syncedAt: { lt: cursor.startedAt } }, { take: VERIFY_BATCH });
  await Promise.all(
    stale.map(async (doc) => {
      try {
        const card = await deps.platform.call<PlatformCard>('flowcard.detail', { params: { iccid: doc._id } });
        await indexCards(deps, [card]);
        report.snapshots += await snapshotUsage(deps, [card]);
        report.indexed += 1;
      } catch (error) {
        if (!(error instanceof AppError && error.code === 'NOT_FOUND')) throw error;
        await deps.store.remove('cards', doc._id);
        await deps.store.remove('pending', doc._id);
        report.removed += 1;
      }
    }),
  );
  return stale.length === VERIFY_BATCH;
}

/**
 * Works the sync within `budget`: at least one step, then more while time is left. With `minIntervalMs`, a
 * new pass starts only that long after the last one finished.
 */
export async function syncCards(
  deps: Deps,
  budget: Budget,
  opts: { minIntervalMs?: number } = {},
): Promise<SyncReport> {
  const report: SyncReport = { indexed: 0, removed: 0, snapshots: 0, completed: false };
  let cursor = await deps.store.get<SyncCursor>('meta', CURSOR_ID);
  if (!cursor) {
    const last = await deps.store.get<{ _id: string; at: number }>('meta', SYNCED_AT_ID);
    if (opts.minIntervalMs && last && deps.now() - last.at < opts.minIntervalMs) return { ...report, skipped: true };
    cursor = { _id: CURSOR_ID, phase: 'list', skip: 0, startedAt: deps.now() };
    await deps.store.put('meta', cursor);
  }
  do {
    if (cursor.phase === 'list') {
      cursor = await listStep(deps, cursor, report);
      await deps.store.put('meta', cursor);
    } else if (!(await verifyStep(deps, cursor, report))) {
      await markSynced(deps);
      await deps.store.remove('meta', CURSOR_ID);
      report.completed = true;
      break;
    }
  } while (budget.left() >= STEP_MARGIN_MS);
  return report;
}

export const syncCardsTask: CronTask = {
  name: 'syncCards',
  async run(deps, budget) {
    return { ...(await syncCards(deps, budget, { minIntervalMs: SYNC_INTERVAL_MS })) };
  },
};
