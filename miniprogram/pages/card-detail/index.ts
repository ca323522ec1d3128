// 卡详情: who the card is, why it is stopped and the one action that fixes it, the period's data with its
// age, 30 days of use and the forecast, real name, location, recharge, and (managers) stop/resume with a
// reason, followed until the carrier confirms, and the card's audit trail.
import { ComponentWithStore } from 'mobx-miniprogram-bindings';
import type { CardDetail, UsagePoint } from '../../../typings/api';
import { adminApi, cardsApi } from '../../services/api';
import { messageOf } from '../../services/feedback';
import { cardsStore } from '../../stores/cards';
import { sessionStore } from '../../stores/session';
import { PENDING_TEXT } from '../../utils/card-state';
import { showCardOnMap } from '../../utils/map-focus';
import {
  REAL_NAME_STEPS,
  auditView,
  cardView,
  carrierAdvice,
  realNameView,
  usageView,
  type AuditView,
  type CardView,
  type RealNameView,
  type UsageView,
} from './view';

/** After a stop/resume: re-read the card after these waits, then leave it to a pull-down refresh. */
export const CONFIRM_BACKOFF_MS = [2000, 4000, 8000, 16000];
const HISTORY_DAYS = 30;
const AUDIT_TAKE = 10;
const NET_NAMES = { stop: '停机', resume: '复机' } as const;
const REASONS = { stop: ['车辆停运', '设备拆除', '流量异常'], resume: ['车辆恢复运营', '设备重新安装', '异常已处理'] };

interface Local {
  iccid: string;
  detail?: CardDetail;
  pollTimer?: number;
  pollAttempt: number;
  hidden: boolean;
  /** Bumped by every load, so an older answer never overwrites a newer one. */
  loadSeq: number;
}
const local = (page: unknown) => page as Local;

type Net = { show: boolean; op: 'stop' | 'resume'; title: string; reason: string; error: string; reasons: string[] };
const closedNet: Net = { show: false, op: 'stop', title: '', reason: '', error: '', reasons: [] };

ComponentWithStore({
  storeBindings: {
    store: sessionStore,
    fields: {
      isManager: () => sessionStore.isManager,
      canRecharge: () => sessionStore.role === 'manager' || sessionStore.role === 'driver',
    },
    actions: [],
  },
  data: {
    loading: true,
    error: '',
    card: null as CardView | null,
    usage: null as UsageView | null,
    usageError: '',
    points: [] as UsagePoint[],
    historyError: '',
    realName: null as RealNameView | null,
    realNameError: '',
    realNameSteps: REAL_NAME_STEPS,
    showRealNameSteps: false,
    audit: [] as AuditView[],
    auditTotal: 0,
    auditError: '',
    pendingNote: '',
    net: closedNet,
    submitting: false,
  },
  methods: {
    onLoad(options: Record<string, string | undefined>) {
      const self = local(this);
      self.iccid = decodeURIComponent(options.iccid ?? '')
        .trim()
        .toUpperCase();
      self.pollAttempt = 0;
      self.hidden = false;
      self.loadSeq = 0;
      if (!self.iccid) {
        this.setData({ loading: false, error: '没有指定要查看的卡，请从卡片列表或扫码进入。' });
        return;
      }
      void this.load();
    },
    onShow() {
      const self = local(this);
      // Back from recharge or the map: what is shown may have changed meanwhile.
      if (self.hidden && self.iccid) void this.load();
      self.hidden = false;
    },
    onHide() {
      local(this).hidden = true;
      this.stopPolling();
    },
    onUnload() {
      this.stopPolling();
    },
    async onPullDownRefresh() {
      try {
        await this.load();
      } finally {
        wx.stopPullDownRefresh();
      }
    },

    /** Everything the page shows, each part on its own: one part failing leaves the others readable. */
    async load() {
      const self = local(this);
      const seq = ++self.loadSeq;
      const iccid = self.iccid;
      if (!this.data.card) this.setData({ loading: true, error: '' });
      const [detail, usage, history, realName, audit] = await Promise.allSettled([
        cardsApi.detail({ iccid }),
        cardsApi.usage({ iccid }),
        cardsApi.history({ iccid, days: HISTORY_DAYS }),
        cardsApi.realName({ iccid }),
        sessionStore.isManager ? adminApi.audit({ skip: 0, take: AUDIT_TAKE, iccid }) : Promise.resolve(null),
      ]);
      if (seq !== self.loadSeq) return;
      if (detail.status === 'rejected') {
        this.setData({ loading: false, error: messageOf(detail.reason) });
        return;
      }
      const card = detail.value;
      self.detail = card;
      cardsStore.replaceRow(card);
      wx.setNavigationBarTitle({ title: card.plate ?? '卡详情' });
      const patch: Record<string, unknown> = {
        loading: false,
        error: '',
        card: cardView(card),
        usage: usageView(usage.status === 'fulfilled' ? usage.value : null, card),
        usageError: usage.status === 'rejected' ? messageOf(usage.reason) : '',
        points: history.status === 'fulfilled' ? history.value.points : [],
        historyError: history.status === 'rejected' ? messageOf(history.reason) : '',
        realName: realName.status === 'fulfilled' ? realNameView(realName.value) : null,
        realNameError: realName.status === 'rejected' ? messageOf(realName.reason) : '',
      };
      if (audit.status === 'fulfilled' && audit.value) {
        patch.audit = audit.value.items.map(auditView);
        patch.auditTotal = audit.value.total;
        patch.auditError = '';
      } else if (audit.status === 'rejected') {
        patch.auditError = messageOf(audit.reason);
      }
      if (!card.pending) patch.pendingNote = '';
      this.setData(patch);
      if (card.pending && !self.pollTimer) this.startPolling();
    },
    onRetry() {
      void this.load();
    },

    // ── following a stop/resume until the carrier confirms ──────────────────────────────────────────
    startPolling() {
      const self = local(this);
      this.stopPolling();
      self.pollAttempt = 0;
      this.schedulePoll();
    },
    schedulePoll() {
      const self = local(this);
      const wait = CONFIRM_BACKOFF_MS[self.pollAttempt];
      if (wait === undefined) {
        this.setData({ pendingNote: '运营商仍在处理，通常几分钟内完成；稍后下拉刷新即可看到结果。' });
        return;
      }
      self.pollTimer = setTimeout(() => void this.poll(), wait) as unknown as number;
    },
    stopPolling() {
      const self = local(this);
      if (self.pollTimer) clearTimeout(self.pollTimer);
      self.pollTimer = undefined;
    },
    async poll() {
      const self = local(this);
      self.pollTimer = undefined;
      self.pollAttempt++;
      const before = self.detail;
      let card: CardDetail;
      try {
        card = await cardsApi.detail({ iccid: self.iccid });
      } catch {
        // A failed re-read is just one missed look; the next one (or a pull-down refresh) tries again.
        if (!self.hidden) this.schedulePoll();
        return;
      }
      if (self.hidden) return;
      self.detail = card;
      cardsStore.replaceRow(card);
      if (card.pending) {
        this.setData({ card: cardView(card) });
        this.schedulePoll();
        return;
      }
      const op = before?.pending;
      if (op) wx.showToast({ title: card.state === 'active' ? '已复机' : '已停机', icon: 'success' });
      void this.load();
    },

    // ── the action that fixes a stopped card ──────────────────────────────────────────────────────
    onFix() {
      const card = this.data.card;
      if (!card) return;
      if (card.fix === 'recharge') this.onRecharge();
      else if (card.fix === 'resume') this.openNet('resume');
      else if (card.fix === 'realName') this.setData({ showRealNameSteps: true });
      else if (card.fix === 'carrier') {
        wx.showModal({
          title: '联系运营商',
          content: carrierAdvice(card),
          confirmText: '复制卡号',
          cancelText: '知道了',
          success: (r) => {
            if (r.confirm) wx.setClipboardData({ data: card.iccid });
          },
        });
      }
    },
    onToggleRealNameSteps() {
      this.setData({ showRealNameSteps: !this.data.showRealNameSteps });
    },
    onCopyIccid() {
      const card = this.data.card;
      if (card) wx.setClipboardData({ data: card.iccid });
    },
    onLocation() {
      showCardOnMap(local(this).iccid);
    },
    onRecharge() {
      wx.navigateTo({ url: `/pages/recharge/index?iccid=${local(this).iccid}` });
    },

    // ── stop / resume (managers) ──────────────────────────────────────────────────────────────────
    onStop() {
      this.openNet('stop');
    },
    openNet(op: 'stop' | 'resume') {
      if (!sessionStore.isManager) {
        wx.showModal({
          title: '提示',
          content: `只有车队管理员可以${NET_NAMES[op]}，请联系管理员处理。`,
          showCancel: false,
          confirmText: '知道了',
        });
        return;
      }
      const card = this.data.card;
      this.setData({
        net: {
          show: true,
          op,
          title: `${NET_NAMES[op]} ${card?.plate || card?.iccid || ''}`,
          reason: '',
          error: '',
          reasons: REASONS[op],
        },
      });
    },
    onNetInput(event: { detail: string }) {
      this.setData({ 'net.reason': event.detail, 'net.error': '' });
    },
    onPickReason(event: { currentTarget: { dataset: { reason: string } } }) {
      this.setData({ 'net.reason': event.currentTarget.dataset.reason, 'net.error': '' });
    },
    onNetClose() {
      if (!this.data.submitting) this.setData({ 'net.show': false });
    },
    async onNetSubmit() {
      const self = local(this);
      const { op } = this.data.net;
      const reason = this.data.net.reason.trim();
      if (reason.length < 2 || reason.length > 100) {
        this.setData({ 'net.error': '请填写原因（2 到 100 个字），它会记入操作记录。' });
        return;
      }
      const confirmed = await new Promise<boolean>((resolve) =>
        wx.showModal({
          title: `确定${NET_NAMES[op]}？`,
          content:
            op === 'stop'
              ? '停机后这张卡不能上网，直到复机。运营商处理需要一点时间。'
              : '复机后这张卡恢复上网。运营商处理需要一点时间。',
          confirmText: `确定${NET_NAMES[op]}`,
          success: (r) => resolve(r.confirm),
          fail: () => resolve(false),
        }),
      );
      if (!confirmed) return;
      this.setData({ submitting: true, 'net.error': '' });
      try {
        await cardsApi.setNetwork({ iccid: self.iccid, op, reason });
        if (self.detail) {
          self.detail = { ...self.detail, pending: op };
          cardsStore.replaceRow(self.detail);
        }
        this.setData({ net: closedNet, 'card.pending': PENDING_TEXT[op], pendingNote: '' });
        wx.showToast({ title: `已提交${NET_NAMES[op]}`, icon: 'success' });
        this.startPolling();
      } catch (error) {
        this.setData({ 'net.error': messageOf(error) });
      } finally {
        this.setData({ submitting: false });
      }
    },
  },
});
