// Builds what actions use from the configuration and a store: once per function instance.
import type { Config } from './config';
import { PlatformClient } from './platform/client';
import type { TokenHolderOptions } from './platform/token-holder';
import type { Deps } from './runtime/handler';
import type { Store } from './store/store';

export function buildDeps(config: Config, store: Store, holderOptions?: TokenHolderOptions): Deps {
  return { config, store, platform: new PlatformClient(config.platform, store, holderOptions), now: Date.now };
}
