// The functions host: serves the same function handlers as CloudBase does, over HTTP on loopback.
//   POST /fn/<function>  {action, ...}  (identity from x-openid, in dev mode only)
//   POST /notify/pay     the platform's payment notification, raw body and headers passed through
//   GET  /healthz        200 when the host and its store are ready
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FunctionHandler, Deps } from '../cloudfunctions/shared/runtime/handler';

const MAX_BODY = 1024 * 1024;

export interface RawHttpRequest {
  headers: Record<string, string>;
  body: string;
}
export interface RawHttpResponse {
  status: number;
  body: string;
  headers?: Record<string, string>;
}
export type HttpFunction = (req: RawHttpRequest, deps: Deps) => Promise<RawHttpResponse>;

export interface HostOptions {
  port?: number;
  deps: Deps;
  functions: Record<string, FunctionHandler>;
  notify?: HttpFunction;
}

export interface Host {
  url: string;
  port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const envelopeError = (code: string, message: string) => ({ ok: false, error: { code, message } });

async function route(opts: HostOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://host');
  const body = await readBody(req);
  if (req.method === 'GET' && url.pathname === '/healthz') {
    const ready = await opts.deps.store.ping().catch(() => false);
    return send(res, ready ? 200 : 503, { ok: ready });
  }
  if (req.method === 'POST' && url.pathname === '/notify/pay' && opts.notify) {
    if (body === null) return send(res, 413, { code: 'FAIL', message: 'body too large' });
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
    );
    const answer = await opts.notify({ headers, body }, opts.deps);
    return send(res, answer.status, answer.body, answer.headers);
  }
  const fn = /^\/fn\/([A-Za-z]+)$/.exec(url.pathname);
  if (req.method !== 'POST' || !fn) return send(res, 404, envelopeError('NOT_FOUND', '没有这个接口。'));
  // Own names only: /fn/constructor or /fn/toString must not reach what every object inherits.
  const handler = Object.hasOwn(opts.functions, fn[1]) ? opts.functions[fn[1]] : undefined;
  if (!handler) return send(res, 404, envelopeError('NOT_FOUND', `没有名为 ${fn[1]} 的云函数。`));
  if (body === null) return send(res, 200, envelopeError('INVALID_ARGUMENT', '请求内容超过 1MB，请减少数据后重试。'));
  let event: unknown;
  try {
    event = JSON.parse(body || '{}');
  } catch {
    return send(res, 200, envelopeError('INVALID_ARGUMENT', '请求内容不是合法的 JSON。'));
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    return send(res, 200, envelopeError('INVALID_ARGUMENT', '请求内容必须是 JSON 对象。'));
  }
  // The dev identity header stands in for the WeChat context, and only in dev mode.
  const header = req.headers['x-openid'];
  const openid = opts.deps.config.devMode && typeof header === 'string' && header.trim() ? header.trim() : undefined;
  send(res, 200, await handler(event, { openid }, opts.deps));
}

export async function startHost(opts: HostOptions): Promise<Host> {
  const server: Server = createServer((req, res) => {
    route(opts, req, res).catch((error: unknown) => {
      console.error('[host] unexpected error', error);
      if (!res.headersSent) send(res, 500, envelopeError('INTERNAL', '服务暂时出错了，请稍后重试。'));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
