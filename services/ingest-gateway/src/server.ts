import * as http from "http";
import { Admission, AdmissionTicket, DEFAULT_ADAPTIVE_LIMIT } from "./admission";
import { GatewayConfig } from "./config";
import { BodyFormat, bodyFormatOf, EventRejection, MalformedBodyError, parseBatch, StoredEvent, topicOf, validateEvent } from "./events";
import { EventSink, OutgoingMessage, TopicBatch } from "./kafka-sink";
import { GatewayMetrics } from "./metrics";

export type Logger = (level: string, msg: string, extra?: object) => void;

export interface Gateway {
  readonly server: http.Server;
  readonly metrics: GatewayMetrics;
  /** Stop taking requests, wait for in-flight ones to be acknowledged (or the drain timeout), close Kafka. */
  drain(): Promise<void>;
}

/** A refused request's body up to this size is read and dropped to keep the connection; a larger one closes it. */
const KEEP_ALIVE_MAX_UNREAD_BYTES = 64 * 1024;

/** The declared body size; undefined for a chunked body. */
const contentLength = (req: http.IncomingMessage): number | undefined =>
  req.headers["content-length"] === undefined ? undefined : Number(req.headers["content-length"]);

const expectsContinue = (req: http.IncomingMessage) => (req.headers.expect ?? "").toLowerCase() === "100-continue";

/** Events validated between two yields to the event loop. */
const VALIDATION_SLICE = 200;

const SCHEMA_FIELDS = new Set(["eventId", "type", "userId", "timestamp", "payload", "name", "(event)"]);

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: object,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${status}`);
  }
}

/**
 * The ingest gateway's HTTP side. It answers 202 only after Kafka has
 * acknowledged (acks=all) every accepted event of the request, so a 202 means
 * the events are durable; anything else means none (or, with the accept-valid
 * policy, only the listed ones) were accepted.
 */
export function createGateway(cfg: GatewayConfig, sink: EventSink, metrics: GatewayMetrics, log: Logger): Gateway {
  let draining = false;
  let idle: (() => void) | undefined;
  const retryAfter = { "Retry-After": String(cfg.retryAfterSeconds) };
  const admission = new Admission(
    { ...DEFAULT_ADAPTIVE_LIMIT, maxLimit: cfg.maxInflightRequests, latencyTargetMs: cfg.latencyTargetMs },
    cfg.maxInflightBytes,
  );
  metrics.admissionLimit.set(admission.limiter.limit);

  const reply = (res: http.ServerResponse, status: number, body: object, headers: Record<string, string> = {}) => {
    if (res.headersSent) return;
    const text = JSON.stringify(body);
    res.writeHead(status, {
      "Content-Type": "application/json",
      "Content-Length": Buffer.byteLength(text),
      ...(draining ? { Connection: "close" } : {}),
      ...headers,
    });
    res.end(text);
  };

  const tooLarge = () => new HttpError(413, { error: "body too large", limitBytes: cfg.maxBodyBytes }, { Connection: "close" });
  /**
   * A refusal before the body is read. A large body still to come is not
   * read: the connection is closed after the answer, since keeping it alive
   * would mean reading (and discarding) the whole body first, and a flood of
   * refused megabyte bodies would then cost the CPU the admitted ones need
   * (measured: 64 clients posting 3 MiB bodies, most refused, took the
   * gateway down to under one accepted request a second).
   */
  const unread = (req: http.IncomingMessage): Record<string, string> => {
    const declared = contentLength(req);
    return expectsContinue(req) || declared === undefined || declared > KEEP_ALIVE_MAX_UNREAD_BYTES ? { Connection: "close" } : {};
  };
  const saturated = (reason: "concurrency" | "bytes", req?: http.IncomingMessage) => {
    metrics.shed.inc({ reason });
    return new HttpError(429, { error: "gateway saturated, retry later", reason }, { ...retryAfter, ...(req ? unread(req) : {}) });
  };
  const track = () => {
    metrics.inflightBytes.set(admission.inflightBytes);
    metrics.inflightRequests.set(admission.limiter.inFlight);
    metrics.admissionLimit.set(admission.limiter.limit);
  };

  /** Reads the body, refusing (413) as soon as it passes the limit. */
  const readBody = (req: http.IncomingMessage) =>
    new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > cfg.maxBodyBytes) {
          reject(tooLarge());
          req.pause();
          return;
        }
        chunks.push(chunk);
      });
      req.on("end", () => resolve(Buffer.concat(chunks)));
      req.on("error", reject);
      req.on("aborted", () => reject(new HttpError(400, { error: "request aborted" })));
    });

  async function ingest(req: http.IncomingMessage, res: http.ServerResponse): Promise<number> {
    if (draining) throw new HttpError(503, { error: "shutting down" }, { ...retryAfter, Connection: "close" });
    if (!sink.ready) throw new HttpError(503, { error: "kafka unavailable", retryable: true }, { ...retryAfter, ...unread(req) });
    const format = bodyFormatOf(req.headers["content-type"]);
    if (!format) throw new HttpError(415, { error: "unsupported media type", supported: ["application/json", "application/x-ndjson"] });
    const declared = contentLength(req);
    if (declared !== undefined && declared > cfg.maxBodyBytes) throw tooLarge();
    // Decided on the headers alone: a refused body is never read into memory (Node discards it from the socket).
    const ticket = admission.admit(declared ?? cfg.maxBodyBytes);
    if (typeof ticket === "string") throw saturated(ticket, req);
    track();
    // A client that asked (Expect: 100-continue) sends its body only now; a refused one never sent it.
    if (expectsContinue(req)) res.writeContinue();
    let measured = false;
    try {
      const status = await serve(req, res, format, ticket);
      measured = true;
      return status;
    } catch (e) {
      // A 503 from Kafka says something about capacity; a client's bad body does not.
      measured = e instanceof HttpError && e.status === 503;
      throw e;
    } finally {
      ticket.release(measured);
      track();
      if (admission.limiter.inFlight === 0) idle?.();
    }
  }

  async function serve(req: http.IncomingMessage, res: http.ServerResponse, format: BodyFormat, ticket: AdmissionTicket): Promise<number> {
    const body = await readBody(req);
    ticket.bodyRead();
    if (!ticket.resize(body.length)) throw saturated("bytes");
    let raw: unknown[];
    try {
      raw = parseBatch(body.toString("utf8"), format);
    } catch (e) {
      if (e instanceof MalformedBodyError) throw new HttpError(400, { error: "malformed body", detail: e.message });
      throw e;
    }
    if (raw.length === 0) throw new HttpError(400, { error: "empty batch" });
    if (raw.length > cfg.maxEventsPerBatch)
      throw new HttpError(413, { error: `batch has ${raw.length} events, at most ${cfg.maxEventsPerBatch}` });

    const now = Date.now();
    const accepted: { event: StoredEvent; value: Buffer }[] = [];
    const rejected: EventRejection[] = [];
    for (let index = 0; index < raw.length; index++) {
      // Yield between slices: a 1,000-event batch is ~5 ms of validation, and the headers of requests
      // waiting behind it (a 429 is decided on them) and the probes should not wait that long.
      if (index > 0 && index % VALIDATION_SLICE === 0) await new Promise<void>((r) => setImmediate(r));
      const r = raw[index];
      const { event, value, errors } = validateEvent(r, now, cfg);
      if (event && value) accepted.push({ event, value });
      else {
        const id = (r as { eventId?: unknown } | null)?.eventId;
        rejected.push({ index, ...(typeof id === "string" ? { eventId: id.slice(0, 64) } : {}), errors });
        // Unknown field names come from clients: fold them into one label value to bound cardinality.
        for (const err of errors) metrics.rejected.inc({ field: SCHEMA_FIELDS.has(err.field) ? err.field : "other" });
      }
    }
    if (rejected.length && (cfg.partialBatchPolicy === "reject-batch" || accepted.length === 0)) {
      throw new HttpError(400, { error: "invalid events", accepted: 0, rejected: rejected.slice(0, 100), rejectedCount: rejected.length });
    }

    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const { event: ev, value } of accepted) {
      const topic = topicOf(ev);
      const list = byTopic.get(topic) ?? [];
      list.push({ key: ev.userId, value, headers: { "event-id": ev.eventId } });
      byTopic.set(topic, list);
    }
    const batches: TopicBatch[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));

    const started = process.hrtime.bigint();
    try {
      await sink.send(batches);
    } catch (e) {
      log("warn", "produce failed", { error: (e as Error).message, events: accepted.length });
      // Not acknowledged: the client must retry. Some events may have been written (at-least-once).
      throw new HttpError(503, { error: "kafka did not acknowledge the events", retryable: true }, retryAfter);
    }
    metrics.produceLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);
    for (const b of batches) {
      metrics.events.inc({ topic: b.topic }, b.messages.length);
      metrics.eventBytes.inc(
        { topic: b.topic },
        b.messages.reduce((n, m) => n + m.value.length, 0),
      );
    }
    reply(res, 202, { accepted: accepted.length, rejected: rejected.slice(0, 100), rejectedCount: rejected.length });
    return 202;
  }

  const server = http.createServer((req, res) => {
    const url = (req.url ?? "/").split("?")[0];
    const route = ["/v1/events", "/healthz", "/readyz", "/metrics"].includes(url) ? url : "other";
    const started = process.hrtime.bigint();
    const finish = (status: number) => {
      metrics.requests.inc({ route, status: String(status) });
      if (route === "/v1/events") metrics.latency.observe({ status: String(status) }, Number(process.hrtime.bigint() - started) / 1e9);
    };
    const fail = (e: unknown) => {
      if (e instanceof HttpError) {
        reply(res, e.status, e.body, e.headers);
        finish(e.status);
        if (e.headers.Connection === "close") res.on("finish", () => req.destroy());
      } else {
        log("error", "unexpected error", { error: (e as Error)?.stack ?? String(e) });
        reply(res, 500, { error: "internal error" });
        finish(500);
      }
    };
    req.on("error", () => undefined); // a client reset must never crash the process
    try {
      if (url === "/v1/events") {
        if (req.method !== "POST") throw new HttpError(405, { error: "method not allowed" }, { Allow: "POST" });
        ingest(req, res).then(finish, fail);
        return;
      }
      if (req.method !== "GET") throw new HttpError(405, { error: "method not allowed" }, { Allow: "GET" });
      if (url === "/healthz") {
        reply(res, 200, { status: "ok" });
        finish(200);
      } else if (url === "/readyz") {
        const ok = sink.ready && !draining;
        reply(res, ok ? 200 : 503, { ready: ok, kafka: sink.ready, draining });
        finish(ok ? 200 : 503);
      } else if (url === "/metrics") {
        metrics.registry.metrics().then((text) => {
          res.writeHead(200, { "Content-Type": metrics.registry.contentType });
          res.end(text);
          finish(200);
        }, fail);
      } else {
        throw new HttpError(404, { error: "not found" });
      }
    } catch (e) {
      fail(e);
    }
  });
  // Expect: 100-continue goes through the same handler; ingest answers 100 only once the request is admitted.
  server.on("checkContinue", (req, res) => server.emit("request", req, res));
  server.keepAliveTimeout = 65_000; // longer than typical load balancer idle timeouts
  server.headersTimeout = 66_000;
  server.requestTimeout = 60_000;

  async function drain(): Promise<void> {
    if (draining) return;
    draining = true;
    log("info", "draining", { inflightRequests: admission.limiter.inFlight });
    server.close();
    server.closeIdleConnections();
    if (admission.limiter.inFlight > 0) {
      await Promise.race([new Promise<void>((r) => (idle = r)), new Promise<void>((r) => setTimeout(r, cfg.drainTimeoutMs).unref())]);
    }
    await sink.close();
    server.closeAllConnections();
    log("info", "drained", { inflightRequests: admission.limiter.inFlight });
  }

  return { server, metrics, drain };
}
