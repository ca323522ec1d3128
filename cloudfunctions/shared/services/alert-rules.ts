// Alert rules: which cards (one card, one vehicle's, or the whole fleet), below what (MB or percent left),
// and which members are told.
import { randomBytes } from 'node:crypto';
import type { AlertRule, Req } from '../../../typings/api';
import { invalid, notFound } from '../runtime/errors';
import type { Deps } from '../runtime/handler';
import { audit } from './audit';
import type { MemberDoc } from './members';
import { assertFleetCards } from './vehicle-admin';
import { saveEdited, updateVersioned, type Versioned } from './versioned';
import { findAll } from './vehicles';

export interface AlertRuleDoc extends Versioned, Omit<AlertRule, 'id'> {
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

export type AlertRuleInput = Req<'admin', 'saveAlert'>;

export function toAlertRule(doc: AlertRuleDoc): AlertRule {
  return {
    id: doc._id,
    iccid: doc.iccid,
    vehicleId: doc.vehicleId,
    thresholdMB: doc.thresholdMB,
    thresholdPercent: doc.thresholdPercent,
    notify: doc.notify,
    enabled: doc.enabled,
  };
}

export async function listAlertRules(deps: Deps): Promise<AlertRuleDoc[]> {
  const rules = await findAll<AlertRuleDoc>(deps, 'alerts');
  return rules.sort((a, b) => a.createdAt - b.createdAt || a._id.localeCompare(b._id));
}

async function assertMembers(deps: Deps, openids: string[]): Promise<void> {
  const found = await deps.store.find<MemberDoc>('members', { openid: { in: openids } }, { take: 1000 });
  const known = new Set(found.map((m) => m.openid));
  const strangers = openids.filter((o) => !known.has(o));
  if (strangers.length) {
    throw invalid(`只能提醒车队成员，${strangers.slice(0, 5).join('、')} 不是车队成员。`);
  }
}

/** Creates a rule, or replaces one if nobody changed it since it was read. */
export async function saveAlertRule(deps: Deps, actor: string, input: AlertRuleInput): Promise<AlertRuleDoc> {
  const iccid = input.iccid ?? null;
  const vehicleId = input.vehicleId ?? null;
  const thresholdMB = input.thresholdMB ?? null;
  const thresholdPercent = input.thresholdPercent ?? null;
  if (iccid && vehicleId) throw invalid('提醒范围只能是一张卡、一辆车或整个车队，请不要同时选择卡和车辆。');
  if ((thresholdMB === null) === (thresholdPercent === null)) {
    throw invalid('请设置一个提醒阈值：剩余流量（MB）或剩余百分比，二选一。');
  }
  const notify = [...new Set(input.notify)];
  const existing = input.id ? await deps.store.get<AlertRuleDoc>('alerts', input.id) : null;
  if (input.id && !existing) throw notFound('没有找到这条提醒规则，请刷新后重试。');
  if (iccid) await assertFleetCards(deps, [iccid]);
  if (vehicleId && !(await deps.store.get('vehicles', vehicleId))) {
    throw invalid('所选车辆不存在，请刷新车辆列表后重新选择。');
  }
  await assertMembers(deps, notify);

  const now = deps.now();
  const fields = {
    iccid,
    vehicleId,
    thresholdMB,
    thresholdPercent,
    notify,
    enabled: input.enabled ?? existing?.enabled ?? true,
    updatedAt: now,
  };
  const saved = await saveEdited<AlertRuleDoc>(
    deps,
    'alerts',
    existing,
    fields,
    () => ({ _id: `alr-${randomBytes(6).toString('hex')}`, ...fields, createdBy: actor, createdAt: now }),
    '这条提醒规则刚被其他管理员修改，请刷新后再保存。',
  );
  await audit(deps, {
    actor,
    action: 'alert.save',
    target: saved._id,
    ...(iccid ? { iccid } : {}),
    outcome: 'ok',
    detail: { created: !existing, vehicleId, thresholdMB, thresholdPercent, notify, enabled: saved.enabled },
  });
  return saved;
}

export async function deleteAlertRule(deps: Deps, actor: string, id: string): Promise<boolean> {
  const removed = await deps.store.remove('alerts', id);
  if (removed) await audit(deps, { actor, action: 'alert.delete', target: id, outcome: 'ok' });
  return removed;
}

/** A member who leaves is no longer told anything. */
export async function removeFromAlertRules(deps: Deps, openid: string): Promise<void> {
  for (const rule of await findAll<AlertRuleDoc>(deps, 'alerts')) {
    if (!rule.notify.includes(openid)) continue;
    await updateVersioned<AlertRuleDoc>(deps, 'alerts', rule._id, (doc) =>
      doc.notify.includes(openid) ? { notify: doc.notify.filter((o) => o !== openid) } : null,
    );
  }
}
