import * as http from "http";
import { TOPIC_CATALOG } from "../domain/event-catalog";
import { GATEWAY_BASE_MIB, GATEWAY_BYTES_PER_BODY_BYTE } from "../domain/ingest-gateway-sizing";
import { processPeakRssMiB, startGateway, RunningGateway } from "../local/gateway-process";
import { MockKafkaCluster } from "../local/mock-cluster";
import { auditAcknowledged } from "../loadtest/harness/audit";
import { DEFAULT_GENERATOR, EventGenerator } from "../loadtest/profile/load-profile";

/**
 * Admission control of the real gateway process against librdkafka's mock
 * cluster: a burst beyond the limit, and a flood of large bodies.
 * KIT_GATEWAY_ENTRY runs another build's compiled gateway (to show these
 * tests failing on a gateway without admission control).
 */
jest.setTimeout(240_000);

const EVENT_TOPICS = TOPIC_CATALOG.filter((t) => t.category).map((t) => t.name);
const entry = process.env.KIT_GATEWAY_ENTRY;

function post(url: string, body: Buffer, agent: http.Agent): Promise<{ status: number; retryAfter?: string }> {
  return new Promise((resolve) => {
    const req = http.request(
      `${url}/v1/events`,
      { method: "POST", agent, headers: { "content-type": "application/json", "content-length": body.length } },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers["retry-after"] as string | undefined }));
      },
    );
    req.on("error", () => resolve({ status: 0 }));
    req.end(body);
  });
}

describe("gateway admission control (mock cluster)", () => {
  let cluster: MockKafkaCluster;
  const gateways: RunningGateway[] = [];

  beforeAll(async () => {
    cluster = await MockKafkaCluster.start(3);
    for (const t of TOPIC_CATALOG) await cluster.createTopic(t.name, t.partitions ?? 6, 3);
  });
  afterAll(async () => {
    for (const g of gateways) await g.stop();
    await cluster?.stop();
  });

  test("a burst beyond the limit gets 429 with Retry-After, and every accepted event lands (audit: lost 0)", async () => {
    const gateway = await startGateway(cluster.bootstrapServers, { MAX_INFLIGHT_REQUESTS: "4", RETRY_AFTER_SECONDS: "2" }, { entry });
    gateways.push(gateway);
    const gen = new EventGenerator({ ...DEFAULT_GENERATOR, seed: 5, runId: "burst" });
    const batches = Array.from({ length: 150 }, () => gen.batch(100, Date.now()));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 150 });
    const answers = await Promise.all(batches.map((b) => post(gateway.url, Buffer.from(JSON.stringify(b)), agent)));
    agent.destroy();

    const refused = answers.filter((a) => a.status === 429);
    const acceptedIds = new Set(batches.filter((_, i) => answers[i].status === 202).flatMap((b) => b.map((e) => e.eventId)));
    const refusedIds = new Set(batches.filter((_, i) => answers[i].status === 429).flatMap((b) => b.map((e) => e.eventId)));
    expect(answers.every((a) => a.status === 202 || a.status === 429)).toBe(true);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((a) => a.retryAfter === "2")).toBe(true);
    expect(acceptedIds.size).toBeGreaterThan(0);

    const audit = await auditAcknowledged({
      bootstrap: cluster.bootstrapServers,
      topics: EVENT_TOPICS,
      groupId: "consumers.audit-burst",
      acknowledged: acceptedIds,
      timeoutMs: 60_000,
    });
    expect(audit.completeness.complete).toBe(true);
    expect(audit.lost).toBe(0);
    // A refused request was never read, so none of its events reached Kafka.
    expect([...refusedIds].filter((id) => audit.reader.deliveries.has(id))).toEqual([]);
    // The audit read exactly what was accepted: every record in the log is an accepted event.
    expect(audit.completeness.recordsRead).toBe(acceptedIds.size);
  });

  test("a flood of large bodies does not grow the gateway past its memory bound", async () => {
    // 64 clients, each sending 3 MiB bodies back to back for 8 s: 192 MiB of bodies in flight if all were taken.
    const boundBytes = 16 * 2 ** 20;
    const gateway = await startGateway(
      cluster.bootstrapServers,
      { MAX_INFLIGHT_BYTES: String(boundBytes), MAX_BODY_BYTES: String(4 * 2 ** 20), NODE_OPTIONS: "--max-old-space-size=384" },
      { entry },
    );
    gateways.push(gateway);
    const gen = new EventGenerator({ ...DEFAULT_GENERATOR, seed: 9, runId: "flood" });
    const pad = "x".repeat(3000);
    const body = Buffer.from(JSON.stringify(gen.batch(1000, Date.now()).map((e) => ({ ...e, payload: { ...e.payload, pad } }))));
    expect(body.length).toBeGreaterThan(3 * 2 ** 20);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const statuses: Record<number, number> = {};
    const end = Date.now() + 8000;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (Date.now() < end) {
          const { status } = await post(gateway.url, body, agent);
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
      }),
    );
    agent.destroy();
    const peak = processPeakRssMiB(gateway.process.pid)!;
    const model = GATEWAY_BASE_MIB + (boundBytes * GATEWAY_BYTES_PER_BODY_BYTE) / 2 ** 20;
    expect(statuses[202]).toBeGreaterThan(0);
    expect(statuses[429]).toBeGreaterThan(0);
    // The sizing model (domain/ingest-gateway-sizing.ts) holds: base + bound x bytes-per-body-byte.
    expect(Math.round(peak)).toBeLessThanOrEqual(model);
  });
});
