// Starts a real emulator on a free loopback port for a suite, and speaks to it over HTTP.
import { startEmulator, type Emulator, type EmulatorOptions } from '../../dev/platform/server';

export const DEV = {
  clientId: 'dev-client',
  clientSecret: 'dev-secret',
  subscriptionKey: 'dev-subscription-key',
  notifySecret: 'dev-notify-secret',
};

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function request<T = any>(
  base: string,
  method: string,
  path: string,
  opts: { body?: unknown; raw?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  let body: string | Buffer | undefined = opts.raw;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + path, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

export async function fetchToken(base: string, scope = 'iot.cardservice.all iot.paymentservice.all'): Promise<string> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: DEV.clientId,
    client_secret: DEV.clientSecret,
    scope,
  });
  const res = await fetch(`${base}/connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** A running emulator plus a client holding one token with the scopes asked for. */
export class EmulatorClient {
  token = '';
  constructor(readonly emulator: Emulator) {}

  get url(): string {
    return this.emulator.url;
  }

  async authorize(scope?: string): Promise<this> {
    this.token = await fetchToken(this.url, scope);
    return this;
  }

  /** An API call with the subscription key and the bearer token. */
  api<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    return request<T>(this.url, method, path, {
      body,
      headers: { 'ocp-apim-subscription-key': DEV.subscriptionKey, authorization: `Bearer ${this.token}`, ...headers },
    });
  }

  sim<T = any>(method: string, path: string, body?: unknown): Promise<Reply<T>> {
    return request<T>(this.url, method, `/__sim${path}`, { body });
  }
}

export async function startTestEmulator(options: EmulatorOptions = {}): Promise<EmulatorClient> {
  return new EmulatorClient(await startEmulator({ port: 0, ...options }));
}
