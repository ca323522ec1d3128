// jsdom for the pages, plus Node's own network globals for the dev stack that runs in the same test
// (jsdom has no fetch, and its AbortSignal is not one Node's fetch accepts).
const { TestEnvironment } = require('jest-environment-jsdom');

const NODE_GLOBALS = [
  'fetch',
  'Headers',
  'Request',
  'Response',
  'AbortController',
  'AbortSignal',
  'TextEncoder',
  'TextDecoder',
  'setImmediate',
  'clearImmediate',
  'structuredClone',
];

class MiniprogramEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of NODE_GLOBALS) this.global[name] = globalThis[name];
  }
}

module.exports = MiniprogramEnvironment;
