// Stop and resume: refused here, before the platform is called, when the card cannot take it (a card
// stopped for arrears comes back by recharge, not by resume); remembered as pending until the carrier shows
// the new status; audited however it ends.
import type { NetworkRequested } from '../../../typings/api';
import { cardState, carrierStatus } from '../../../typings/card-status';
import { AppError, invalid } from '../runtime/errors';
import type { Deps } from '../runtime/handler';
import { audit } from './audit';
import { fetchCard, livePending, stopReason, type PendingDoc, type PlatformCard } from './cards';

export type NetworkOp = 'stop' | 'resume';

/** Why this card cannot take this stop/resume, as the error to answer; null when it can. */
export function networkRefusal(card: PlatformCard, op: NetworkOp): AppError | null {
  const { state, fix } = cardState(card);
  const text = card.statusText || carrierStatus(card.carrier, card.status).text;
  if (op === 'stop') {
    return state === 'active' ? null : invalid(`该卡当前状态是“${text}”，不在正常使用中，无需也不能停机。`);
  }
  const notResumable = (message: string, resumeFix: string | null) =>
    new AppError('CARD_NOT_RESUMABLE', message, { fix: resumeFix });
  if (state === 'active') return invalid('该卡正在正常使用，无需复机。');
  if (state === 'arrears') {
    return notResumable(
      `该卡因欠费或流量用尽停机（${text}），不能直接复机：请先充值，充值成功后会自动恢复。`,
      'recharge',
    );
  }
  if (fix === 'realName' && card.realNameStatus === 0) {
    return notResumable(`该卡因未实名停机（${text}），请先完成实名认证，再申请复机。`, 'realName');
  }
  if (fix === 'carrier') {
    return notResumable(`该卡被运营商停机（${text}），不能在小程序里复机，请联系运营商处理。`, 'carrier');
  }
  if (state === 'suspended') return null;
  return notResumable(stopReason(state, fix, text) ?? '该卡当前不能复机。', null);
}

const REJECTED_CODES = ['PLATFORM_REJECTED', 'CARD_NOT_RESUMABLE', 'INVALID_ARGUMENT', 'NOT_FOUND', 'CONFLICT'];

/** Asks the platform to stop or resume one card; answers once the request is accepted (not yet done). */
export async function requestNetwork(
  deps: Deps,
  request: { actor: string; iccid: string; op: NetworkOp; reason: string },
): Promise<NetworkRequested> {
  const { actor, iccid, op, reason } = request;
  const record = (outcome: 'ok' | 'failed' | 'rejected', detail: Record<string, unknown>) =>
    audit(deps, { actor, action: `card.${op}`, target: iccid, iccid, outcome, detail: { reason, ...detail } });
  let requestId: string;
  try {
    const card = await fetchCard(deps, iccid);
    const existing = await deps.store.get<PendingDoc>('pending', iccid);
    if (livePending(existing ?? undefined, cardState(card).state, deps.now())) {
      throw new AppError('CONFLICT', '该卡已有一个停复机请求正在处理，请等运营商确认后再操作。');
    }
    const refusal = networkRefusal(card, op);
    if (refusal) throw refusal;
    const accepted = await deps.platform.call<{ requestId: string }>('flowcard.network', {
      params: { iccid },
      body: { action: op },
    });
    requestId = accepted.requestId;
  } catch (error) {
    const code = error instanceof AppError ? error.code : 'INTERNAL';
    await record(REJECTED_CODES.includes(code) ? 'rejected' : 'failed', {
      error: code,
      ...(error instanceof AppError ? { message: error.message } : {}),
    });
    throw error;
  }
  await deps.store.put<PendingDoc>('pending', { _id: iccid, iccid, op, requestId, requestedAt: deps.now(), by: actor });
  await record('ok', { requestId });
  return { iccid, pending: op, requestId };
}
