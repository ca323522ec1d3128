// 操作记录: the audit trail, newest first, 20 at a time; filter by one card's ICCID.
import type { AuditEntry } from '../../../typings/api';
import { adminApi } from '../../services/api';
import { messageOf } from '../../services/feedback';
import { looksLikeIccid, normaliseCode } from '../../utils/iccid';
import { auditRow, type AuditRow } from './describe';
import { failure } from '../shared/failure';

const TAKE = 20;

interface Own {
  /** Entries loaded so far (the next page starts here). */
  count: number;
  busy: boolean;
  seq: number;
}
const own = (page: unknown) => page as Own;

Component({
  data: {
    keyword: '',
    iccid: '',
    filterError: '',
    loading: true,
    error: '',
    forbidden: false,
    entries: [] as AuditRow[],
    total: 0,
    moreError: '',
  },
  lifetimes: {
    created() {
      Object.assign(own(this), { count: 0, busy: false, seq: 0 });
    },
  },
  methods: {
    onLoad(options: Record<string, string | undefined>) {
      const iccid = options.iccid ? normaliseCode(decodeURIComponent(options.iccid)) : '';
      this.setData({ iccid, keyword: iccid });
      void this.reload();
    },
    onPullDownRefresh() {
      void this.reload().finally(() => wx.stopPullDownRefresh());
    },
    onReachBottom() {
      void this.more();
    },

    /** The first page for the current filter. */
    async reload() {
      const self = own(this);
      const seq = ++self.seq;
      self.busy = true;
      this.setData({ loading: true, error: '', moreError: '' });
      try {
        const page = await adminApi.audit({
          skip: 0,
          take: TAKE,
          ...(this.data.iccid ? { iccid: this.data.iccid } : {}),
        });
        if (seq !== self.seq) return;
        self.count = page.items.length;
        this.setData({ entries: page.items.map(auditRow), total: page.total });
      } catch (error) {
        if (seq === self.seq) this.setData({ ...failure(error), entries: [], total: 0 });
      } finally {
        if (seq === self.seq) {
          self.busy = false;
          this.setData({ loading: false });
        }
      }
    },

    /** The next page, appended by path. */
    async more() {
      const self = own(this);
      if (self.busy || self.count >= this.data.total) return;
      const seq = self.seq;
      self.busy = true;
      this.setData({ moreError: '' });
      try {
        const page = await adminApi.audit({
          skip: self.count,
          take: TAKE,
          ...(this.data.iccid ? { iccid: this.data.iccid } : {}),
        });
        if (seq !== self.seq) return;
        const patch: Record<string, unknown> = { total: page.total };
        page.items.forEach((entry: AuditEntry, i) => (patch[`entries[${self.count + i}]`] = auditRow(entry)));
        self.count += page.items.length;
        this.setData(patch);
      } catch (error) {
        if (seq === self.seq) this.setData({ moreError: messageOf(error) });
      } finally {
        if (seq === self.seq) self.busy = false;
      }
    },

    onKeyword(event: { detail: string }) {
      this.setData({ keyword: event.detail, filterError: '' });
    },
    onFilter() {
      const code = normaliseCode(this.data.keyword);
      if (code && !looksLikeIccid(code)) {
        this.setData({ filterError: '请输入完整的 ICCID（89 开头的 19–20 位）。' });
        return;
      }
      this.setData({ iccid: code, keyword: code, filterError: '' });
      void this.reload();
    },
    onOpen(event: { currentTarget: { dataset: { link: string } } }) {
      const { link } = event.currentTarget.dataset;
      if (link) wx.navigateTo({ url: link });
    },
    onClearFilter() {
      this.setData({ iccid: '', keyword: '', filterError: '' });
      void this.reload();
    },
  },
});
