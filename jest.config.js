/** Four layers, one command: `npm test` runs them all. */
const base = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/helpers/env.ts'],
};
module.exports = {
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...base,
      displayName: 'infra',
      testTimeout: 180_000,
      testMatch: ['<rootDir>/test/infra/**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/setup-python-env.ts',
    },
    {
      ...base,
      displayName: 'integration',
      testTimeout: 60_000,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/setup-python-env.ts',
    },
    {
      ...base,
      displayName: 'e2e',
      testTimeout: 180_000,
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/setup-python-env.ts',
    },
  ],
};
