// `npm run test:integration`: the tests that run the compiled gateway, the
// librdkafka mock cluster and the cdktf CLI as separate processes. The global
// setup builds dist/ and build/mock-cluster first.
const unit = require("./jest.config");

/** @type {import('jest').Config} */
module.exports = {
  ...unit,
  testMatch: ["**/*.integration.test.ts"],
  testPathIgnorePatterns: ["/node_modules/"],
  globalSetup: "<rootDir>/test/global-setup.js",
};
