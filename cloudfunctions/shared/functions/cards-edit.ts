// cards.update (remark and tags on the platform, the card's vehicle in the store) and cards.lookup (a
// scanned code → a card of this fleet).
import type { Card, CardDetail } from '../../../typings/api';
import { AppError, invalid, notFound } from '../runtime/errors';
import type { Caller, Deps } from '../runtime/handler';
import { audit } from '../services/audit';
import { fetchCard, indexCards, toCard, toDetail, type PlatformCard } from '../services/cards';
import { visibleIccids } from '../services/card-access';
import { present } from '../services/card-index';
import { parseScannedCode } from '../services/card-lookup';
import { findAll, type VehicleDoc } from '../services/vehicles';
import { updateVersioned } from '../services/versioned';

export interface UpdateInput {
  iccid: string;
  remark?: string;
  tags?: string[];
  vehicleId?: string | null;
}

/** Puts the card on `vehicleId` (or on none) and takes it off every other vehicle; answers where it was. */
async function moveCard(deps: Deps, iccid: string, vehicleId: string | null): Promise<string | null> {
  const holders = (await findAll<VehicleDoc>(deps, 'vehicles')).filter((v) => v.iccids.includes(iccid));
  for (const holder of holders) {
    if (holder._id === vehicleId) continue;
    await updateVersioned<VehicleDoc>(deps, 'vehicles', holder._id, (v) =>
      v.iccids.includes(iccid) ? { iccids: v.iccids.filter((i) => i !== iccid) } : null,
    );
  }
  if (vehicleId) {
    await updateVersioned<VehicleDoc>(deps, 'vehicles', vehicleId, (v) =>
      v.iccids.includes(iccid) ? null : { iccids: [...v.iccids, iccid] },
    );
  }
  return holders[0]?._id ?? null;
}

export async function updateCard(deps: Deps, caller: Caller, input: UpdateInput): Promise<CardDetail> {
  const { iccid, remark, tags, vehicleId } = input;
  if (remark === undefined && tags === undefined && vehicleId === undefined) {
    throw invalid('没有要修改的内容：请修改备注、标签或所属车辆中的至少一项。');
  }
  if (vehicleId && !(await deps.store.get<VehicleDoc>('vehicles', vehicleId))) {
    throw notFound('要绑定的车辆不存在，请刷新车辆列表后重新选择。');
  }
  const detail: Record<string, unknown> = { remark, tags };
  const record = (outcome: 'ok' | 'failed' | 'rejected') =>
    audit(deps, { actor: caller.openid, action: 'card.update', target: iccid, iccid, outcome, detail });
  let card: PlatformCard;
  try {
    if (remark !== undefined || tags !== undefined) {
      card = await deps.platform.call<PlatformCard>('flowcard.update', { params: { iccid }, body: { remark, tags } });
      await indexCards(deps, [card]);
    } else {
      card = await fetchCard(deps, iccid);
    }
  } catch (error) {
    const rejected = error instanceof AppError && ['NOT_FOUND', 'PLATFORM_REJECTED'].includes(error.code);
    await record(rejected ? 'rejected' : 'failed');
    throw error;
  }
  if (vehicleId !== undefined) detail.vehicle = { from: await moveCard(deps, iccid, vehicleId), to: vehicleId };
  await record('ok');
  const [shown] = await present(deps, [card], toDetail);
  return shown;
}

export async function lookupCard(deps: Deps, caller: Caller, text: string): Promise<{ iccid: string; card: Card }> {
  const code = parseScannedCode(text);
  if (!code) {
    throw notFound('没有从扫描内容中识别出卡号（ICCID）或号码，请对准卡上的条码重新扫描，或手动输入卡号。');
  }
  const page = await deps.platform.call<{ items: PlatformCard[] }>('flowcard.list', {
    query: { keyword: code.value, take: 100 },
  });
  const found = page.items.find((c) =>
    code.kind === 'iccid' ? c.iccid.toUpperCase() === code.value : c.msisdn === code.value,
  );
  if (!found) {
    const hint = code.kind === 'iccid' && code.luhnOk === false ? '（卡号校验位不对，可能扫错了，请重新扫描）' : '';
    throw notFound(`没有找到 ${code.value}：该卡不在本车队${hint}。`);
  }
  const visible = await visibleIccids(deps, caller);
  if (visible && !visible.has(found.iccid)) {
    throw notFound('该卡不在你驾驶的车辆上，无法查看；如有疑问请联系车队管理员。');
  }
  await indexCards(deps, [found]);
  const [card] = await present(deps, [found], toCard);
  return { iccid: found.iccid, card };
}
