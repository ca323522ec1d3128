// What a job does to its cards, one item at a time, never acting on a card twice:
// - stop/resume: an item is marked `sending` (compare-and-set from what it was) before the platform is
//   asked, and settled after the answer. An item found `sending` may have reached the platform without its
//   answer reaching us (a crash, a 500 or a timeout on the POST): the card is read first, and a card that
//   already shows the target state is done without a new request. The platform refuses a second request
//   while one is in progress, so a resend after that read cannot stop a card twice either.
// - tag: the platform's batch update sets the same tags however often it is sent, so it is simply repeated.
// Transient failures wait a backoff and are tried again, up to MAX_ATTEMPTS; refusals are final at once.
import { cardState, type Carrier } from '../../../typings/card-status';
import type { Budget } from '../functions/cron';
import { AppError } from '../runtime/errors';
import type { Deps } from '../runtime/handler';
import { networkRefusal, type NetworkOp } from './card-network';
import { fetchCard, type PendingDoc, type PlatformCard } from './cards';
import type { JobDoc, JobItemDoc } from './jobs';

export const MAX_ATTEMPTS = 5;
/** ICCIDs per batch update: the platform takes at most 1000. */
export const TAG_BATCH = 1000;
const POOL = 20;

/** What an attempt ends with; `busy` (not stored): the platform asked us to slow down. */
type Settled = Pick<JobItemDoc, 'outcome' | 'message'> & Partial<Pick<JobItemDoc, 'retryAt'>> & { busy?: boolean };

const OP_WORDS: Record<NetworkOp, string> = { stop: '停机', resume: '复机' };

function backoffUntil(deps: Deps, attempts: number): number {
  return deps.now() + Math.min(60_000, 1000 * 2 ** Math.max(0, attempts - 1));
}

/** The platform did not take the request (it said so before acting). */
const NOT_TAKEN = ['PLATFORM_BUSY', 'PLATFORM_AUTH', 'PLATFORM_FORBIDDEN'];
const REFUSED = ['PLATFORM_REJECTED', 'INVALID_ARGUMENT'];

function atTarget(card: { carrier: Carrier; status: number; usedMB?: number; totalMB?: number }, op: NetworkOp) {
  const { state } = cardState({ usedMB: 0, totalMB: 0, ...card });
  return op === 'stop' ? state !== 'active' : state === 'active';
}

/** A transient failure: tried again after a backoff (still `sending` when a request may have gone through). */
function retryLater(deps: Deps, item: JobItemDoc, op: NetworkOp, unsure: boolean, error: AppError | string): Settled {
  const why = typeof error === 'string' ? error : error.message;
  const busy = typeof error !== 'string' && error.code === 'PLATFORM_BUSY';
  if (item.attempts >= MAX_ATTEMPTS) {
    return {
      outcome: 'failed',
      message: unsure
        ? `卡平台多次没有答复，无法确认该卡是否已${OP_WORDS[op]}（${why}），请在卡详情里查看该卡状态。`
        : `卡平台多次繁忙或无法访问，未能${OP_WORDS[op]}（${why}），请稍后对这张卡单独重试。`,
    };
  }
  return { outcome: unsure ? 'sending' : 'pending', message: null, retryAt: backoffUntil(deps, item.attempts), busy };
}

/**
 * The platform refused a stop/resume: read the card to tell why. Already in the target state: done if our
 * earlier request may have done it, else skipped with the reason; not resumable (arrears, real-name,
 * carrier): skipped with what fixes it; anything else (a request still in progress) is tried again later.
 */
async function explainRefusal(deps: Deps, item: JobItemDoc, op: NetworkOp, unsure: boolean): Promise<Settled> {
  let card: PlatformCard;
  try {
    card = await fetchCard(deps, item.iccid);
  } catch (error) {
    if (error instanceof AppError && error.code === 'NOT_FOUND') return { outcome: 'failed', message: error.message };
    if (!(error instanceof AppError)) throw error;
    return retryLater(deps, item, op, unsure, error);
  }
  if (unsure && atTarget(card, op)) return { outcome: 'ok', message: null };
  const refusal = networkRefusal(card, op);
  if (refusal) return { outcome: 'skipped', message: refusal.message };
  return retryLater(deps, item, op, unsure, '该卡有正在处理的停复机请求');
}

async function send(deps: Deps, job: JobDoc, item: JobItemDoc, op: NetworkOp, unsure: boolean): Promise<Settled> {
  try {
    const accepted = await deps.platform.call<{ requestId: string }>('flowcard.network', {
      params: { iccid: item.iccid },
      body: { action: op },
    });
    await deps.store.put<PendingDoc>('pending', {
      _id: item.iccid,
      iccid: item.iccid,
      op,
      requestId: accepted.requestId,
      requestedAt: deps.now(),
      by: job.createdBy,
    });
    return { outcome: 'ok', message: null };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    if (error.code === 'NOT_FOUND') return { outcome: 'failed', message: error.message };
    if (REFUSED.includes(error.code)) return explainRefusal(deps, item, op, unsure);
    // PLATFORM_UNAVAILABLE (a 5xx or a timeout): the request may have been taken.
    return retryLater(deps, item, op, unsure || !NOT_TAKEN.includes(error.code), error);
  }
}

/**
 * Stops or resumes one item's card, or settles what a previous attempt left unknown. Answers whether the
 * platform asked us to slow down (the runner then leaves the rest for later).
 */
export async function workNetworkItem(deps: Deps, job: JobDoc, found: JobItemDoc): Promise<boolean> {
  const op = job.kind as NetworkOp;
  const unsure = found.outcome === 'sending';
  const item: JobItemDoc = { ...found, outcome: 'sending', attempts: found.attempts + 1 };
  const claimed = await deps.store.update(
    'jobItems',
    item._id,
    { outcome: 'sending', attempts: item.attempts },
    { outcome: found.outcome, attempts: found.attempts },
  );
  if (!claimed) return false;
  const { busy, ...settled } = unsure
    ? await resolveUnsure(deps, job, item, op)
    : await send(deps, job, item, op, false);
  await deps.store.update('jobItems', item._id, settled, { outcome: 'sending', attempts: item.attempts });
  return busy === true;
}

/** A request may already have reached the platform: only a card not yet in the target state is asked again. */
async function resolveUnsure(deps: Deps, job: JobDoc, item: JobItemDoc, op: NetworkOp): Promise<Settled> {
  let status: { carrier: Carrier; status: number };
  try {
    status = await deps.platform.call<{ carrier: Carrier; status: number }>('flowcard.status', {
      params: { iccid: item.iccid },
    });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    if (error.code === 'NOT_FOUND') return { outcome: 'failed', message: error.message };
    return retryLater(deps, item, op, true, error);
  }
  if (atTarget(status, op)) return { outcome: 'ok', message: null };
  if (item.attempts > MAX_ATTEMPTS) return retryLater(deps, item, op, true, '多次尝试后仍未生效');
  return send(deps, job, item, op, true);
}

async function inPool<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += POOL) await Promise.all(items.slice(i, i + POOL).map(work));
}

async function settleTag(deps: Deps, item: JobItemDoc, settled: Settled): Promise<void> {
  await deps.store.update(
    'jobItems',
    item._id,
    { ...settled, attempts: item.attempts + 1 },
    { outcome: 'pending', attempts: item.attempts },
  );
}

function tagFailure(deps: Deps, item: JobItemDoc, error: unknown): Settled {
  if (!(error instanceof AppError)) throw error;
  if (error.code === 'NOT_FOUND' || REFUSED.includes(error.code)) return { outcome: 'failed', message: error.message };
  if (item.attempts + 1 >= MAX_ATTEMPTS) {
    return { outcome: 'failed', message: `卡平台多次繁忙或无法访问，未能设置标签（${error.message}），请稍后重试。` };
  }
  return { outcome: 'pending', message: null, retryAt: backoffUntil(deps, item.attempts + 1) };
}

/**
 * Sets the job's tags on up to TAG_BATCH cards with one batch update. When the platform refuses the batch
 * (it refuses all of it for one unknown card), the cards are set one by one so each gets its own outcome.
 */
export async function workTagBatch(deps: Deps, job: JobDoc, items: JobItemDoc[], budget: Budget): Promise<boolean> {
  const set = { tags: job.tags };
  try {
    await deps.platform.call('flowcard.batchUpdate', { body: { iccids: items.map((i) => i.iccid), set } });
  } catch (error) {
    if (!(error instanceof AppError && REFUSED.includes(error.code))) {
      await inPool(items, (item) => settleTag(deps, item, tagFailure(deps, item, error)));
      return error instanceof AppError && error.code === 'PLATFORM_BUSY';
    }
    await inPool(items, async (item) => {
      if (budget.left() < 500) return;
      let settled: Settled = { outcome: 'ok', message: null };
      try {
        await deps.platform.call('flowcard.update', { params: { iccid: item.iccid }, body: set });
      } catch (single) {
        settled = tagFailure(deps, item, single);
      }
      await settleTag(deps, item, settled);
    });
    return false;
  }
  await inPool(items, (item) => settleTag(deps, item, { outcome: 'ok', message: null }));
  return false;
}
