// The card platform's operations in ONE table (operation → host, method, path, scope), shared by the
// platform client and the emulator. Paths follow docs/platform-contract.md; a deployment that finds a
// different path in the real portal's Swagger export corrects it here and nowhere else.

export type PlatformHost = 'ids' | 'api';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH';

export interface Route {
  host: PlatformHost;
  method: HttpMethod;
  /** Path with `{param}` placeholders. */
  path: string;
  /** Scope the token must carry (directly or through a `.all` scope); none for the identity server. */
  scope?: string;
  /** Repeating the call cannot change anything twice, so a client may retry it. */
  idempotent: boolean;
}

const api = (method: HttpMethod, path: string, scope: string, idempotent = method === 'GET'): Route => ({
  host: 'api',
  method,
  path,
  scope,
  idempotent,
});

const FLOW = 'iot.cardservice.flowcard';
const DATA = 'iot.cardservice.datacard';
const ORDER = 'iot.paymentservice.order';
const WXPAY = 'iot.payment.wechatpay';

export const ROUTES = {
  token: { host: 'ids', method: 'POST', path: '/connect/token', idempotent: false },
  authorize: { host: 'ids', method: 'GET', path: '/connect/authorize/callback', idempotent: true },

  'flowcard.list': api('GET', '/cardservice/flowcards', `${FLOW}.get`),
  'flowcard.detail': api('GET', '/cardservice/flowcards/{iccid}', `${FLOW}.detail`),
  'flowcard.update': api('PUT', '/cardservice/flowcards/{iccid}', `${FLOW}.put`, true),
  'flowcard.batchUpdate': api('PATCH', '/cardservice/flowcards', `${FLOW}.patch`, true),
  'flowcard.data': api('GET', '/cardservice/flowcards/{iccid}/data', `${FLOW}.data`),
  'flowcard.status': api('GET', '/cardservice/flowcards/{iccid}/status', `${FLOW}.status`),
  'flowcard.network': api('POST', '/cardservice/flowcards/{iccid}/network', `${FLOW}.network`),
  'flowcard.transferHistory': api('GET', '/cardservice/flowcards/transfers', `${FLOW}.transferhistory`),
  'flowcard.transfer': api('POST', '/cardservice/flowcards/transfers', `${FLOW}.transfer`),
  'flowcard.importHistory': api('GET', '/cardservice/flowcards/imports', `${FLOW}.importhistory`),
  'flowcard.import': api('POST', '/cardservice/flowcards/imports', `${FLOW}.import`),
  'flowcard.reality': api('GET', '/cardservice/flowcards/{iccid}/reality', `${FLOW}.reality`),
  'flowcard.bindReality': api('POST', '/cardservice/flowcards/{iccid}/reality', `${FLOW}.reality`),
  'flowcard.types': api('GET', '/cardservice/flowcards/types', `${FLOW}.types`),
  'flowcard.categories': api('GET', '/cardservice/flowcards/categories', `${FLOW}.categories`),
  'flowcard.tags': api('GET', '/cardservice/flowcards/tags', `${FLOW}.tags`),
  'flowcard.location': api('GET', '/cardservice/flowcards/{iccid}/location', `${FLOW}.location`),

  'datacard.list': api('GET', '/cardservice/datacards', `${DATA}.get`),
  'datacard.history': api('GET', '/cardservice/datacards/history', `${DATA}.history`),
  'datacard.transfer': api('POST', '/cardservice/datacards/transfers', `${DATA}.transfer`),
  'datacard.generate': api('POST', '/cardservice/datacards/generate', `${DATA}.generate`),

  'payment.categories': api('GET', '/paymentservice/products/categories', `${ORDER}.get`),
  'payment.products': api('GET', '/paymentservice/products', `${ORDER}.get`),
  'payment.create': api('POST', '/paymentservice/payments', `${ORDER}.get`),
  'payment.orders': api('GET', '/paymentservice/orders', `${ORDER}.get`),
  'payment.statistic': api('GET', '/paymentservice/orders/statistic', `${ORDER}.statistic`),

  'wxpay.code2session': api('POST', '/paymentservice/v2/wechatpay/code2session', `${WXPAY}.appletpay`),
  'wxpay.queryOrder': api('GET', '/paymentservice/v2/wechatpay/orders/{outTradeNo}', `${WXPAY}.query`),
  'wxpay.closeOrder': api('POST', '/paymentservice/v2/wechatpay/orders/{outTradeNo}/close', `${WXPAY}.close`, true),
  'wxpay.refund': api('POST', '/paymentservice/v2/wechatpay/refunds', `${WXPAY}.refund`),
  'wxpay.queryRefund': api('GET', '/paymentservice/v2/wechatpay/refunds/{outRefundNo}', `${WXPAY}.refundquery`),
} as const satisfies Record<string, Route>;

export type Operation = keyof typeof ROUTES;

/** Every scope of the permission tables (权限码表), plus the gateway v2 scopes and OpenID's own. */
export const KNOWN_SCOPES: readonly string[] = [
  'openid',
  'profile',
  'iot.cardservice.all',
  `${DATA}.all`,
  `${FLOW}.all`,
  'iot.paymentservice.all',
  `${ORDER}.all`,
  ...new Set(Object.values(ROUTES).flatMap((r: Route) => (r.scope ? [r.scope] : []))),
];

/**
 * Whether a granted scope covers a required one: `x.all` covers every `x.*`. The gateway v2 scopes
 * (iot.payment.wechatpay.*) come with `iot.paymentservice.all`, the default app permission of the docs.
 */
export function scopeCovers(granted: string, required: string): boolean {
  if (granted === required) return true;
  if (granted === 'iot.paymentservice.all' && required.startsWith(`${WXPAY}.`)) return true;
  if (!granted.endsWith('.all')) return false;
  return required.startsWith(granted.slice(0, -'all'.length));
}

/** Fill a route's `{param}` placeholders, escaping each value. */
export function routePath(route: Route, params: Record<string, string> = {}): string {
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`missing path parameter ${name} for ${route.path}`);
    return encodeURIComponent(value);
  });
}
