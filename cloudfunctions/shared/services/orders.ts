// PLACEHOLDER being replaced by the engineer who owns this file (issue 4).
import type { CronTask } from '../functions/cron';

export const reconcileOrdersTask: CronTask = {
  name: 'reconcileOrders',
  async run() {
    return {};
  },
};
