import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The gateway's Prometheus metrics, in their own registry (tests create several gateways). */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: "ingest_http_requests_total",
    help: "HTTP requests by route and status",
    labelNames: ["route", "status"],
    registers: [this.registry],
  });
  readonly events = new Counter({
    name: "ingest_events_total",
    help: "Events acknowledged by Kafka, by topic",
    labelNames: ["topic"],
    registers: [this.registry],
  });
  readonly eventBytes = new Counter({
    name: "ingest_event_bytes_total",
    help: "Bytes of event values acknowledged by Kafka, by topic",
    labelNames: ["topic"],
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: "ingest_events_rejected_total",
    help: "Events refused by validation, by field",
    labelNames: ["field"],
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: "ingest_request_duration_seconds",
    help: "POST /v1/events from first byte to response, including the Kafka acknowledgement",
    labelNames: ["status"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers: [this.registry],
  });
  readonly produceLatency = new Histogram({
    name: "ingest_produce_duration_seconds",
    help: "Time for Kafka to acknowledge one request's events (acks=all)",
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers: [this.registry],
  });
  readonly producerErrors = new Counter({
    name: "ingest_producer_errors_total",
    help: "Produce calls that failed after all retries, by error type",
    labelNames: ["type"],
    registers: [this.registry],
  });
  readonly producerRetries = new Counter({
    name: "ingest_producer_retries_total",
    help: "Failed produce attempts reported by the Kafka client; each is retried unless retries are exhausted",
    registers: [this.registry],
  });
  readonly unacknowledgedPartitions = new Counter({
    name: "ingest_unacknowledged_partitions_total",
    help: "Partitions the Kafka client reported as sent without an acknowledgement (kafkajs retry bug after leader moves); their messages were sent again",
    registers: [this.registry],
  });
  readonly inflightBytes = new Gauge({
    name: "ingest_inflight_bytes",
    help: "Body bytes of admitted requests (being read, validated or waiting for Kafka)",
    registers: [this.registry],
  });
  readonly inflightRequests = new Gauge({
    name: "ingest_inflight_requests",
    help: "Admitted requests being served (read, validated or waiting for Kafka)",
    registers: [this.registry],
  });
  readonly admissionLimit = new Gauge({
    name: "ingest_admission_limit",
    help: "Requests the gateway serves at once before answering 429 (the adaptive concurrency limit)",
    registers: [this.registry],
  });
  readonly shed = new Counter({
    name: "ingest_requests_shed_total",
    help: "Requests answered 429 by admission control, by the bound that refused them (concurrency or bytes)",
    labelNames: ["reason"],
    registers: [this.registry],
  });
  readonly kafkaReady = new Gauge({ name: "ingest_kafka_ready", help: "1 when the gateway can reach Kafka", registers: [this.registry] });

  constructor(defaults = true) {
    if (defaults) collectDefaultMetrics({ register: this.registry });
  }
}
