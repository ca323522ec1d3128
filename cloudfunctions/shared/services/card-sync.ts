// PLACEHOLDER being replaced by the engineer who owns this file (issue 4).
import type { CronTask } from '../functions/cron';

export const syncCardsTask: CronTask = {
  name: 'syncCards',
  async run() {
    return {};
  },
};
