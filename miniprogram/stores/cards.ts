// The card list: filters, paging, the loaded rows, the fleet summary, and the last first page kept on the
// phone, so the list paints at once (with its age) while the network answers.
import { makeAutoObservable, observable, runInAction } from 'mobx-miniprogram';
import type { Card, CardFilter, CardSummary, Carrier, Vehicle } from '../../typings/api';
import { adminApi, cardsApi } from '../services/api';
import { messageOf } from '../services/feedback';

export const PAGE_SIZE = 20;
/** Where the last unfiltered first page is kept on the phone. */
export const CACHE_KEY = 'cards.firstPage.v1';

export interface CachedFirstPage {
  /** When it was saved (epoch ms). */
  at: number;
  /** Whose list it is: another member on this phone does not see it. */
  openid: string | null;
  total: number;
  items: Card[];
  summary: CardSummary | null;
}

export interface VehicleOption {
  id: string;
  plate: string;
}

/** The filter without its empty fields, so `{}` means "no filter". */
function compact(filter: CardFilter): CardFilter {
  const out: CardFilter = {};
  if (filter.keyword && filter.keyword.trim()) out.keyword = filter.keyword.trim();
  if (filter.state) out.state = filter.state;
  if (filter.carrier) out.carrier = filter.carrier;
  if (filter.tag) out.tag = filter.tag;
  if (filter.vehicleId) out.vehicleId = filter.vehicleId;
  if (filter.lowData) out.lowData = true;
  return out;
}

function isCachedFirstPage(value: unknown): value is CachedFirstPage {
  const v = value as CachedFirstPage | null;
  return !!v && typeof v === 'object' && typeof v.at === 'number' && Array.isArray(v.items);
}

export class CardsStore {
  filter: CardFilter = {};
  /** The rows loaded so far for the current filter, in the platform's order. */
  rows: Card[] = [];
  total = 0;
  summary: CardSummary | null = null;
  /** What is loading now: the first page (a refresh), the next page, or nothing. */
  loading: 'first' | 'more' | null = null;
  /** Why the first page did not load, as a sentence; null when it did. */
  error: string | null = null;
  /** Why the next page did not load; null when it did. */
  moreError: string | null = null;
  /** While the rows shown come from the phone's cache: when they were saved. Null once fresh. */
  cachedAt: number | null = null;
  /** When the platform's data behind the rows was read (the backend's sync time). */
  syncedAt: string | null = null;
  /** An answer for the current filter has arrived (so "no cards" means none, not "not yet"). */
  loaded = false;
  /** The fleet's vehicles (managers: from the vehicle list; others: the plates their rows carry). */
  fleetVehicles: VehicleOption[] = [];
  /** The member the rows belong to (null until known). */
  owner: string | null = null;
  /** Bumped by every refresh: an answer for an older one is dropped. */
  generation = 0;

  constructor() {
    makeAutoObservable(this, {
      rows: observable.ref,
      summary: observable.ref,
      fleetVehicles: observable.ref,
      generation: false,
    });
  }

  get hasMore(): boolean {
    return this.loaded && this.rows.length < this.total;
  }

  get filtered(): boolean {
    return Object.keys(compact(this.filter)).length > 0;
  }

  /** Nothing to show, and the answer says so (not merely "not loaded yet"). */
  get empty(): boolean {
    return this.loaded && this.rows.length === 0 && !this.error;
  }

  /** The vehicles to filter by: the fleet's, plus any plate seen in the rows. */
  get vehicleOptions(): VehicleOption[] {
    const byId = new Map<string, string>();
    for (const v of this.fleetVehicles) byId.set(v.id, v.plate);
    for (const row of this.rows) if (row.vehicleId && row.plate) byId.set(row.vehicleId, row.plate);
    return [...byId].map(([id, plate]) => ({ id, plate })).sort((a, b) => a.plate.localeCompare(b.plate));
  }

  /** The summary's tags, most used first; then any a row or the filter has that the summary missed. */
  get tagOptions(): string[] {
    // A summary cached by an older version has no tags.
    const tags = new Set<string>((this.summary?.tags ?? []).map((t) => t.name));
    const seen = new Set<string>(this.filter.tag ? [this.filter.tag] : []);
    for (const row of this.rows) for (const tag of row.tags) seen.add(tag);
    return [...tags, ...[...seen].filter((t) => !tags.has(t)).sort()];
  }

  /** Shows the last saved first page at once, if nothing else is shown and it is `openid`'s (when known). */
  paintFromCache(openid?: string): boolean {
    if (this.rows.length > 0 || this.filtered) return false;
    let cached: unknown;
    try {
      cached = wx.getStorageSync(CACHE_KEY);
    } catch {
      // An unreadable cache only means no instant paint; the network answer follows anyway.
      return false;
    }
    if (!isCachedFirstPage(cached)) return false;
    if (openid && cached.openid !== openid) return false;
    this.rows = cached.items;
    this.total = cached.total;
    this.summary = cached.summary;
    this.cachedAt = cached.at;
    this.owner = typeof cached.openid === 'string' ? cached.openid : null;
    this.loaded = true;
    return true;
  }

  /** The list is now `openid`'s: what another member left (in memory or on the phone) is dropped. */
  adopt(openid: string): void {
    if (this.owner !== null && this.owner !== openid) {
      this.reset();
      this.clearCache();
    }
    this.owner = openid;
  }

  private saveCache(): void {
    const page: CachedFirstPage = {
      at: Date.now(),
      openid: this.owner,
      total: this.total,
      items: this.rows.slice(0, PAGE_SIZE),
      summary: this.summary,
    };
    try {
      wx.setStorageSync(CACHE_KEY, page);
    } catch {
      // A full storage only costs the next launch its instant paint; the list itself is fine.
    }
  }

  /** Forgets the saved page (e.g. another person logs in on this phone). */
  clearCache(): void {
    try {
      wx.removeStorageSync(CACHE_KEY);
    } catch {
      // Nothing saved, nothing to forget.
    }
  }

  setFilter(patch: CardFilter): Promise<boolean> {
    this.filter = compact({ ...this.filter, ...patch });
    this.rows = [];
    this.total = 0;
    this.loaded = false;
    this.cachedAt = null;
    return this.refresh();
  }

  setKeyword(keyword: string): Promise<boolean> {
    return this.setFilter({ keyword });
  }

  clearFilter(): Promise<boolean> {
    this.filter = {};
    return this.setFilter({});
  }

  filterByCarrier(carrier: Carrier | undefined): Promise<boolean> {
    return this.setFilter({ carrier });
  }

  /** Loads the first page for the current filter (and the summary); answers whether the page arrived. */
  async refresh(): Promise<boolean> {
    const generation = ++this.generation;
    const filter = compact(this.filter);
    this.loading = 'first';
    this.error = null;
    this.moreError = null;
    const [list, summary] = await Promise.allSettled([
      cardsApi.list({ skip: 0, take: PAGE_SIZE, ...filter }),
      cardsApi.summary({}),
    ]);
    if (generation !== this.generation) return false;
    return runInAction(() => {
      this.loading = null;
      if (summary.status === 'fulfilled') this.summary = summary.value;
      if (list.status === 'rejected') {
        this.error = messageOf(list.reason);
        return false;
      }
      this.rows = list.value.items;
      this.total = list.value.total;
      this.syncedAt = list.value.syncedAt ?? (summary.status === 'fulfilled' ? summary.value.syncedAt : null);
      this.cachedAt = null;
      this.loaded = true;
      if (Object.keys(filter).length === 0) this.saveCache();
      return true;
    });
  }

  /** Loads the next page; answers how many rows it added (0 when there was nothing to load or it failed). */
  async loadMore(): Promise<number> {
    if (this.loading || !this.hasMore || this.cachedAt !== null) return 0;
    const generation = this.generation;
    const skip = this.rows.length;
    this.loading = 'more';
    this.moreError = null;
    try {
      const page = await cardsApi.list({ skip, take: PAGE_SIZE, ...compact(this.filter) });
      if (generation !== this.generation) return 0;
      return runInAction(() => {
        // Cards seen already (the fleet changed between pages) are not shown twice.
        const seen = new Set(this.rows.map((r) => r.iccid));
        const fresh = page.items.filter((c) => !seen.has(c.iccid));
        this.rows = this.rows.concat(fresh);
        this.total = page.total;
        // A page that adds nothing new means the list has shrunk under us: stop asking for more.
        if (fresh.length === 0) this.total = this.rows.length;
        return fresh.length;
      });
    } catch (error) {
      if (generation === this.generation) runInAction(() => (this.moreError = messageOf(error)));
      return 0;
    } finally {
      if (generation === this.generation) runInAction(() => (this.loading = null));
    }
  }

  /** A card seen fresher elsewhere (e.g. its detail page) replaces its row. */
  replaceRow(card: Card): void {
    const at = this.rows.findIndex((r) => r.iccid === card.iccid);
    if (at < 0) return;
    const rows = this.rows.slice();
    rows[at] = card;
    this.rows = rows;
  }

  /** Managers filter by every vehicle of the fleet; others by the plates their cards carry. */
  async loadVehicles(): Promise<void> {
    try {
      const vehicles: Vehicle[] = await adminApi.vehicles({});
      runInAction(() => (this.fleetVehicles = vehicles.map((v) => ({ id: v.id, plate: v.plate }))));
    } catch {
      // The vehicle filter then offers the plates seen in the list; the list shows its own errors.
    }
  }

  /** Back to nothing loaded (another person logged in). */
  reset(): void {
    this.generation++;
    this.filter = {};
    this.rows = [];
    this.total = 0;
    this.summary = null;
    this.loading = null;
    this.error = null;
    this.moreError = null;
    this.cachedAt = null;
    this.syncedAt = null;
    this.loaded = false;
    this.fleetVehicles = [];
    this.owner = null;
  }
}

export const cardsStore = new CardsStore();
