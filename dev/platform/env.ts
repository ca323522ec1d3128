// The emulator's settings from environment variables (shared by `npm run emulator` and `npm start`).
import { DEV_CLIENT } from './platform';
import type { EmulatorOptions } from './server';

function num(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} 必须是非负数，现在是 "${raw}"`);
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
    port: num(env, 'PLATFORM_PORT') ?? 8090,
    cards: num(env, 'SIM_CARDS'),
    seed: num(env, 'SIM_SEED'),
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
