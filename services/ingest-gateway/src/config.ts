/** Gateway settings from the environment, validated at start-up with the variable named in each error. */

export type PartialBatchPolicy = "reject-batch" | "accept-valid";
export type IdempotenceMode = "on" | "off";

export interface GatewayConfig {
  readonly port: number;
  readonly host: string;
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** TLS to the brokers (the Strimzi listener); PEM CA file to trust. */
  readonly tls?: { readonly caFile?: string };
  /** SCRAM-SHA-512 credentials (Strimzi KafkaUser secret). */
  readonly sasl?: { readonly username: string; readonly password: string };
  /**
   * Idempotent producer. "on" against real Kafka (Strimzi): retries cannot
   * duplicate. "off" where the cluster cannot serve InitProducerId from its
   * controller, like librdkafka's mock cluster.
   */
  readonly idempotence: IdempotenceMode;
  readonly maxEventsPerBatch: number;
  readonly maxBodyBytes: number;
  readonly maxEventBytes: number;
  /**
   * Body bytes of admitted requests (being read, validated or waiting for
   * Kafka) before new ones get 429: the memory bound. The Kubernetes
   * construct derives it from the container's memory limit.
   */
  readonly maxInflightBytes: number;
  /** Ceiling of the adaptive concurrency limit: requests served at once, at most. */
  readonly maxInflightRequests: number;
  /**
   * The adaptive concurrency limit holds the 90th percentile of accepted
   * requests' service time (body read to response) at or under this, and
   * answers 429 to what would exceed the limit (admission.ts).
   */
  readonly latencyTargetMs: number;
  readonly retryAfterSeconds: number;
  readonly partialBatchPolicy: PartialBatchPolicy;
  /** Oldest accepted event timestamp, relative to now. */
  readonly maxEventAgeMs: number;
  /** Furthest future timestamp accepted (clock skew). */
  readonly maxClockSkewMs: number;
  /**
   * How long the producer waits to coalesce concurrent requests into one
   * produce call (Kafka's linger.ms). Larger per-partition batches cost far
   * less CPU to encode and compress; 0 sends each request on its own.
   */
  readonly lingerMs: number;
  /** Send at once when this many messages are waiting, whatever the linger. */
  readonly lingerMaxMessages: number;
  /** Give up on one produce (all retries) after this long; the request then gets 503. */
  readonly produceTimeoutMs: number;
  readonly drainTimeoutMs: number;
  /**
   * kafkajs encodes with the gateway's pooled encoder ("on") or its own
   * ("off"). Acted on at import time by kafkajs-pooled-encoder.ts; kept here
   * so a typo fails start-up like any other setting.
   */
  readonly pooledEncoder: "on" | "off";
}

export class GatewayConfigError extends Error {}

const DEFAULTS = {
  PORT: "8080",
  HOST: "0.0.0.0",
  KAFKA_CLIENT_ID: "ingest-gateway",
  KAFKA_IDEMPOTENCE: "on",
  MAX_EVENTS_PER_BATCH: "1000",
  MAX_BODY_BYTES: String(4 * 1024 * 1024),
  MAX_EVENT_BYTES: String(16 * 1024),
  MAX_INFLIGHT_BYTES: String(32 * 1024 * 1024),
  MAX_INFLIGHT_REQUESTS: "512",
  LATENCY_TARGET_MS: "100",
  RETRY_AFTER_SECONDS: "1",
  PARTIAL_BATCH_POLICY: "reject-batch",
  MAX_EVENT_AGE_MS: String(7 * 24 * 3600 * 1000),
  MAX_CLOCK_SKEW_MS: String(3600 * 1000),
  LINGER_MS: "5",
  LINGER_MAX_MESSAGES: "5000",
  PRODUCE_TIMEOUT_MS: "15000",
  DRAIN_TIMEOUT_MS: "25000",
  KAFKAJS_POOLED_ENCODER: "on",
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const problems: string[] = [];
  const get = (k: keyof typeof DEFAULTS) => env[k] ?? DEFAULTS[k];
  const int = (k: keyof typeof DEFAULTS, min: number, max: number) => {
    const v = Number(get(k));
    if (!Number.isInteger(v) || v < min || v > max)
      problems.push(`${k}: got ${JSON.stringify(get(k))}, expected a whole number from ${min} to ${max}`);
    return v;
  };
  const oneOf = <T extends string>(k: keyof typeof DEFAULTS, allowed: readonly T[]) => {
    const v = get(k) as T;
    if (!allowed.includes(v)) problems.push(`${k}: got ${JSON.stringify(v)}, expected one of ${allowed.join(", ")}`);
    return v;
  };
  const brokers = (env.KAFKA_BROKERS ?? "")
    .split(",")
    .map((b) => b.trim())
    .filter(Boolean);
  if (brokers.length === 0) problems.push("KAFKA_BROKERS: required, a comma-separated list of host:port");
  brokers.filter((b) => !/^[^\s:]+:\d{1,5}$/.test(b)).forEach((b) => problems.push(`KAFKA_BROKERS: ${JSON.stringify(b)} is not host:port`));
  const saslUser = env.KAFKA_SASL_USERNAME;
  const saslPass = env.KAFKA_SASL_PASSWORD;
  if ((saslUser && !saslPass) || (!saslUser && saslPass)) problems.push("KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD: set both or neither");
  const cfg: GatewayConfig = {
    port: int("PORT", 0, 65535),
    host: get("HOST"),
    brokers,
    clientId: get("KAFKA_CLIENT_ID"),
    tls: env.KAFKA_TLS === "true" ? { caFile: env.KAFKA_TLS_CA_FILE } : undefined,
    sasl: saslUser && saslPass ? { username: saslUser, password: saslPass } : undefined,
    idempotence: oneOf("KAFKA_IDEMPOTENCE", ["on", "off"] as const),
    maxEventsPerBatch: int("MAX_EVENTS_PER_BATCH", 1, 10_000),
    maxBodyBytes: int("MAX_BODY_BYTES", 1024, 64 * 1024 * 1024),
    maxEventBytes: int("MAX_EVENT_BYTES", 256, 1024 * 1024),
    maxInflightBytes: int("MAX_INFLIGHT_BYTES", 1024, 2 ** 31),
    maxInflightRequests: int("MAX_INFLIGHT_REQUESTS", 2, 100_000),
    latencyTargetMs: int("LATENCY_TARGET_MS", 5, 60_000),
    retryAfterSeconds: int("RETRY_AFTER_SECONDS", 1, 300),
    partialBatchPolicy: oneOf("PARTIAL_BATCH_POLICY", ["reject-batch", "accept-valid"] as const),
    maxEventAgeMs: int("MAX_EVENT_AGE_MS", 1000, 365 * 24 * 3600 * 1000),
    maxClockSkewMs: int("MAX_CLOCK_SKEW_MS", 0, 24 * 3600 * 1000),
    lingerMs: int("LINGER_MS", 0, 1000),
    lingerMaxMessages: int("LINGER_MAX_MESSAGES", 1, 100_000),
    produceTimeoutMs: int("PRODUCE_TIMEOUT_MS", 100, 300_000),
    drainTimeoutMs: int("DRAIN_TIMEOUT_MS", 100, 600_000),
    pooledEncoder: oneOf("KAFKAJS_POOLED_ENCODER", ["on", "off"] as const),
  };
  if (cfg.maxEventBytes > cfg.maxBodyBytes)
    problems.push(`MAX_EVENT_BYTES (${cfg.maxEventBytes}) cannot exceed MAX_BODY_BYTES (${cfg.maxBodyBytes})`);
  if (problems.length) throw new GatewayConfigError(`invalid gateway configuration:\n  ${problems.join("\n  ")}`);
  return cfg;
}
