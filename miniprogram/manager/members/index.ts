// 成员与邀请: who is in the fleet and in what role, invites still open, a new invite (role, vehicles for a
// driver) shown as a code to read out or copy and as the path a QR code carries; removing a member.
import type { Invite, Member, Role, Vehicle } from '../../../typings/api';
import { adminApi } from '../../services/api';
import { messageOf, showError, withLoading } from '../../services/feedback';
import { sessionStore } from '../../stores/session';
import { formatTime } from '../../utils/format';
import { loadPage } from '../shared/failure';
import { ROLE_NAMES } from '../../utils/roles';

const ROLE_TAG: Record<Role, 'primary' | 'success' | 'warning'> = {
  manager: 'primary',
  driver: 'success',
  staff: 'warning',
};

interface MemberRow {
  openid: string;
  name: string;
  role: Role;
  roleName: string;
  roleTag: string;
  joined: string;
  vehiclesText: string;
  isMe: boolean;
}

interface InviteRow {
  code: string;
  roleName: string;
  name: string;
  expires: string;
  vehiclesText: string;
}

interface CreatedInvite extends InviteRow {
  qrPayload: string;
}

function platesOf(ids: string[], vehicles: Vehicle[]): string {
  return ids.map((id) => vehicles.find((v) => v.id === id)?.plate ?? '已删除的车辆').join('、');
}

function memberRow(member: Member, vehicles: Vehicle[], me: string | undefined): MemberRow {
  return {
    openid: member.openid,
    name: member.name || '未填写姓名',
    role: member.role,
    roleName: ROLE_NAMES[member.role],
    roleTag: ROLE_TAG[member.role],
    joined: formatTime(member.joinedAt, 'YYYY-MM-DD'),
    vehiclesText: platesOf(member.vehicleIds, vehicles),
    isMe: member.openid === me,
  };
}

function inviteRow(invite: Invite, vehicles: Vehicle[]): InviteRow {
  return {
    code: invite.code,
    roleName: ROLE_NAMES[invite.role],
    name: invite.name,
    expires: formatTime(invite.expiresAt, 'MM-DD HH:mm'),
    vehiclesText: platesOf(invite.vehicleIds, vehicles),
  };
}

Component({
  data: {
    loading: true,
    error: '',
    forbidden: false,
    members: [] as MemberRow[],
    invites: [] as InviteRow[],
    vehicles: [] as Array<{ id: string; plate: string }>,
    inviting: false,
    role: 'driver' as Role,
    name: '',
    vehicleIds: [] as string[],
    creating: false,
    formError: '',
    created: null as CreatedInvite | null,
  },
  methods: {
    onLoad() {
      void this.load();
    },
    onPullDownRefresh() {
      void this.load().finally(() => wx.stopPullDownRefresh());
    },

    load() {
      return loadPage(this, async () => {
        const [members, invites, vehicles] = await Promise.all([
          adminApi.members({}),
          adminApi.invites({}),
          adminApi.vehicles({}),
        ]);
        const me = sessionStore.member?.openid;
        return {
          members: members.map((m) => memberRow(m, vehicles, me)),
          invites: invites.map((i) => inviteRow(i, vehicles)),
          vehicles: vehicles.map((v) => ({ id: v.id, plate: v.plate })),
        };
      });
    },

    onStartInvite() {
      this.setData({ inviting: true, role: 'driver', name: '', vehicleIds: [], formError: '', created: null });
    },
    onCancelInvite() {
      this.setData({ inviting: false, created: null, formError: '' });
    },
    onRole(event: { detail: Role }) {
      this.setData({
        role: event.detail,
        formError: '',
        vehicleIds: event.detail === 'driver' ? this.data.vehicleIds : [],
      });
    },
    onName(event: { detail: string }) {
      this.setData({ name: event.detail });
    },
    onVehicles(event: { detail: string[] }) {
      this.setData({ vehicleIds: event.detail });
    },

    async onCreateInvite() {
      const { role, name, vehicleIds } = this.data;
      this.setData({ creating: true, formError: '' });
      try {
        const invite = await adminApi.invite({
          role,
          ...(name.trim() ? { name: name.trim() } : {}),
          ...(role === 'driver' && vehicleIds.length ? { vehicleIds } : {}),
        });
        const vehicles = this.data.vehicles as Vehicle[];
        this.setData({
          created: { ...inviteRow(invite, vehicles), qrPayload: invite.qrPayload },
          invites: [inviteRow(invite, vehicles), ...this.data.invites],
        });
      } catch (error) {
        this.setData({ formError: messageOf(error) });
      } finally {
        this.setData({ creating: false });
      }
    },

    onCopy(event: { currentTarget: { dataset: { text: string; what: string } } }) {
      const { text, what } = event.currentTarget.dataset;
      wx.setClipboardData({
        data: text,
        success: () => wx.showToast({ title: `${what}已复制`, icon: 'success' }),
        fail: () => wx.showToast({ title: '没能复制，请长按文字手动复制', icon: 'none' }),
      });
    },

    onRemove(event: { currentTarget: { dataset: { openid: string } } }) {
      const member = this.data.members.find((m) => m.openid === event.currentTarget.dataset.openid);
      if (!member) return;
      wx.showModal({
        title: `移除${member.roleName}「${member.name}」？`,
        content: '移除后 TA 将无法再使用小程序查看车队的卡，也不再接收提醒；需要时可重新邀请。',
        confirmText: '移除',
        confirmColor: '#ee0a24',
        success: async (res) => {
          if (!res.confirm) return;
          const result = await withLoading('正在移除…', () => adminApi.removeMember({ openid: member.openid }));
          if (result === undefined) return;
          wx.showToast({ title: result.removed ? '已移除' : '该成员已不在车队', icon: 'none' });
          await this.load();
        },
        fail: (error) => showError(error),
      });
    },
  },
});
