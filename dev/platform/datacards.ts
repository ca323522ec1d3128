// Recharge cards (充值卡): list, history, transfers, generate.
import { randomInt } from 'node:crypto';
import type { Ctx, Handlers } from './context';
import { businessError, intParam, page, unprocessable } from './http';
import type { DataCard } from './model';
import { CONSIGNEES } from './seed';
import { shanghaiDay } from './time';
import { int, objectBody, parseTime, str, strArray } from './validate';

const MAX_PER_REQUEST = 100_000;
const MAX_TRANSFER = 1000;
const SHOWN_GENERATED = 100;

function list(ctx: Ctx) {
  const raw = ctx.query.get('status');
  let status: number | undefined;
  if (raw !== null && raw !== '') {
    status = intParam(ctx.query, 'status', 0);
    if (![0, 1, 2, 3].includes(status)) throw unprocessable('status 必须是 0、1、2 或 3');
  }
  const cards =
    status === undefined ? ctx.platform.dataCards : ctx.platform.dataCards.filter((d) => d.status === status);
  return page(cards, ctx.query);
}

const listIds = (ids: string[]) => ids.slice(0, 10).join(', ') + (ids.length > 10 ? ` 等${ids.length}张` : '');

/** All or nothing: every card is checked before any is moved. */
function transfer(ctx: Ctx) {
  const { platform } = ctx;
  const b = objectBody(ctx.body(), ['consignee', 'ids']);
  const consignee = str(b, 'consignee', { max: 64 });
  const ids = [...new Set(strArray(b, 'ids', { maxItems: MAX_TRANSFER, maxLen: 32 }))];
  if (!CONSIGNEES.includes(consignee)) throw businessError(10000);
  if (ids.length === 0) throw businessError(10001);
  const byId = new Map(platform.dataCards.map((d) => [d.id, d]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length) throw unprocessable(`以下充值卡不存在: ${listIds(missing)}`);
  const unavailable = ids.filter((id) => byId.get(id)?.status !== 0);
  if (unavailable.length) throw unprocessable(`以下充值卡已使用、已过期或已划拨，不能划卡: ${listIds(unavailable)}`);
  for (const id of ids) {
    const card = byId.get(id) as DataCard;
    card.status = 3;
    card.consignee = consignee;
  }
  const record = {
    id: platform.nextId('DT'),
    consignee,
    ids,
    count: ids.length,
    createdAt: new Date(ctx.now).toISOString(),
  };
  platform.dataCardTransfers.unshift(record);
  return { transferId: record.id, count: record.count };
}

function generate(ctx: Ctx) {
  const { platform, now } = ctx;
  const b = objectBody(ctx.body(), ['productId', 'count', 'expireAt']);
  const productId = str(b, 'productId', { max: 64 });
  const count = int(b, 'count', { min: 1 }) as number;
  const expireAt = parseTime(str(b, 'expireAt', { max: 40 }), 'expireAt');
  if (expireAt <= now) throw businessError(10002);
  const product = platform.products.find((p) => p.id === productId);
  if (!product) throw unprocessable('充值套餐不存在');
  if (count > MAX_PER_REQUEST) throw unprocessable(`单次最多生成${MAX_PER_REQUEST}张`);
  const today = shanghaiDay(now);
  if (platform.generatedToday.day !== today) platform.generatedToday = { day: today, count: 0 };
  if (platform.generatedToday.count + count > platform.settings.dailyGenerateLimit) throw businessError(10003);

  platform.generatedToday.count += count;
  const cardNos = new Set(platform.dataCards.map((d) => d.cardNo));
  const createdAt = new Date(now).toISOString();
  const expireIso = new Date(expireAt).toISOString();
  const made: DataCard[] = [];
  for (let i = 0; i < count; i++) {
    let cardNo: string;
    do cardNo = String(randomInt(1e8, 1e9)) + String(randomInt(0, 1e7)).padStart(7, '0');
    while (cardNos.has(cardNo));
    cardNos.add(cardNo);
    made.push({
      id: platform.nextId('DC'),
      cardNo,
      productId: product.id,
      dataMB: product.dataMB,
      status: 0,
      expireAt: expireIso,
      createdAt,
      consignee: null,
    });
  }
  for (const card of made) platform.dataCards.push(card);
  return { batchId: platform.nextId('GB'), count, items: made.slice(0, SHOWN_GENERATED) };
}

export const datacardHandlers: Handlers<
  'datacard.list' | 'datacard.history' | 'datacard.transfer' | 'datacard.generate'
> = {
  'datacard.list': list,
  'datacard.history': (ctx) => page(ctx.platform.dataCardHistory, ctx.query),
  'datacard.transfer': transfer,
  'datacard.generate': generate,
};
