// The consent view WeChat asks for before a privacy-sensitive API: agree goes through WeChat's own button.
type Resolve = (result: { event: 'agree' | 'disagree'; buttonId?: string }) => void;

Component({
  data: { show: false },
  methods: {
    open(this: { resolve?: Resolve; setData(d: object): void }, resolve: Resolve) {
      this.resolve = resolve;
      this.setData({ show: true });
    },
    onAgree(this: { resolve?: Resolve; setData(d: object): void }) {
      this.resolve?.({ event: 'agree', buttonId: 'agree-privacy' });
      this.setData({ show: false });
    },
    onDisagree(this: { resolve?: Resolve; setData(d: object): void }) {
      this.resolve?.({ event: 'disagree' });
      this.setData({ show: false });
    },
    openContract() {
      wx.openPrivacyContract({});
    },
  },
});
