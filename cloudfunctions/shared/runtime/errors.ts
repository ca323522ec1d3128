// Application errors: a stable English code for programs, a Chinese sentence for people.

import type { ErrorCode } from '../../../typings/api';

export type { ErrorCode };

export const DEFAULT_MESSAGES: Record<ErrorCode, string> = {
  INVALID_ARGUMENT: '请求参数不正确，请检查后重试。',
  UNAUTHENTICATED: '登录已失效，请重新打开小程序。',
  FORBIDDEN: '你没有权限进行此操作，如需开通请联系车队管理员。',
  NOT_FOUND: '没有找到要查看的内容，请刷新后重试。',
  CONFLICT: '数据已被他人修改，请刷新后重试。',
  LOGIN_FAILED: '微信登录失败，请重新打开小程序再试。',
  INVITE_INVALID: '邀请码无效或已过期，请向管理员索取新的邀请码。',
  CARD_NOT_RESUMABLE: '该卡当前不能复机。',
  PLATFORM_UNAVAILABLE: '卡平台暂时无法访问，请稍后重试。',
  PLATFORM_BUSY: '卡平台繁忙，请稍等几秒后重试。',
  PLATFORM_AUTH: '卡平台认证失败，请联系管理员检查平台凭证配置。',
  PLATFORM_FORBIDDEN: '本应用没有卡平台的这项权限，请联系管理员在开放平台开通。',
  PLATFORM_REJECTED: '卡平台拒绝了该请求，请检查后重试。',
  INTERNAL: '服务暂时出错了，请稍后重试；如果一直出现，请联系管理员。',
};

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string = DEFAULT_MESSAGES[code],
    /** Extra data a page may use (e.g. the action that fixes a stopped card). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const forbidden = (message?: string) => new AppError('FORBIDDEN', message);
export const invalid = (message: string) => new AppError('INVALID_ARGUMENT', message);
export const notFound = (message?: string) => new AppError('NOT_FOUND', message);
