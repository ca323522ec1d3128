// 卡片: the fleet's cards (a driver's own vehicles' cards) with search, filters and a summary strip; the
// last first page paints at once from the phone; rows arrive 20 at a time as separate setData paths.
// Managers long-press to select cards and start one batch job (stop, resume or tag).
import { reaction, when } from 'mobx-miniprogram';
import { ComponentWithStore } from 'mobx-miniprogram-bindings';
import type { Card, CardState, Carrier, JobKind } from '../../../typings/api';
import { adminApi } from '../../services/api';
import { messageOf } from '../../services/feedback';
import { cardsStore } from '../../stores/cards';
import { sessionStore } from '../../stores/session';
import { CARRIER_SHORT, STATE_NAMES } from '../../utils/card-state';
import { formatAge } from '../../utils/format';
import { selectTab } from '../../utils/tabs';
import { toRow } from './card-row/row';
import { rowPatches } from './row-patches';

/** What the page keeps on its instance: never rendered as such. */
interface Local {
  /** The rows as last sent to the view (same objects as the store's), to send only what changed. */
  shown: Card[];
  selected: Set<string>;
  dispose?: () => void;
  started?: boolean;
}
const local = (page: unknown) => page as Local;

/** Selection flags per setData call (each path is ~25 bytes). */
const FLAGS_PER_CALL = 500;

const STATE_OPTIONS = [
  { text: '全部状态', value: '' },
  ...(Object.keys(STATE_NAMES) as CardState[]).map((s) => ({ text: STATE_NAMES[s], value: s })),
];
const CARRIER_OPTIONS = [
  { text: '全部运营商', value: '' },
  ...(Object.keys(CARRIER_SHORT) as Carrier[]).map((c) => ({ text: CARRIER_SHORT[c], value: c })),
];
const REASONS: Record<'stop' | 'resume', string[]> = {
  stop: ['车辆停运', '设备拆除', '流量异常'],
  resume: ['车辆恢复运营', '设备重新安装', '异常已处理'],
};
const KIND_NAMES: Record<JobKind, string> = { stop: '停机', resume: '复机', tag: '设置标签' };

type Batch = { show: boolean; kind: JobKind; title: string; text: string; error: string; reasons: string[] };
const closedBatch: Batch = { show: false, kind: 'stop', title: '', text: '', error: '', reasons: [] };

ComponentWithStore({
  storeBindings: {
    store: cardsStore,
    fields: {
      summary: () => cardsStore.summary,
      filter: () => cardsStore.filter,
      total: () => cardsStore.total,
      loading: () => cardsStore.loading,
      error: () => cardsStore.error,
      moreError: () => cardsStore.moreError,
      hasMore: () => cardsStore.hasMore,
      empty: () => cardsStore.empty,
      filtered: () => cardsStore.filtered,
      cached: () => cardsStore.cachedAt !== null,
      ageText: () => {
        const at = cardsStore.cachedAt ?? cardsStore.syncedAt;
        return at === null ? '' : `数据更新于 ${formatAge(at)}`;
      },
      tagOptions: () => [{ text: '全部标签', value: '' }, ...cardsStore.tagOptions.map((t) => ({ text: t, value: t }))],
      vehicleOptions: () => [
        { text: '全部车辆', value: '' },
        ...cardsStore.vehicleOptions.map((v) => ({ text: v.plate, value: v.id })),
      ],
      /** Short menu titles ("运营商"), or what is picked: the four fit a 375 px phone. */
      filterTitles: () => {
        const f = cardsStore.filter;
        return {
          state: f.lowData ? '流量不足' : f.state ? STATE_NAMES[f.state] : '状态',
          carrier: f.carrier ? CARRIER_SHORT[f.carrier] : '运营商',
          tag: f.tag || '标签',
          vehicle: cardsStore.vehicleOptions.find((v) => v.id === f.vehicleId)?.plate ?? '车辆',
        };
      },
      isManager: () => sessionStore.isManager,
      isDriver: () => sessionStore.role === 'driver',
      sessionError: () => (sessionStore.ready && !sessionStore.member ? sessionStore.error : null),
    },
    actions: [],
    // Derived fields (options, titles) are new objects on every change: send them only when they differ.
    structuralComparison: true,
  },
  data: {
    list: [] as ReturnType<typeof toRow>[],
    keyword: '',
    stateOptions: STATE_OPTIONS,
    carrierOptions: CARRIER_OPTIONS,
    selecting: false,
    selectedCount: 0,
    allSelected: false,
    batch: closedBatch,
    submitting: false,
  },
  methods: {
    onLoad() {
      const self = local(this);
      self.shown = [];
      self.selected = new Set();
      // Rows another member left in memory (a dev identity switch) are never drawn.
      if (sessionStore.member) cardsStore.adopt(sessionStore.member.openid);
      self.dispose = reaction(
        () => cardsStore.rows,
        (rows) => this.renderRows(rows),
        { fireImmediately: true },
      );
      this.setData({ keyword: cardsStore.filter.keyword ?? '' });
      cardsStore.paintFromCache(sessionStore.member?.openid);
      void this.start();
    },
    onUnload() {
      local(this).dispose?.();
    },
    onShow() {
      selectTab(this, '/pages/cards/index');
    },
    /** Once the launch login has answered: a member's list, a stranger to the welcome page. */
    async start() {
      await when(() => sessionStore.ready);
      if (!sessionStore.member) {
        if (sessionStore.error) return; // the page shows why, with a retry
        cardsStore.clearCache();
        cardsStore.reset();
        wx.reLaunch({ url: '/pages/welcome/index' });
        return;
      }
      local(this).started = true;
      cardsStore.adopt(sessionStore.member.openid);
      if (sessionStore.isManager) void cardsStore.loadVehicles();
      await cardsStore.refresh();
    },
    async onRetryLogin() {
      await sessionStore.start();
      await this.start();
    },

    /** Sends only the rows that changed since the last render, as `list[i]` paths, a page per call. */
    renderRows(rows: Card[]) {
      const self = local(this);
      for (const patch of rowPatches(self.shown ?? [], rows, self.selected ?? new Set<string>())) this.setData(patch);
      self.shown = rows;
    },

    // ── search and filters ────────────────────────────────────────────────────────────────────────
    onKeywordChange(event: { detail: string }) {
      this.setData({ keyword: event.detail });
    },
    onSearch(event: { detail: string }) {
      const keyword = (typeof event.detail === 'string' ? event.detail : this.data.keyword).trim();
      this.setData({ keyword });
      void cardsStore.setKeyword(keyword);
    },
    onClearKeyword() {
      this.setData({ keyword: '' });
      if (cardsStore.filter.keyword) void cardsStore.setKeyword('');
    },
    onStateChange(event: { detail: string }) {
      void cardsStore.setFilter({ state: (event.detail || undefined) as CardState | undefined, lowData: undefined });
    },
    onCarrierChange(event: { detail: string }) {
      void cardsStore.setFilter({ carrier: (event.detail || undefined) as Carrier | undefined });
    },
    onTagChange(event: { detail: string }) {
      void cardsStore.setFilter({ tag: event.detail || undefined });
    },
    onVehicleChange(event: { detail: string }) {
      void cardsStore.setFilter({ vehicleId: event.detail || undefined });
    },
    /** The summary strip filters by what was tapped ("全部" clears the state filter). */
    onSummaryTap(event: { currentTarget: { dataset: { state?: string } } }) {
      const picked = event.currentTarget.dataset.state || undefined;
      if (picked === 'lowData') {
        if (!cardsStore.filter.lowData) void cardsStore.setFilter({ lowData: true, state: undefined });
        return;
      }
      const state = picked as CardState | undefined;
      if (state === cardsStore.filter.state && !cardsStore.filter.lowData) return;
      void cardsStore.setFilter({ state, lowData: undefined });
    },
    onClearFilter() {
      this.setData({ keyword: '' });
      void cardsStore.clearFilter();
    },
    onScan() {
      wx.navigateTo({ url: '/pages/scan/index' });
    },

    // ── loading ───────────────────────────────────────────────────────────────────────────────────
    onRetry() {
      void cardsStore.refresh();
    },
    onRetryMore() {
      void cardsStore.loadMore();
    },
    async onPullDownRefresh() {
      try {
        if (local(this).started) await cardsStore.refresh();
        else await this.onRetryLogin();
      } finally {
        wx.stopPullDownRefresh();
      }
    },
    async onReachBottom() {
      await cardsStore.loadMore();
    },

    // ── rows and selection ────────────────────────────────────────────────────────────────────────
    onOpen(event: { detail: { iccid: string }; currentTarget: { dataset: { index: number } } }) {
      if (this.data.selecting) {
        this.toggle(event.currentTarget.dataset.index);
        return;
      }
      wx.navigateTo({ url: `/pages/card-detail/index?iccid=${event.detail.iccid}` });
    },
    /** Long-press: managers start selecting with this card; staff and drivers have nothing to select for. */
    onHold(event: { currentTarget: { dataset: { index: number } } }) {
      if (!sessionStore.isManager) return;
      if (!this.data.selecting) {
        this.setData({ selecting: true });
        wx.vibrateShort?.({ type: 'light' });
      }
      const index = event.currentTarget.dataset.index;
      if (!this.data.list[index]?.selected) this.toggle(index);
    },
    toggle(index: number) {
      const card = cardsStore.rows[index];
      if (!card) return;
      const selected = local(this).selected;
      const on = !selected.has(card.iccid);
      if (on) selected.add(card.iccid);
      else selected.delete(card.iccid);
      this.setData({
        [`list[${index}].selected`]: on,
        selectedCount: selected.size,
        allSelected: selected.size === cardsStore.rows.length,
      });
    },
    /** 全选本页: every card loaded on this page (or none, when all are already selected). */
    onSelectAll() {
      const selected = local(this).selected;
      const on = !this.data.allSelected;
      const rows = cardsStore.rows;
      let patch: Record<string, boolean> = {};
      let count = 0;
      for (let i = 0; i < rows.length; i++) {
        if (selected.has(rows[i].iccid) === on) continue;
        if (on) selected.add(rows[i].iccid);
        else selected.delete(rows[i].iccid);
        patch[`list[${i}].selected`] = on;
        if (++count === FLAGS_PER_CALL) {
          this.setData(patch);
          patch = {};
          count = 0;
        }
      }
      this.setData({ ...patch, selectedCount: selected.size, allSelected: on && rows.length > 0 });
    },
    onCancelSelect() {
      const selected = local(this).selected;
      const rows = cardsStore.rows;
      let patch: Record<string, boolean> = {};
      let count = 0;
      for (let i = 0; i < rows.length; i++) {
        if (!selected.has(rows[i].iccid)) continue;
        patch[`list[${i}].selected`] = false;
        if (++count === FLAGS_PER_CALL) {
          this.setData(patch);
          patch = {};
          count = 0;
        }
      }
      selected.clear();
      this.setData({ ...patch, selecting: false, selectedCount: 0, allSelected: false, batch: closedBatch });
    },

    // ── batch job ─────────────────────────────────────────────────────────────────────────────────
    onBatch(event: { currentTarget: { dataset: { kind: JobKind } } }) {
      const kind = event.currentTarget.dataset.kind;
      const count = local(this).selected.size;
      if (count === 0) {
        wx.showToast({ title: '请先选择卡片', icon: 'none' });
        return;
      }
      this.setData({
        batch: {
          show: true,
          kind,
          title: `批量${KIND_NAMES[kind]}（${count} 张卡）`,
          text: '',
          error: '',
          reasons: kind === 'tag' ? [] : REASONS[kind],
        },
      });
    },
    onBatchInput(event: { detail: string }) {
      this.setData({ 'batch.text': event.detail, 'batch.error': '' });
    },
    onPickReason(event: { currentTarget: { dataset: { reason: string } } }) {
      this.setData({ 'batch.text': event.currentTarget.dataset.reason, 'batch.error': '' });
    },
    onBatchClose() {
      if (!this.data.submitting) this.setData({ 'batch.show': false });
    },
    async onBatchSubmit() {
      const { kind, text } = this.data.batch;
      const iccids = [...local(this).selected];
      const reason = text.trim();
      const tags = text
        .split(/[\s,，、;；]+/)
        .map((t) => t.trim())
        .filter(Boolean);
      if (kind !== 'tag' && (reason.length < 2 || reason.length > 100)) {
        this.setData({ 'batch.error': '请填写原因（2 到 100 个字），它会记入操作记录。' });
        return;
      }
      if (kind === 'tag' && (tags.length < 1 || tags.length > 10 || tags.some((t) => t.length > 20))) {
        this.setData({ 'batch.error': '请填写 1 到 10 个标签，用空格或逗号分开，每个不超过 20 个字。' });
        return;
      }
      if (kind !== 'tag') {
        const confirmed = await new Promise<boolean>((resolve) =>
          wx.showModal({
            title: `确定批量${KIND_NAMES[kind]}？`,
            content:
              kind === 'stop'
                ? `将对 ${iccids.length} 张卡发起停机，停机后这些卡不能上网，直到复机。`
                : `将对 ${iccids.length} 张卡发起复机；因欠费或被运营商停机的卡不能复机，会在任务结果中列出。`,
            confirmText: `确定${KIND_NAMES[kind]}`,
            success: (r) => resolve(r.confirm),
            fail: () => resolve(false),
          }),
        );
        if (!confirmed) return;
      }
      this.setData({ submitting: true, 'batch.error': '' });
      try {
        const job = await adminApi.startJob(kind === 'tag' ? { kind, iccids, tags } : { kind, iccids, reason });
        this.onCancelSelect();
        wx.navigateTo({ url: `/manager/job/index?jobId=${encodeURIComponent(job.id)}` });
      } catch (error) {
        this.setData({ 'batch.error': messageOf(error) });
      } finally {
        this.setData({ submitting: false });
      }
    },
  },
});
