import { runCron } from '../shared/functions/cron';
import { cloudDeps } from '../shared/runtime/cloud';

// Timer-triggered (config.json): each tick works for at most 2.5 s of the function's 3 s.
export const main = async (): Promise<unknown> => runCron(cloudDeps(), { budgetMs: 2500 });
