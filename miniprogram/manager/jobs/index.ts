// 批量任务: recent batch jobs with their progress; tap one to follow it.
import { ComponentWithStore } from 'mobx-miniprogram-bindings';
import { jobsStore, type JobView } from '../../stores/jobs';

ComponentWithStore({
  storeBindings: {
    store: jobsStore,
    fields: {
      jobs: () => jobsStore.jobViews,
      loading: () => jobsStore.jobsLoading,
      error: () => jobsStore.jobsError,
      forbidden: () => jobsStore.jobsForbidden,
    },
    actions: [],
    structuralComparison: true,
  },
  data: { jobs: [] as JobView[], loading: false, error: '', forbidden: false },
  methods: {
    onShow() {
      void jobsStore.loadJobs();
    },
    onPullDownRefresh() {
      void jobsStore.loadJobs().finally(() => wx.stopPullDownRefresh());
    },
    onRetry() {
      void jobsStore.loadJobs();
    },
    onOpen(event: { currentTarget: { dataset: { id: string } } }) {
      wx.navigateTo({ url: `/manager/job/index?jobId=${encodeURIComponent(event.currentTarget.dataset.id)}` });
    },
  },
});
