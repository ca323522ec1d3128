// WeChat pay gateway v2 (支付网关v2): code2Session, order query and close, refunds; and wx.login codes.
import type { Handlers } from './context';
import { fail } from './http';
import type { Platform } from './platform';

const todo = () => {
  throw fail(417, '尚未实现');
};

export const wxpayHandlers: Handlers<
  'wxpay.code2session' | 'wxpay.queryOrder' | 'wxpay.closeOrder' | 'wxpay.refund' | 'wxpay.queryRefund'
> = {
  'wxpay.code2session': todo,
  'wxpay.queryOrder': todo,
  'wxpay.closeOrder': todo,
  'wxpay.refund': todo,
  'wxpay.queryRefund': todo,
};

export function issueLoginCode(_platform: Platform, _openid: string, _now: number): { code: string } {
  throw fail(417, '尚未实现');
}
