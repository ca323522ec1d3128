// The timer: a list of tasks run one after another within the invocation's time budget. A task that
// fails is reported and the next one still runs; what is left over is picked up by the next tick.
import type { Deps } from '../runtime/handler';
import { AppError } from '../runtime/errors';
import { sendAlertsTask } from '../services/alerts';
import { syncCardsTask } from '../services/card-sync';
import { workJobsTask } from '../services/jobs';
import { ensureBootstrap } from '../services/members';
import { reconcileOrdersTask } from '../services/orders';

export interface Budget {
  /** Milliseconds left before the invocation must answer. */
  left(): number;
}

export interface CronTask {
  name: string;
  run(deps: Deps, budget: Budget): Promise<Record<string, unknown>>;
}

export type CronReport = Record<string, { ok: true; result: Record<string, unknown> } | { ok: false; error: string }>;

/** Fetches a token only when the stored one is inside its refresh margin (or missing or rejected). */
const refreshToken: CronTask = {
  name: 'refreshToken',
  async run(deps) {
    await deps.platform.tokens.get();
    return { refreshed: 'if-due' };
  },
};

/** While the fleet has no manager, a one-time bootstrap code is made and printed to the log. */
const bootstrap: CronTask = {
  name: 'bootstrap',
  async run(deps) {
    return { waitingForFirstManager: (await ensureBootstrap(deps)) !== null };
  },
};

// Order matters: a fresh token first; jobs before the sync so the sync sees their effect.
export const CRON_TASKS: CronTask[] = [
  refreshToken,
  bootstrap,
  workJobsTask,
  reconcileOrdersTask,
  syncCardsTask,
  sendAlertsTask,
];

export async function runCron(
  deps: Deps,
  opts: { budgetMs?: number; tasks?: CronTask[]; only?: string[] } = {},
): Promise<CronReport> {
  const started = Date.now();
  const budgetMs = opts.budgetMs ?? 2500;
  const budget: Budget = { left: () => budgetMs - (Date.now() - started) };
  const report: CronReport = {};
  for (const task of opts.tasks ?? CRON_TASKS) {
    if (opts.only && !opts.only.includes(task.name)) continue;
    if (budget.left() <= 0) break;
    try {
      report[task.name] = { ok: true, result: await task.run(deps, budget) };
    } catch (error) {
      if (!(error instanceof AppError)) console.error(`[cron.${task.name}] unexpected error`, error);
      report[task.name] = {
        ok: false,
        error: error instanceof AppError ? `${error.code}: ${error.message}` : 'INTERNAL',
      };
    }
  }
  return report;
}
