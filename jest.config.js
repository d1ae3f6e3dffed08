/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // tsconfig's isolatedModules makes ts-jest only transpile, which is fast; `npm run lint` type-checks.
    '^.+\\.ts$': 'ts-jest',
  },
  // Builds dist/cli.js, which the end-to-end tests run through bin/cleaner.mjs, once before the workers start.
  globalSetup: '<rootDir>/test/support/build-cli.ts',
  setupFiles: ['<rootDir>/test/support/env.ts'],
  setupFilesAfterEnv: ['aws-cdk-lib/testhelpers/jest-autoclean'],
  testTimeout: 30000,
};
