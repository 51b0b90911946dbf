// `npm test`: the unit tests. No build step: ts-jest transpiles what each test
// imports, and the synth tests run main.ts from the sources in a child process.
// Tests that need the compiled tree (dist/), the librdkafka mock cluster
// (build/mock-cluster) or the cdktf CLI are named *.integration.test.ts and run
// with `npm run test:integration` (jest.integration.config.js).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "\\.integration\\.test\\.ts$"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  setupFilesAfterEnv: ["<rootDir>/test/setup.ts"],
  testTimeout: 60000,
};
