// 消费统计: what the fleet spent on recharges, per day over the last 30 days and per month over the last
// year, from the backend's totals of paid orders.
import type { OrderStats } from '../../../typings/api';
import { payApi } from '../../services/api';
import { formatFen, formatTime } from '../../utils/format';
import { loadPage } from '../shared/failure';

const DAY_MS = 86_400_000;
/** The backend answers at most 366 days at once: today and the 365 before. */
const RANGE_DAYS = 365;
const RECENT_DAYS = 30;

interface Bar {
  key: string;
  label: string;
  amount: string;
  count: number;
  width: number;
}

function bars(items: Array<{ key: string; label: string; count: number; amountFen: number }>): Bar[] {
  const max = Math.max(1, ...items.map((i) => i.amountFen));
  return items.map((i) => ({
    key: i.key,
    label: i.label,
    amount: formatFen(i.amountFen),
    count: i.count,
    width: i.amountFen > 0 ? Math.max(2, Math.round((i.amountFen / max) * 100)) : 0,
  }));
}

function views(stats: OrderStats) {
  const recent = stats.days.slice(-RECENT_DAYS);
  const recentFen = recent.reduce((sum, d) => sum + d.amountFen, 0);
  const recentCount = recent.reduce((sum, d) => sum + d.count, 0);
  return {
    days: bars([...recent].reverse().map((d) => ({ key: d.date, label: d.date.slice(5), ...d }))),
    months: bars([...stats.months].reverse().map((m) => ({ key: m.month, label: m.month, ...m }))),
    recentTotal: formatFen(recentFen),
    recentCount,
    yearTotal: formatFen(stats.totalFen),
    yearCount: stats.count,
    range: `${stats.from} 至 ${stats.to}`,
  };
}

Component({
  data: {
    loading: true,
    error: '',
    forbidden: false,
    view: 'day' as 'day' | 'month',
    stats: null as ReturnType<typeof views> | null,
  },
  methods: {
    onLoad() {
      void this.load();
    },
    onPullDownRefresh() {
      void this.load().finally(() => wx.stopPullDownRefresh());
    },
    load() {
      return loadPage(this, async () => {
        const now = Date.now();
        const stats = await payApi.stats({
          from: formatTime(now - RANGE_DAYS * DAY_MS, 'YYYY-MM-DD'),
          to: formatTime(now, 'YYYY-MM-DD'),
        });
        return { stats: views(stats) };
      });
    },
    onView(event: { currentTarget: { dataset: { view: 'day' | 'month' } } }) {
      this.setData({ view: event.currentTarget.dataset.view });
    },
  },
});
