import { execFileSync } from "child_process";
import * as path from "path";

/**
 * The pooled kafkajs encoder installed the way the gateway installs it (from
 * the compiled tree, before kafkajs loads) must encode whole produce requests
 * to the same bytes as kafkajs's own. The encoder-level comparisons are in
 * kafkajs-pooled-encoder.test.ts.
 */
test("whole produce requests (v3 and v7; none, gzip, LZ4 and zstd; headers; idempotent fields) encode to the same bytes with the pooled encoder installed", () => {
  // Separate processes: the encoder is chosen when kafkajs loads, and Jest's module loader has no require.cache.
  const script = path.join(__dirname, "fixtures", "encode-produce-requests.js");
  const run = (env: Record<string, string>) =>
    JSON.parse(execFileSync(process.execPath, [script], { env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 }).toString()) as {
      status: string;
      requests: string[];
    };
  const pooled = run({});
  const stock = run({ KAFKAJS_POOLED_ENCODER: "off" });
  expect(pooled.status).toBe("installed");
  expect(stock.status).toBe("skipped: KAFKAJS_POOLED_ENCODER=off");
  expect(pooled.requests).toHaveLength(80);
  pooled.requests.forEach((hex, i) => {
    if (hex !== stock.requests[i]) throw new Error(`request ${i}: pooled and stock encodings differ`);
  });
});
