// The emulator's settings from environment variables (shared by `npm run emulator` and `npm start`).
import { DEV_CLIENT } from './platform';
import type { EmulatorOptions } from './server';

// Plain decimals only: Number() would also take " ", "0x1F" and "1e9".
function num(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+(\.\d+)?$/.test(raw.trim())) throw new Error(`${name} 必须是非负数，现在是 "${raw}"`);
  return Number(raw);
}

/** An integer in [0, max]: a port, a card count, a seed. */
function whole(env: NodeJS.ProcessEnv, name: string, max: number): number | undefined {
  const value = num(env, name);
  if (value !== undefined && (!Number.isInteger(value) || value > max)) {
    throw new Error(`${name} 必须是0到${max}之间的整数，现在是 "${env[name]}"`);
  }
  return value;
}

export function emulatorOptionsFromEnv(env: NodeJS.ProcessEnv): EmulatorOptions {
  const settings = {
    tokenTtlSec: num(env, 'SIM_TOKEN_TTL_SEC'),
    tokenGraceSec: num(env, 'SIM_TOKEN_GRACE_SEC'),
    networkDelayMs: num(env, 'SIM_NETWORK_DELAY_MS'),
    notifyTimeScale: num(env, 'SIM_NOTIFY_TIME_SCALE'),
    rateLimitPerSec: num(env, 'SIM_RATE_LIMIT_PER_SEC'),
  };
  return {
    port: whole(env, 'PLATFORM_PORT', 65535) ?? 8090,
    cards: whole(env, 'SIM_CARDS', 200_000),
    seed: whole(env, 'SIM_SEED', 2 ** 32 - 1),
    settings: Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)),
    clients: [
      {
        ...DEV_CLIENT,
        clientId: env.PLATFORM_CLIENT_ID || DEV_CLIENT.clientId,
        clientSecret: env.PLATFORM_CLIENT_SECRET || DEV_CLIENT.clientSecret,
      },
    ],
    subscriptionKeys: [env.PLATFORM_SUBSCRIPTION_KEY || 'dev-subscription-key'],
    notifySecret: env.PAY_NOTIFY_SECRET || 'dev-notify-secret',
  };
}
