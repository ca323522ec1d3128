// Where the mini-program sends its calls. In WeChat: the cloud functions of `cloudEnv`. In development
// (WeChat DevTools against `npm start`, and the tests): the dev functions host over HTTP, as `devOpenid`.
// No secret belongs here: the backend holds every one.

export interface AppConfig {
  transport: 'cloud' | 'http';
  /** CloudBase environment id (云开发环境 ID). */
  cloudEnv: string;
  /** The dev functions host (`npm start`). */
  devHost: string;
  /** Dev identity sent as x-openid: dev-manager, dev-driver, dev-staff, or any stranger. */
  devOpenid: string;
  /**
   * Subscribe-message template ids (微信公众平台 → 订阅消息; public, not secrets) for 流量不足, 卡片停机 and
   * 支付成功; the backend's ALERT_TEMPLATE_* must name the same ones. Empty in development: no templates.
   */
  alertTemplates: { lowData: string; stopped: string; paid: string };
}

export const config: AppConfig = {
  transport: 'http',
  cloudEnv: '',
  devHost: 'http://127.0.0.1:8080',
  devOpenid: 'dev-manager',
  alertTemplates: { lowData: '', stopped: '', paid: '' },
};

/** Tests and the dev identity switcher change the configuration at run time. */
export function configure(patch: Partial<AppConfig>): void {
  Object.assign(config, patch);
}
