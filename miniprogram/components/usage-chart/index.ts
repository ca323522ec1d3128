// A 30-day usage chart drawn with plain views: one bar per day, the tallest day on top, no canvas.
import type { UsagePoint } from '../../../typings/api';
import { chartOf } from './bars';

Component({
  properties: {
    points: { type: Array, value: [] as UsagePoint[] },
    days: { type: Number, value: 30 },
  },
  data: { chart: chartOf([], 30), picked: '' },
  observers: {
    'points, days'(points: UsagePoint[], days: number) {
      this.setData({ chart: chartOf(points ?? [], days > 0 ? days : 30), picked: '' });
    },
  },
  methods: {
    /** Tapping a bar says that day's use. */
    onPick(event: { currentTarget: { dataset: { label: string } } }) {
      this.setData({ picked: event.currentTarget.dataset.label });
    },
  },
});
