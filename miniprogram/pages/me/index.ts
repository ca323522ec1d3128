// 我的: who I am in the fleet, the alerts I want in WeChat, the manager's tools, and (in development) a
// switch between the dev identities.
import { ComponentWithStore } from 'mobx-miniprogram-bindings';
import type { AlertKind, Member, Role } from '../../../typings/api';
import { config, configure } from '../../config';
import { cardsApi } from '../../services/api';
import { messageOf } from '../../services/feedback';
import { sessionStore } from '../../stores/session';
import { formatTime } from '../../utils/format';
import { selectTab } from '../../utils/tabs';
import { optionsFor, readRecords, record, statusText, templateIds, type SubscriptionRecords } from './subscriptions';
import { ROLE_NAMES } from '../../utils/roles';

const TAB = '/pages/me/index';

const MANAGER_ENTRIES = [
  { title: '成员与邀请', icon: 'friends-o', url: '/manager/members/index' },
  { title: '车辆', icon: 'logistics', url: '/manager/vehicles/index' },
  { title: '批量任务', icon: 'todo-list-o', url: '/manager/jobs/index' },
  { title: '操作记录', icon: 'records-o', url: '/manager/audit/index' },
  { title: '充值卡库存', icon: 'gift-card-o', url: '/manager/datacards/index' },
  { title: '提醒规则', icon: 'bell', url: '/manager/alerts/index' },
  { title: '消费统计', icon: 'bar-chart-o', url: '/manager/stats/index' },
];

const STRANGER = 'dev-stranger';
const DEV_IDENTITIES = [
  { openid: 'dev-manager', label: '管理员 · 王经理', note: 'dev-manager' },
  { openid: 'dev-driver', label: '司机 · 李师傅', note: 'dev-driver · 粤B12345 的 3 张卡' },
  { openid: 'dev-staff', label: '外勤 · 张工', note: 'dev-staff' },
  { openid: STRANGER, label: '陌生人（未加入车队）', note: '每次切换都是新的陌生人' },
];

interface AlertRow {
  kind: AlertKind;
  title: string;
  desc: string;
  status: string;
}

interface VehicleRow {
  id: string;
  plate: string;
  cards: number;
}

function alertRows(role: Role | null, records: SubscriptionRecords): AlertRow[] {
  return optionsFor(role).map((o) => ({ ...o, status: statusText(records[o.kind]) }));
}

ComponentWithStore({
  storeBindings: {
    store: sessionStore,
    fields: {
      member: () => sessionStore.member,
      role: () => sessionStore.role,
      isManager: () => sessionStore.isManager,
      loginError: () => sessionStore.error,
    },
    actions: [],
  },
  data: {
    member: null as Member | null,
    role: null as Role | null,
    isManager: false,
    loginError: null as string | null,
    roleName: '访客',
    joined: '',
    vehicles: [] as VehicleRow[],
    vehiclesNote: '',
    alerts: [] as AlertRow[],
    chosen: [] as AlertKind[],
    subscribing: false,
    managerEntries: MANAGER_ENTRIES,
    devMode: false,
    devOpenid: '',
    devIdentities: DEV_IDENTITIES,
    switching: false,
  },
  observers: {
    member(member: Member | null) {
      const role = member?.role ?? null;
      const alerts = alertRows(role, readRecords());
      this.setData({
        roleName: role ? ROLE_NAMES[role] : '访客',
        joined: member ? formatTime(member.joinedAt, 'YYYY-MM-DD') : '',
        alerts,
        chosen: alerts.map((a) => a.kind),
      });
      if (role === 'driver') void this.loadVehicles();
      else this.setData({ vehicles: [], vehiclesNote: '' });
    },
  },
  methods: {
    onShow() {
      selectTab(this, TAB);
      const devOpenid = config.devOpenid.startsWith(STRANGER) ? STRANGER : config.devOpenid;
      this.setData({ devMode: config.transport === 'http', devOpenid });
    },

    /** A driver's vehicles by plate, from the cards they can see (a driver cannot list vehicles). */
    async loadVehicles() {
      const member = sessionStore.member;
      if (!member) return;
      try {
        const page = await cardsApi.list({ skip: 0, take: 100 });
        const rows = new Map<string, VehicleRow>();
        for (const card of page.items) {
          if (!card.vehicleId) continue;
          const row = rows.get(card.vehicleId) ?? { id: card.vehicleId, plate: card.plate ?? '未知车牌', cards: 0 };
          rows.set(card.vehicleId, { ...row, cards: row.cards + 1 });
        }
        const withoutCards = member.vehicleIds.filter((id) => !rows.has(id)).length;
        this.setData({
          vehicles: [...rows.values()],
          vehiclesNote: withoutCards > 0 ? `另有 ${withoutCards} 辆车还没有分配卡片。` : '',
        });
      } catch (error) {
        this.setData({ vehicles: [], vehiclesNote: `车辆信息没有读到：${messageOf(error)}` });
      }
    },

    onRetryLogin() {
      void sessionStore.start();
    },

    onJoin() {
      wx.navigateTo({ url: '/pages/welcome/index' });
    },

    onChooseAlerts(event: { detail: AlertKind[] }) {
      this.setData({ chosen: event.detail });
    },

    /** Must run straight from the tap: WeChat shows its subscribe dialog only for a tap. */
    onSubscribe() {
      const kinds = this.data.chosen;
      if (kinds.length === 0) {
        wx.showToast({ title: '请先勾选要接收的提醒', icon: 'none' });
        return;
      }
      const templates = templateIds(kinds);
      if (templates.length === 0) {
        const records = record(kinds, () => 'dev');
        this.setData({ alerts: alertRows(this.data.role, records) });
        const names = this.data.alerts.filter((a) => kinds.includes(a.kind)).map((a) => a.title);
        wx.showModal({
          title: '开发环境没有订阅模板',
          content: `开发环境没有配置订阅消息模板，微信不会弹出订阅确认。已在本机记下你的选择：${names.join('、')}。正式版会请你在微信里确认。`,
          showCancel: false,
          confirmText: '知道了',
        });
        return;
      }
      this.setData({ subscribing: true });
      wx.requestSubscribeMessage({
        tmplIds: templates.map((t) => t.id),
        success: (res) => {
          const answers = res as unknown as Record<string, string>;
          const records = record(
            templates.map((t) => t.kind),
            (kind) => {
              const answer = answers[config.alertTemplates[kind]];
              return answer === 'accept' || answer === 'ban' ? answer : 'reject';
            },
          );
          this.setData({ alerts: alertRows(this.data.role, records) });
          const accepted = templates.filter((t) => answers[t.id] === 'accept').length;
          if (accepted > 0) {
            wx.showToast({ title: `已订阅 ${accepted} 项提醒`, icon: 'success' });
          } else {
            wx.showModal({
              title: '没有订阅提醒',
              content: '你没有允许这些提醒。需要时请再点「订阅所选提醒」并选择「允许」。',
              showCancel: false,
              confirmText: '知道了',
            });
          }
        },
        fail: () => {
          wx.showModal({
            title: '订阅没有完成',
            content: '微信没有打开订阅确认。请在右上角「…」›「设置」›「订阅消息」中打开接收开关后重试。',
            showCancel: false,
            confirmText: '知道了',
          });
        },
        complete: () => this.setData({ subscribing: false }),
      });
    },

    /** Development only: become another dev identity, log in again and start the app over as them. */
    async onSwitchIdentity(event: { currentTarget: { dataset: { openid: string } } }) {
      const chosen = event.currentTarget.dataset.openid;
      if (this.data.switching) return;
      const devOpenid = chosen === STRANGER ? `${STRANGER}-${Date.now().toString(36)}` : chosen;
      this.setData({ switching: true });
      try {
        configure({ devOpenid });
        await sessionStore.start();
        if (sessionStore.error) {
          wx.showModal({ title: '切换身份没有完成', content: sessionStore.error, showCancel: false });
          return;
        }
        wx.reLaunch({ url: sessionStore.member ? '/pages/cards/index' : '/pages/welcome/index' });
      } finally {
        this.setData({ switching: false, devOpenid: chosen });
      }
    },
  },
});
