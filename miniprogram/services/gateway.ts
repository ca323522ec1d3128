// The one call gateway: sends `{action, ...req}` to a function and unwraps the envelope. A failure
// becomes a CallError whose message is a Chinese sentence that says what to do.
import type { ActionName, Envelope, ErrorCode, FunctionName, Req, Res } from '../../typings/api';
import { config } from '../config';

export type ClientErrorCode = ErrorCode | 'NETWORK';

export class CallError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

const NETWORK_MESSAGE = '网络连接失败，请检查网络后重试。';

function viaHttp(name: string, event: Record<string, unknown>): Promise<Envelope<unknown>> {
  return new Promise((resolve, reject) => {
    wx.request({
      url: `${config.devHost}/fn/${name}`,
      method: 'POST',
      data: event,
      header: { 'content-type': 'application/json', 'x-openid': config.devOpenid },
      timeout: 15000,
      success: (res) => {
        const body = res.data as Envelope<unknown> | undefined;
        if (body && typeof body === 'object' && 'ok' in body) resolve(body);
        else reject(new CallError('NETWORK', NETWORK_MESSAGE));
      },
      fail: () => reject(new CallError('NETWORK', NETWORK_MESSAGE)),
    });
  });
}

async function viaCloud(name: string, event: Record<string, unknown>): Promise<Envelope<unknown>> {
  try {
    const res = await wx.cloud.callFunction({ name, data: event });
    return res.result as Envelope<unknown>;
  } catch {
    throw new CallError('NETWORK', NETWORK_MESSAGE);
  }
}

export async function call<F extends FunctionName, A extends ActionName<F>>(
  name: F,
  action: A,
  req: Req<F, A>,
): Promise<Res<F, A>> {
  const event = { ...(req as Record<string, unknown>), action };
  const envelope = config.transport === 'cloud' ? await viaCloud(name, event) : await viaHttp(name, event);
  if (!envelope || typeof envelope !== 'object') throw new CallError('INTERNAL', '服务暂时出错了，请稍后重试。');
  if (envelope.ok) return envelope.data as Res<F, A>;
  throw new CallError(envelope.error.code, envelope.error.message, envelope.error.details);
}
