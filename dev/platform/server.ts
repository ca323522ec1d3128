// The card platform emulator's HTTP server: identity server, API gateway and the /__sim admin surface.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ROUTES, type Operation, type Route } from '../../cloudfunctions/shared/platform/routes';
import { adminRoutes } from './admin';
import type { ApiOperation, Ctx, Handler } from './context';
import { datacardHandlers } from './datacards';
import { flowcardHandlers } from './flowcards';
import { admit } from './gate';
import { HttpError, fail, parseJsonBody, readBody, sendJson } from './http';
import { authorizeEndpoint, tokenEndpoint } from './ids';
import type { ClientConfig } from './model';
import { paymentHandlers } from './payments';
import { Platform, type Settings } from './platform';
import { wxpayHandlers } from './wxpay';

export interface EmulatorOptions {
  port?: number;
  host?: string;
  cards?: number;
  seed?: number;
  settings?: Partial<Settings>;
  clients?: ClientConfig[];
  subscriptionKeys?: string[];
  notifySecret?: string;
}

export interface Emulator {
  url: string;
  port: number;
  platform: Platform;
  close(): Promise<void>;
}

const HANDLERS: Record<ApiOperation, Handler> = {
  ...flowcardHandlers,
  ...datacardHandlers,
  ...paymentHandlers,
  ...wxpayHandlers,
};

interface CompiledRoute {
  operation: Operation;
  route: Route;
  pattern: RegExp;
  names: string[];
}

// Literal paths first, so /flowcards/transfers is never read as /flowcards/{iccid}.
const COMPILED: CompiledRoute[] = (Object.entries(ROUTES) as Array<[Operation, Route]>)
  .map(([operation, route]) => {
    const names: string[] = [];
    const source = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    return { operation, route, pattern: new RegExp(`^${source}/?$`), names };
  })
  .sort((a, b) => a.names.length - b.names.length);

function match(method: string, pathname: string) {
  const allowed = new Set<string>();
  for (const candidate of COMPILED) {
    const m = candidate.pattern.exec(pathname);
    if (!m) continue;
    allowed.add(candidate.route.method);
    if (candidate.route.method !== method) continue;
    const params: Record<string, string> = {};
    candidate.names.forEach((name, i) => {
      try {
        params[name] = decodeURIComponent(m[i + 1]);
      } catch {
        params[name] = m[i + 1];
      }
    });
    return { ...candidate, params };
  }
  return allowed.size ? { allowed: [...allowed] } : undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Latency and injected errors from /__sim/faults, for the paths they apply to. */
async function applyFaults(platform: Platform, pathname: string): Promise<void> {
  const faults = platform.faults;
  const { latencyMs, errorRate, errorStatus, pathPattern } = faults;
  if (pathPattern && !new RegExp(pathPattern).test(pathname)) return;
  if (latencyMs) await sleep(latencyMs);
  // A burst is counted, not drawn: exactly the next `errorBurst` matching requests fail.
  const inBurst = (faults.errorBurst ?? 0) > 0;
  if (inBurst) faults.errorBurst = (faults.errorBurst as number) - 1;
  if (inBurst || (errorRate && Math.random() < errorRate)) {
    platform.stats.rejected.injected += 1;
    const status = errorStatus ?? 500;
    throw fail(
      status,
      '平台服务暂时不可用（模拟故障）',
      status === 429 || status === 503 ? { 'retry-after': '1' } : {},
    );
  }
}

async function handle(platform: Platform, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const method = req.method ?? 'GET';
  const raw = await readBody(req);
  const now = Date.now();

  if (url.pathname.startsWith('/__sim/')) {
    const admin = adminRoutes[`${method} ${url.pathname}`];
    if (!admin) throw fail(404, '未知的模拟器管理接口');
    const body = raw.length ? parseJsonBody(raw) : {};
    return sendJson(res, 200, await admin(platform, body, now));
  }

  const found = match(method, url.pathname);
  if (!found) throw fail(404, '不存在的服务，请求地址错误');
  // RFC 9110 §15.5.6: a 405 names the methods the path does support.
  if (!('operation' in found)) throw fail(405, `该地址不支持 ${method} 方法`, { allow: found.allowed.join(', ') });
  platform.count(found.operation);
  await applyFaults(platform, url.pathname);

  if (found.operation === 'token') {
    return sendJson(res, 200, await tokenEndpoint(platform, req, raw, now), { 'cache-control': 'no-store' });
  }
  if (found.operation === 'authorize') {
    const { location } = authorizeEndpoint(platform, url.searchParams, now);
    res.writeHead(302, { location, 'content-length': 0 });
    return void res.end();
  }
  const clientId = admit(platform, req, url, found.route, now);
  let parsed: unknown;
  const ctx: Ctx = {
    platform,
    req,
    params: found.params,
    query: url.searchParams,
    raw,
    clientId,
    now,
    body: () => (parsed ??= parseJsonBody(raw)),
  };
  const data = await HANDLERS[found.operation as ApiOperation](ctx);
  sendJson(res, 200, { code: 200, message: 'ok', data: data ?? null });
}

/** From a request's arrival until its answer is sent or the client hangs up (stats of that moment). */
function countInFlight(stats: Platform['stats'], res: ServerResponse): void {
  stats.inFlight += 1;
  stats.peakInFlight = Math.max(stats.peakInFlight, stats.inFlight);
  res.once('close', () => void (stats.inFlight -= 1));
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const platform = new Platform(options);
  const server: Server = createServer((req, res) => {
    if (!req.url?.startsWith('/__sim/')) countInFlight(platform.stats, res);
    handle(platform, req, res).catch((error: unknown) => {
      // Nobody left to answer (the client hung up mid-request): not an emulator error.
      if (res.headersSent || req.socket.destroyed) return void res.destroy();
      if (error instanceof HttpError) {
        return sendJson(res, error.status, error.body, {
          ...error.headers,
          ...(error.status === 413 ? { connection: 'close' } : {}),
        });
      }
      console.error('[platform emulator] unexpected error', error);
      sendJson(res, 417, { code: 417, name: 'ExpectationFailed', message: '服务器内部错误' });
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    platform,
    close: async () => {
      platform.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
