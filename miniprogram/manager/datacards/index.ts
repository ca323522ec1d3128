// 充值卡库存: the platform's recharge cards (充值卡), 20 at a time, filtered by status, with how many are
// still unused.
import type { DataCard } from '../../../typings/api';
import { adminApi } from '../../services/api';
import { messageOf } from '../../services/feedback';
import { formatMB, formatTime } from '../../utils/format';
import { failure } from '../shared/failure';

const TAKE = 20;
type Status = 0 | 1 | 2 | 3;

const FILTERS: Array<{ key: string; text: string }> = [
  { key: 'all', text: '全部' },
  { key: '0', text: '未使用' },
  { key: '1', text: '已使用' },
  { key: '2', text: '已过期' },
  { key: '3', text: '已划拨' },
];
const STATUS_TAG: Record<Status, string> = { 0: 'success', 1: 'default', 2: 'danger', 3: 'primary' };

interface Row {
  id: string;
  cardNo: string;
  product: string;
  data: string;
  statusText: string;
  statusTag: string;
  expires: string;
}

function row(card: DataCard): Row {
  return {
    id: card.id,
    cardNo: card.cardNo,
    product: card.productId,
    data: formatMB(card.dataMB),
    statusText: card.statusText,
    statusTag: STATUS_TAG[card.status] ?? 'default',
    expires: formatTime(card.expireAt, 'YYYY-MM-DD'),
  };
}

interface Own {
  count: number;
  busy: boolean;
  seq: number;
}
const own = (page: unknown) => page as Own;

Component({
  data: {
    filters: FILTERS,
    filter: 'all',
    loading: true,
    error: '',
    forbidden: false,
    cards: [] as Row[],
    total: 0,
    unused: null as number | null,
    moreError: '',
  },
  lifetimes: {
    created() {
      Object.assign(own(this), { count: 0, busy: false, seq: 0 });
    },
  },
  methods: {
    onLoad() {
      void this.reload();
    },
    onPullDownRefresh() {
      void this.reload().finally(() => wx.stopPullDownRefresh());
    },
    onReachBottom() {
      void this.more();
    },

    query(skip: number) {
      const filter = this.data.filter;
      return { skip, take: TAKE, ...(filter === 'all' ? {} : { status: Number(filter) as Status }) };
    },

    async reload() {
      const self = own(this);
      const seq = ++self.seq;
      self.busy = true;
      this.setData({ loading: true, error: '', moreError: '' });
      try {
        const [page, unused] = await Promise.all([
          adminApi.datacards(this.query(0)),
          adminApi.datacards({ skip: 0, take: 1, status: 0 }),
        ]);
        if (seq !== self.seq) return;
        self.count = page.items.length;
        this.setData({ cards: page.items.map(row), total: page.total, unused: unused.total });
      } catch (error) {
        if (seq === self.seq) this.setData({ ...failure(error), cards: [], total: 0 });
      } finally {
        if (seq === self.seq) {
          self.busy = false;
          this.setData({ loading: false });
        }
      }
    },

    async more() {
      const self = own(this);
      if (self.busy || self.count >= this.data.total) return;
      const seq = self.seq;
      self.busy = true;
      this.setData({ moreError: '' });
      try {
        const page = await adminApi.datacards(this.query(self.count));
        if (seq !== self.seq) return;
        const patch: Record<string, unknown> = { total: page.total };
        page.items.forEach((card, i) => (patch[`cards[${self.count + i}]`] = row(card)));
        self.count += page.items.length;
        this.setData(patch);
      } catch (error) {
        if (seq === self.seq) this.setData({ moreError: messageOf(error) });
      } finally {
        if (seq === self.seq) self.busy = false;
      }
    },

    onFilter(event: { currentTarget: { dataset: { key: string } } }) {
      const key = event.currentTarget.dataset.key;
      if (key === this.data.filter) return;
      this.setData({ filter: key });
      void this.reload();
    },
  },
});
