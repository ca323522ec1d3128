import { payNotifyHttpEvent } from '../shared/functions/pay-notify';
import { cloudDeps } from '../shared/runtime/cloud';

// HTTP-triggered (云开发 HTTP 访问服务): its address is PAY_NOTIFY_URL, given to the platform with each payment.
export const main = (event: unknown): Promise<unknown> => payNotifyHttpEvent(event, cloudDeps());
