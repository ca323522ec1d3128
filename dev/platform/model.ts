// The emulated platform's records. Field names follow docs/platform-contract.md.
import type { PlatformCard } from '../../cloudfunctions/shared/services/cards';
import type { Carrier } from '../../typings/card-status';

/** A card as the platform keeps it: what it answers (the contract's card) plus what it keeps to itself. */
export interface FlowCard extends Omit<PlatformCard, 'statusText'> {
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
