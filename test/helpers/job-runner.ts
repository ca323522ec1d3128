// A job runner in a process of its own, for the crash test: ticks the runner against the SQLite file and
// the emulator it is given, one short tick after another, until it is killed.
import { buildDeps } from '../../cloudfunctions/shared/deps';
import { workJobs } from '../../cloudfunctions/shared/services/job-runner';
import { SqliteStore } from '../../cloudfunctions/shared/store/sqlite';
import { devConfig } from '../../dev/stack';

const sqlitePath = process.env.JOB_SQLITE_PATH;
const platformUrl = process.env.JOB_PLATFORM_URL;
if (!sqlitePath || !platformUrl) throw new Error('JOB_SQLITE_PATH and JOB_PLATFORM_URL are required');
const deps = buildDeps(devConfig(platformUrl), new SqliteStore(sqlitePath));

async function main(): Promise<void> {
  for (;;) {
    const started = Date.now();
    const report = await workJobs(deps, { left: () => 1000 - (Date.now() - started) }, { leaseSlackMs: 500 });
    console.log(`worked ${report.items}`);
    if (report.jobs === 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
