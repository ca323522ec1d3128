// The job runner: takes the oldest unfinished job it can lease, finishes writing its items, then works its
// cards chunk by chunk while the invocation's budget lasts, saving progress after each chunk. The lease
// (compare-and-set on leaseUntil, as the token holder does) keeps two ticks or instances off one job; what
// a worker leaves half done — items not yet written, items marked `sending` — the next one completes.
import { randomBytes } from 'node:crypto';
import type { Budget } from '../functions/cron';
import type { Deps } from '../runtime/handler';
import { DuplicateKeyError } from '../store/store';
import { audit } from './audit';
import { workNetworkItem, workTagBatch, TAG_BATCH } from './job-cards';
import type { JobDoc, JobItemDoc } from './jobs';

export interface WorkOptions {
  /** Work only this job (the startJob action's first go at its own job). */
  jobId?: string;
  /** Cards stopped or resumed at once (each through the platform client's rate limit). */
  chunkSize?: number;
  /** How long after the budget ends a crashed worker's lease still blocks others (ms). */
  leaseSlackMs?: number;
  /** At most this many chunks per job this time (0: only write the items). */
  maxChunks?: number;
}

export interface WorkReport {
  jobs: number;
  items: number;
  finished: string[];
}

const CHUNK_SIZE = 20;
const WRITE_BATCH = 50;
/** Kept free at the end of the budget for the progress and lease writes. */
const FINAL_MARGIN_MS = 300;
/** A chunk is not started with less time left than the last one took, nor less than this. */
const MIN_CHUNK_MS = 200;
const OPEN: JobItemDoc['outcome'][] = ['pending', 'sending'];

/** A card's item as it starts: nothing done yet. */
export function newItem(jobId: string, iccid: string, seq: number): JobItemDoc {
  return { _id: `${jobId}:${iccid}`, jobId, iccid, seq, outcome: 'pending', attempts: 0, message: null, retryAt: 0 };
}

export async function workJobs(deps: Deps, budget: Budget, opts: WorkOptions = {}): Promise<WorkReport> {
  const owner = randomBytes(8).toString('hex');
  const report: WorkReport = { jobs: 0, items: 0, finished: [] };
  const candidates = opts.jobId
    ? [opts.jobId]
    : (
        await deps.store.find<JobDoc>(
          'jobs',
          { state: { in: ['queued', 'running'] } },
          { orderBy: { field: 'createdAt', direction: 'asc' }, take: 20 },
        )
      ).map((job) => job._id);
  for (const jobId of candidates) {
    if (budget.left() < MIN_CHUNK_MS + FINAL_MARGIN_MS) break;
    const job = await claim(deps, jobId, owner, budget, opts);
    if (!job) continue;
    report.jobs += 1;
    try {
      await workJob(deps, job, owner, budget, opts, report);
    } finally {
      await deps.store.update('jobs', jobId, { leaseOwner: null, leaseUntil: 0 }, { leaseOwner: owner });
    }
  }
  return report;
}

/** Takes the job's lease if nobody holds it; answers the job as leased, or null. */
async function claim(
  deps: Deps,
  jobId: string,
  owner: string,
  budget: Budget,
  opts: WorkOptions,
): Promise<JobDoc | null> {
  const now = deps.now();
  // Long enough for calls still in flight when the budget ends (a read and a send, each up to the deadline).
  const slack = opts.leaseSlackMs ?? 2 * deps.config.platform.callDeadlineMs + 1000;
  const taken = await deps.store.update(
    'jobs',
    jobId,
    { leaseOwner: owner, leaseUntil: now + Math.max(0, budget.left()) + slack, state: 'running' },
    { leaseUntil: { lte: now }, state: { in: ['queued', 'running'] } },
  );
  return taken ? deps.store.get<JobDoc>('jobs', jobId) : null;
}

async function workJob(
  deps: Deps,
  job: JobDoc,
  owner: string,
  budget: Budget,
  opts: WorkOptions,
  report: WorkReport,
): Promise<void> {
  if (!(await writeItems(deps, job, owner, budget))) return;
  const size = job.kind === 'tag' ? TAG_BATCH : (opts.chunkSize ?? CHUNK_SIZE);
  const maxChunks = opts.maxChunks ?? Infinity;
  let lastChunkMs = 0;
  let chunks = 0;
  while (chunks < maxChunks && budget.left() > Math.max(lastChunkMs, MIN_CHUNK_MS) + FINAL_MARGIN_MS) {
    const started = Date.now();
    const items = await deps.store.find<JobItemDoc>(
      'jobItems',
      { jobId: job._id, outcome: { in: OPEN }, retryAt: { lte: deps.now() } },
      { orderBy: { field: 'seq', direction: 'asc' }, take: size },
    );
    if (items.length === 0) {
      if (await waitForRetry(deps, job, budget)) continue;
      break;
    }
    const busy =
      job.kind === 'tag'
        ? await workTagBatch(deps, job, items, budget)
        : (await Promise.all(items.map((item) => workNetworkItem(deps, job, item)))).some(Boolean);
    report.items += items.length;
    chunks += 1;
    if (!(await saveProgress(deps, job, owner))) return;
    // The platform asked us to slow down: the rest waits for a later tick.
    if (busy) break;
    lastChunkMs = Date.now() - started;
  }
  if (await finishIfDone(deps, job, owner)) report.finished.push(job._id);
}

/**
 * Nothing is due, but items wait out a backoff: when the first of them comes due within the budget, wait for
 * it here rather than leave it to the next tick (a minute away in the cloud). Answers whether it waited.
 */
async function waitForRetry(deps: Deps, job: JobDoc, budget: Budget): Promise<boolean> {
  const [next] = await deps.store.find<JobItemDoc>(
    'jobItems',
    { jobId: job._id, outcome: { in: OPEN } },
    { orderBy: { field: 'retryAt', direction: 'asc' }, take: 1 },
  );
  if (!next) return false;
  const wait = next.retryAt - deps.now();
  if (wait > budget.left() - MIN_CHUNK_MS - FINAL_MARGIN_MS) return false;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
  return true;
}

/**
 * Writes the items the job does not have yet, in order, from where the last writer got to (inserting one
 * that exists is harmless). Answers whether every item now exists.
 */
async function writeItems(deps: Deps, job: JobDoc, owner: string, budget: Budget): Promise<boolean> {
  if (job.itemsWritten) return true;
  const iccids = job.iccids ?? [];
  let next = job.itemsCursor;
  while (next < iccids.length && budget.left() > FINAL_MARGIN_MS) {
    const batch = iccids.slice(next, next + WRITE_BATCH);
    await Promise.all(
      batch.map(async (iccid, i) => {
        try {
          await deps.store.insert('jobItems', newItem(job._id, iccid, next + i));
        } catch (error) {
          if (!(error instanceof DuplicateKeyError)) throw error;
        }
      }),
    );
    next += batch.length;
  }
  const complete = next >= iccids.length;
  // The card list goes once the items hold it, so listing jobs stays light.
  const patch = complete ? { itemsWritten: true, iccids: null, itemsCursor: next } : { itemsCursor: next };
  const saved = await deps.store.update('jobs', job._id, patch, { leaseOwner: owner });
  return complete && saved;
}

async function countItems(deps: Deps, jobId: string) {
  const [succeeded, failed, skipped] = await Promise.all(
    (['ok', 'failed', 'skipped'] as const).map((outcome) => deps.store.count('jobItems', { jobId, outcome })),
  );
  return { done: succeeded + failed + skipped, succeeded, failed, skipped };
}

/** Counts the items (exact after any crash) onto the job; false when the lease was lost meanwhile. */
async function saveProgress(deps: Deps, job: JobDoc, owner: string): Promise<boolean> {
  return deps.store.update('jobs', job._id, await countItems(deps, job._id), { leaseOwner: owner });
}

async function finishIfDone(deps: Deps, job: JobDoc, owner: string): Promise<boolean> {
  const open = await deps.store.count('jobItems', { jobId: job._id, outcome: { in: OPEN } });
  if (open > 0) return false;
  const counts = await countItems(deps, job._id);
  const finished = await deps.store.update(
    'jobs',
    job._id,
    { ...counts, state: 'done', finishedAt: deps.now() },
    { leaseOwner: owner, itemsWritten: true, state: 'running' },
  );
  if (finished) {
    await audit(deps, {
      actor: job.createdBy,
      action: 'job.finish',
      target: job._id,
      outcome: counts.failed > 0 ? 'failed' : 'ok',
      detail: { kind: job.kind, total: job.total, ...counts },
    });
  }
  return finished;
}
