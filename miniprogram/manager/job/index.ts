// One batch job (?jobId=): progress that updates while it runs, its counters, and each card that did not
// succeed with why. Polling stops when the job is done or the page is hidden.
import { reaction } from 'mobx-miniprogram';
import { ComponentWithStore } from 'mobx-miniprogram-bindings';
import type { JobItem } from '../../../typings/api';
import { jobsStore, type JobView } from '../../stores/jobs';

/** Problem rows added per "显示更多". */
const PAGE = 20;

interface ProblemRow {
  iccid: string;
  outcome: string;
  outcomeTag: 'danger' | 'warning' | 'default';
  message: string;
}

function problemRow(item: JobItem): ProblemRow {
  return {
    iccid: item.iccid,
    outcome: item.outcome === 'failed' ? '失败' : item.outcome === 'skipped' ? '跳过' : '处理中',
    outcomeTag: item.outcome === 'failed' ? 'danger' : item.outcome === 'skipped' ? 'warning' : 'default',
    message: item.message ?? '',
  };
}

interface Own {
  jobId: string;
  shown: number;
  problems: JobItem[];
  dispose: (() => void) | null;
}
const own = (page: unknown) => page as Own;

ComponentWithStore({
  storeBindings: {
    store: jobsStore,
    fields: {
      job: () => jobsStore.currentView,
      following: () => jobsStore.following,
      pollError: () => jobsStore.pollError,
      error: () => jobsStore.currentError,
      forbidden: () => jobsStore.currentForbidden,
    },
    actions: [],
    structuralComparison: true,
  },
  data: {
    job: null as JobView | null,
    following: false,
    pollError: '',
    error: '',
    forbidden: false,
    problems: [] as ProblemRow[],
    problemTotal: 0,
  },
  lifetimes: {
    attached() {
      Object.assign(own(this), { jobId: '', shown: PAGE, problems: [], dispose: null });
      own(this).dispose = reaction(
        () => jobsStore.current?.problems ?? [],
        (problems) => this.showProblems(problems),
        { fireImmediately: true },
      );
    },
    detached() {
      own(this).dispose?.();
      jobsStore.stopFollowing();
    },
  },
  methods: {
    onLoad(options: Record<string, string | undefined>) {
      const jobId = decodeURIComponent(options.jobId ?? '');
      own(this).jobId = jobId;
      if (!jobId) return;
      void jobsStore.follow(jobId);
    },
    onShow() {
      // Back from elsewhere: pick the polling up again if the job was still running.
      const { jobId } = own(this);
      if (jobId && !jobsStore.following && jobsStore.current?.id === jobId && jobsStore.current.state !== 'done') {
        void jobsStore.follow(jobId);
      }
    },
    onHide() {
      jobsStore.stopFollowing();
    },
    onUnload() {
      jobsStore.stopFollowing();
    },
    onRetry() {
      if (own(this).jobId) void jobsStore.follow(own(this).jobId);
    },

    /** Sends only the rows that changed among those shown (the list grows as the job runs). */
    showProblems(problems: JobItem[]) {
      const self = own(this);
      const before = self.problems;
      self.problems = problems;
      const patch: Record<string, unknown> = {};
      const shown = Math.min(self.shown, problems.length);
      for (let i = 0; i < shown; i++) {
        const item = problems[i];
        const old = before[i];
        if (!old || old.iccid !== item.iccid || old.outcome !== item.outcome || old.message !== item.message) {
          patch[`problems[${i}]`] = problemRow(item);
        }
      }
      if (shown < this.data.problems.length) patch.problems = problems.slice(0, shown).map(problemRow);
      if (problems.length !== this.data.problemTotal) patch.problemTotal = problems.length;
      if (Object.keys(patch).length) this.setData(patch);
    },
    onMoreProblems() {
      const self = own(this);
      const from = self.shown;
      self.shown += PAGE;
      const patch: Record<string, ProblemRow> = {};
      self.problems.slice(from, self.shown).forEach((item, i) => (patch[`problems[${from + i}]`] = problemRow(item)));
      this.setData(patch);
    },
    onCopyIccid(event: { currentTarget: { dataset: { iccid: string } } }) {
      wx.setClipboardData({ data: event.currentTarget.dataset.iccid });
    },
  },
});
