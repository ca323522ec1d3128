// 提醒规则: when to tell whom. A rule covers one card, one vehicle or the whole fleet, fires when a card's
// data left falls below a threshold (MB or % of the period's data) and when a card is stopped.
import type { AlertRule, Member, Vehicle } from '../../../typings/api';
import { adminApi } from '../../services/api';
import { messageOf, withLoading } from '../../services/feedback';
import { sessionStore } from '../../stores/session';
import { looksLikeIccid, normaliseCode } from '../../utils/iccid';
import { loadPage } from '../shared/failure';

type Scope = 'fleet' | 'vehicle' | 'card';
type Unit = 'mb' | 'percent';

interface RuleRow {
  id: string;
  scopeText: string;
  thresholdText: string;
  notifyText: string;
  enabled: boolean;
}

interface Form {
  id: string;
  scope: Scope;
  vehicleId: string;
  iccid: string;
  unit: Unit;
  threshold: string;
  notify: string[];
  enabled: boolean;
}

interface Own {
  rules: AlertRule[];
  members: Member[];
  vehicles: Vehicle[];
}
const own = (page: unknown) => page as Own;

function ruleRow(rule: AlertRule, self: Own): RuleRow {
  const plate = self.vehicles.find((v) => v.id === rule.vehicleId)?.plate ?? '已删除的车辆';
  const names = rule.notify.map((openid) => self.members.find((m) => m.openid === openid)?.name || openid);
  return {
    id: rule.id,
    scopeText: rule.iccid ? `单卡 ${rule.iccid}` : rule.vehicleId ? `车辆 ${plate}` : '整个车队',
    thresholdText:
      rule.thresholdPercent !== null ? `剩余流量低于 ${rule.thresholdPercent}%` : `剩余流量低于 ${rule.thresholdMB}MB`,
    notifyText: `提醒 ${names.join('、')}`,
    enabled: rule.enabled,
  };
}

function newForm(): Form {
  const me = sessionStore.member?.openid;
  return {
    id: '',
    scope: 'fleet',
    vehicleId: '',
    iccid: '',
    unit: 'mb',
    threshold: '',
    notify: me ? [me] : [],
    enabled: true,
  };
}

Component({
  data: {
    loading: true,
    error: '',
    forbidden: false,
    rules: [] as RuleRow[],
    members: [] as Array<{ openid: string; label: string }>,
    vehicles: [] as Array<{ id: string; plate: string }>,
    editing: false,
    form: newForm(),
    saving: false,
    formError: '',
  },
  lifetimes: {
    created() {
      Object.assign(own(this), { rules: [], members: [], vehicles: [] });
    },
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
        const [rules, members, vehicles] = await Promise.all([
          adminApi.alerts({}),
          adminApi.members({}),
          adminApi.vehicles({}),
        ]);
        const self = own(this);
        Object.assign(self, { rules, members, vehicles });
        return {
          rules: rules.map((rule) => ruleRow(rule, self)),
          members: members.map((m) => ({ openid: m.openid, label: m.name || m.openid })),
          vehicles: vehicles.map((v) => ({ id: v.id, plate: v.plate })),
        };
      });
    },

    onAdd() {
      this.setData({ editing: true, form: newForm(), formError: '' });
    },
    onEdit(event: { currentTarget: { dataset: { id: string } } }) {
      const rule = own(this).rules.find((r) => r.id === event.currentTarget.dataset.id);
      if (!rule) return;
      const form: Form = {
        id: rule.id,
        scope: rule.iccid ? 'card' : rule.vehicleId ? 'vehicle' : 'fleet',
        vehicleId: rule.vehicleId ?? '',
        iccid: rule.iccid ?? '',
        unit: rule.thresholdPercent !== null ? 'percent' : 'mb',
        threshold: String(rule.thresholdPercent ?? rule.thresholdMB ?? ''),
        notify: rule.notify,
        enabled: rule.enabled,
      };
      this.setData({ editing: true, form, formError: '' });
    },
    onCancel() {
      this.setData({ editing: false, formError: '' });
    },

    onScope(event: { detail: Scope }) {
      this.setData({ 'form.scope': event.detail, formError: '' });
    },
    onVehicle(event: { detail: string }) {
      this.setData({ 'form.vehicleId': event.detail, formError: '' });
    },
    onIccid(event: { detail: string }) {
      this.setData({ 'form.iccid': event.detail, formError: '' });
    },
    onUnit(event: { detail: Unit }) {
      this.setData({ 'form.unit': event.detail, formError: '' });
    },
    onThreshold(event: { detail: string }) {
      this.setData({ 'form.threshold': event.detail, formError: '' });
    },
    onNotify(event: { detail: string[] }) {
      this.setData({ 'form.notify': event.detail, formError: '' });
    },
    onEnabled(event: { detail: boolean }) {
      this.setData({ 'form.enabled': event.detail });
    },

    /** The form as a saveAlert request, or the sentence that says what to fix. */
    request(form: Form) {
      const value = Number(form.threshold);
      if (!form.threshold.trim() || !Number.isFinite(value) || value <= 0) {
        return { error: '请填写提醒阈值：大于 0 的数字。' };
      }
      if (form.unit === 'percent' && value >= 100) return { error: '百分比阈值应小于 100。' };
      if (form.scope === 'vehicle' && !form.vehicleId) return { error: '请选择一辆车。' };
      const iccid = normaliseCode(form.iccid);
      if (form.scope === 'card' && !looksLikeIccid(iccid)) {
        return { error: '请输入完整的 ICCID（89 开头的 19–20 位）。' };
      }
      if (form.notify.length === 0) return { error: '请至少选择一位要提醒的成员。' };
      return {
        req: {
          ...(form.id ? { id: form.id } : {}),
          iccid: form.scope === 'card' ? iccid : null,
          vehicleId: form.scope === 'vehicle' ? form.vehicleId : null,
          thresholdMB: form.unit === 'mb' ? value : null,
          thresholdPercent: form.unit === 'percent' ? value : null,
          notify: form.notify,
          enabled: form.enabled,
        },
      };
    },

    async onSave() {
      const { error, req } = this.request(this.data.form);
      if (!req) {
        this.setData({ formError: error ?? '' });
        return;
      }
      this.setData({ saving: true, formError: '' });
      try {
        await adminApi.saveAlert(req);
        wx.showToast({ title: req.id ? '已保存' : '已添加提醒规则', icon: 'success' });
        this.setData({ editing: false });
        await this.load();
      } catch (e) {
        this.setData({ formError: messageOf(e) });
      } finally {
        this.setData({ saving: false });
      }
    },

    /** The switch in a row: the same rule, on or off. */
    async onToggle(event: { currentTarget: { dataset: { id: string; index: number } }; detail: boolean }) {
      const { id, index } = event.currentTarget.dataset;
      const rule = own(this).rules.find((r) => r.id === id);
      if (!rule) return;
      const enabled = event.detail;
      this.setData({ [`rules[${index}].enabled`]: enabled });
      const saved = await withLoading(enabled ? '正在开启…' : '正在关闭…', () =>
        adminApi.saveAlert({
          id: rule.id,
          iccid: rule.iccid,
          vehicleId: rule.vehicleId,
          thresholdMB: rule.thresholdMB,
          thresholdPercent: rule.thresholdPercent,
          notify: rule.notify,
          enabled,
        }),
      );
      if (saved) {
        own(this).rules = own(this).rules.map((r) => (r.id === saved.id ? saved : r));
      } else {
        this.setData({ [`rules[${index}].enabled`]: !enabled });
      }
    },

    onDelete(event: { currentTarget: { dataset: { id: string } } }) {
      const id = event.currentTarget.dataset.id;
      wx.showModal({
        title: '删除这条提醒规则？',
        content: '删除后，这条规则覆盖的卡不再按它提醒。',
        confirmText: '删除',
        confirmColor: '#ee0a24',
        success: async (res) => {
          if (!res.confirm) return;
          const result = await withLoading('正在删除…', () => adminApi.deleteAlert({ id }));
          if (result === undefined) return;
          wx.showToast({ title: '已删除', icon: 'success' });
          this.setData({ editing: false });
          await this.load();
        },
      });
    },
  },
});
