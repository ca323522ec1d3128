// What the recharge page renders of a card and of a package: only the words and numbers it shows.
import type { Card, CardState, Product } from '../../../typings/api';
import { CARRIER_SHORT } from '../../utils/card-state';
import { formatFen, formatMB } from '../../utils/format';

export interface CardView {
  iccid: string;
  plate: string;
  carrier: string;
  statusText: string;
  state: CardState;
  left: string;
  days: string;
}

export interface ProductView {
  id: string;
  name: string;
  data: string;
  validity: string;
  price: string;
}

export function toCardView(card: Card): CardView {
  return {
    iccid: card.iccid,
    plate: card.plate ?? '未绑定车辆',
    carrier: CARRIER_SHORT[card.carrier] ?? card.carrier,
    statusText: card.statusText,
    state: card.state,
    left: card.totalMB > 0 ? formatMB(card.remainingMB) : '未订购流量',
    days: card.daysLeft > 0 ? `${card.daysLeft}天` : '本期已结束',
  };
}

export function toProductView(product: Product): ProductView {
  return {
    id: product.id,
    name: product.name,
    data: formatMB(product.dataMB),
    validity: `${product.validDays}天有效`,
    price: formatFen(product.priceFen),
  };
}
