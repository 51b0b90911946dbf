import * as http from "http";
import { AddressInfo } from "net";
import { GatewayConfig, loadConfig } from "../services/ingest-gateway/src/config";
import { EventSink, TopicBatch } from "../services/ingest-gateway/src/kafka-sink";
import { GatewayMetrics } from "../services/ingest-gateway/src/metrics";
import { createGateway, Gateway } from "../services/ingest-gateway/src/server";

/**
 * HTTP contract tests. The sink here is a stand-in whose readiness, speed and
 * failures the test controls; the real Kafka path is covered by
 * gateway-kafka.integration.test.ts against the mock cluster.
 */
class ControlledSink implements EventSink {
  ready = true;
  delayMs = 0;
  failWith?: Error;
  readonly sent: TopicBatch[][] = [];
  async start() {}
  async send(batches: readonly TopicBatch[]) {
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failWith) throw this.failWith;
    this.sent.push([...batches]);
  }
  async close() {}
}

const event = (i: number, over: Record<string, unknown> = {}) => ({
  eventId: `evt-${String(i).padStart(8, "0")}`,
  type: "user_action",
  userId: `user-${i}`,
  timestamp: Date.now(),
  payload: { page: "/p" },
  ...over,
});

interface Started {
  gateway: Gateway;
  sink: ControlledSink;
  url: string;
  cfg: GatewayConfig;
}
const running: Started[] = [];

async function start(env: Record<string, string> = {}): Promise<Started> {
  const cfg = loadConfig({ KAFKA_BROKERS: "127.0.0.1:9", ...env });
  const sink = new ControlledSink();
  const gateway = createGateway(cfg, sink, new GatewayMetrics(false), () => undefined);
  await new Promise<void>((r) => gateway.server.listen(0, "127.0.0.1", r));
  const s = { gateway, sink, cfg, url: `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}` };
  running.push(s);
  return s;
}
afterEach(async () => {
  for (const s of running.splice(0)) await s.gateway.drain();
});

// Response bodies are JSON objects whose shape each test asserts.
const jsonOf = (r: Response): Promise<any> => r.json();

const post = (url: string, body: string | Buffer, contentType = "application/json") =>
  fetch(`${url}/v1/events`, { method: "POST", headers: { "content-type": contentType }, body });

describe("202: accepted only after the sink acknowledged", () => {
  test("JSON array, routed by category, keyed by user id", async () => {
    const { url, sink } = await start();
    const res = await post(url, JSON.stringify([event(1), event(2, { type: "transaction" })]));
    expect(res.status).toBe(202);
    expect(await jsonOf(res)).toEqual({ accepted: 2, rejected: [], rejectedCount: 0 });
    const topics = Object.fromEntries(sink.sent[0].map((b) => [b.topic, b.messages.map((m) => m.key)]));
    expect(topics).toEqual({ "events.user-actions": ["user-1"], "events.transactions": ["user-2"] });
    const stored = JSON.parse(sink.sent[0][0].messages[0].value.toString());
    expect(stored).toMatchObject({ eventId: "evt-00000001", type: "user_action", userId: "user-1", payload: { page: "/p" } });
    expect(typeof stored.receivedAt).toBe("number");
  });

  test("an object with an events array, and NDJSON", async () => {
    const { url } = await start();
    expect((await post(url, JSON.stringify({ events: [event(1)] }))).status).toBe(202);
    const ndjson = `${JSON.stringify(event(2))}\n\n${JSON.stringify(event(3))}\n`;
    const res = await post(url, ndjson, "application/x-ndjson");
    expect(res.status).toBe(202);
    expect((await jsonOf(res)).accepted).toBe(2);
  });

  test("the response waits for the acknowledgement", async () => {
    const { url, sink } = await start();
    sink.delayMs = 300;
    const t0 = Date.now();
    expect((await post(url, JSON.stringify([event(1)]))).status).toBe(202);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });
});

describe("4xx for bad input, with the reason", () => {
  test("malformed JSON is 400", async () => {
    const { url, sink } = await start();
    const res = await post(url, '[{"eventId": ');
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).error).toBe("malformed body");
    expect(sink.sent).toEqual([]);
  });

  test("malformed NDJSON names the line", async () => {
    const { url } = await start();
    const res = await post(url, `${JSON.stringify(event(1))}\n{oops}\n`, "application/x-ndjson");
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).detail).toMatch(/^line 2:/);
  });

  test("schema violations are 400 with the field and the reason, and nothing is sent", async () => {
    const { url, sink } = await start();
    const res = await post(url, JSON.stringify([event(1), event(2, { type: "refund", userId: "" }), event(3, { extra: 1 })]));
    expect(res.status).toBe(400);
    const body = await jsonOf(res);
    expect(body.rejectedCount).toBe(2);
    expect(body.rejected[0]).toEqual({
      index: 1,
      eventId: "evt-00000002",
      errors: [
        { field: "type", reason: "must be one of user_action, transaction, inventory, system" },
        { field: "userId", reason: "must be a string of 1-128 characters" },
      ],
    });
    expect(body.rejected[1].errors).toEqual([{ field: "extra", reason: "unknown field" }]);
    expect(sink.sent).toEqual([]);
  });

  test.each([
    ["timestamp in the future", { timestamp: Date.now() + 2 * 3600_000 }, "timestamp"],
    ["timestamp without zone", { timestamp: "2026-11-22T10:00:00" }, "timestamp"],
    ["short event id", { eventId: "abc" }, "eventId"],
    ["payload not an object", { payload: [1, 2] }, "payload"],
    ["oversized payload", { payload: { blob: "x".repeat(20_000) } }, "payload"],
  ])("%s is rejected on its field", async (_label, over, field) => {
    const { url } = await start();
    const res = await post(url, JSON.stringify([event(1, over)]));
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).rejected[0].errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  test("empty batch is 400", async () => {
    const { url } = await start();
    expect((await post(url, "[]")).status).toBe(400);
  });

  test("a body over the limit is 413 (declared or streamed)", async () => {
    const { url } = await start({ MAX_BODY_BYTES: "2048", MAX_EVENT_BYTES: "1024" });
    expect((await post(url, "x".repeat(4096))).status).toBe(413);
    // Chunked upload without a Content-Length: refused once it passes the limit.
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        `${url}/v1/events`,
        { method: "POST", headers: { "content-type": "application/json", "transfer-encoding": "chunked" } },
        (res) => resolve(res.statusCode!),
      );
      req.on("error", reject);
      for (let i = 0; i < 8; i++) req.write("y".repeat(1024));
      req.end();
    });
    expect(status).toBe(413);
  });

  test("more events than the batch limit is 413", async () => {
    const { url } = await start({ MAX_EVENTS_PER_BATCH: "3" });
    const res = await post(url, JSON.stringify([event(1), event(2), event(3), event(4)]));
    expect(res.status).toBe(413);
    expect((await jsonOf(res)).error).toBe("batch has 4 events, at most 3");
  });

  test.each([["text/plain"], ["application/xml"]])("content type %s is 415", async (type) => {
    const { url } = await start();
    expect((await post(url, JSON.stringify([event(1)]), type)).status).toBe(415);
  });

  test("a missing content type is 415", async () => {
    const { url } = await start();
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${url}/v1/events`, { method: "POST" }, (res) => resolve(res.statusCode!));
      req.on("error", reject);
      req.end(JSON.stringify([event(1)]));
    });
    expect(status).toBe(415);
  });

  test("unknown path 404, wrong method 405", async () => {
    const { url } = await start();
    expect((await fetch(`${url}/v2/things`)).status).toBe(404);
    const res = await fetch(`${url}/v1/events`);
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
  });
});

describe("partial batches", () => {
  test("reject-batch (default): one bad event refuses the whole request", async () => {
    const { url, sink } = await start();
    expect((await post(url, JSON.stringify([event(1), event(2, { type: "nope" })]))).status).toBe(400);
    expect(sink.sent).toEqual([]);
  });

  test("accept-valid: good events are sent, bad ones listed with reasons", async () => {
    const { url, sink } = await start({ PARTIAL_BATCH_POLICY: "accept-valid" });
    const res = await post(url, JSON.stringify([event(1), event(2, { type: "nope" }), event(3)]));
    expect(res.status).toBe(202);
    const body = await jsonOf(res);
    expect(body.accepted).toBe(2);
    expect(body.rejected).toEqual([
      {
        index: 1,
        eventId: "evt-00000002",
        errors: [{ field: "type", reason: "must be one of user_action, transaction, inventory, system" }],
      },
    ]);
    expect(sink.sent[0][0].messages.map((m) => m.key)).toEqual(["user-1", "user-3"]);
  });

  test("accept-valid with nothing valid is still 400", async () => {
    const { url } = await start({ PARTIAL_BATCH_POLICY: "accept-valid" });
    expect((await post(url, JSON.stringify([event(1, { type: "nope" })]))).status).toBe(400);
  });
});

describe("backpressure and Kafka trouble", () => {
  test("429 with Retry-After when requests waiting on Kafka exceed the bound", async () => {
    const { url, sink } = await start({ MAX_INFLIGHT_REQUESTS: "2", RETRY_AFTER_SECONDS: "3" });
    sink.delayMs = 500;
    const slow = [post(url, JSON.stringify([event(1)])), post(url, JSON.stringify([event(2)]))];
    await new Promise((r) => setTimeout(r, 100));
    const res = await post(url, JSON.stringify([event(3)]));
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("3");
    expect((await Promise.all(slow)).map((r) => r.status)).toEqual([202, 202]);
  });

  test("a 429 is decided on the headers: it is answered before any of the body is sent", async () => {
    const { url, sink, gateway } = await start({ MAX_INFLIGHT_REQUESTS: "2" });
    sink.delayMs = 400;
    const slow = [post(url, JSON.stringify([event(1)])), post(url, JSON.stringify([event(2)]))];
    await new Promise((r) => setTimeout(r, 100));
    // Headers announcing a 3 MiB body, and no body yet: the answer comes before any of it is sent.
    const port = (gateway.server.address() as AddressInfo).port;
    const answer = await new Promise<{ status: number; retryAfter?: string; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          port,
          host: "127.0.0.1",
          path: "/v1/events",
          method: "POST",
          headers: { "content-type": "application/json", "content-length": 3 * 2 ** 20 },
        },
        (res) => {
          let body = "";
          res.on("data", (d) => (body += d));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers["retry-after"] as string, body }));
        },
      );
      req.on("error", reject);
      req.flushHeaders();
    });
    expect(answer.status).toBe(429);
    expect(answer.retryAfter).toBe("1");
    expect(JSON.parse(answer.body)).toMatchObject({ reason: "concurrency" });
    expect((await Promise.all(slow)).map((r) => r.status)).toEqual([202, 202]);
    // Nothing of the refused request reached the sink.
    expect(sink.sent.flat().flatMap((b) => b.messages.map((m) => m.headers["event-id"]))).toEqual(["evt-00000001", "evt-00000002"]);
  });

  test("Expect: 100-continue: the body is asked for only once the request is admitted", async () => {
    const { url, sink, gateway } = await start({ MAX_INFLIGHT_REQUESTS: "2" });
    const port = (gateway.server.address() as AddressInfo).port;
    const withExpect = (body: string) =>
      new Promise<{ status: number; continued: boolean; connection?: string }>((resolve, reject) => {
        let continued = false;
        const req = http.request(
          {
            port,
            host: "127.0.0.1",
            path: "/v1/events",
            method: "POST",
            headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), expect: "100-continue" },
          },
          (res) => {
            res.resume();
            res.on("end", () => resolve({ status: res.statusCode ?? 0, continued, connection: res.headers.connection }));
          },
        );
        req.on("continue", () => {
          continued = true;
          req.end(body);
        });
        req.on("error", reject);
        req.flushHeaders();
      });
    expect(await withExpect(JSON.stringify([event(1)]))).toMatchObject({ status: 202, continued: true });
    sink.delayMs = 400;
    const slow = [post(url, JSON.stringify([event(2)])), post(url, JSON.stringify([event(3)]))];
    await new Promise((r) => setTimeout(r, 100));
    // Refused: no 100, so the client never sends its body; the connection closes instead of waiting for it.
    expect(await withExpect(JSON.stringify([event(4)]))).toEqual({ status: 429, continued: false, connection: "close" });
    await Promise.all(slow);
    expect(sink.sent.flat().flatMap((b) => b.messages.map((m) => m.headers["event-id"]))).not.toContain("evt-00000004");
  });

  test("readiness stays true while the gateway sheds load (busy is not broken)", async () => {
    const { url, sink } = await start({ MAX_INFLIGHT_REQUESTS: "2" });
    sink.delayMs = 400;
    const slow = [post(url, JSON.stringify([event(1)])), post(url, JSON.stringify([event(2)]))];
    await new Promise((r) => setTimeout(r, 100));
    expect((await post(url, JSON.stringify([event(3)]))).status).toBe(429);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    await Promise.all(slow);
  });

  test("the limit and the refusals are exported as metrics", async () => {
    const { url, sink } = await start({ MAX_INFLIGHT_REQUESTS: "2" });
    sink.delayMs = 300;
    const slow = [post(url, JSON.stringify([event(1)])), post(url, JSON.stringify([event(2)]))];
    await new Promise((r) => setTimeout(r, 100));
    await post(url, JSON.stringify([event(3)]));
    await Promise.all(slow);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/^ingest_requests_shed_total\{reason="concurrency"\} 1$/m);
    expect(text).toMatch(/^ingest_admission_limit 2$/m);
  });

  test("a body of unknown length (chunked) reserves the largest allowed body until it is read", async () => {
    const { url, sink } = await start({ MAX_INFLIGHT_BYTES: String(4 * 2 ** 20 + 1000), MAX_BODY_BYTES: String(4 * 2 ** 20) });
    sink.delayMs = 300;
    // fetch with a stream body sends it chunked (no Content-Length).
    const chunked = (i: number) =>
      fetch(`${url}/v1/events`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: new Blob([JSON.stringify([event(i)])]).stream(),
        duplex: "half",
      } as RequestInit);
    const first = chunked(1);
    await new Promise((r) => setTimeout(r, 100));
    // Once read, the first body holds only its real size: a second one fits.
    expect((await chunked(2)).status).toBe(202);
    expect((await first).status).toBe(202);
  });

  test("429 when in-flight bytes would pass the bound", async () => {
    const { url, sink } = await start({ MAX_INFLIGHT_BYTES: "1500" });
    sink.delayMs = 500;
    const first = post(url, JSON.stringify([event(1, { payload: { b: "x".repeat(1000) } })]));
    await new Promise((r) => setTimeout(r, 100));
    expect((await post(url, JSON.stringify([event(2, { payload: { b: "x".repeat(1000) } })]))).status).toBe(429);
    expect((await first).status).toBe(202);
  });

  test("503 and readiness false while Kafka is unreachable", async () => {
    const { url, sink } = await start();
    sink.ready = false;
    const res = await post(url, JSON.stringify([event(1)]));
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await jsonOf(ready)).toEqual({ ready: false, kafka: false, draining: false });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  test("503 when Kafka does not acknowledge: never a 202 without an ack", async () => {
    const { url, sink } = await start();
    sink.failWith = new Error("produce not acknowledged within 15000 ms");
    const res = await post(url, JSON.stringify([event(1)]));
    expect(res.status).toBe(503);
    expect((await jsonOf(res)).retryable).toBe(true);
  });
});

describe("operations", () => {
  test("/metrics exposes requests by status, events by topic, latency and in-flight bytes", async () => {
    const { url } = await start();
    await post(url, JSON.stringify([event(1)]));
    await post(url, "nope");
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('ingest_http_requests_total{route="/v1/events",status="202"} 1');
    expect(text).toContain('ingest_http_requests_total{route="/v1/events",status="400"} 1');
    expect(text).toContain('ingest_events_total{topic="events.user-actions"} 1');
    expect(text).toContain("ingest_request_duration_seconds_bucket");
    expect(text).toContain("ingest_inflight_bytes 0");
    expect(text).toContain("ingest_producer_retries_total");
  });

  test("drain: in-flight requests finish with 202, readiness drops, new connections are refused", async () => {
    const { url, sink, gateway } = await start();
    sink.delayMs = 400;
    const inflight = post(url, JSON.stringify([event(1)]));
    await new Promise((r) => setTimeout(r, 100));
    const drained = gateway.drain();
    expect((await inflight).status).toBe(202);
    await drained;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    expect(sink.sent).toHaveLength(1);
  });

  test("config errors name the variable and what is allowed", () => {
    expect(() => loadConfig({})).toThrow("KAFKA_BROKERS: required, a comma-separated list of host:port");
    expect(() => loadConfig({ KAFKA_BROKERS: "a:1", PARTIAL_BATCH_POLICY: "maybe" })).toThrow(
      'PARTIAL_BATCH_POLICY: got "maybe", expected one of reject-batch, accept-valid',
    );
    expect(() => loadConfig({ KAFKA_BROKERS: "a:1", LINGER_MS: "-1" })).toThrow(
      'LINGER_MS: got "-1", expected a whole number from 0 to 1000',
    );
    expect(() => loadConfig({ KAFKA_BROKERS: "a:1", KAFKAJS_POOLED_ENCODER: "yes" })).toThrow(
      'KAFKAJS_POOLED_ENCODER: got "yes", expected one of on, off',
    );
  });
});
