/**
 * Ingest gateway entry point: config from the environment, kafkajs sink,
 * HTTP server, graceful drain on SIGTERM/SIGINT.
 */
import { TOPIC_CATALOG } from "../../../domain/event-catalog";
import { GatewayConfigError, loadConfig } from "./config";
import { KafkaEventSink } from "./kafka-sink";
import { GatewayMetrics } from "./metrics";
import { createGateway, Logger } from "./server";

const log: Logger = (level, msg, extra) => {
  process.stdout.write(`${JSON.stringify({ ts: new Date().toISOString(), level, msg, ...extra })}\n`);
};

async function main(): Promise<void> {
  let cfg;
  try {
    cfg = loadConfig();
  } catch (e) {
    if (e instanceof GatewayConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const metrics = new GatewayMetrics();
  const eventTopics = TOPIC_CATALOG.filter((t) => t.category).map((t) => t.name);
  const sink = new KafkaEventSink(cfg, metrics, eventTopics, log);
  const gateway = createGateway(cfg, sink, metrics, log);
  // Serve health and metrics at once; ingest answers 503 until Kafka is reachable.
  await new Promise<void>((resolve) => gateway.server.listen(cfg.port, cfg.host, resolve));
  const address = gateway.server.address();
  log("info", "listening", {
    address,
    brokers: cfg.brokers,
    idempotence: cfg.idempotence,
    partialBatchPolicy: cfg.partialBatchPolicy,
    kafkaEncoder: sink.encoder,
  });
  void sink.start();

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log("info", "signal received, draining", { signal });
    gateway.drain().then(
      () => process.exit(0),
      (e) => {
        log("error", "drain failed", { error: (e as Error).message });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((e) => {
  log("error", "fatal", { error: (e as Error).stack });
  process.exit(1);
});
