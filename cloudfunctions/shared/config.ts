// The backend's settings, read from the function's environment variables (secrets live only there).

export interface PlatformConfig {
  idsUrl: string;
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  subscriptionKey: string;
  scopes: string;
  /** One HTTP attempt gives up after this long. */
  attemptTimeoutMs: number;
  /** A whole call, retries included, gives up after this long (must fit the function's time limit). */
  callDeadlineMs: number;
  /** Calls per second this instance sends the platform at most. */
  rateLimitPerSec: number;
  /** Requests this instance has in flight to the platform at most (a default when absent). */
  maxInFlight?: number;
}

export interface Config {
  platform: PlatformConfig;
  /** Secret the platform signs payment notifications with. */
  notifySecret: string;
  /** Where the platform sends payment notifications (the payNotify function's HTTP address). */
  notifyUrl: string;
  /** Openids that are managers from the start. */
  adminOpenids: string[];
  /** A one-time code that makes whoever redeems it the first manager (empty: none). */
  bootstrapCode: string;
  /** Dev mode: identity from the x-openid header, dev payments. Never on in the cloud. */
  devMode: boolean;
  /** A notification older or newer than this is refused (replay window), seconds. */
  notifyWindowSec: number;
  /** Orders still unpaid this long after creation are asked about at the payment gateway, seconds. */
  reconcileAfterSec: number;
  /** Subscribe-message template ids for alerts (微信公众平台 → 订阅消息); empty: that alert is not sent. */
  alertTemplates: { lowData: string; stopped: string; paid: string };
}

/** Enough to keep a rate limit of 50/s busy at 300 ms a call, few enough not to queue in the HTTP pool. */
export const DEFAULT_MAX_IN_FLIGHT = 16;

function num(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`环境变量 ${name} 必须是正数，现在是 "${raw}"`);
  return value;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    platform: {
      idsUrl: (env.PLATFORM_IDS_URL || 'https://ids.shingsou.com').replace(/\/$/, ''),
      apiUrl: (env.PLATFORM_API_URL || 'https://openapis.shingsou.com').replace(/\/$/, ''),
      clientId: env.PLATFORM_CLIENT_ID ?? '',
      clientSecret: env.PLATFORM_CLIENT_SECRET ?? '',
      subscriptionKey: env.PLATFORM_SUBSCRIPTION_KEY ?? '',
      scopes: env.PLATFORM_SCOPES || 'iot.cardservice.all iot.paymentservice.all',
      attemptTimeoutMs: num(env, 'PLATFORM_TIMEOUT_MS', 3000),
      callDeadlineMs: num(env, 'PLATFORM_DEADLINE_MS', 6000),
      rateLimitPerSec: num(env, 'PLATFORM_RATE_LIMIT_PER_SEC', 50),
      maxInFlight: num(env, 'PLATFORM_MAX_IN_FLIGHT', DEFAULT_MAX_IN_FLIGHT),
    },
    notifySecret: env.PAY_NOTIFY_SECRET ?? '',
    notifyUrl: env.PAY_NOTIFY_URL ?? '',
    adminOpenids: (env.ADMIN_OPENIDS ?? '')
      .split(/[\s,]+/)
      .map((s) => s.trim())
      .filter(Boolean),
    bootstrapCode: env.BOOTSTRAP_CODE ?? '',
    devMode: env.DEV_MODE === '1' || env.DEV_MODE === 'true',
    notifyWindowSec: num(env, 'PAY_NOTIFY_WINDOW_SEC', 300),
    reconcileAfterSec: num(env, 'PAY_RECONCILE_AFTER_SEC', 60),
    alertTemplates: {
      lowData: env.ALERT_TEMPLATE_LOW_DATA ?? '',
      stopped: env.ALERT_TEMPLATE_STOPPED ?? '',
      paid: env.ALERT_TEMPLATE_PAID ?? '',
    },
  };
}

/** Names of required settings that are missing, for a clear startup message. */
export function missingSettings(config: Config): string[] {
  const missing: string[] = [];
  if (!config.platform.clientId) missing.push('PLATFORM_CLIENT_ID');
  if (!config.platform.clientSecret) missing.push('PLATFORM_CLIENT_SECRET');
  if (!config.platform.subscriptionKey) missing.push('PLATFORM_SUBSCRIPTION_KEY');
  return missing;
}
