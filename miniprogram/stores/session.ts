// Who is using the app: their membership and role, learned at launch.
import { makeAutoObservable, runInAction } from 'mobx-miniprogram';
import type { Member, Role } from '../../typings/api';
import { config } from '../config';
import { loginApi } from '../services/api';
import { messageOf } from '../services/feedback';
import { ROLE_NAMES } from '../utils/roles';

function wxLoginCode(): Promise<string> {
  return new Promise((resolve, reject) => wx.login({ success: (r) => resolve(r.code), fail: reject }));
}

export class SessionStore {
  member: Member | null = null;
  /** The launch login finished (whatever its outcome). */
  ready = false;
  /** Why the launch login failed, as a sentence; null when it did not. */
  error: string | null = null;

  constructor() {
    makeAutoObservable(this);
  }

  get role(): Role | null {
    return this.member?.role ?? null;
  }

  get isManager(): boolean {
    return this.role === 'manager';
  }

  /** The role in Chinese; 访客 for a WeChat user who belongs to no fleet. */
  get roleName(): string {
    return this.role ? ROLE_NAMES[this.role] : '访客';
  }

  /** Logs in: code2Session in WeChat; in development the dev host knows the caller by its header. */
  async start(): Promise<void> {
    try {
      const result =
        config.transport === 'cloud' ? await loginApi.login({ code: await wxLoginCode() }) : await loginApi.me({});
      runInAction(() => {
        this.member = result.member;
        this.error = null;
      });
    } catch (error) {
      runInAction(() => {
        this.error = messageOf(error);
      });
    } finally {
      runInAction(() => {
        this.ready = true;
      });
    }
  }

  setMember(member: Member | null): void {
    this.member = member;
  }
}

export const sessionStore = new SessionStore();
