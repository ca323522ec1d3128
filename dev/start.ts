// `npm start`: the card platform emulator, the functions host with SQLite, and a seeded demo fleet.
import { emulatorOptionsFromEnv } from './platform/env';
import { startStack } from './stack';
import { DEV_DRIVER, DEV_MANAGER, DEV_STAFF } from './seed';

async function main() {
  const env = process.env;
  const emulatorOptions = emulatorOptionsFromEnv(env);
  const stack = await startStack({
    port: env.PORT ? Number(env.PORT) : 8080,
    sqlitePath: env.SQLITE_PATH || '.data/fleet.db',
    emulator: emulatorOptions,
    env,
    cronIntervalMs: env.CRON_INTERVAL_MS ? Number(env.CRON_INTERVAL_MS) : 60_000,
  });
  console.log(`卡平台模拟器: ${stack.emulator.url}`);
  console.log(`云函数主机:   ${stack.host.url}   (POST /fn/<函数名>，请求头 x-openid)`);
  console.log(`开发身份: ${DEV_MANAGER} (管理员) · ${DEV_DRIVER} (司机) · ${DEV_STAFF} (外勤)`);
  console.log('按 Ctrl-C 停止。');
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    stack.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`启动失败: ${message}`);
  if (/EADDRINUSE/.test(message))
    console.error('端口已被占用：用 PORT / PLATFORM_PORT 换一个端口，或先停止占用它的进程。');
  process.exit(1);
});
