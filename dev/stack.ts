// The whole dev stack in one process: platform emulator + SQLite store + functions host, wired together
// and seeded. `npm start` runs it; tests start their own on free ports with a temporary database.
import { configFromEnv, type Config } from '../cloudfunctions/shared/config';
import { buildDeps } from '../cloudfunctions/shared/deps';
import { FUNCTIONS } from '../cloudfunctions/shared/functions';
import { payNotify } from '../cloudfunctions/shared/functions/pay-notify';
import type { Deps } from '../cloudfunctions/shared/runtime/handler';
import { SqliteStore } from '../cloudfunctions/shared/store/sqlite';
import { startHost, type Host } from './host';
import { startEmulator, type Emulator, type EmulatorOptions } from './platform/server';
import { seedDevFleet } from './seed';
import { runCron } from '../cloudfunctions/shared/functions/cron';
import { syncCards } from '../cloudfunctions/shared/services/card-sync';

/** Ticks the cron tasks like the cloud's timer trigger; a tick never overlaps the previous one. */
export function startCronTimer(deps: Deps, intervalMs: number): { stop(): Promise<void> } {
  if (intervalMs <= 0) return { stop: async () => undefined };
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    running ??= runCron(deps, { budgetMs: 2500 }).finally(() => {
      running = null;
    });
  }, intervalMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

export interface StackOptions {
  port?: number;
  sqlitePath: string;
  emulator?: EmulatorOptions;
  /** Extra environment, as the functions would see it (e.g. PLATFORM_TIMEOUT_MS). */
  env?: NodeJS.ProcessEnv;
  seed?: boolean;
  /** Run the cron tasks every this many ms, as the timer trigger does in the cloud (0: never). */
  cronIntervalMs?: number;
}

export interface Stack {
  emulator: Emulator;
  host: Host;
  deps: Deps;
  config: Config;
  close(): Promise<void>;
}

/** The functions' configuration in dev: the emulator's addresses and the shared dev credentials. */
export function devConfig(platformUrl: string, env: NodeJS.ProcessEnv = {}): Config {
  return configFromEnv({
    PLATFORM_CLIENT_ID: 'dev-client',
    PLATFORM_CLIENT_SECRET: 'dev-secret',
    PLATFORM_SUBSCRIPTION_KEY: 'dev-subscription-key',
    PAY_NOTIFY_SECRET: 'dev-notify-secret',
    DEV_MODE: '1',
    // An empty variable means "not set", as it does for the emulator.
    ...Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')),
    PLATFORM_IDS_URL: platformUrl,
    PLATFORM_API_URL: platformUrl,
  });
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const emulator = await startEmulator({ port: 0, ...opts.emulator });
  const store = new SqliteStore(opts.sqlitePath);
  let host: Host | undefined;
  try {
    const config = devConfig(emulator.url, opts.env);
    const deps = buildDeps(config, store);
    if (opts.seed !== false) {
      await seedDevFleet(deps);
      // The card index is there from the start, as the timer would have built it.
      await syncCards(deps, { left: () => Number.POSITIVE_INFINITY });
    }
    host = await startHost({ port: opts.port ?? 0, deps, functions: FUNCTIONS, notify: payNotify });
    config.notifyUrl ||= `${host.url}/notify/pay`;
    const started = host;
    const cron = startCronTimer(deps, opts.cronIntervalMs ?? 0);
    return {
      emulator,
      host: started,
      deps,
      config,
      close: async () => {
        await cron.stop();
        await started.close();
        await emulator.close();
        await store.close();
      },
    };
  } catch (error) {
    await host?.close();
    await emulator.close();
    await store.close();
    throw error;
  }
}
