// The `admin` function: members and invites, vehicles, the audit trail, recharge-card stock, alert rules,
// and (from admin-jobs.ts) batch jobs. Managers only, every action.
import { z } from 'zod';
import type { DataCard, Res, Role } from '../../../typings/api';
import { action, defineFunction } from '../runtime/handler';
import type { Where } from '../store/store';
import { deleteAlertRule, listAlertRules, saveAlertRule, toAlertRule } from '../services/alert-rules';
import type { AuditEntry as AuditDoc } from '../services/audit';
import { ICCID_PATTERN } from '../services/card-lookup';
import { inviteMember, openInvites, removeMember, toInvite } from '../services/member-admin';
import { toMember, type MemberDoc } from '../services/members';
import { saveVehicle } from '../services/vehicle-admin';
import { findAll, fleetIndex, toVehicle } from '../services/vehicles';
import { jobActions } from './admin-jobs';

const MANAGER: readonly Role[] = ['manager'];
const ROLE_ORDER: Record<Role, number> = { manager: 0, driver: 1, staff: 2 };
const DATACARD_STATUS_TEXT = ['未使用', '已使用', '已过期', '已划拨'] as const;

const id = z.string().trim().min(1).max(64);
const openid = z.string().trim().min(1).max(64);
// Upper case: the platform spells the letters of Unicom ICCIDs in capitals.
const iccid = z
  .string()
  .trim()
  .max(20)
  .toUpperCase()
  .regex(ICCID_PATTERN, { error: 'ICCID 应为 89 开头的 19–20 位卡号。' });
const paging = { skip: z.number().int().min(0).max(1_000_000), take: z.number().int().min(1).max(100) };
const empty = z.strictObject({});

type PlatformDataCard = Omit<DataCard, 'statusText'>;

export const admin = defineFunction('admin', {
  ...jobActions,

  members: action({
    access: MANAGER,
    input: empty,
    async run({ deps }): Promise<Res<'admin', 'members'>> {
      const members = await findAll<MemberDoc>(deps, 'members');
      members.sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.joinedAt.localeCompare(b.joinedAt));
      return members.map(toMember);
    },
  }),

  invite: action({
    access: MANAGER,
    input: z.strictObject({
      role: z.enum(['manager', 'driver', 'staff']),
      vehicleIds: z.array(id).max(50).optional(),
      name: z.string().trim().max(32).optional(),
      ttlHours: z.number().int().min(1).max(720).optional(),
    }),
    run: async ({ caller, input, deps }): Promise<Res<'admin', 'invite'>> =>
      toInvite(await inviteMember(deps, caller.openid, input)),
  }),

  invites: action({
    access: MANAGER,
    input: empty,
    run: async ({ deps }): Promise<Res<'admin', 'invites'>> => (await openInvites(deps)).map(toInvite),
  }),

  removeMember: action({
    access: MANAGER,
    input: z.strictObject({ openid }),
    run: async ({ caller, input, deps }): Promise<Res<'admin', 'removeMember'>> => ({
      removed: await removeMember(deps, caller.openid, input.openid),
    }),
  }),

  vehicles: action({
    access: MANAGER,
    input: empty,
    async run({ deps }): Promise<Res<'admin', 'vehicles'>> {
      const fleet = await fleetIndex(deps);
      return [...fleet.vehicles].sort((a, b) => a.plate.localeCompare(b.plate)).map((v) => toVehicle(v, fleet));
    },
  }),

  saveVehicle: action({
    access: MANAGER,
    input: z.strictObject({
      id: id.optional(),
      plate: z.string().trim().min(1).max(16),
      iccids: z.array(iccid).max(200),
      driverOpenids: z.array(openid).max(10),
      remark: z.string().trim().max(200).optional(),
    }),
    async run({ caller, input, deps }): Promise<Res<'admin', 'saveVehicle'>> {
      const saved = await saveVehicle(deps, caller.openid, input);
      return toVehicle(saved, await fleetIndex(deps));
    },
  }),

  audit: action({
    access: MANAGER,
    input: z.strictObject({ ...paging, iccid: iccid.optional() }),
    async run({ input, deps }): Promise<Res<'admin', 'audit'>> {
      const where: Where = input.iccid ? { iccid: input.iccid } : {};
      const [docs, total, fleet] = await Promise.all([
        deps.store.find<AuditDoc>('audit', where, {
          orderBy: { field: 'at', direction: 'desc' },
          skip: input.skip,
          take: input.take,
        }),
        deps.store.count('audit', where),
        fleetIndex(deps),
      ]);
      const items = docs.map((d) => ({
        id: d._id,
        at: new Date(d.at).toISOString(),
        actor: d.actor,
        actorName: fleet.nameOf(d.actor),
        action: d.action,
        target: d.target,
        iccid: d.iccid,
        outcome: d.outcome,
        detail: d.detail,
      }));
      return { total, items };
    },
  }),

  datacards: action({
    access: MANAGER,
    input: z.strictObject({
      ...paging,
      status: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]).optional(),
    }),
    async run({ input, deps }): Promise<Res<'admin', 'datacards'>> {
      const page = await deps.platform.call<{ total: number; items: PlatformDataCard[] }>('datacard.list', {
        query: { skip: input.skip, take: input.take, status: input.status },
      });
      const items = page.items.map((d): DataCard => ({
        id: d.id,
        cardNo: d.cardNo,
        productId: d.productId,
        dataMB: d.dataMB,
        status: d.status,
        statusText: DATACARD_STATUS_TEXT[d.status] ?? '未知',
        expireAt: d.expireAt,
      }));
      return { total: page.total, items };
    },
  }),

  alerts: action({
    access: MANAGER,
    input: empty,
    run: async ({ deps }): Promise<Res<'admin', 'alerts'>> => (await listAlertRules(deps)).map(toAlertRule),
  }),

  saveAlert: action({
    access: MANAGER,
    input: z.strictObject({
      id: id.optional(),
      iccid: iccid.nullable().optional(),
      vehicleId: id.nullable().optional(),
      thresholdMB: z.number().positive().max(10_000_000).nullable().optional(),
      thresholdPercent: z.number().positive().lt(100).nullable().optional(),
      notify: z.array(openid).min(1).max(20),
      enabled: z.boolean().optional(),
    }),
    run: async ({ caller, input, deps }): Promise<Res<'admin', 'saveAlert'>> =>
      toAlertRule(await saveAlertRule(deps, caller.openid, input)),
  }),

  deleteAlert: action({
    access: MANAGER,
    input: z.strictObject({ id }),
    run: async ({ caller, input, deps }): Promise<Res<'admin', 'deleteAlert'>> => ({
      removed: await deleteAlertRule(deps, caller.openid, input.id),
    }),
  }),
});
