// 订单: a driver's own orders; for a manager every order of the fleet and, on a second tab, the paid totals
// per day (last 30 days) and this month. Orders arrive 20 at a time as separate setData paths.
import { reaction, when } from 'mobx-miniprogram';
import { ComponentWithStore } from 'mobx-miniprogram-bindings';
import type { Order } from '../../../typings/api';
import { ordersStore, PAGE_SIZE } from '../../stores/orders';
import { sessionStore } from '../../stores/session';
import { formatFen } from '../../utils/format';
import { selectTab } from '../../utils/tabs';
import { toDayRows, toOrderRow, type OrderRow } from './row';

interface Local {
  /** The orders as last sent to the view (the store's objects), to send only what changed. */
  shown: Order[];
  dispose?: () => void;
  started?: boolean;
}
const local = (page: unknown) => page as Local;

type Tab = 'orders' | 'stats';

ComponentWithStore({
  storeBindings: {
    store: ordersStore,
    fields: {
      isManager: () => sessionStore.isManager,
      total: () => ordersStore.total,
      loading: () => ordersStore.loading,
      error: () => ordersStore.error,
      forbidden: () => ordersStore.forbidden,
      moreError: () => ordersStore.moreError,
      hasMore: () => ordersStore.hasMore,
      empty: () => ordersStore.empty,
      loaded: () => ordersStore.loaded,
      statsLoading: () => ordersStore.statsLoading,
      statsError: () => ordersStore.statsError,
      hasStats: () => ordersStore.stats !== null,
      days: () => toDayRows(ordersStore.days),
      daysTotal: () => formatFen(ordersStore.daysTotalFen),
      daysCount: () => ordersStore.daysCount,
      month: () => {
        const month = ordersStore.month;
        return month
          ? { label: `${Number(month.month.slice(5))}月`, amount: formatFen(month.amountFen), count: month.count }
          : null;
      },
      sessionError: () => (sessionStore.ready && !sessionStore.member ? sessionStore.error : null),
    },
    actions: [],
  },
  data: {
    list: [] as OrderRow[],
    tab: 'orders' as Tab,
  },
  methods: {
    onLoad() {
      local(this).shown = [];
      local(this).dispose = reaction(
        () => ordersStore.rows,
        (rows) => this.renderRows(rows),
        { fireImmediately: true },
      );
      void this.start();
    },
    onUnload() {
      local(this).dispose?.();
    },
    onShow() {
      selectTab(this, '/pages/orders/index');
      if (!local(this).started) return;
      // A recharge made or settled an order since: show it.
      if (ordersStore.stale || !ordersStore.loaded) void ordersStore.refresh();
      if (this.data.tab === 'stats' && !ordersStore.stats && !ordersStore.statsLoading) void ordersStore.loadStats();
    },
    /** Once the launch login has answered: the member's orders; a stranger goes to the welcome page. */
    async start() {
      await when(() => sessionStore.ready);
      if (!sessionStore.member) {
        if (sessionStore.error) return; // the page shows why, with a retry
        wx.reLaunch({ url: '/pages/welcome/index' });
        return;
      }
      local(this).started = true;
      await ordersStore.refresh();
    },
    async onRetryLogin() {
      await sessionStore.start();
      await this.start();
    },

    /** Sends only the rows that changed since the last render, as `list[i]` paths, a page per call. */
    renderRows(rows: Order[]) {
      const self = local(this);
      let shown = self.shown ?? [];
      if (rows.length < shown.length) {
        // A refresh: start over with (at most) a page.
        const first = rows.slice(0, PAGE_SIZE);
        this.setData({ list: first.map(toOrderRow) });
        shown = first;
      }
      let patch: Record<string, OrderRow> = {};
      let count = 0;
      for (let i = 0; i < rows.length; i++) {
        if (rows[i] === shown[i]) continue;
        patch[`list[${i}]`] = toOrderRow(rows[i]);
        if (++count === PAGE_SIZE) {
          this.setData(patch);
          patch = {};
          count = 0;
        }
      }
      if (count > 0) this.setData(patch);
      self.shown = rows;
    },

    onTabChange(event: { detail: { name: Tab } }) {
      const tab = event.detail.name;
      this.setData({ tab });
      if (tab === 'stats' && !ordersStore.stats && !ordersStore.statsLoading) void ordersStore.loadStats();
    },
    onRetry() {
      if (local(this).started) void ordersStore.refresh();
      else void this.onRetryLogin();
    },
    onCards() {
      wx.switchTab({ url: '/pages/cards/index' });
    },
    onRetryMore() {
      void ordersStore.loadMore();
    },
    onRetryStats() {
      void ordersStore.loadStats();
    },
    async onPullDownRefresh() {
      try {
        if (!local(this).started) await this.onRetryLogin();
        else if (this.data.tab === 'stats') await Promise.all([ordersStore.loadStats(), ordersStore.refresh()]);
        else await ordersStore.refresh();
      } finally {
        wx.stopPullDownRefresh();
      }
    },
    async onReachBottom() {
      if (this.data.tab === 'orders') await ordersStore.loadMore();
    },
    onOpen(event: { currentTarget: { dataset: { no: string } } }) {
      wx.navigateTo({
        url: `/pages/pay-result/index?outTradeNo=${encodeURIComponent(event.currentTarget.dataset.no)}`,
      });
    },
  },
});
