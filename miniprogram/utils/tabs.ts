// The tab bar each role sees: what a role may not use is not shown.
import type { Role } from '../../typings/api';

export interface Tab {
  path: string;
  text: string;
  icon: string;
}

const CARDS: Tab = { path: '/pages/cards/index', text: '卡片', icon: 'card' };
const MAP: Tab = { path: '/pages/map/index', text: '地图', icon: 'location-o' };
const ORDERS: Tab = { path: '/pages/orders/index', text: '订单', icon: 'orders-o' };
const ME: Tab = { path: '/pages/me/index', text: '我的', icon: 'user-o' };

export function tabsFor(role: Role | null): Tab[] {
  if (role === 'staff') return [CARDS, MAP, ME];
  if (role === 'manager' || role === 'driver') return [CARDS, MAP, ORDERS, ME];
  return [ME];
}

/** Marks the current tab in the custom tab bar (call from a tab page's onShow). */
export function selectTab(page: WechatMiniprogram.Component.TrivialInstance, path: string): void {
  const bar = typeof page.getTabBar === 'function' ? page.getTabBar() : undefined;
  if (bar) bar.setData({ selected: path });
}
