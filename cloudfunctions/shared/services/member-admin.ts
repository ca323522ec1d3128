// Members as a manager sees them: invites (a code a person can type, and the same code in a QR payload)
// and removing someone, which also takes them off every vehicle and alert.
import type { Invite, Role } from '../../../typings/api';
import { AppError, invalid } from '../runtime/errors';
import type { Deps } from '../runtime/handler';
import { removeFromAlertRules } from './alert-rules';
import { audit } from './audit';
import { createInvite, type InviteDoc, type MemberDoc } from './members';
import { removeDriverEverywhere } from './vehicle-admin';
import type { VehicleDoc } from './vehicles';

/** The welcome page reads `invite` from its options, so a scanned QR code fills the code in. */
export const INVITE_PAGE = 'pages/welcome/index';

export function toInvite(doc: InviteDoc): Invite {
  return {
    code: doc.code,
    role: doc.role,
    vehicleIds: doc.vehicleIds,
    name: doc.name,
    expiresAt: new Date(doc.expiresAt).toISOString(),
    qrPayload: `${INVITE_PAGE}?invite=${doc.code}`,
    usedBy: doc.usedBy ?? null,
  };
}

export async function inviteMember(
  deps: Deps,
  actor: string,
  input: { role: Role; vehicleIds?: string[]; name?: string; ttlHours?: number },
): Promise<InviteDoc> {
  const vehicleIds = [...new Set(input.vehicleIds ?? [])];
  if (vehicleIds.length && input.role !== 'driver')
    throw invalid('只有司机可以关联车辆，请去掉所选车辆或把角色改为司机。');
  if (vehicleIds.length) {
    const found = await deps.store.find<VehicleDoc>('vehicles', { _id: { in: vehicleIds } }, { take: 1000 });
    const missing = vehicleIds.filter((id) => !found.some((v) => v._id === id));
    if (missing.length) throw invalid('所选车辆中有的已不存在，请刷新车辆列表后重新选择。');
  }
  const invite = await createInvite(deps, actor, { ...input, vehicleIds });
  await audit(deps, {
    actor,
    action: 'member.invite',
    target: invite.code,
    outcome: 'ok',
    detail: { role: invite.role, vehicleIds, name: invite.name, expiresAt: invite.expiresAt },
  });
  return invite;
}

/** Invites nobody has used that still work, newest first. */
export async function openInvites(deps: Deps): Promise<InviteDoc[]> {
  return deps.store.find<InviteDoc>(
    'invites',
    { usedBy: { exists: false }, expiresAt: { gt: deps.now() } },
    { orderBy: { field: 'createdAt', direction: 'desc' }, take: 1000 },
  );
}

const LAST_MANAGER = '这是车队唯一的管理员，不能移除；请先邀请另一位管理员加入。';

export async function removeMember(deps: Deps, actor: string, openid: string): Promise<boolean> {
  if (openid === actor) throw new AppError('CONFLICT', '不能移除你自己；如需退出车队，请让另一位管理员操作。');
  if (deps.config.adminOpenids.includes(openid)) {
    throw new AppError('CONFLICT', '该成员由部署配置 ADMIN_OPENIDS 指定为管理员，请先从配置中删除后再移除。');
  }
  const member = await deps.store.get<MemberDoc>('members', openid);
  if (!member) return false;
  const isManager = member.role === 'manager';
  if (isManager && (await deps.store.count('members', { role: 'manager' })) <= 1) {
    throw new AppError('CONFLICT', LAST_MANAGER);
  }
  if (!(await deps.store.remove('members', openid))) return false;
  // Two managers removing each other at the same moment: whoever finds no manager left puts theirs back.
  if (isManager && (await deps.store.count('members', { role: 'manager' })) === 0) {
    await deps.store.put('members', member);
    throw new AppError('CONFLICT', LAST_MANAGER);
  }
  await removeDriverEverywhere(deps, openid);
  await removeFromAlertRules(deps, openid);
  await audit(deps, {
    actor,
    action: 'member.remove',
    target: openid,
    outcome: 'ok',
    detail: { role: member.role, name: member.name },
  });
  return true;
}
