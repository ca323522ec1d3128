// PLACEHOLDER being replaced by the engineer who owns this file (issue 4): the admin function's
// batch-job actions (startJob, job, jobs), spread into functions/admin.ts.
import type { ActionDef } from '../runtime/handler';

export const jobActions: Record<string, ActionDef> = {};
