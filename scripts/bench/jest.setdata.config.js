// The mini-program project of jest.config.js, matching only *.bench.ts: `npm run bench` runs the setData
// figure with it, and `npm test` (which matches *.test.ts) never does.
const { resolve } = require('node:path');
const base = require('../../jest.config.js');

const miniprogram = base.projects.find((p) => p.displayName === 'miniprogram');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: resolve(__dirname, '../..'),
  testTimeout: 240000,
  maxWorkers: 1,
  projects: [{ ...miniprogram, rootDir: resolve(__dirname, '../..'), testMatch: ['**/*.bench.ts'] }],
};
