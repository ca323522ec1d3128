// Cards as the app shows them: the platform's card joined with its vehicle, driver and any pending
// stop/resume; and the card index, the fleet's cards as last read from the platform, which answers
// summaries and filters the platform cannot (normalised state, vehicle) without a platform call.
import type { Card, CardDetail, CardFix, CardState } from '../../../typings/api';
import { cardState, carrierStatus, type Carrier } from '../../../typings/card-status';
import type { Deps } from '../runtime/handler';
import type { Doc } from '../store/store';
import type { FleetIndex } from './vehicles';

/** A card as the platform answers it (platform-contract.md, flow cards). */
export interface PlatformCard {
  iccid: string;
  msisdn: string;
  imsi: string;
  carrier: Carrier;
  status: number;
  statusText?: string;
  realNameStatus: 0 | 1;
  typeId: number;
  categoryId: number;
  tags: string[];
  remark: string;
  packageName: string;
  totalMB: number;
  usedMB: number;
  periodStart: string;
  periodEnd: string;
  activatedAt: string | null;
  /** When the carrier last reported usage (late, as carriers are). */
  updatedAt: string;
}

export interface CardDoc extends PlatformCard, Doc {
  /** Derived when indexed, so the index can be filtered by it. */
  state: CardState;
  syncedAt: number;
}

export interface PendingDoc extends Doc {
  iccid: string;
  op: 'stop' | 'resume';
  requestId: string;
  requestedAt: number;
  by: string;
}

/** A pending stop/resume the carrier has not confirmed within this time is no longer shown. */
export const PENDING_TTL_MS = 30 * 60_000;
/** Below this share of its data a running card counts as low on data. */
export const LOW_DATA_PERCENT = 10;
const DAY_MS = 86_400_000;

export function remainingMB(c: Pick<PlatformCard, 'totalMB' | 'usedMB'>): number {
  return Math.max(0, Math.round((c.totalMB - c.usedMB) * 100) / 100);
}

export function isLowData(c: Pick<PlatformCard, 'totalMB' | 'usedMB'>, state: CardState): boolean {
  return state === 'active' && c.totalMB > 0 && (remainingMB(c) / c.totalMB) * 100 < LOW_DATA_PERCENT;
}

/** The sentence a stopped card shows: why, and the one thing that fixes it. */
export function stopReason(state: CardState, fix: CardFix | undefined, statusText: string): string | null {
  if (state === 'active') return null;
  if (state === 'arrears') return `该卡因欠费或流量用尽停机（${statusText}），充值后会自动恢复。`;
  if (fix === 'realName') return `该卡因未完成实名认证停机（${statusText}），完成实名认证后即可复机。`;
  if (fix === 'carrier') return `该卡被运营商停机（${statusText}），需要联系运营商处理。`;
  if (state === 'suspended') return `该卡已停机（${statusText}），管理员可以复机。`;
  if (state === 'closed') return `该卡已销号或已转出（${statusText}），不能再使用。`;
  if (state === 'inactive') return `该卡尚未激活（${statusText}），插卡使用后会自动激活。`;
  return `暂时无法确定该卡的状态（${statusText}），请稍后刷新。`;
}

/** Whether the carrier now shows what a pending request asked for. */
function confirms(pending: PendingDoc, state: CardState): boolean {
  return pending.op === 'stop' ? state !== 'active' : state === 'active';
}

/** The pending request still worth showing, or null (confirmed or too old). */
export function livePending(pending: PendingDoc | undefined, state: CardState, now: number): 'stop' | 'resume' | null {
  if (!pending || confirms(pending, state) || now - pending.requestedAt > PENDING_TTL_MS) return null;
  return pending.op;
}

export function toCard(pc: PlatformCard, fleet: FleetIndex, pending: PendingDoc | undefined, now: number): Card {
  const { state, fix } = cardState(pc);
  const vehicle = fleet.vehicleOf(pc.iccid);
  return {
    iccid: pc.iccid,
    msisdn: pc.msisdn,
    carrier: pc.carrier,
    status: pc.status,
    statusText: pc.statusText || carrierStatus(pc.carrier, pc.status).text,
    state,
    fix: fix ?? null,
    pending: livePending(pending, state, now),
    realNameStatus: pc.realNameStatus,
    usedMB: pc.usedMB,
    totalMB: pc.totalMB,
    remainingMB: remainingMB(pc),
    periodEnd: pc.periodEnd,
    daysLeft: Math.max(0, Math.ceil((Date.parse(pc.periodEnd) - now) / DAY_MS)),
    dataUpdatedAt: pc.updatedAt,
    tags: pc.tags,
    remark: pc.remark,
    vehicleId: vehicle?._id ?? null,
    plate: vehicle?.plate ?? null,
    driverNames: vehicle ? vehicle.driverOpenids.map((o) => fleet.nameOf(o)) : [],
  };
}

export function toDetail(
  pc: PlatformCard,
  fleet: FleetIndex,
  pending: PendingDoc | undefined,
  now: number,
): CardDetail {
  const card = toCard(pc, fleet, pending, now);
  return {
    ...card,
    imsi: pc.imsi,
    packageName: pc.packageName,
    periodStart: pc.periodStart,
    activatedAt: pc.activatedAt,
    stopReason: stopReason(card.state, card.fix ?? undefined, card.statusText),
  };
}

/** Records what the platform just said about these cards in the index. */
export async function indexCards(deps: Deps, cards: PlatformCard[]): Promise<void> {
  const syncedAt = deps.now();
  for (const pc of cards) {
    const doc: CardDoc = { ...pc, _id: pc.iccid, state: cardState(pc).state, syncedAt };
    await deps.store.put('cards', doc);
  }
}

/** Pending requests for these cards, by ICCID. */
export async function pendingFor(deps: Deps, iccids: string[]): Promise<Map<string, PendingDoc>> {
  if (iccids.length === 0) return new Map();
  const docs = await deps.store.find<PendingDoc>('pending', { iccid: { in: iccids } }, { take: 1000 });
  return new Map(docs.map((d) => [d._id, d]));
}

/** One card, fresh from the platform, recorded in the index. */
export async function fetchCard(deps: Deps, iccid: string): Promise<PlatformCard> {
  const card = await deps.platform.call<PlatformCard>('flowcard.detail', { params: { iccid } });
  await indexCards(deps, [card]);
  return card;
}
