// 操作记录: the audit trail, newest first, 20 at a time; filter by one card's ICCID.
import type { AuditEntry } from '../../../typings/api';
import { adminApi } from '../../services/api';
import { looksLikeIccid, normaliseCode } from '../../utils/iccid';
import { auditRow, type AuditRow } from './describe';
import { Pager } from '../shared/pager';

const TAKE = 20;

interface Own {
  pager: Pager<AuditEntry, AuditRow>;
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
      const fetch = (skip: number) =>
        adminApi.audit({ skip, take: TAKE, ...(this.data.iccid ? { iccid: this.data.iccid } : {}) });
      own(this).pager = new Pager(this, 'entries', fetch, auditRow);
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

    reload() {
      return own(this).pager.reload();
    },
    more() {
      return own(this).pager.more();
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
