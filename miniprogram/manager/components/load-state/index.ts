// The states a manager page's list can be in besides "here it is": loading, failed (with the sentence
// and a retry, or a way back when the person may not see the page at all), or empty (with what to do).
Component({
  properties: {
    loading: { type: Boolean, value: false },
    error: { type: String, value: '' },
    forbidden: { type: Boolean, value: false },
    empty: { type: Boolean, value: false },
    emptyText: { type: String, value: '这里还没有内容。' },
    emptyIcon: { type: String, value: 'info-o' },
  },
  methods: {
    onRetry() {
      this.triggerEvent('retry');
    },
    onBack() {
      wx.navigateBack({ fail: () => wx.switchTab({ url: '/pages/me/index' }) });
    },
  },
});
