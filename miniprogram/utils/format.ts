// How numbers and times read in the app. Times are Asia/Shanghai whatever the phone's zone.
import dayjs from 'dayjs';

const SHANGHAI_OFFSET_MIN = 480;

/** A dayjs whose local fields are the Shanghai wall time of `time` (ISO string or epoch ms). */
export function shanghai(time: string | number): dayjs.Dayjs {
  const ms = typeof time === 'number' ? time : Date.parse(time);
  const phoneOffsetMin = -new Date(ms).getTimezoneOffset();
  return dayjs(ms + (SHANGHAI_OFFSET_MIN - phoneOffsetMin) * 60_000);
}

export function formatTime(time: string | number | null | undefined, pattern = 'YYYY-MM-DD HH:mm'): string {
  if (time === null || time === undefined || time === '') return '—';
  return shanghai(time).format(pattern);
}

/** "刚刚", "5分钟前", "3小时前", "2天前", or the date. */
export function formatAge(time: string | number | null | undefined, now = Date.now()): string {
  if (time === null || time === undefined || time === '') return '未知';
  const ms = typeof time === 'number' ? time : Date.parse(time);
  const minutes = Math.floor((now - ms) / 60_000);
  if (minutes < 1) return '刚刚';
  if (minutes < 60) return `${minutes}分钟前`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}小时前`;
  const days = Math.floor(hours / 24);
  if (days < 30) return `${days}天前`;
  return formatTime(ms, 'YYYY-MM-DD');
}

/** Integer fen → "¥12.50". */
export function formatFen(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(Math.round(fen));
  return `${sign}¥${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** MB → "850MB" / "1.5GB" / "30GB". */
export function formatMB(mb: number): string {
  if (!Number.isFinite(mb)) return '—';
  if (Math.abs(mb) < 1024) return `${Math.round(mb)}MB`;
  const gb = mb / 1024;
  return `${gb >= 10 ? Math.round(gb) : Math.round(gb * 10) / 10}GB`;
}

/** Used share of the period's data, 0–100, for a progress bar. */
export function usedPercent(usedMB: number, totalMB: number): number {
  if (totalMB <= 0) return usedMB > 0 ? 100 : 0;
  return Math.min(100, Math.max(0, Math.round((usedMB / totalMB) * 100)));
}
