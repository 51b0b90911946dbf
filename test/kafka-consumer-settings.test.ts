import * as fs from "fs";
import * as path from "path";
import { KIT_CONSUMER_SETTINGS, kitConsumerConfig } from "../domain/kafka-consumer-settings";

describe("the kit's consumer settings (domain/kafka-consumer-settings.ts)", () => {
  test("hold Kafka's rules: heartbeat at most a third of the session; session at least the brokers' 6 s minimum", () => {
    const s = KIT_CONSUMER_SETTINGS;
    expect(s.heartbeatInterval * 3).toBeLessThanOrEqual(s.sessionTimeout);
    expect(s.sessionTimeout).toBeGreaterThanOrEqual(6000);
    expect(s.rebalanceTimeout).toBeGreaterThanOrEqual(s.sessionTimeout);
    expect(kitConsumerConfig("g")).toEqual({ groupId: "g", ...s });
  });
  test("the retry budget gives up (and kafkajs restarts the consumer) well within the 10 s target", () => {
    const { retries, initialRetryTime, maxRetryTime } = KIT_CONSUMER_SETTINGS.retry;
    let total = 0;
    for (let i = 0, t = initialRetryTime; i < retries; i++, t = Math.min(t * 2, maxRetryTime)) total += t * 1.2;
    expect(total + maxRetryTime).toBeLessThan(3000);
  });

  test("every kafkajs consumer in the kit is built from them", () => {
    const root = path.join(__dirname, "..");
    const skip = new Set(["node_modules", "dist", "cdktf.out", ".cache", ".git", "build", "coverage"]);
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        if (skip.has(e.name)) continue;
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.(ts|js)$/.test(e.name) && p !== __filename) files.push(p);
      }
    };
    walk(root);
    const calls = files.flatMap((f) =>
      [...fs.readFileSync(f, "utf8").matchAll(/\.consumer\(([^)]*)\)/g)].map((m) => ({ file: path.relative(root, f), args: m[1] })),
    );
    expect(calls.length).toBeGreaterThanOrEqual(2); // the verifier and the local platform's integration test
    expect(calls.filter((c) => !/^kitConsumerConfig\(/.test(c.args.trim()))).toEqual([]);
  });
});
