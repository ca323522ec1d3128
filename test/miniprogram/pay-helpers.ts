// What the recharge, pay-result and orders suites share: the cloud transport carried to the dev host, the
// payer in the WeChat Pay sheet played through the emulator, and reading the pages' navigations.
import type { OrderDoc } from '../../cloudfunctions/shared/services/orders';
import type { TestStack } from '../helpers/stack';
import type { Navigation } from './wx-env';

type CallFunctionOptions = { name: string; data: Record<string, unknown> };

/**
 * wx.cloud as WeChat gives it to the app, with each callFunction carried to the dev host's /fn/<name> as
 * `openid` (the cloud knows the caller from WeChat; the dev host from this header). Uses wx.request, so
 * the harness sees the call in flight. Returns the function that removes it.
 */
export function installCloud(stack: TestStack, openid: string): () => void {
  const wx = (globalThis as any).wx;
  const previous = wx.cloud;
  wx.cloud = {
    init: () => undefined,
    callFunction: ({ name, data }: CallFunctionOptions) =>
      new Promise((resolve, reject) =>
        wx.request({
          url: `${stack.host.url}/fn/${name}`,
          method: 'POST',
          data,
          header: { 'content-type': 'application/json', 'x-openid': openid },
          success: (res: { data: unknown }) => resolve({ result: res.data, errMsg: 'cloud.callFunction:ok' }),
          fail: (err: unknown) => reject(err),
        }),
      ),
  };
  return () => {
    wx.cloud = previous;
  };
}

/** The query of a navigation's url, decoded. */
export function queryOf(navigation: Navigation): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(navigation.url.split('?')[1] ?? ''));
}

/** The emulator's order behind WeChat Pay parameters (its prepay id is in `package`). */
export function platformOrderOf(stack: TestStack, params: Record<string, unknown>): { outTradeNo: string } {
  const order = [...stack.emulator.platform.orders.values()].find((o) => `prepay_id=${o.prepayId}` === params.package);
  if (!order) throw new Error(`no platform order has ${String(params.package)}`);
  return order;
}

/**
 * wx.requestPayment's payer: does `result` in the emulator (success pays, applies the package and sends
 * the signed notification), then WeChat answers the app as it would.
 */
export function payer(stack: TestStack, result: 'success' | 'cancel' | 'fail') {
  return async (params: Record<string, unknown>) => {
    const { outTradeNo } = platformOrderOf(stack, params);
    await stack.sim('POST', '/pay', { orderNo: outTradeNo, result });
    return result;
  };
}

/** The actions the app sent to a function, in order (from the harness's request log). */
export function actionsSent(requests: Array<{ url: string; data: unknown }>, fn: string): string[] {
  return requests
    .filter((r) => r.url.endsWith(`/fn/${fn}`))
    .map((r) => String((r.data as { action?: unknown } | undefined)?.action));
}

export const ordersOf = (stack: TestStack, openid: string) => stack.deps.store.find<OrderDoc>('orders', { openid });
