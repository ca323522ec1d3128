// Calendar days as the platform counts them: Asia/Shanghai (UTC+8, no daylight saving).
import { unprocessable } from './http';

export const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** The Shanghai calendar day (YYYY-MM-DD) of an instant. */
export function shanghaiDay(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** Midnight in Shanghai of a YYYY-MM-DD day, or 422 naming the parameter (2024-02-30 is refused too). */
export function parseDay(raw: string | null, name: string): number {
  if (raw === null || raw === '') throw unprocessable(`缺少参数 ${name}`);
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? Date.parse(`${raw}T00:00:00+08:00`) : NaN;
  if (Number.isNaN(ms) || shanghaiDay(ms) !== raw) throw unprocessable(`${name} 必须是 YYYY-MM-DD 格式的日期`);
  return ms;
}
