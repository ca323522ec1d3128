// Orders: the caller's (a driver's own, a manager's every) orders page by page, newest first, and for managers
// the paid totals of the last 30 days and of this month.
import { makeAutoObservable, observable, runInAction } from 'mobx-miniprogram';
import type { Order, OrderStats } from '../../typings/api';
import { payApi } from '../services/api';
import { messageOf } from '../services/feedback';
import { CallError } from '../services/gateway';
import { shanghai } from '../utils/format';

export const PAGE_SIZE = 20;
/** The day list covers this many days, today included. */
export const STATS_DAYS = 30;

export interface DayTotal {
  date: string;
  count: number;
  amountFen: number;
}

/** The dates a stats request covers: the last 30 days and the whole of this month, in Shanghai days. */
export function statsRange(now = Date.now()): { from: string; to: string; monthFrom: string; daysFrom: string } {
  const today = shanghai(now);
  const daysFrom = today.subtract(STATS_DAYS - 1, 'day').format('YYYY-MM-DD');
  const monthFrom = today.startOf('month').format('YYYY-MM-DD');
  return { from: daysFrom < monthFrom ? daysFrom : monthFrom, to: today.format('YYYY-MM-DD'), monthFrom, daysFrom };
}

export class OrdersStore {
  rows: Order[] = [];
  total = 0;
  /** What is loading now: the first page (a refresh), the next page, or nothing. */
  loading: 'first' | 'more' | null = null;
  /** Why the first page did not load, as a sentence. */
  error: string | null = null;
  /** The caller may not see orders (field staff): trying again will not help. */
  forbidden = false;
  /** Why the next page did not load. */
  moreError: string | null = null;
  /** An answer has arrived (so "no orders" means none, not "not yet"). */
  loaded = false;
  /** An order was made or changed elsewhere that the rows do not show yet: refresh when next shown. */
  stale = false;

  stats: OrderStats | null = null;
  statsLoading = false;
  statsError: string | null = null;
  /** Bumped by every refresh and reset: an answer for an older one is dropped. */
  generation = 0;

  constructor() {
    makeAutoObservable(this, { rows: observable.ref, stats: observable.ref, generation: false });
  }

  get hasMore(): boolean {
    return this.loaded && this.rows.length < this.total;
  }

  get empty(): boolean {
    return this.loaded && this.rows.length === 0 && !this.error;
  }

  /** The last 30 days, newest first. */
  get days(): DayTotal[] {
    if (!this.stats) return [];
    const { daysFrom } = statsRange(Date.parse(`${this.stats.to}T12:00:00+08:00`));
    return this.stats.days.filter((d) => d.date >= daysFrom).reverse();
  }

  get daysTotalFen(): number {
    return this.days.reduce((sum, d) => sum + d.amountFen, 0);
  }

  get daysCount(): number {
    return this.days.reduce((sum, d) => sum + d.count, 0);
  }

  /** This month's totals (the month of the range's last day). */
  get month(): { month: string; count: number; amountFen: number } | null {
    if (!this.stats) return null;
    const month = this.stats.to.slice(0, 7);
    return this.stats.months.find((m) => m.month === month) ?? { month, count: 0, amountFen: 0 };
  }

  /** Loads the first page; answers whether it arrived. */
  async refresh(): Promise<boolean> {
    const generation = ++this.generation;
    this.loading = 'first';
    this.error = null;
    this.forbidden = false;
    this.moreError = null;
    try {
      const page = await payApi.orders({ skip: 0, take: PAGE_SIZE });
      if (generation !== this.generation) return false;
      runInAction(() => {
        this.rows = page.items;
        this.total = page.total;
        this.loaded = true;
        this.stale = false;
      });
      return true;
    } catch (error) {
      if (generation === this.generation) {
        runInAction(() => {
          this.error = messageOf(error);
          this.forbidden = error instanceof CallError && error.code === 'FORBIDDEN';
        });
      }
      return false;
    } finally {
      if (generation === this.generation) runInAction(() => (this.loading = null));
    }
  }

  /** Loads the next page; answers how many orders it added. */
  async loadMore(): Promise<number> {
    if (this.loading || !this.hasMore) return 0;
    const generation = this.generation;
    this.loading = 'more';
    this.moreError = null;
    try {
      const page = await payApi.orders({ skip: this.rows.length, take: PAGE_SIZE });
      if (generation !== this.generation) return 0;
      return runInAction(() => {
        // New orders push older ones down a page: those already shown are not shown twice.
        const seen = new Set(this.rows.map((o) => o.outTradeNo));
        const fresh = page.items.filter((o) => !seen.has(o.outTradeNo));
        this.rows = this.rows.concat(fresh);
        this.total = fresh.length === 0 ? this.rows.length : page.total;
        // Orders seen again mean newer ones arrived at the top: show them at the next refresh.
        if (fresh.length < page.items.length) this.stale = true;
        return fresh.length;
      });
    } catch (error) {
      if (generation === this.generation) runInAction(() => (this.moreError = messageOf(error)));
      return 0;
    } finally {
      if (generation === this.generation) runInAction(() => (this.loading = null));
    }
  }

  /** Paid totals for the last 30 days and this month, in one request. */
  async loadStats(now = Date.now()): Promise<boolean> {
    const { from, to } = statsRange(now);
    this.statsLoading = true;
    this.statsError = null;
    try {
      const stats = await payApi.stats({ from, to });
      runInAction(() => (this.stats = stats));
      return true;
    } catch (error) {
      runInAction(() => (this.statsError = messageOf(error)));
      return false;
    } finally {
      runInAction(() => (this.statsLoading = false));
    }
  }

  /** An order seen fresher elsewhere (the pay result) replaces its row; one not listed makes the list stale. */
  noteOrder(order: Order): void {
    const at = this.rows.findIndex((o) => o.outTradeNo === order.outTradeNo);
    if (at < 0) {
      if (this.loaded) this.stale = true;
      return;
    }
    if (this.rows[at].state === order.state && this.rows[at].paidAt === order.paidAt) return;
    const rows = this.rows.slice();
    rows[at] = order;
    this.rows = rows;
    // A newly paid order changes the totals.
    if (order.state === 'paid' || order.state === 'applied') this.stats = null;
  }

  /** A new order was made (the recharge page): the list shows it when next opened. */
  markStale(): void {
    if (this.loaded) this.stale = true;
  }

  /** Back to nothing loaded (another person logged in). */
  reset(): void {
    this.generation++;
    this.rows = [];
    this.total = 0;
    this.loading = null;
    this.error = null;
    this.forbidden = false;
    this.moreError = null;
    this.loaded = false;
    this.stale = false;
    this.stats = null;
    this.statsLoading = false;
    this.statsError = null;
  }
}

export const ordersStore = new OrdersStore();
