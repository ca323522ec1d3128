// Daily usage from the backend's daily snapshots (cumulative MB used in the period), as bars for the last
// N Shanghai days. A drop between two snapshots is a new period: that day's use is what was used since.
import type { UsagePoint } from '../../../typings/api';
import { formatMB, shanghai } from '../../utils/format';

export interface Bar {
  date: string;
  /** Height as a share of the tallest bar, 0–100; -1 when that day has no reading. */
  height: number;
  label: string;
  today: boolean;
}

export interface ChartView {
  bars: Bar[];
  /** Days with a measured use (a reading and one before it). */
  measured: number;
  maxText: string;
  totalText: string;
  averageText: string;
  firstLabel: string;
  middleLabel: string;
}

const DAY_MS = 86_400_000;

export function chartOf(points: UsagePoint[], days: number, now = Date.now()): ChartView {
  const sorted = [...points].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const used = new Map<string, number>();
  for (let i = 1; i < sorted.length; i++) {
    const step = sorted[i].usedMB - sorted[i - 1].usedMB;
    used.set(sorted[i].date, Math.max(0, step >= 0 ? step : sorted[i].usedMB));
  }
  const dates = Array.from({ length: days }, (_, i) => shanghai(now - (days - 1 - i) * DAY_MS).format('YYYY-MM-DD'));
  const values = dates.map((d) => used.get(d));
  const known = values.filter((v): v is number => v !== undefined);
  const max = known.length ? Math.max(...known) : 0;
  const total = known.reduce((a, b) => a + b, 0);
  const bars = dates.map((date, i) => {
    const value = values[i];
    return {
      date,
      height: value === undefined ? -1 : max > 0 ? Math.max(2, Math.round((value / max) * 100)) : 2,
      label: value === undefined ? `${date.slice(5)} 无记录` : `${date.slice(5)} ${formatMB(value)}`,
      today: i === days - 1,
    };
  });
  return {
    bars,
    measured: known.length,
    maxText: `${formatMB(max)}/天`,
    totalText: formatMB(total),
    averageText: known.length ? formatMB(total / known.length) : '—',
    firstLabel: dates[0].slice(5),
    middleLabel: dates[Math.floor(days / 2)].slice(5),
  };
}
