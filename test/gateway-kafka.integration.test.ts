import * as http from "http";
import * as os from "os";
import * as path from "path";
import { TOPIC_CATALOG } from "../domain/event-catalog";
import { startGateway, RunningGateway } from "../local/gateway-process";
import { MockKafkaCluster } from "../local/mock-cluster";
import { runLocal } from "../loadtest/harness/run-local";
import { Verifier } from "../loadtest/harness/verifier";
import { DEFAULT_GENERATOR, EventGenerator, seededRandom } from "../loadtest/profile/load-profile";

/**
 * The real gateway process against librdkafka's mock cluster (a real
 * Kafka-protocol peer), with a verifier consumer group reading the topics.
 */
jest.setTimeout(180_000);

const EVENT_TOPICS = TOPIC_CATALOG.filter((t) => t.category).map((t) => t.name);

async function clusterWithTopics(): Promise<MockKafkaCluster> {
  const cluster = await MockKafkaCluster.start(3);
  for (const t of TOPIC_CATALOG) await cluster.createTopic(t.name, t.partitions ?? 6, 3);
  return cluster;
}

/** POST with a raw body and content type; resolves with the status (or "error"). */
function rawPost(url: string, body: Buffer | string, contentType: string, agent: http.Agent): Promise<number | "error"> {
  return new Promise((resolve) => {
    const req = http.request(
      `${url}/v1/events`,
      { method: "POST", agent, headers: { "content-type": contentType, "content-length": Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", () => resolve("error"));
    req.end(body);
  });
}

describe("gateway to Kafka (mock cluster)", () => {
  let cluster: MockKafkaCluster;
  let gateway: RunningGateway;
  let verifier: Verifier;

  beforeAll(async () => {
    cluster = await clusterWithTopics();
    gateway = await startGateway(cluster.bootstrapServers, { MAX_BODY_BYTES: String(256 * 1024), MAX_EVENT_BYTES: String(16 * 1024) });
    verifier = new Verifier(cluster.bootstrapServers, EVENT_TOPICS, "consumers.test-verifier");
    await verifier.start();
  });
  afterAll(async () => {
    await verifier?.stop();
    await gateway?.stop();
    await cluster?.stop();
  });

  test("5,000 events in 50 requests: every acknowledged event is consumed, on the topic of its category", async () => {
    const gen = new EventGenerator({ ...DEFAULT_GENERATOR, seed: 7, runId: "it" });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const acked: string[] = [];
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const events = gen.batch(100, Date.now());
        const status = await rawPost(gateway.url, JSON.stringify(events), "application/json", agent);
        expect(status).toBe(202);
        acked.push(...events.map((e) => e.eventId));
      }),
    );
    agent.destroy();
    await verifier.waitFor(acked, 60_000);
    expect(acked.filter((id) => !verifier.deliveries.has(id))).toEqual([]);
    // These bytes went through the pooled kafkajs encoder, as in production.
    expect(gateway.output()).toContain('"kafkaEncoder":"installed"');
  });

  test("fuzz: 10,000 random and mutated bodies never crash the gateway or get a 5xx; good events sent among them all arrive", async () => {
    const rand = seededRandom(20261122);
    const gen = new EventGenerator({ ...DEFAULT_GENERATOR, bytesPerEvent: 300, seed: 99, runId: "fz" });
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
    const validBody = () => JSON.stringify(gen.batch(1 + Math.floor(rand() * 5), Date.now()));
    const mutate = (s: string) => {
      const b = Buffer.from(s);
      const ops = 1 + Math.floor(rand() * 4);
      let out = b;
      for (let i = 0; i < ops; i++) {
        const at = Math.floor(rand() * out.length);
        const op = Math.floor(rand() * 5);
        if (op === 0)
          out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1)]); // delete a byte
        else if (op === 1)
          out = Buffer.concat([out.subarray(0, at), Buffer.from([Math.floor(rand() * 256)]), out.subarray(at)]); // insert any byte
        else if (op === 2)
          out = out.subarray(0, at); // truncate
        else if (op === 3)
          out = Buffer.concat([out, out.subarray(0, at)]); // duplicate a prefix
        else {
          out = Buffer.from(out);
          out[at] = pick([0x22, 0x5b, 0x5d, 0x7b, 0x7d, 0x2c, 0x3a, 0x00, 0xff]);
        } // structural byte
      }
      return out;
    };
    const schemaBreakers: ((e: Record<string, unknown>) => void)[] = [
      (e) => delete e.eventId,
      (e) => (e.type = pick(["", "User_Action", 7, null, ["user_action"]])),
      (e) => (e.userId = pick(["", 42, "u".repeat(500)])),
      (e) => (e.timestamp = pick(["yesterday", -1, 1e20, "2026-13-45T99:99:99Z", {}])),
      (e) => (e.payload = pick([null, "text", [1], 3])),
      (e) => (e.payload = { blob: "z".repeat(20_000) }),
      (e) => (e[pick(["__proto__x", "constructor", "extra"])] = 1),
      (e) => (e.eventId = "bad id with spaces"),
    ];
    const badJson = () => {
      const events: Record<string, unknown>[] = gen.batch(1 + Math.floor(rand() * 3), Date.now()) as unknown as Record<string, unknown>[];
      pick(schemaBreakers)(pick(events));
      return JSON.stringify(pick([events, { events }, { events: "nope" }, events[0], [events, events], 12, "[]", null]));
    };
    const randomBytes = () => Buffer.from(Array.from({ length: Math.floor(rand() * 3000) }, () => Math.floor(rand() * 256)));

    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const statuses: Record<string, number> = {};
    const goodIds: string[] = [];
    const badFiveXx: string[] = [];
    const total = 10_000;
    let next = 0;
    const worker = async () => {
      while (next < total) {
        const i = next++;
        if (i % 50 === 0) {
          // A good request among the garbage: it must be acknowledged and arrive.
          const events = gen.batch(10, Date.now());
          const status = await rawPost(gateway.url, JSON.stringify(events), "application/json", agent);
          expect(status).toBe(202);
          goodIds.push(...events.map((e) => e.eventId));
          continue;
        }
        const kind = i % 5;
        const body =
          kind === 0
            ? randomBytes()
            : kind === 1
              ? mutate(validBody())
              : kind === 2
                ? badJson()
                : kind === 3
                  ? mutate(badJson())
                  : Buffer.alloc(300 * 1024, pick(["[", "{", "a"]));
        const type =
          rand() < 0.9
            ? "application/json"
            : pick(["application/x-ndjson", "text/plain", "application/json; charset=utf-8", "multipart/form-data"]);
        const status = await rawPost(gateway.url, body, type, agent);
        statuses[status] = (statuses[status] ?? 0) + 1;
        // A mutation can still be a valid batch (202); anything else must be a 4xx.
        if (status === "error" || status >= 500) badFiveXx.push(`${status} for ${Buffer.from(body).subarray(0, 80).toString("hex")}`);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    agent.destroy();

    expect(badFiveXx).toEqual([]);
    expect(Object.keys(statuses).every((s) => s === "202" || /^4\d\d$/.test(s))).toBe(true);
    expect(statuses["400"]).toBeGreaterThan(1000);
    expect(statuses["413"]).toBeGreaterThan(100);
    expect(statuses["415"]).toBeGreaterThan(100);
    expect(gateway.process.exitCode).toBeNull();
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    await verifier.waitFor(goodIds, 60_000);
    expect(goodIds.filter((id) => !verifier.deliveries.has(id))).toEqual([]);
  });
});

describe("Kafka outages and shutdown", () => {
  test("all brokers down: readiness false and 503; back up: ready and accepting again", async () => {
    const cluster = await clusterWithTopics();
    const gateway = await startGateway(cluster.bootstrapServers, { PRODUCE_TIMEOUT_MS: "3000" });
    try {
      for (const b of [1, 2, 3]) await cluster.command(`down ${b}`);
      const batch = () =>
        JSON.stringify(new EventGenerator({ ...DEFAULT_GENERATOR, seed: Date.now() & 0xffff, runId: "out" }).batch(5, Date.now()));
      const first = await fetch(`${gateway.url}/v1/events`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: batch(),
      });
      expect(first.status).toBe(503); // not acknowledged: never 202
      let ready = 200;
      for (let i = 0; i < 40 && ready === 200; i++) {
        ready = (await fetch(`${gateway.url}/readyz`)).status;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(ready).toBe(503);
      const refused = await fetch(`${gateway.url}/v1/events`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: batch(),
      });
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("1");

      for (const b of [1, 2, 3]) await cluster.command(`up ${b}`);
      for (let i = 0; i < 60 && ready !== 200; i++) {
        await new Promise((r) => setTimeout(r, 250));
        ready = (await fetch(`${gateway.url}/readyz`)).status;
      }
      expect(ready).toBe(200);
      const ok = await fetch(`${gateway.url}/v1/events`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: batch(),
      });
      expect(ok.status).toBe(202);
    } finally {
      await gateway.stop();
      await cluster.stop();
    }
  });

  test("SIGTERM drains: the request in flight gets its 202, the process exits 0", async () => {
    const cluster = await clusterWithTopics();
    // A long linger keeps the request waiting on Kafka when the signal arrives.
    const gateway = await startGateway(cluster.bootstrapServers, { LINGER_MS: "800" });
    try {
      const events = new EventGenerator({ ...DEFAULT_GENERATOR, seed: 5, runId: "drain" }).batch(20, Date.now());
      const inflight = fetch(`${gateway.url}/v1/events`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(events),
      });
      await new Promise((r) => setTimeout(r, 200));
      const exit = gateway.stop("SIGTERM");
      expect((await inflight).status).toBe(202);
      expect(await exit).toBe(0);
      expect(gateway.output()).toContain('"msg":"drained"');
    } finally {
      await gateway.stop();
      await cluster.stop();
    }
  });
});

describe("failover drill (short local run)", () => {
  // The run bounds its own waits: 24 s of load, the live verifier (60 s at most), the audit (300 s at most, or
  // 30 s without progress), each consumer's stop (10 s): the test may take as long as the run may.
  test("a broker goes down and its leadership moves during load: nothing acknowledged is lost", async () => {
    const report = await runLocal({
      minutes: 0.4,
      eventsPerDay: 1500 * 86_400,
      peakFactor: 2,
      batchSize: 50,
      partitions: 6,
      cluster: "mock",
      drill: "broker-failover",
      resultsDir: path.join(os.tmpdir(), "kit-loadtest-results"),
      quiet: true,
    });
    expect(report.drill?.leadersMoved).toBeGreaterThan(0);
    expect(report.acknowledged).toBeGreaterThan(10_000);
    expect(report.lost).toBe(0);
    expect(report.consumed).toBe(report.acknowledged);
  }, 480_000);
});
