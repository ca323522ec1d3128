// PLACEHOLDER being replaced by the engineer who owns this file (issue 4).
import type { CronTask } from '../functions/cron';

export const sendAlertsTask: CronTask = {
  name: 'sendAlerts',
  async run() {
    return {};
  },
};
