// 充值: the card on top, the platform's packages by category, one pay button. Pay creates the order on the
// backend (or, opened with an unpaid order's outTradeNo, asks for that order's pay sheet again), opens
// WeChat Pay with the parameters exactly as returned (in development: a sheet that acts as the payer
// through the emulator), then hands over to the result page, which follows the order.
import type { PayParams, Product } from '../../../typings/api';
import { config } from '../../config';
import { payApi } from '../../services/api';
import { messageOf } from '../../services/feedback';
import { CallError } from '../../services/gateway';
import { ordersStore } from '../../stores/orders';
import { formatFen } from '../../utils/format';
import { toCardView, toProductView, type CardView, type ProductView } from './view';

/** What the payer did in the WeChat Pay sheet (or the dev sheet). */
export type PayOutcome = 'paid' | 'cancel' | 'fail';
type DevResult = 'success' | 'cancel' | 'fail';

interface Local {
  products: Product[];
  /** A pay is in flight: a second tap does nothing (set before any await). */
  busy: boolean;
  devAnswer?: (result: DevResult) => void;
}
const local = (page: unknown) => page as Local;

/** Errors that another try will not fix. */
const FINAL_CODES = ['FORBIDDEN', 'NOT_FOUND', 'INVALID_ARGUMENT'];

/** WeChat Pay with the parameters exactly as the backend returned them; a cancel is an outcome, not an error. */
function requestPayment(params: PayParams): Promise<PayOutcome> {
  return new Promise((resolve) =>
    wx.requestPayment({
      ...(params as PayParams & { signType: 'MD5' | 'HMAC-SHA256' | 'RSA' }),
      success: () => resolve('paid'),
      fail: (err: { errMsg?: string }) => resolve(/cancel/.test(err?.errMsg ?? '') ? 'cancel' : 'fail'),
    }),
  );
}

Component({
  data: {
    iccid: '',
    status: 'loading' as 'loading' | 'ready' | 'error',
    error: '',
    canRetry: false,
    card: null as CardView | null,
    closedNote: '',
    tabs: [] as Array<{ id: string; name: string }>,
    activeTab: '',
    products: [] as ProductView[],
    selectedId: '',
    selectedPrice: '',
    paying: false,
    payError: '',
    /** The unpaid order being paid now (from the pay result page); its package cannot change. */
    resuming: '',
    dev: { show: false, name: '', price: '' },
  },
  methods: {
    onLoad(options: Record<string, string | undefined>) {
      const self = local(this);
      self.products = [];
      self.busy = false;
      const iccid = decodeURIComponent(options.iccid ?? '').trim();
      if (!iccid) {
        this.setData({ status: 'error', error: '没有指定要充值的卡，请从卡片详情页点「充值」进入。' });
        return;
      }
      const resuming = decodeURIComponent(options.outTradeNo ?? '').trim();
      this.setData({ iccid, resuming });
      void this.load(options.productId ? decodeURIComponent(options.productId) : '');
    },
    onUnload() {
      // A dev sheet left open is dropped with the page: the order stays unpaid, as an unopened WeChat Pay leaves it.
      local(this).devAnswer = undefined;
    },

    /** The card and the packages the platform sells for it; `preselect` picks one (pay again). */
    async load(preselect = '') {
      this.setData({ status: 'loading', error: '', canRetry: false });
      try {
        const { card, categories, products } = await payApi.products({ iccid: this.data.iccid });
        local(this).products = products;
        const tabs = categories.filter((c) => products.some((p) => p.categoryId === c.id));
        const chosen = products.find((p) => p.id === preselect);
        const activeTab = chosen?.categoryId ?? tabs[0]?.id ?? '';
        this.setData({
          status: 'ready',
          card: toCardView(card),
          closedNote: card.state === 'closed' ? '这张卡已销号或已转出，不能充值；如有疑问请联系车队管理员。' : '',
          tabs,
          activeTab,
          products: this.productsOf(activeTab),
          selectedId: chosen && card.state !== 'closed' ? chosen.id : '',
          selectedPrice: chosen ? formatFen(chosen.priceFen) : '',
          payError: this.data.resuming && !chosen ? '这笔订单的套餐已不再销售，请回到订单取消它后重新下单。' : '',
        });
      } catch (error) {
        const code = error instanceof CallError ? error.code : '';
        this.setData({ status: 'error', error: messageOf(error), canRetry: !FINAL_CODES.includes(code) });
      }
    },
    productsOf(categoryId: string): ProductView[] {
      return local(this)
        .products.filter((p) => p.categoryId === categoryId)
        .map(toProductView);
    },
    onRetry() {
      void this.load(this.data.selectedId);
    },
    onBack() {
      wx.navigateBack({ fail: () => wx.switchTab({ url: '/pages/cards/index' }) });
    },
    onTabChange(event: { detail: { name: string } }) {
      const activeTab = event.detail.name;
      if (activeTab === this.data.activeTab) return;
      this.setData({ activeTab, products: this.productsOf(activeTab) });
    },
    onPick(event: { currentTarget: { dataset: { id: string } } }) {
      if (this.data.closedNote || this.data.paying || this.data.resuming) return;
      const product = local(this).products.find((p) => p.id === event.currentTarget.dataset.id);
      if (!product) return;
      this.setData({ selectedId: product.id, selectedPrice: formatFen(product.priceFen), payError: '' });
    },

    async onPay() {
      const self = local(this);
      const product = self.products.find((p) => p.id === this.data.selectedId);
      if (self.busy || !product || this.data.closedNote) return;
      self.busy = true;
      this.setData({ paying: true, payError: '' });
      try {
        const { outTradeNo, payParams } = this.data.resuming
          ? await payApi.resume({ outTradeNo: this.data.resuming })
          : await payApi.create({ iccid: this.data.iccid, productId: product.id });
        ordersStore.markStale();
        const outcome =
          config.transport === 'http' ? await this.devPay(outTradeNo, product) : await requestPayment(payParams);
        const query = `outTradeNo=${encodeURIComponent(outTradeNo)}&from=${outcome}`;
        wx.redirectTo({ url: `/pages/pay-result/index?${query}` });
      } catch (error) {
        this.setData({ payError: messageOf(error) });
      } finally {
        self.busy = false;
        this.setData({ paying: false });
      }
    },

    /** Development: the sheet stands where WeChat Pay would open, and the emulator does what the payer chose. */
    async devPay(outTradeNo: string, product: Product): Promise<PayOutcome> {
      const result = await new Promise<DevResult>((resolve) => {
        local(this).devAnswer = resolve;
        this.setData({ dev: { show: true, name: product.name, price: formatFen(product.priceFen) } });
      });
      local(this).devAnswer = undefined;
      this.setData({ 'dev.show': false });
      await payApi.devPay({ outTradeNo, result });
      return result === 'success' ? 'paid' : result;
    },
    onDevChoose(event: { currentTarget: { dataset: { result: DevResult } } }) {
      local(this).devAnswer?.(event.currentTarget.dataset.result);
    },
    onDevClose() {
      local(this).devAnswer?.('cancel');
    },
  },
});
