// Preloaded (node -r) by the functions figure: `require('wx-server-sdk')` answers this stand-in, so a
// bundle's cold require time is the bundle's own, not the SDK's (measured apart).
const Module = require('node:module');

const stub = {
  DYNAMIC_CURRENT_ENV: Symbol('DYNAMIC_CURRENT_ENV'),
  init() {},
  getWXContext: () => ({}),
  database() {
    throw new Error('wx-server-sdk stub: no database in the bench');
  },
  openapi: {},
};
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === 'wx-server-sdk' ? stub : load.call(this, request, ...rest);
};
