// The emulated platform's records. Field names follow docs/platform-contract.md.
import type { Carrier } from '../../typings/card-status';

export interface FlowCard {
  iccid: string;
  msisdn: string;
  imsi: string;
  carrier: Carrier;
  status: number;
  realNameStatus: 0 | 1;
  typeId: number;
  categoryId: number;
  tags: string[];
  remark: string;
  packageName: string;
  totalMB: number;
  usedMB: number;
  periodStart: string;
  periodEnd: string;
  activatedAt: string | null;
  /** When the carrier last reported usage (late, as carriers are). */
  updatedAt: string;
  statusUpdatedAt: string;
  location: { lng: number; lat: number; radius: number; locatedAt: string } | null;
  reality: { name: string; idNumber: string; phone: string; boundAt: string } | null;
}

export interface DataCard {
  id: string;
  cardNo: string;
  productId: string;
  dataMB: number;
  /** 0 未使用 · 1 已使用 · 2 已过期 · 3 已划拨 */
  status: 0 | 1 | 2 | 3;
  expireAt: string;
  createdAt: string;
  consignee: string | null;
}

export interface Product {
  id: string;
  name: string;
  categoryId: string;
  dataMB: number;
  validDays: number;
  priceFen: number;
  carriers: Carrier[];
}

export type OrderStatus = 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND' | 'PAYERROR';

export interface Order {
  orderNo: string;
  outTradeNo: string;
  iccid: string;
  productId: string;
  productName: string;
  amountFen: number;
  openid: string;
  channel: string;
  notifyUrl: string;
  status: OrderStatus;
  prepayId: string;
  createdAt: string;
  paidAt: string | null;
  transactionId: string | null;
  refundedFen: number;
}

export interface Refund {
  outRefundNo: string;
  outTradeNo: string;
  amountFen: number;
  status: 'SUCCESS';
  refundedAt: string;
}

export interface TokenRecord {
  clientId: string;
  scopes: string[];
  issuedAt: number;
  expiresAt: number;
}

export interface ClientConfig {
  clientId: string;
  clientSecret: string;
  /** Scopes this client may ask for. */
  allowedScopes: string[];
  /** Prefixes a redirect_uri must start with (authorization_code). */
  redirectUriPrefixes: string[];
}

export interface HistoryRecord {
  id: string;
  createdAt: string;
  [key: string]: unknown;
}
