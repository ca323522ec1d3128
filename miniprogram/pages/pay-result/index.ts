// 支付结果: follows one order until the platform confirms it (paid, then the package applied), looking again
// after 1, 2, 3, 5 and 8 s while it is unsettled and the page is shown, and says plainly what happened:
// applied (with the data added and the card's new data left), paid and on its way, waiting for payment,
// cancelled, failed, or still unconfirmed, in which case the platform will confirm it later.
import type { Order } from '../../../typings/api';
import { payApi } from '../../services/api';
import { messageOf } from '../../services/feedback';
import { CallError } from '../../services/gateway';
import { ordersStore } from '../../stores/orders';
import { sessionStore } from '../../stores/session';
import { formatFen, formatMB, formatTime } from '../../utils/format';
import { FINAL_ORDER_STATES, iccidTail } from '../../utils/order-state';
import { BACKOFF_MS } from './backoff';

/** What the page says: the order's state, or how the person left WeChat Pay while it is still unpaid. */
type Phase = 'loading' | 'applied' | 'paid' | 'created' | 'cancelled' | 'payFailed' | 'closed' | 'failed' | 'error';
/** How the person left the pay sheet (recharge passes it on); absent when opened from the orders list. */
type From = 'paid' | 'cancel' | 'fail' | '';

interface Local {
  from: From;
  order: Order | null;
  timer?: ReturnType<typeof setTimeout>;
  /** Looks taken since the last (re)start of the backoff. */
  attempt: number;
  /** Bumped by every (re)start and stop: an answer for an older round is dropped. */
  round: number;
  hidden: boolean;
  /** The order has been asked to close after the person closed the pay sheet (once per page). */
  cancelSent: boolean;
}
const local = (page: unknown) => page as Local;

const HEAD: Record<Phase, { icon: string; color: string; title: string }> = {
  loading: { icon: '', color: '', title: '正在确认支付结果…' },
  applied: { icon: 'checked', color: '#07c160', title: '已到账' },
  paid: { icon: 'passed', color: '#1989fa', title: '支付成功，正在到账' },
  created: { icon: 'clock', color: '#ff976a', title: '待支付' },
  cancelled: { icon: 'clear', color: '#969799', title: '已取消支付' },
  payFailed: { icon: 'clear', color: '#ee0a24', title: '支付失败' },
  closed: { icon: 'clear', color: '#969799', title: '已取消' },
  failed: { icon: 'clear', color: '#ee0a24', title: '支付失败' },
  error: { icon: 'warning', color: '#ff976a', title: '暂时查不到这笔订单' },
};

const TEXT: Record<Exclude<Phase, 'loading' | 'applied' | 'error'>, string> = {
  paid: '已收到你的付款，卡平台正在为这张卡充值，通常一分钟内到账。',
  created: '还没有收到这笔订单的付款。如果你已经付款，结果可能稍有延迟，请稍候或点「刷新」。',
  cancelled: '你取消了支付，没有扣款。需要时可以重新支付。',
  payFailed: '微信支付没有完成，没有扣款。请重新支付，或换一种付款方式再试。',
  closed: '这笔订单已关闭，没有扣款。需要时请重新下单。',
  failed: '这笔订单支付失败，没有扣款。请重新下单。',
};

/** Said when the backoff ran out and the platform has still not confirmed. */
const STILL_PENDING: Record<'created' | 'paid', string> = {
  created:
    '还没有收到微信支付的结果。如果你已经付款，请不要重复支付：卡平台确认后这笔订单会自动到账，稍后可在「订单」中查看。',
  paid: '付款已收到，卡平台还在为这张卡充值。确认后会自动到账，不需要再付款，稍后可在「订单」中查看。',
};

function orderView(order: Order) {
  return {
    product: order.productName,
    amount: formatFen(order.amountFen),
    card: `${order.plate ?? '未绑定车辆'} · 尾号 ${iccidTail(order.iccid)}`,
    outTradeNo: order.outTradeNo,
    createdAt: formatTime(order.createdAt),
    paidAt: order.paidAt ? formatTime(order.paidAt) : '',
    payer: order.payerName,
  };
}

Component({
  data: {
    outTradeNo: '',
    phase: 'loading' as Phase,
    icon: '',
    iconColor: '',
    title: HEAD.loading.title,
    text: '',
    /** The backoff ran out while the order is unsettled. */
    waitedOut: false,
    /** A look in progress (the refresh button spins). */
    checking: false,
    /** Why the last look failed while an earlier answer is shown. */
    lastError: '',
    canRetry: true,
    canPayAgain: false,
    /** The payer's own unpaid order (opened from 订单): it can be cancelled here. */
    canCancel: false,
    cancelling: false,
    order: null as ReturnType<typeof orderView> | null,
    applied: { added: '', left: '', note: '' },
  },
  methods: {
    onLoad(options: Record<string, string | undefined>) {
      const self = local(this);
      const outTradeNo = decodeURIComponent(options.outTradeNo ?? '').trim();
      self.from = (['paid', 'cancel', 'fail'].includes(options.from ?? '') ? options.from : '') as From;
      self.order = null;
      self.attempt = 0;
      self.round = 0;
      self.hidden = false;
      self.cancelSent = false;
      if (!outTradeNo) {
        this.show('error', '没有指定订单，请从「订单」里点开要查看的订单。', { canRetry: false });
        return;
      }
      this.setData({ outTradeNo });
      this.restart();
    },
    onShow() {
      const self = local(this);
      if (!self.hidden) return;
      self.hidden = false;
      // Back on the page with the order still open: look again at once, with a fresh backoff.
      if (!self.order || !FINAL_ORDER_STATES.includes(self.order.state)) this.restart();
    },
    onHide() {
      local(this).hidden = true;
      this.stop();
    },
    onUnload() {
      this.stop();
    },

    stop() {
      const self = local(this);
      self.round++;
      if (self.timer !== undefined) clearTimeout(self.timer);
      self.timer = undefined;
    },
    /** Looks now, then again after each step of the backoff while the order stays unsettled. */
    restart() {
      this.stop();
      local(this).attempt = 0;
      this.setData({ waitedOut: false });
      void this.check(local(this).round);
    },
    async check(round: number) {
      const self = local(this);
      this.setData({ checking: true });
      let order: Order;
      try {
        order = await payApi.order({ outTradeNo: this.data.outTradeNo });
      } catch (error) {
        if (round !== self.round) return;
        this.setData({ checking: false });
        const code = error instanceof CallError ? error.code : '';
        const final = code === 'FORBIDDEN' || code === 'NOT_FOUND' || code === 'INVALID_ARGUMENT';
        if (!self.order || final) {
          this.show('error', messageOf(error), { canRetry: !final });
          return;
        }
        // An answer is shown already: say why this look failed and keep to the backoff.
        this.setData({ lastError: `刚才没有查到最新结果：${messageOf(error)}` });
        this.next(round);
        return;
      }
      if (round !== self.round) return;
      let lastError = '';
      if (self.from === 'cancel' && order.state === 'created' && !self.cancelSent) {
        ({ order, lastError } = await this.closeCancelled(order));
        if (round !== self.round) return;
      }
      self.order = order;
      ordersStore.noteOrder(order);
      this.setData({ checking: false, lastError, order: orderView(order) });
      await this.render(order);
      if (round !== self.round) return;
      if (!this.settled(order)) this.next(round);
    },
    /** The person closed the pay sheet: the order is closed too, so that sheet can no longer take money. */
    async closeCancelled(order: Order): Promise<{ order: Order; lastError: string }> {
      local(this).cancelSent = true;
      try {
        return { order: await payApi.cancel({ outTradeNo: order.outTradeNo }), lastError: '' };
      } catch (error) {
        return { order, lastError: `订单暂时没能关闭：${messageOf(error)}未支付的订单两小时后会自动关闭。` };
      }
    },
    /** Nothing more to wait for: a final state, or a cancel/failure at the pay sheet. */
    settled(order: Order): boolean {
      if (FINAL_ORDER_STATES.includes(order.state)) return true;
      const from = local(this).from;
      return order.state === 'created' && (from === 'cancel' || from === 'fail');
    },
    next(round: number) {
      const self = local(this);
      if (round !== self.round || self.hidden) return;
      const delay = BACKOFF_MS[self.attempt];
      if (delay === undefined) {
        this.waitedOut();
        return;
      }
      self.attempt++;
      self.timer = setTimeout(() => void this.check(round), delay);
    },
    waitedOut() {
      const order = local(this).order;
      if (order?.state === 'created' || order?.state === 'paid') {
        this.setData({ waitedOut: true, text: STILL_PENDING[order.state] });
      }
    },

    async render(order: Order) {
      const own = order.openid === sessionStore.member?.openid;
      const from = local(this).from;
      if (order.state === 'applied') {
        const card = `${order.plate ? `${order.plate}的卡` : '卡'}（尾号 ${iccidTail(order.iccid)}）`;
        this.show('applied', `${order.productName} 已充入${card}。`);
        await this.loadApplied(order);
        return;
      }
      let phase: Phase = order.state;
      if ((order.state === 'created' || order.state === 'closed') && from === 'cancel') phase = 'cancelled';
      if (order.state === 'created' && from === 'fail') phase = 'payFailed';
      this.show(phase, TEXT[phase as keyof typeof TEXT], {
        canPayAgain: own && phase !== 'paid' && phase !== 'created',
        // Not right after WeChat said "paid": the confirmation is only late, and paying again is not the answer.
        canCancel: own && phase === 'created' && from !== 'paid',
      });
    },
    /** The data the package added and the card's data left now, read from the platform. */
    async loadApplied(order: Order) {
      try {
        const { card, products } = await payApi.products({ iccid: order.iccid });
        const product = products.find((p) => p.id === order.productId);
        this.setData({
          applied: {
            added: product ? `+${formatMB(product.dataMB)}` : order.productName,
            left: card.totalMB > 0 ? formatMB(card.remainingMB) : '—',
            note: '',
          },
        });
      } catch {
        this.setData({ applied: { added: '', left: '', note: '卡片的最新流量请在卡片详情中查看。' } });
      }
    },
    show(phase: Phase, text: string, extra: { canRetry?: boolean; canPayAgain?: boolean; canCancel?: boolean } = {}) {
      const head = HEAD[phase];
      this.setData({
        phase,
        icon: head.icon,
        iconColor: head.color,
        title: head.title,
        text,
        canRetry: extra.canRetry ?? true,
        canPayAgain: extra.canPayAgain ?? false,
        canCancel: extra.canCancel ?? false,
      });
    },

    onRefresh() {
      if (this.data.phase === 'error') this.show('loading', '');
      this.restart();
    },
    /** Cancels the payer's unpaid order after they confirm; a payment that got through first is kept. */
    onCancelOrder() {
      wx.showModal({
        title: '取消订单',
        content: '取消后这笔订单不能再付款，需要充值时请重新下单。确定取消吗？',
        confirmText: '取消订单',
        cancelText: '再想想',
        success: (r) => {
          if (r.confirm) void this.cancelOrder();
        },
      });
    },
    async cancelOrder() {
      this.stop();
      this.setData({ cancelling: true });
      let order: Order;
      try {
        order = await payApi.cancel({ outTradeNo: this.data.outTradeNo });
      } catch (error) {
        // Still open: the sentence stays until the next look, on a fresh backoff.
        this.setData({ cancelling: false, waitedOut: false, lastError: `订单没有取消：${messageOf(error)}` });
        local(this).attempt = 0;
        this.next(local(this).round);
        return;
      }
      local(this).order = order;
      ordersStore.noteOrder(order);
      this.setData({ cancelling: false, lastError: '', order: orderView(order) });
      await this.render(order);
      if (!this.settled(order)) this.restart();
    },
    /** Pays this unpaid order now, on the recharge page with its package fixed. */
    onResume() {
      const order = local(this).order;
      if (!order) return;
      const query = [
        `iccid=${encodeURIComponent(order.iccid)}`,
        `productId=${encodeURIComponent(order.productId)}`,
        `outTradeNo=${encodeURIComponent(order.outTradeNo)}`,
      ].join('&');
      wx.redirectTo({ url: `/pages/recharge/index?${query}` });
    },
    onPayAgain() {
      const order = local(this).order;
      if (!order) return;
      const query = `iccid=${encodeURIComponent(order.iccid)}&productId=${encodeURIComponent(order.productId)}`;
      wx.redirectTo({ url: `/pages/recharge/index?${query}` });
    },
    /** Back to the card: the detail page below this one if that is where the person came from. */
    onBackToCard() {
      const order = local(this).order;
      const pages = getCurrentPages();
      const below = pages[pages.length - 2] as { route?: string; options?: Record<string, string> } | undefined;
      if (order && below?.route === 'pages/card-detail/index' && below.options?.iccid === order.iccid) {
        wx.navigateBack({ delta: 1 });
      } else if (order) {
        wx.redirectTo({ url: `/pages/card-detail/index?iccid=${encodeURIComponent(order.iccid)}` });
      } else {
        wx.switchTab({ url: '/pages/cards/index' });
      }
    },
    onOrders() {
      wx.switchTab({ url: '/pages/orders/index' });
    },
  },
});
