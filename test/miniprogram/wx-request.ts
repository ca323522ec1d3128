// wx.request for tests: a real HTTP request over Node (the dev host and the emulator are real servers).
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Opts } from './wx-env';

/** Where requests are counted, so a test can wait for the network to be quiet. */
export interface RequestLog {
  inFlight: number;
  requests: Array<{ method: string; url: string; data: unknown }>;
}

/** wx.request over Node http: JSON in and out as WeChat does; a network failure is `request:fail …`. */
export function realRequest(opts: Opts, log: RequestLog) {
  const method = String(opts.method ?? 'GET').toUpperCase();
  const url = new URL(opts.url);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.header ?? {})) headers[k.toLowerCase()] = String(v);
  let body: string | undefined;
  if (opts.data !== undefined && method === 'GET') {
    for (const [k, v] of Object.entries(opts.data as Record<string, unknown>)) url.searchParams.set(k, String(v));
  } else if (opts.data !== undefined) {
    body = typeof opts.data === 'string' ? opts.data : JSON.stringify(opts.data);
    headers['content-type'] ??= 'application/json';
  }
  log.requests.push({ method, url: url.toString(), data: opts.data });
  log.inFlight++;
  let done = false;
  const finish = (ok: boolean, res: Record<string, unknown>) => {
    if (done) return;
    done = true;
    log.inFlight--;
    if (ok) opts.success?.(res);
    else opts.fail?.(res);
    opts.complete?.(res);
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const req = send(url, { method, headers, timeout: opts.timeout ?? 60000 }, (res) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (text += chunk));
    res.on('end', () => {
      let data: unknown = text;
      if ((opts.dataType ?? 'json') === 'json') {
        try {
          data = JSON.parse(text);
        } catch {
          data = text; // WeChat hands back the raw text when it is not JSON
        }
      }
      finish(true, { data, statusCode: res.statusCode, header: res.headers, errMsg: 'request:ok' });
    });
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', (error) => finish(false, { errMsg: `request:fail ${error.message}` }));
  if (body !== undefined) req.write(body);
  req.end();
  return {
    abort: () => {
      req.destroy();
      finish(false, { errMsg: 'request:fail abort' });
    },
    onHeadersReceived: () => undefined,
    offHeadersReceived: () => undefined,
    onChunkReceived: () => undefined,
    offChunkReceived: () => undefined,
  };
}

/** A one-time code from the emulator, as wx.login gets one from WeChat (jsdom has no fetch). */
export function loginCode(openid: string, emulatorUrl: string | null): Promise<string> {
  if (!emulatorUrl) return Promise.resolve(`test-code-${openid}`);
  return new Promise((resolve, reject) =>
    realRequest(
      {
        url: `${emulatorUrl}/__sim/wx/login`,
        method: 'POST',
        data: { openid },
        success: (res: any) => resolve(res.data.code),
        fail: reject,
      },
      { inFlight: 0, requests: [] },
    ),
  );
}
