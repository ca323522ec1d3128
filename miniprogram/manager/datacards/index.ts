// 充值卡库存: the platform's recharge cards (充值卡), 20 at a time, filtered by status, with how many are
// still unused.
import type { DataCard } from '../../../typings/api';
import { adminApi } from '../../services/api';
import { formatMB, formatTime } from '../../utils/format';
import { Pager } from '../shared/pager';

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
  pager: Pager<DataCard, Row>;
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
      own(this).pager = new Pager(this, 'cards', (skip: number) => adminApi.datacards(this.query(skip)), row);
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

    /** The first page for the filter, with how many cards are still unused whatever the filter. */
    reload() {
      const unused = () => adminApi.datacards({ skip: 0, take: 1, status: 0 }).then((p) => ({ unused: p.total }));
      return own(this).pager.reload(unused);
    },
    more() {
      return own(this).pager.more();
    },

    onFilter(event: { currentTarget: { dataset: { key: string } } }) {
      const key = event.currentTarget.dataset.key;
      if (key === this.data.filter) return;
      this.setData({ filter: key });
      void this.reload();
    },
  },
});
