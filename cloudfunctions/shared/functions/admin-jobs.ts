// The admin function's batch-job actions (spread into functions/admin.ts): start a job, follow one, list
// them. Besides the timer, the calls themselves move an unfinished job on, each within a slice of its own
// time: a new job gets its first go at once, and a manager watching its progress keeps it going.
import { z } from 'zod';
import { action, type ActionDef, type Deps } from '../runtime/handler';
import { workJobs } from '../services/job-runner';
import { getJob, jobDetail, recentJobs, startJob, startJobInput, toJob } from '../services/jobs';

/** What startJob spends on the new job's items and first cards, well inside a 3 s function. */
export const START_BUDGET_MS = 1500;
/** What a progress read spends moving the job on (nothing when another worker has it). */
export const FOLLOW_BUDGET_MS = 1000;

async function moveOn(deps: Deps, jobId: string, budgetMs: number): Promise<void> {
  const started = Date.now();
  try {
    await workJobs(deps, { left: () => budgetMs - (Date.now() - started) }, { jobId });
  } catch (error) {
    // The job is stored: the timer picks it up whatever went wrong here.
    console.error(`[admin.jobs] working ${jobId} failed`, error);
  }
}

export const jobActions: Record<string, ActionDef> = {
  startJob: action({
    access: ['manager'],
    input: startJobInput,
    run: async ({ deps, caller, input }) => {
      const job = await startJob(deps, caller, input);
      await moveOn(deps, job._id, START_BUDGET_MS);
      return toJob(await getJob(deps, job._id));
    },
  }),
  job: action({
    access: ['manager'],
    input: z.strictObject({ jobId: z.string().min(1).max(64) }),
    run: async ({ deps, input }) => {
      if ((await getJob(deps, input.jobId)).state !== 'done') await moveOn(deps, input.jobId, FOLLOW_BUDGET_MS);
      return jobDetail(deps, input.jobId);
    },
  }),
  jobs: action({
    access: ['manager'],
    input: z.strictObject({}),
    run: ({ deps }) => recentJobs(deps),
  }),
};
