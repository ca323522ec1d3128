// Welcome: a WeChat user who belongs to no fleet enters an invite code (or arrives with one from a QR code).
import { ComponentWithStore } from 'mobx-miniprogram-bindings';
import { loginApi } from '../../services/api';
import { messageOf } from '../../services/feedback';
import { sessionStore } from '../../stores/session';

const CODE = /^[0-9A-Za-z\s-]{4,32}$/;

ComponentWithStore({
  storeBindings: {
    store: sessionStore,
    fields: { member: () => sessionStore.member, loginError: () => sessionStore.error },
    actions: [],
  },
  data: { code: '', submitting: false, error: '' },
  methods: {
    onLoad(options: Record<string, string | undefined>) {
      if (options.invite) this.setData({ code: decodeURIComponent(options.invite) });
    },
    onInput(event: { detail: string }) {
      this.setData({ code: event.detail, error: '' });
    },
    async onSubmit() {
      const code = this.data.code.trim();
      if (!CODE.test(code)) {
        this.setData({ error: '请输入管理员给你的邀请码（字母和数字）。' });
        return;
      }
      this.setData({ submitting: true, error: '' });
      try {
        const { member } = await loginApi.redeemInvite({ code });
        sessionStore.setMember(member);
        wx.showToast({ title: '已加入车队', icon: 'success' });
        wx.switchTab({ url: '/pages/cards/index' });
      } catch (error) {
        this.setData({ error: messageOf(error) });
      } finally {
        this.setData({ submitting: false });
      }
    },
    async onRetry() {
      await sessionStore.start();
      if (sessionStore.member) wx.switchTab({ url: '/pages/cards/index' });
    },
  },
});
