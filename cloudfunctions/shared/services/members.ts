// Fleet members and how one becomes a member: an invite, the admin list, or the one-time bootstrap code.
import { randomInt } from 'node:crypto';
import type { Member, Role } from '../../../typings/api';
import { AppError } from '../runtime/errors';
import type { Deps } from '../runtime/handler';
import { DuplicateKeyError } from '../store/store';
import { audit } from './audit';
import { addDriverToVehicles } from './vehicle-admin';

export type MemberDoc = Member & { _id: string };

export interface InviteDoc {
  _id: string;
  code: string;
  role: Role;
  vehicleIds: string[];
  name: string;
  createdBy: string;
  createdAt: number;
  expiresAt: number;
  usedBy?: string | null;
  usedAt?: number | null;
}

interface BootstrapDoc {
  _id: 'bootstrap';
  code: string;
  usedBy?: string | null;
}

// No 0/O, 1/I/L: a code a person reads aloud and types.
const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

export function newCode(length = 8): string {
  let code = '';
  for (let i = 0; i < length; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

export function normaliseCode(raw: string): string {
  return raw.replace(/[\s-]/g, '').toUpperCase();
}

export function toMember(doc: MemberDoc): Member {
  return { openid: doc.openid, role: doc.role, name: doc.name, vehicleIds: doc.vehicleIds, joinedAt: doc.joinedAt };
}

async function addMember(deps: Deps, openid: string, role: Role, vehicleIds: string[], name: string): Promise<Member> {
  const doc: MemberDoc = { _id: openid, openid, role, name, vehicleIds, joinedAt: new Date(deps.now()).toISOString() };
  try {
    await deps.store.insert('members', doc);
  } catch (error) {
    if (!(error instanceof DuplicateKeyError)) throw error;
    const existing = await deps.store.get<MemberDoc>('members', openid);
    if (existing) return toMember(existing);
    throw error;
  }
  return toMember(doc);
}

/** An openid listed in ADMIN_OPENIDS becomes a manager the first time it is seen. */
export async function memberOrAdmin(deps: Deps, openid: string): Promise<Member | null> {
  const doc = await deps.store.get<MemberDoc>('members', openid);
  if (doc) return toMember(doc);
  if (!deps.config.adminOpenids.includes(openid)) return null;
  return bootstrapManager(deps, openid, 'ADMIN_OPENIDS');
}

/** One of the first managers, from ADMIN_OPENIDS or the one-time bootstrap code; audited as such. */
async function bootstrapManager(deps: Deps, openid: string, via: 'ADMIN_OPENIDS' | 'code'): Promise<Member> {
  const member = await addMember(deps, openid, 'manager', [], '管理员');
  await audit(deps, { actor: openid, action: 'member.bootstrap', target: openid, outcome: 'ok', detail: { via } });
  return member;
}

export async function createInvite(
  deps: Deps,
  by: string,
  opts: { role: Role; vehicleIds?: string[]; name?: string; ttlHours?: number },
): Promise<InviteDoc> {
  const now = deps.now();
  for (let tries = 0; ; tries++) {
    const code = newCode();
    const invite: InviteDoc = {
      _id: code,
      code,
      role: opts.role,
      vehicleIds: opts.vehicleIds ?? [],
      name: opts.name ?? '',
      createdBy: by,
      createdAt: now,
      expiresAt: now + (opts.ttlHours ?? 72) * 3_600_000,
      usedBy: null,
      usedAt: null,
    };
    try {
      await deps.store.insert('invites', invite);
      return invite;
    } catch (error) {
      if (!(error instanceof DuplicateKeyError) || tries >= 5) throw error;
    }
  }
}

/**
 * The one-time bootstrap code for the first manager: BOOTSTRAP_CODE if set, else made now and printed
 * to the log once. Returns null when the fleet already has a manager.
 */
export async function ensureBootstrap(deps: Deps): Promise<string | null> {
  if ((await deps.store.count('members', { role: 'manager' })) > 0) return null;
  const existing = await deps.store.get<BootstrapDoc>('meta', 'bootstrap');
  if (existing && !existing.usedBy) return existing.code;
  if (existing?.usedBy) return null;
  const code = deps.config.bootstrapCode ? normaliseCode(deps.config.bootstrapCode) : newCode(10);
  try {
    await deps.store.insert<BootstrapDoc>('meta', { _id: 'bootstrap', code, usedBy: null });
  } catch (error) {
    if (!(error instanceof DuplicateKeyError)) throw error;
    return (await deps.store.get<BootstrapDoc>('meta', 'bootstrap'))?.code ?? null;
  }
  console.log(`首位管理员引导码 (bootstrap code): ${code} — 在小程序欢迎页输入即可成为管理员，只能使用一次。`);
  return code;
}

export async function redeem(deps: Deps, openid: string, rawCode: string): Promise<Member> {
  const code = normaliseCode(rawCode);
  if ((await deps.store.get<MemberDoc>('members', openid)) !== null) {
    throw new AppError('CONFLICT', '你已经是车队成员，无需再使用邀请码；如需更换角色请联系管理员。');
  }
  const bootstrap = await deps.store.get<BootstrapDoc>('meta', 'bootstrap');
  if (bootstrap && bootstrap.code === code) {
    const won = await deps.store.update('meta', 'bootstrap', { usedBy: openid }, { usedBy: { exists: false } });
    if (!won) throw new AppError('INVITE_INVALID', '该引导码已被使用。');
    return bootstrapManager(deps, openid, 'code');
  }
  const invite = await deps.store.get<InviteDoc>('invites', code);
  if (!invite) throw new AppError('INVITE_INVALID', '邀请码不存在，请核对后重新输入。');
  if (invite.usedBy) throw new AppError('INVITE_INVALID', '该邀请码已被使用，请向管理员索取新的邀请码。');
  if (invite.expiresAt <= deps.now())
    throw new AppError('INVITE_INVALID', '该邀请码已过期，请向管理员索取新的邀请码。');
  const won = await deps.store.update(
    'invites',
    code,
    { usedBy: openid, usedAt: deps.now() },
    { usedBy: { exists: false }, expiresAt: { gt: deps.now() } },
  );
  if (!won) throw new AppError('INVITE_INVALID', '该邀请码已被使用，请向管理员索取新的邀请码。');
  const member = await addMember(deps, openid, invite.role, invite.vehicleIds, invite.name);
  await addDriverToVehicles(deps, openid, invite.vehicleIds);
  await audit(deps, {
    actor: openid,
    action: 'member.join',
    target: openid,
    outcome: 'ok',
    detail: { role: invite.role, invitedBy: invite.createdBy },
  });
  return member;
}
