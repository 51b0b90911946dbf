import * as os from "os";
import * as path from "path";
import { runLocal } from "../loadtest/harness/run-local";

/**
 * A drill on the real local platform (3 KRaft controllers, 3 Kafka 4.2
 * brokers, the gateway with its idempotent producer), end to end through the
 * report a user reads. CI runs every drill for a minute through the CLI too
 * (.ci/run); this one asserts the report's content.
 */
jest.setTimeout(480_000);

test("broker SIGKILL at 3x load: the report shows the fault, the recovery, and an audit with nothing lost or duplicated", async () => {
  const report = await runLocal({
    minutes: 0.5,
    eventsPerDay: 300_000_000,
    peakFactor: 3,
    batchSize: 100,
    partitions: 12,
    cluster: "real",
    drill: "broker-kill",
    resultsDir: path.join(os.tmpdir(), "kit-loadtest-results"),
    quiet: true,
  });
  expect(report.kind).toMatch(/real Apache Kafka 4\.2\.0 brokers/);
  expect(report.gateway.idempotence).toBe("on");
  expect(report.realDrill?.events.map((e) => e.what)).toEqual([
    expect.stringMatching(/^SIGKILL broker 2/),
    "broker 2 restarted",
    expect.stringMatching(/^every partition in sync again/),
  ]);
  expect(report.realDrill?.healed).toBe(true);
  expect(report.acknowledged).toBeGreaterThan(50_000);
  expect(report.consumed).toBe(report.acknowledged);
  expect(report.lost).toBe(0);
  expect(report.duplicated).toBe(0);
});
