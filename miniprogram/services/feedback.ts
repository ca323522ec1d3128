// Every failure ends in a visible Chinese sentence, and every loading state ends.
import { CallError } from './gateway';

/** The sentence to show for any error; never a stack or a bare code. */
export function messageOf(error: unknown): string {
  if (error instanceof CallError) return error.message;
  return '操作没有完成，请稍后重试。';
}

/** Short messages as a toast; long ones (which say what to do) as a dialog the user must read. */
export function showError(error: unknown): void {
  const message = messageOf(error);
  if (message.length <= 14) {
    wx.showToast({ title: message, icon: 'none', duration: 2500 });
  } else {
    wx.showModal({ title: '提示', content: message, showCancel: false, confirmText: '知道了' });
  }
}

/** Runs `task` with a loading indicator that always closes; a failure is shown and rethrown as undefined. */
export async function withLoading<T>(title: string, task: () => Promise<T>): Promise<T | undefined> {
  wx.showLoading({ title, mask: true });
  try {
    return await task();
  } catch (error) {
    wx.hideLoading();
    showError(error);
    return undefined;
  } finally {
    wx.hideLoading();
  }
}
