// The CloudBase entry: identity from the WeChat context, the store on the CloudBase database.
import * as cloud from 'wx-server-sdk';
import { configFromEnv, missingSettings } from '../config';
import { buildDeps } from '../deps';
import { subscribeMessageSender } from '../services/alert-senders';
import { CloudbaseStore, type CloudbaseDatabase } from '../store/cloudbase';
import type { Deps, FunctionHandler } from './handler';
import { toEnvelopeError } from './handler';

let deps: Deps | undefined;

function instanceDeps(): Deps {
  if (!deps) {
    cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV as unknown as string });
    // The dev identity header never applies in the cloud, whatever the environment says.
    const config = { ...configFromEnv(process.env), devMode: false };
    const missing = missingSettings(config);
    if (missing.length) console.error(`云函数缺少环境变量: ${missing.join(', ')}`);
    deps = {
      ...buildDeps(config, new CloudbaseStore(cloud.database() as unknown as CloudbaseDatabase)),
      alertSender: subscribeMessageSender((request) => cloud.openapi.subscribeMessage.send(request), config),
    };
  }
  return deps;
}

/** `exports.main` of a function that the mini-program calls with wx.cloud.callFunction. */
export function cloudMain(name: string, handler: FunctionHandler) {
  return async (event: unknown): Promise<unknown> => {
    try {
      const { OPENID } = cloud.getWXContext();
      return await handler(event, { openid: OPENID ? String(OPENID) : undefined }, instanceDeps());
    } catch (error) {
      return toEnvelopeError(error, name);
    }
  };
}

/** Deps for timer- and HTTP-triggered functions, which have no caller. */
export function cloudDeps(): Deps {
  return instanceDeps();
}
