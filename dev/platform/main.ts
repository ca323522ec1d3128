// `npm run emulator`: the card platform emulator alone, on 127.0.0.1:PLATFORM_PORT (default 8090).
import { emulatorOptionsFromEnv } from './env';
import { startEmulator } from './server';

async function main() {
  const emulator = await startEmulator(emulatorOptionsFromEnv(process.env));
  console.log(`卡平台模拟器已启动: ${emulator.url}  (${emulator.platform.cards.size} 张卡; Ctrl-C 停止)`);
  const stop = () => {
    emulator.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`模拟器启动失败: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
