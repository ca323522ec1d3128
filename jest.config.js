// Suites talk to real servers on loopback: run them in Node, one worker per core. Mini-program suites
// (test/miniprogram) render real pages with miniprogram-simulate in jsdom, against the real dev host.
const transform = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] };

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 30000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
  projects: [
    {
      displayName: 'backend',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/miniprogram/'],
      transform,
    },
    {
      displayName: 'miniprogram',
      testEnvironment: '<rootDir>/test/miniprogram/environment.js',
      roots: ['<rootDir>/test/miniprogram'],
      testMatch: ['**/*.test.ts'],
      transform,
      globalSetup: '<rootDir>/test/miniprogram/global-setup.ts',
      setupFiles: ['<rootDir>/test/miniprogram/setup.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/miniprogram/after-env.ts'],
    },
  ],
};
