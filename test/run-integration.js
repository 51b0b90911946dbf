// `npm run test:integration`: Jest with the integration config, judged by its test results.
// One known exception to Jest's exit code: a kafkajs consumer that stalled after a mock-cluster failover
// (issue 11) can still be leaving its group after its test file ended; kafkajs then loads a module after
// Jest tore that file's environment down, and Jest sets exit code 1 although every test passed. That
// case, and only that case, is reported and not counted; any failed test or suite still fails the run.
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const results = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "jest-it-")), "results.json");
const jest = path.join(__dirname, "..", "node_modules", "jest", "bin", "jest.js");
const run = spawnSync(
  process.execPath,
  [jest, "--ci", "-c", "jest.integration.config.js", "--json", `--outputFile=${results}`, ...process.argv.slice(2)],
  {
    stdio: ["inherit", "inherit", "pipe"],
    encoding: "utf8",
  },
);
process.stderr.write(run.stderr ?? "");
if (run.status === 0) process.exit(0);
let r;
try {
  r = JSON.parse(fs.readFileSync(results, "utf8"));
} catch {
  process.exit(run.status ?? 1);
}
const lateLoad = /You are trying to `import` a file after the Jest environment has been torn down/.test(run.stderr ?? "");
const allPassed = r.numFailedTests === 0 && r.numFailedTestSuites === 0 && r.numRuntimeErrorTestSuites === 0 && r.numPassedTests > 0;
if (lateLoad && allPassed) {
  console.log(
    `test:integration: all ${r.numPassedTests} tests passed; Jest's exit code 1 came from a kafkajs consumer leaving its group after its test file ended (see above), not counted`,
  );
  process.exit(0);
}
process.exit(run.status ?? 1);
