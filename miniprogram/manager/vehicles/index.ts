// 车辆: the fleet's vehicles with their cards and drivers; add or edit one (plate, ICCIDs pasted or scanned,
// drivers). The backend checks plates, cards and drivers and says what is wrong in a sentence.
import type { Member, Vehicle } from '../../../typings/api';
import { adminApi } from '../../services/api';
import { messageOf } from '../../services/feedback';
import { looksLikeIccid, normaliseCode } from '../../utils/iccid';
import { loadPage } from '../shared/failure';

interface VehicleRow {
  id: string;
  plate: string;
  cardsText: string;
  driversText: string;
  remark: string;
}

interface Form {
  id: string;
  plate: string;
  iccidsText: string;
  driverOpenids: string[];
  remark: string;
}

const EMPTY_FORM: Form = { id: '', plate: '', iccidsText: '', driverOpenids: [], remark: '' };

function row(vehicle: Vehicle): VehicleRow {
  return {
    id: vehicle.id,
    plate: vehicle.plate,
    cardsText: vehicle.iccids.length ? `${vehicle.iccids.length} 张卡` : '暂无卡片',
    driversText: vehicle.driverNames.length ? `司机 ${vehicle.driverNames.join('、')}` : '未分配司机',
    remark: vehicle.remark,
  };
}

/** The ICCIDs of a pasted text (any separators), and the first thing in it that is not one. */
export function parseIccids(text: string): { iccids: string[]; bad: string | null } {
  const parts = text
    .split(/[\s,，;；、]+/)
    .map(normaliseCode)
    .filter(Boolean);
  const bad = parts.find((part) => !looksLikeIccid(part)) ?? null;
  return { iccids: [...new Set(parts)], bad };
}

/** The vehicles as the server last answered (rows show only what they need); kept on the page, not rendered. */
const own = (page: unknown) => page as { loaded: Vehicle[] };

Component({
  data: {
    loading: true,
    error: '',
    forbidden: false,
    vehicles: [] as VehicleRow[],
    drivers: [] as Array<{ openid: string; name: string }>,
    editing: false,
    form: { ...EMPTY_FORM } as Form,
    saving: false,
    formError: '',
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
        const [vehicles, members] = await Promise.all([adminApi.vehicles({}), adminApi.members({})]);
        own(this).loaded = vehicles;
        return {
          vehicles: vehicles.map(row),
          drivers: members
            .filter((m: Member) => m.role === 'driver')
            .map((m) => ({ openid: m.openid, name: m.name || m.openid })),
        };
      });
    },

    onAdd() {
      this.setData({ editing: true, form: { ...EMPTY_FORM }, formError: '' });
      wx.setNavigationBarTitle({ title: '添加车辆' });
    },
    onEdit(event: { currentTarget: { dataset: { id: string } } }) {
      const vehicle = (own(this).loaded ?? []).find((v) => v.id === event.currentTarget.dataset.id);
      if (!vehicle) return;
      this.setData({
        editing: true,
        formError: '',
        form: {
          id: vehicle.id,
          plate: vehicle.plate,
          iccidsText: vehicle.iccids.join('\n'),
          driverOpenids: vehicle.driverOpenids,
          remark: vehicle.remark,
        },
      });
      wx.setNavigationBarTitle({ title: `编辑 ${vehicle.plate}` });
    },
    onCancel() {
      this.setData({ editing: false, formError: '' });
      wx.setNavigationBarTitle({ title: '车辆' });
    },

    onPlate(event: { detail: string }) {
      this.setData({ 'form.plate': event.detail, formError: '' });
    },
    onIccids(event: { detail: string }) {
      this.setData({ 'form.iccidsText': event.detail, formError: '' });
    },
    onDrivers(event: { detail: string[] }) {
      this.setData({ 'form.driverOpenids': event.detail });
    },
    onRemark(event: { detail: string }) {
      this.setData({ 'form.remark': event.detail });
    },

    onScan() {
      wx.scanCode({
        scanType: ['barCode', 'qrCode'],
        success: (res) => {
          const code = normaliseCode(res.result);
          if (!looksLikeIccid(code)) {
            this.setData({
              formError: `扫到的内容「${res.result.slice(0, 40)}」不是卡号（ICCID 为 89 开头的 19–20 位）。`,
            });
            return;
          }
          const text = this.data.form.iccidsText.trim();
          if (parseIccids(text).iccids.includes(code)) {
            wx.showToast({ title: '这张卡已在列表里', icon: 'none' });
            return;
          }
          this.setData({ 'form.iccidsText': text ? `${text}\n${code}` : code, formError: '' });
        },
        fail: (err) => {
          if (!/cancel/.test(err.errMsg))
            this.setData({ formError: '没能打开扫码，请检查相机权限后重试，或直接粘贴卡号。' });
        },
      });
    },

    async onSave() {
      const { form } = this.data;
      const { iccids, bad } = parseIccids(form.iccidsText);
      if (bad) {
        this.setData({ formError: `「${bad}」不是卡号：ICCID 为 89 开头的 19–20 位，请修改后再保存。` });
        return;
      }
      this.setData({ saving: true, formError: '' });
      try {
        const saved = await adminApi.saveVehicle({
          ...(form.id ? { id: form.id } : {}),
          plate: form.plate,
          iccids,
          driverOpenids: form.driverOpenids,
          remark: form.remark,
        });
        wx.showToast({ title: form.id ? '已保存' : `已添加 ${saved.plate}`, icon: 'success' });
        this.setData({ editing: false });
        wx.setNavigationBarTitle({ title: '车辆' });
        await this.load();
      } catch (error) {
        this.setData({ formError: messageOf(error) });
      } finally {
        this.setData({ saving: false });
      }
    },
  },
});
