// Batch jobs: stop, resume or tag up to 10,000 cards as one stored job. `startJob` stores the job and its
// cards; the runner (job-runner.ts) works it in chunks within each invocation's time, and `job`/`jobs` read
// its progress. Every card gets one item, its own record of what happened to it.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Job, JobDetail, JobItem } from '../../../typings/api';
import type { CronTask } from '../functions/cron';
import { notFound } from '../runtime/errors';
import type { Caller, Deps } from '../runtime/handler';
import type { Doc } from '../store/store';
import { audit } from './audit';
import { ICCID_PATTERN } from './card-lookup';
import { workJobs } from './job-runner';

export const MAX_JOB_CARDS = 10_000;
/** How many problem cards a job's detail lists. */
export const MAX_PROBLEMS = 200;

/** A job as stored: the API's Job, with times in ms, and what the runner needs. */
export interface JobDoc extends Doc, Omit<Job, 'id' | 'createdAt' | 'finishedAt'> {
  skipped: number;
  createdAt: number;
  finishedAt: number | null;
  /** Every item exists. Until then `iccids` keeps the job's cards and the runner writes the missing items. */
  itemsWritten: boolean;
  iccids: string[] | null;
  /** Items before this position are known to be written. */
  itemsCursor: number;
  /** The one worker allowed to work the job until `leaseUntil` (ms). */
  leaseOwner: string | null;
  leaseUntil: number;
}

/** `sending`: a request may have reached the platform; whoever finds an item so reads the card first. */
export type ItemOutcome = 'pending' | 'sending' | 'ok' | 'failed' | 'skipped';

export interface JobItemDoc extends Doc {
  jobId: string;
  iccid: string;
  seq: number;
  outcome: ItemOutcome;
  attempts: number;
  message: string | null;
  /** Not worked again before this (ms): the backoff after a transient failure. */
  retryAt: number;
}

export const startJobInput = z
  .strictObject({
    kind: z.enum(['stop', 'resume', 'tag']),
    // The count is checked below, to say it in a sentence; the host's 1 MB body limit bounds the parsing.
    iccids: z.array(z.string().trim().max(20).toUpperCase().regex(ICCID_PATTERN)),
    reason: z.string().trim().min(2).max(100).optional(),
    tags: z.array(z.string().trim().min(1).max(20)).min(1).max(10).optional(),
  })
  .superRefine((input, ctx) => {
    if (input.iccids.length === 0) ctx.addIssue({ code: 'custom', path: ['iccids'], message: '请至少选择一张卡。' });
    if (input.iccids.length > MAX_JOB_CARDS) {
      const message = `一个批量任务最多 ${MAX_JOB_CARDS} 张卡，请分批提交。`;
      ctx.addIssue({ code: 'custom', path: ['iccids'], message });
    }
    if (input.kind !== 'tag' && !input.reason) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: '停机或复机需要填写原因（2 到 100 个字）。' });
    }
    if (input.kind === 'tag' && !input.tags) {
      ctx.addIssue({
        code: 'custom',
        path: ['tags'],
        message: '请填写要设置的标签（1 到 10 个，每个不超过 20 个字）。',
      });
    }
  });

export type StartJobInput = z.infer<typeof startJobInput>;

function newJobId(now: number): string {
  return `job-${now.toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** Stores a queued job with its cards (deduplicated); the runner writes the items and works them. */
export async function startJob(deps: Deps, caller: Caller, input: StartJobInput): Promise<JobDoc> {
  const now = deps.now();
  const iccids = [...new Set(input.iccids)];
  const job: JobDoc = {
    _id: newJobId(now),
    kind: input.kind,
    state: 'queued',
    total: iccids.length,
    done: 0,
    succeeded: 0,
    failed: 0,
    skipped: 0,
    reason: input.reason ?? '',
    tags: input.kind === 'tag' ? [...new Set(input.tags)] : [],
    createdBy: caller.openid,
    createdAt: now,
    finishedAt: null,
    itemsWritten: false,
    iccids,
    itemsCursor: 0,
    leaseOwner: null,
    leaseUntil: 0,
  };
  await deps.store.insert('jobs', job);
  await audit(deps, {
    actor: caller.openid,
    action: 'job.start',
    target: job._id,
    outcome: 'ok',
    detail: { kind: job.kind, total: job.total, reason: job.reason, tags: job.tags },
  });
  return job;
}

export function toJob(doc: JobDoc): Job {
  return {
    id: doc._id,
    kind: doc.kind,
    state: doc.state,
    total: doc.total,
    done: doc.done,
    succeeded: doc.succeeded,
    failed: doc.failed,
    reason: doc.reason,
    tags: doc.tags,
    createdBy: doc.createdBy,
    createdAt: new Date(doc.createdAt).toISOString(),
    finishedAt: doc.finishedAt === null ? null : new Date(doc.finishedAt).toISOString(),
  };
}

function toItem(doc: JobItemDoc): JobItem {
  return { iccid: doc.iccid, outcome: doc.outcome === 'sending' ? 'pending' : doc.outcome, message: doc.message };
}

export async function getJob(deps: Deps, jobId: string): Promise<JobDoc> {
  const doc = await deps.store.get<JobDoc>('jobs', jobId);
  if (!doc) throw notFound('没有找到这个批量任务，请刷新任务列表。');
  return doc;
}

/** Progress, and the cards that did not succeed (failed or skipped) with why. */
export async function jobDetail(deps: Deps, jobId: string): Promise<JobDetail> {
  const doc = await getJob(deps, jobId);
  const problems = await deps.store.find<JobItemDoc>(
    'jobItems',
    { jobId, outcome: { in: ['failed', 'skipped'] } },
    { orderBy: { field: 'seq', direction: 'asc' }, take: MAX_PROBLEMS },
  );
  return { ...toJob(doc), problems: problems.map(toItem) };
}

export async function recentJobs(deps: Deps, take = 50): Promise<Job[]> {
  const docs = await deps.store.find<JobDoc>('jobs', {}, { orderBy: { field: 'createdAt', direction: 'desc' }, take });
  return docs.map(toJob);
}

export const workJobsTask: CronTask = {
  name: 'workJobs',
  async run(deps, budget) {
    return { ...(await workJobs(deps, budget)) };
  },
};
