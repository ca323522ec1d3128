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
}

export const config: AppConfig = {
  transport: 'http',
  cloudEnv: '',
  devHost: 'http://127.0.0.1:8080',
  devOpenid: 'dev-manager',
};

/** Tests and the dev identity switcher change the configuration at run time. */
export function configure(patch: Partial<AppConfig>): void {
  Object.assign(config, patch);
}
