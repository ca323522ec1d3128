// 扫码: scan the barcode or QR code on a card (or type its ICCID or number) and open that card, or say
// plainly that it is not one of this fleet's cards. Closing the scanner is not an error.
import { cardsApi } from '../../services/api';
import { CallError } from '../../services/gateway';
import { messageOf } from '../../services/feedback';

function scan(): Promise<{ ok: true; text: string } | { ok: false; cancelled: boolean }> {
  return new Promise((resolve) =>
    wx.scanCode({
      scanType: ['barCode', 'qrCode'],
      success: (res) => resolve({ ok: true, text: res.result ?? '' }),
      fail: (err: { errMsg?: string }) => resolve({ ok: false, cancelled: /cancel/i.test(err?.errMsg ?? '') }),
    }),
  );
}

Component({
  data: {
    code: '',
    looking: false,
    /** What the last lookup found wrong, as a sentence; '' when nothing is wrong. */
    message: '',
    /** The text that was looked up, shown with the message so the person sees what was read. */
    looked: '',
    fieldError: '',
  },
  methods: {
    async onScan() {
      if (this.data.looking) return;
      const result = await scan();
      if (!result.ok) {
        // Closing the scanner is a choice, not a failure: nothing to say.
        if (!result.cancelled) {
          this.setData({
            message: '没有扫到条码。请对准卡上的条码或二维码重新扫描，或在下面手动输入卡号。',
            looked: '',
          });
        }
        return;
      }
      await this.lookup(result.text);
    },
    onInput(event: { detail: string }) {
      this.setData({ code: event.detail, fieldError: '' });
    },
    async onSubmit() {
      const code = this.data.code.trim();
      if (!code) {
        this.setData({ fieldError: '请输入卡号（ICCID）或手机号码（MSISDN）。' });
        return;
      }
      await this.lookup(code);
    },
    async lookup(text: string) {
      const code = text.trim();
      if (!code) {
        this.setData({ message: '扫到的内容是空的，请重新扫描或手动输入卡号。', looked: '' });
        return;
      }
      this.setData({ looking: true, message: '', looked: code.length > 40 ? `${code.slice(0, 40)}…` : code });
      try {
        const { iccid } = await cardsApi.lookup({ code });
        this.setData({ message: '' });
        wx.navigateTo({ url: `/pages/card-detail/index?iccid=${iccid}` });
      } catch (error) {
        const notHere = error instanceof CallError && error.code === 'NOT_FOUND';
        this.setData({ message: notHere ? error.message : messageOf(error) });
      } finally {
        this.setData({ looking: false });
      }
    },
  },
});
