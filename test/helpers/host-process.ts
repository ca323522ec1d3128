// The functions host as `npm start` runs it (FUNCTIONS, /notify/pay, the cron timer, SQLite), in a process of
// its own and against an emulator that lives elsewhere: so a test can kill the host (SIGKILL) and start it
// again on the same SQLite file while the platform, and what it counted, carries on.
//   HOST_SQLITE_PATH, HOST_PLATFORM_URL (required); PORT, CRON_INTERVAL_MS; PLATFORM_* as the functions read them.
import { buildDeps } from '../../cloudfunctions/shared/deps';
import { FUNCTIONS } from '../../cloudfunctions/shared/functions';
import { payNotify } from '../../cloudfunctions/shared/functions/pay-notify';
import { SqliteStore } from '../../cloudfunctions/shared/store/sqlite';
import { startHost } from '../../dev/host';
import { devConfig, startCronTimer } from '../../dev/stack';

async function main(): Promise<void> {
  const sqlitePath = process.env.HOST_SQLITE_PATH;
  const platformUrl = process.env.HOST_PLATFORM_URL;
  if (!sqlitePath || !platformUrl) throw new Error('HOST_SQLITE_PATH and HOST_PLATFORM_URL are required');
  const deps = buildDeps(devConfig(platformUrl, process.env), new SqliteStore(sqlitePath));
  const host = await startHost({
    port: Number(process.env.PORT || 0),
    deps,
    functions: FUNCTIONS,
    notify: payNotify,
  });
  deps.config.notifyUrl ||= `${host.url}/notify/pay`;
  startCronTimer(deps, Number(process.env.CRON_INTERVAL_MS || 0));
  console.log(`host ${host.url}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
