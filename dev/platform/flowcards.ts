// Flow cards (流量卡): list, detail, update, usage, status, stop/resume, transfers, imports, real-name, location.
import { NETWORK_TARGET, cardState, carrierStatus, type Carrier } from '../../typings/card-status';
import type { ApiOperation, Ctx, Handlers } from './context';
import { businessError, intParam, notFound, page, unprocessable } from './http';
import type { FlowCard } from './model';
import type { Platform } from './platform';
import { CATEGORIES, CONSIGNEES, TAGS, TYPES, carrierOfIccid } from './seed';
import { int, objectBody, str, strArray, type Body } from './validate';

type FlowOp = Extract<ApiOperation, `flowcard.${string}`>;

const CARRIERS: Carrier[] = ['cmcc', 'cucc', 'ctcc'];
const ICCID = /^89[0-9A-Za-z]{17,18}$/;

/** A card as the platform shows it. */
export function publicCard(card: FlowCard) {
  const { location: _location, reality: _reality, statusUpdatedAt: _statusUpdatedAt, ...shown } = card;
  return { ...shown, statusText: carrierStatus(card.carrier, card.status).text };
}

function cardOf(ctx: Ctx): FlowCard {
  const card = ctx.platform.cards.get(ctx.params.iccid);
  if (!card) throw notFound('卡号不存在');
  return card;
}

function list(ctx: Ctx) {
  const q = ctx.query;
  const keyword = q.get('keyword')?.trim().toLowerCase();
  const carrier = q.get('carrier');
  if (carrier && !CARRIERS.includes(carrier as Carrier)) throw unprocessable('carrier 必须是 cmcc、cucc 或 ctcc');
  const status = q.get('status') ? intParam(q, 'status', 0) : undefined;
  const categoryId = q.get('categoryId') ? intParam(q, 'categoryId', 0) : undefined;
  const typeId = q.get('typeId') ? intParam(q, 'typeId', 0) : undefined;
  const tag = q.get('tag');
  const matches = [...ctx.platform.cards.values()].filter(
    (c) =>
      (!keyword ||
        c.iccid.toLowerCase().includes(keyword) ||
        c.msisdn.includes(keyword) ||
        c.imsi.includes(keyword) ||
        c.remark.toLowerCase().includes(keyword)) &&
      (!carrier || c.carrier === carrier) &&
      (status === undefined || c.status === status) &&
      (categoryId === undefined || c.categoryId === categoryId) &&
      (typeId === undefined || c.typeId === typeId) &&
      (!tag || c.tags.includes(tag)),
  );
  const paged = page(matches, q);
  return { total: paged.total, items: paged.items.map(publicCard) };
}

const UPDATE_FIELDS = ['remark', 'tags', 'categoryId', 'typeId'] as const;

/** Checks an update's fields; returns a function that applies them. */
function parseUpdate(b: Body): (card: FlowCard) => void {
  const remark = str(b, 'remark', { optional: true, max: 200 });
  const tags = strArray(b, 'tags', { optional: true, maxItems: 10, maxLen: 20 });
  const categoryId = int(b, 'categoryId', { optional: true });
  const typeId = int(b, 'typeId', { optional: true });
  if (categoryId !== undefined && !CATEGORIES.some((c) => c.id === categoryId))
    throw unprocessable('categoryId 不存在');
  if (typeId !== undefined && !TYPES.some((t) => t.id === typeId)) throw unprocessable('typeId 不存在');
  if (remark === undefined && tags === undefined && categoryId === undefined && typeId === undefined) {
    throw unprocessable('没有要更新的字段');
  }
  return (card) => {
    if (remark !== undefined) card.remark = remark;
    if (tags !== undefined) card.tags = [...new Set(tags.map((t) => t.trim()).filter(Boolean))];
    if (categoryId !== undefined) card.categoryId = categoryId;
    if (typeId !== undefined) card.typeId = typeId;
  };
}

function update(ctx: Ctx) {
  const card = cardOf(ctx);
  parseUpdate(objectBody(ctx.body(), UPDATE_FIELDS))(card);
  return publicCard(card);
}

function batchUpdate(ctx: Ctx) {
  const b = objectBody(ctx.body(), ['iccids', 'set']);
  const iccids = strArray(b, 'iccids', { maxItems: 1000, maxLen: 20 });
  if (iccids.length === 0) throw businessError(10001);
  const apply = parseUpdate(objectBody(b.set, UPDATE_FIELDS));
  const missing = iccids.filter((i) => !ctx.platform.cards.has(i));
  if (missing.length) throw unprocessable(`以下卡号不存在: ${missing.slice(0, 10).join(', ')}`);
  for (const iccid of new Set(iccids)) apply(ctx.platform.cards.get(iccid) as FlowCard);
  return { updated: new Set(iccids).size };
}

function data(ctx: Ctx) {
  const c = cardOf(ctx);
  const remainingMB = Math.max(0, Math.round((c.totalMB - c.usedMB) * 100) / 100);
  return {
    usedMB: c.usedMB,
    totalMB: c.totalMB,
    remainingMB,
    periodStart: c.periodStart,
    periodEnd: c.periodEnd,
    updatedAt: c.updatedAt,
  };
}

function status(ctx: Ctx) {
  const c = cardOf(ctx);
  return {
    iccid: c.iccid,
    carrier: c.carrier,
    status: c.status,
    statusText: carrierStatus(c.carrier, c.status).text,
    updatedAt: c.statusUpdatedAt,
  };
}

/** Why a card cannot take this stop/resume, in the platform's words; undefined when it can. */
export function networkRefusal(card: FlowCard, action: 'stop' | 'resume'): string | undefined {
  const { state, fix } = cardState(card);
  const text = carrierStatus(card.carrier, card.status).text;
  if (action === 'stop') {
    if (state === 'active') return undefined;
    if (state === 'suspended' || state === 'arrears') return `该卡已是停机状态（${text}）`;
    return `该卡当前状态（${text}）不能停机`;
  }
  if (state === 'active') return '该卡已是正常状态，无需复机';
  if (state === 'arrears') return `该卡因欠费停机（${text}），请充值后自动复机`;
  if (fix === 'realName') {
    return card.realNameStatus === 1 ? undefined : '该卡因未实名停机，请先完成实名认证';
  }
  if (fix === 'carrier') return `该卡（${text}）需联系运营商处理，不能通过接口复机`;
  if (state === 'suspended') return undefined;
  return `该卡当前状态（${text}）不能复机`;
}

function network(ctx: Ctx) {
  const card = cardOf(ctx);
  const b = objectBody(ctx.body(), ['action']);
  const action = str(b, 'action');
  if (action !== 'stop' && action !== 'resume') throw unprocessable('action 必须是 stop 或 resume');
  const platform = ctx.platform;
  if (platform.pendingNetwork.has(card.iccid)) throw unprocessable('该卡有正在处理的停复机请求，请稍后再试');
  const refusal = networkRefusal(card, action);
  if (refusal) throw unprocessable(refusal);
  const requestId = platform.nextId('NW');
  const counts = (platform.stats.network[card.iccid] ??= { stop: 0, resume: 0 });
  counts[action] += 1;
  const timer = platform.later(platform.settings.networkDelayMs, () => completeNetwork(platform, card, action));
  platform.pendingNetwork.set(card.iccid, { requestId, action, timer });
  return { requestId, state: 'pending' };
}

/** Every stop/resume still pending completes now, as if the carriers had all answered (test aid). */
export function completeAllNetwork(platform: Platform): number {
  let completed = 0;
  for (const [iccid, pending] of [...platform.pendingNetwork]) {
    platform.cancel(pending.timer);
    const card = platform.cards.get(iccid);
    if (card) completeNetwork(platform, card, pending.action);
    else platform.pendingNetwork.delete(iccid);
    completed += 1;
  }
  return completed;
}

function completeNetwork(platform: Platform, card: FlowCard, action: 'stop' | 'resume') {
  platform.pendingNetwork.delete(card.iccid);
  if (platform.cards.get(card.iccid) !== card) return; // reset or transferred meanwhile
  card.status = NETWORK_TARGET[card.carrier][action];
  card.statusUpdatedAt = new Date().toISOString();
}

function transfer(ctx: Ctx) {
  const b = objectBody(ctx.body(), ['consignee', 'iccids']);
  const consignee = str(b, 'consignee', { max: 64 });
  const iccids = [...new Set(strArray(b, 'iccids', { maxItems: 1000, maxLen: 20 }))];
  if (!CONSIGNEES.includes(consignee)) throw businessError(10000);
  if (iccids.length === 0) throw businessError(10001);
  const missing = iccids.filter((i) => !ctx.platform.cards.has(i));
  if (missing.length) throw unprocessable(`以下卡号不存在: ${missing.slice(0, 10).join(', ')}`);
  for (const iccid of iccids) ctx.platform.cards.delete(iccid);
  const record = {
    id: ctx.platform.nextId('TR'),
    consignee,
    iccids,
    count: iccids.length,
    createdAt: new Date(ctx.now).toISOString(),
  };
  ctx.platform.transfers.unshift(record);
  return { transferId: record.id, count: record.count };
}

function importCards(ctx: Ctx) {
  const b = objectBody(ctx.body(), ['cards']);
  if (!Array.isArray(b.cards) || b.cards.length === 0) throw unprocessable('cards 必须是非空数组');
  if (b.cards.length > 1000) throw unprocessable('cards 每次最多1000张');
  const entries = b.cards.map((raw, i) => {
    const entry = objectBody(raw, ['iccid', 'msisdn', 'carrier']);
    const iccid = str(entry, 'iccid', { max: 20 }).toUpperCase();
    if (!ICCID.test(iccid)) throw unprocessable(`第${i + 1}张卡的 iccid 格式不正确`);
    const msisdn = str(entry, 'msisdn', { optional: true, max: 15, pattern: /^\d{11,13}$/ });
    const carrier = (str(entry, 'carrier', { optional: true }) ?? carrierOfIccid(iccid)) as Carrier | undefined;
    if (!carrier || !CARRIERS.includes(carrier)) throw unprocessable(`第${i + 1}张卡无法识别运营商，请填写 carrier`);
    return { iccid, msisdn, carrier };
  });
  const skipped: Array<{ iccid: string; reason: string }> = [];
  const seen = new Set<string>();
  let imported = 0;
  const nowIso = new Date(ctx.now).toISOString();
  for (const e of entries) {
    if (ctx.platform.cards.has(e.iccid) || seen.has(e.iccid)) {
      skipped.push({ iccid: e.iccid, reason: '卡号已存在' });
      continue;
    }
    seen.add(e.iccid);
    imported += 1;
    const waiting = { cmcc: 7, cucc: 6, ctcc: 19 }[e.carrier];
    ctx.platform.cards.set(e.iccid, {
      iccid: e.iccid,
      msisdn: e.msisdn ?? '',
      imsi: '',
      carrier: e.carrier,
      status: waiting,
      realNameStatus: 0,
      typeId: TYPES[0].id,
      categoryId: CATEGORIES[0].id,
      tags: [],
      remark: '',
      packageName: '',
      totalMB: 0,
      usedMB: 0,
      periodStart: nowIso,
      periodEnd: nowIso,
      activatedAt: null,
      updatedAt: nowIso,
      statusUpdatedAt: nowIso,
      location: null,
      reality: null,
    });
  }
  const record = { id: ctx.platform.nextId('IM'), total: entries.length, imported, skipped, createdAt: nowIso };
  ctx.platform.imports.unshift(record);
  return { importId: record.id, total: record.total, imported, skipped };
}

const mask = (s: string, keepStart: number, keepEnd: number) =>
  s.slice(0, keepStart) + '*'.repeat(Math.max(0, s.length - keepStart - keepEnd)) + s.slice(s.length - keepEnd);

function reality(ctx: Ctx) {
  const c = cardOf(ctx);
  return {
    iccid: c.iccid,
    realNameStatus: c.realNameStatus,
    name: c.reality ? mask(c.reality.name, 1, 0) : null,
    idNumber: c.reality ? mask(c.reality.idNumber, 3, 4) : null,
    boundAt: c.reality?.boundAt ?? null,
  };
}

/** A mainland resident identity number (GB 11643): a real, past birth date (digits 7–14) and the check digit. */
export function idNumberValid(id: string): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  const [year, month, day] = [id.slice(6, 10), id.slice(10, 12), id.slice(12, 14)].map(Number);
  const born = new Date(Date.UTC(year, month - 1, day));
  if (year < 1900 || born.getUTCMonth() !== month - 1 || born.getUTCDate() !== day || born.getTime() > Date.now()) {
    return false;
  }
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = weights.reduce((acc, w, i) => acc + w * Number(id[i]), 0);
  return '10X98765432'[sum % 11] === id[17];
}

function bindReality(ctx: Ctx) {
  const c = cardOf(ctx);
  const b = objectBody(ctx.body(), ['name', 'idNumber', 'phone']);
  const name = str(b, 'name', { max: 30 });
  const idNumber = str(b, 'idNumber', { max: 18 }).toUpperCase();
  const phone = str(b, 'phone', { max: 11, pattern: /^1\d{10}$/ });
  if (name.trim().length < 2) throw unprocessable('姓名至少2个字');
  if (!idNumberValid(idNumber)) throw unprocessable('身份证号码不正确');
  if (c.realNameStatus === 1) throw unprocessable('该卡已完成实名认证');
  c.reality = { name: name.trim(), idNumber, phone, boundAt: new Date(ctx.now).toISOString() };
  c.realNameStatus = 1;
  return reality(ctx);
}

function tags(ctx: Ctx) {
  const counts = new Map<string, number>(TAGS.map((t) => [t, 0]));
  for (const card of ctx.platform.cards.values()) for (const t of card.tags) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts].map(([name, count]) => ({ name, count }));
}

function location(ctx: Ctx) {
  const c = cardOf(ctx);
  if (!c.location) throw notFound('该卡暂无定位信息');
  return { ...c.location, coordType: 'wgs84' };
}

export const flowcardHandlers: Handlers<FlowOp> = {
  'flowcard.list': list,
  'flowcard.detail': (ctx) => publicCard(cardOf(ctx)),
  'flowcard.update': update,
  'flowcard.batchUpdate': batchUpdate,
  'flowcard.data': data,
  'flowcard.status': status,
  'flowcard.network': network,
  'flowcard.transferHistory': (ctx) => page(ctx.platform.transfers, ctx.query),
  'flowcard.transfer': transfer,
  'flowcard.importHistory': (ctx) => page(ctx.platform.imports, ctx.query),
  'flowcard.import': importCards,
  'flowcard.reality': reality,
  'flowcard.bindReality': bindReality,
  'flowcard.types': () => TYPES,
  'flowcard.categories': () => CATEGORIES,
  'flowcard.tags': tags,
  'flowcard.location': location,
};
