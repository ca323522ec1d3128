// Turns what the card platform answered into an application error a fleet manager understands.
import { AppError } from '../runtime/errors';

export interface PlatformErrorBody {
  code?: number | string;
  name?: string;
  message?: string;
}

const BUSINESS: Record<number, { code: 'INVALID_ARGUMENT' | 'NOT_FOUND'; message: string }> = {
  10000: { code: 'NOT_FOUND', message: '接收人账户不存在，请核对接收人的账号后再试。' },
  10001: { code: 'INVALID_ARGUMENT', message: '请至少选择一张卡。' },
  10002: { code: 'INVALID_ARGUMENT', message: '到期时间必须晚于现在，请重新选择到期时间。' },
  10003: { code: 'INVALID_ARGUMENT', message: '今天生成的充值卡已达上限（每天 99,999,999 张），请明天再试。' },
};

/** Chinese text from the platform may be shown; anything else is replaced by our own sentence. */
function readable(message: string | undefined): string | undefined {
  return message && /[\u4e00-\u9fff]/.test(message) && message.length <= 120 ? message : undefined;
}

export function platformError(status: number, body: PlatformErrorBody | undefined): AppError {
  const business = typeof body?.code === 'number' ? BUSINESS[body.code] : undefined;
  if (status === 422 && business) {
    return new AppError(business.code, business.message, { platformCode: body?.code });
  }
  switch (status) {
    case 400:
    case 422: {
      const said = readable(body?.message);
      return new AppError(
        'PLATFORM_REJECTED',
        said ? `卡平台拒绝了该请求：${said}` : undefined,
        typeof body?.code === 'number' ? { platformCode: body.code } : undefined,
      );
    }
    case 401:
      return new AppError('PLATFORM_AUTH');
    case 403:
      return new AppError('PLATFORM_FORBIDDEN');
    case 404:
      return new AppError(
        'NOT_FOUND',
        readable(body?.message) ? `卡平台：${readable(body?.message)}` : '卡平台上没有找到这条记录，请核对卡号。',
      );
    case 429:
      return new AppError('PLATFORM_BUSY');
    default:
      return new AppError('PLATFORM_UNAVAILABLE');
  }
}

export const timeoutError = () => new AppError('PLATFORM_UNAVAILABLE', '卡平台响应超时，请稍后重试。');
export const unreachableError = () => new AppError('PLATFORM_UNAVAILABLE', '连接不上卡平台，请稍后重试。');
