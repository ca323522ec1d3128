// HTTP plumbing of the emulator: the platform's error bodies, body reading with a size cap, query checks.
import type { IncomingMessage, ServerResponse } from 'node:http';

export const MAX_BODY_BYTES = 1024 * 1024;

const STATUS_NAMES: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  417: 'ExpectationFailed',
  422: 'UnprocessableEntity',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

/** The card platform's business error codes (错误码表), sent with HTTP 422. */
export const BUSINESS_ERRORS = {
  10000: { name: 'Transfer_ConsigneeIsNotExists', message: '接收人账户不存在' },
  10001: { name: 'Transfer_CardIDCanNotBeLessThanOne', message: '卡号不能少于1个' },
  10002: { name: 'Generate_ExptimeNeedGreaterThanNow', message: '到期时间必须大于当前时间' },
  10003: { name: 'Generate_MaximumOf99999999CardsPerDay', message: '每天最多生成99,999,999张卡' },
} as const;

/** An error answered with an HTTP status and a JSON body; thrown by handlers, sent by the server. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body === 'object' && body && 'message' in body ? String(body.message) : `HTTP ${status}`);
  }
}

/** A platform error: `{code, name, message}` with the global table's status. */
export function fail(status: number, message: string, headers: Record<string, string> = {}): HttpError {
  return new HttpError(status, { code: status, name: STATUS_NAMES[status] ?? 'Error', message }, headers);
}

export const notFound = (message = '未找到内容'): HttpError => fail(404, message);
export const unprocessable = (message: string): HttpError => fail(422, message);

export function businessError(code: keyof typeof BUSINESS_ERRORS): HttpError {
  const { name, message } = BUSINESS_ERRORS[code];
  return new HttpError(422, { code, name, message });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Reads the whole body; past the cap it keeps draining (so the client can read the answer) and throws 413. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => (tooLarge ? reject(fail(413, '请求体超过1MB上限')) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) throw unprocessable('请求体不能为空，应为JSON');
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw unprocessable('请求体不是合法的JSON');
  }
}

/** Paging by `skip` (default 0) and `take` (default 20, at most 100); anything else is 422. */
export function paging(query: URLSearchParams): { skip: number; take: number } {
  const skip = intParam(query, 'skip', 0);
  const take = intParam(query, 'take', 20);
  if (skip < 0) throw unprocessable('skip 不能小于0');
  if (take < 1 || take > 100) throw unprocessable('take 必须在1到100之间');
  return { skip, take };
}

export function intParam(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^-?\d{1,15}$/.test(raw)) throw unprocessable(`${name} 必须是整数`);
  return Number(raw);
}

export function page<T>(items: readonly T[], query: URLSearchParams): { total: number; items: T[] } {
  const { skip, take } = paging(query);
  return { total: items.length, items: items.slice(skip, skip + take) };
}
