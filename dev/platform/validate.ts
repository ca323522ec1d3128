// Small checks for request bodies; each failure is a 422 that names the field.
import { unprocessable } from './http';

export type Body = Record<string, unknown>;

export function objectBody(body: unknown, allowed: readonly string[]): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw unprocessable('请求体必须是JSON对象');
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length) throw unprocessable(`不支持的字段: ${unknown.join(', ')}`);
  return body as Body;
}

export function str(
  body: Body,
  key: string,
  opts: { optional: true; max?: number; pattern?: RegExp },
): string | undefined;
export function str(body: Body, key: string, opts?: { optional?: false; max?: number; pattern?: RegExp }): string;
export function str(
  body: Body,
  key: string,
  opts: { optional?: boolean; max?: number; pattern?: RegExp } = {},
): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) {
    if (opts.optional) return undefined;
    throw unprocessable(`缺少字段 ${key}`);
  }
  if (typeof value !== 'string') throw unprocessable(`${key} 必须是字符串`);
  if (!opts.optional && value.trim() === '') throw unprocessable(`${key} 不能为空`);
  if (value.length > (opts.max ?? 200)) throw unprocessable(`${key} 过长`);
  if (opts.pattern && !opts.pattern.test(value)) throw unprocessable(`${key} 格式不正确`);
  return value;
}

export function int(body: Body, key: string, opts: { optional?: boolean; min?: number; max?: number } = {}) {
  const value = body[key];
  if (value === undefined || value === null) {
    if (opts.optional) return undefined;
    throw unprocessable(`缺少字段 ${key}`);
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw unprocessable(`${key} 必须是整数`);
  if (opts.min !== undefined && value < opts.min) throw unprocessable(`${key} 不能小于${opts.min}`);
  if (opts.max !== undefined && value > opts.max) throw unprocessable(`${key} 不能大于${opts.max}`);
  return value;
}

type ArrayOpts = { maxItems?: number; maxLen?: number };
export function strArray(body: Body, key: string, opts: ArrayOpts & { optional: true }): string[] | undefined;
export function strArray(body: Body, key: string, opts?: ArrayOpts & { optional?: false }): string[];
export function strArray(body: Body, key: string, opts: ArrayOpts & { optional?: boolean } = {}): string[] | undefined {
  const value = body[key];
  if (value === undefined || value === null) {
    if (opts.optional) return undefined;
    throw unprocessable(`缺少字段 ${key}`);
  }
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw unprocessable(`${key} 必须是字符串数组`);
  if (opts.maxItems !== undefined && value.length > opts.maxItems) {
    throw unprocessable(`${key} 最多${opts.maxItems}项`);
  }
  if (value.some((v: string) => v.length > (opts.maxLen ?? 64))) throw unprocessable(`${key} 中有过长的值`);
  return value as string[];
}

/** An ISO-8601 time or a `YYYY-MM-DD` date (read as Asia/Shanghai midnight). */
export function parseTime(raw: string, name: string): number {
  const text = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw}T00:00:00+08:00` : raw;
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(ms)) throw unprocessable(`${name} 不是合法的时间`);
  return ms;
}
