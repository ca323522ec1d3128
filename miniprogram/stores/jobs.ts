// Batch jobs: the recent ones, and the one a manager is watching, polled while it runs with a delay that
// grows while nothing moves (and resets when it does), up to a bound.
import { makeAutoObservable, runInAction } from 'mobx-miniprogram';
import type { Job, JobDetail, JobKind, JobState } from '../../typings/api';
import { adminApi } from '../services/api';
import { messageOf } from '../services/feedback';
import { CallError } from '../services/gateway';
import { formatTime } from '../utils/format';

export const KIND_NAMES: Record<JobKind, string> = { stop: '批量停机', resume: '批量复机', tag: '批量设标签' };
export const JOB_STATE_NAMES: Record<JobState, string> = { queued: '排队中', running: '进行中', done: '已完成' };
export const JOB_STATE_TAG: Record<JobState, 'default' | 'primary' | 'success'> = {
  queued: 'default',
  running: 'primary',
  done: 'success',
};

/** Polling delays (ms): the first, the growth factor, the bound. */
export const POLL = { firstMs: 1000, factor: 1.6, maxMs: 8000 };

/** What a job row and the job header show. */
export interface JobView {
  id: string;
  kindName: string;
  state: JobState;
  stateName: string;
  stateTag: 'default' | 'primary' | 'success';
  total: number;
  done: number;
  succeeded: number;
  failed: number;
  skipped: number;
  percent: number;
  reason: string;
  tagsText: string;
  createdAt: string;
  finishedAt: string;
}

export function jobView(job: Job): JobView {
  return {
    id: job.id,
    kindName: KIND_NAMES[job.kind],
    state: job.state,
    stateName: JOB_STATE_NAMES[job.state],
    stateTag: JOB_STATE_TAG[job.state],
    total: job.total,
    done: job.done,
    succeeded: job.succeeded,
    failed: job.failed,
    skipped: Math.max(0, job.done - job.succeeded - job.failed),
    percent: job.total > 0 ? Math.floor((job.done / job.total) * 100) : 0,
    reason: job.reason,
    tagsText: job.tags.join('、'),
    createdAt: formatTime(job.createdAt),
    finishedAt: job.finishedAt ? formatTime(job.finishedAt) : '',
  };
}

const isForbidden = (error: unknown) => error instanceof CallError && error.code === 'FORBIDDEN';

export class JobsStore {
  jobs: Job[] = [];
  jobsLoading = false;
  jobsError = '';
  /** Not a manager: trying again cannot help. */
  jobsForbidden = false;

  /** The watched job, as last read. */
  current: JobDetail | null = null;
  /** The watched job could not be read at all. */
  currentError = '';
  currentForbidden = false;
  /** A refresh while following failed; the last progress stays on screen and polling goes on. */
  pollError = '';
  following = false;

  /** Polling bookkeeping, not observed. */
  private poll = { generation: 0, timer: null as ReturnType<typeof setTimeout> | null, delay: POLL.firstMs };

  constructor() {
    makeAutoObservable<JobsStore, 'poll'>(this, { poll: false });
  }

  get jobViews(): JobView[] {
    return this.jobs.map(jobView);
  }

  get currentView(): JobView | null {
    return this.current ? jobView(this.current) : null;
  }

  get anyRunning(): boolean {
    return this.jobs.some((job) => job.state !== 'done');
  }

  async loadJobs(): Promise<void> {
    this.jobsLoading = true;
    this.jobsError = '';
    this.jobsForbidden = false;
    try {
      const jobs = await adminApi.jobs({});
      runInAction(() => (this.jobs = jobs));
    } catch (error) {
      runInAction(() => {
        this.jobsError = messageOf(error);
        this.jobsForbidden = isForbidden(error);
      });
    } finally {
      runInAction(() => (this.jobsLoading = false));
    }
  }

  /** Reads the job now and keeps reading it until it is done or stopFollowing() is called. */
  async follow(jobId: string): Promise<void> {
    this.stopFollowing();
    const generation = this.poll.generation;
    if (this.current?.id !== jobId) this.current = null;
    this.currentError = '';
    this.currentForbidden = false;
    this.pollError = '';
    this.following = true;
    this.poll.delay = POLL.firstMs;
    await this.refresh(jobId, generation);
  }

  stopFollowing(): void {
    this.poll.generation += 1;
    if (this.poll.timer !== null) clearTimeout(this.poll.timer);
    this.poll.timer = null;
    this.following = false;
  }

  private async refresh(jobId: string, generation: number): Promise<void> {
    let job: JobDetail;
    try {
      job = await adminApi.job({ jobId });
    } catch (error) {
      if (generation !== this.poll.generation) return;
      runInAction(() => {
        if (this.current) this.pollError = `进度暂时没有刷新：${messageOf(error)}`;
        else {
          this.currentError = messageOf(error);
          this.currentForbidden = isForbidden(error);
        }
      });
      // Without the job itself (forbidden, not found) there is nothing to follow; otherwise try again later.
      if (this.current) this.schedule(jobId, generation, false);
      else runInAction(() => (this.following = false));
      return;
    }
    if (generation !== this.poll.generation) return;
    const moved = !this.current || this.current.done !== job.done || this.current.state !== job.state;
    const { problems: _problems, ...summary } = job;
    runInAction(() => {
      this.current = job;
      this.pollError = '';
      this.currentError = '';
      // Keep the list in step with what we just saw.
      this.jobs = this.jobs.map((listed) => (listed.id === job.id ? summary : listed));
    });
    if (job.state === 'done') {
      runInAction(() => (this.following = false));
      return;
    }
    this.schedule(jobId, generation, moved);
  }

  private schedule(jobId: string, generation: number, moved: boolean): void {
    const poll = this.poll;
    poll.delay = moved ? POLL.firstMs : Math.min(POLL.maxMs, Math.round(poll.delay * POLL.factor));
    poll.timer = setTimeout(() => {
      poll.timer = null;
      void this.refresh(jobId, generation);
    }, poll.delay);
  }
}

export const jobsStore = new JobsStore();
