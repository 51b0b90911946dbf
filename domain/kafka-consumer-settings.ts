/**
 * The settings every kafkajs (2.2.4) consumer the kit ships runs with, in one
 * place: the load-test verifier and audit, the integration tests, anything
 * under services/ that reads a topic. Chosen so a consumer group reads again
 * within 10 s of a broker failing (issue 11); see docs/local-platform.md,
 * "Consumers after a failover", for the measurements behind each value.
 *
 * Why these and not kafkajs's defaults: kafkajs caches the group coordinator
 * it found when it joined. When that broker dies, every offset commit and
 * heartbeat goes on failing with a connection error (kafkajs re-discovers the
 * coordinator only on NOT_COORDINATOR, which a dead broker never sends), and
 * each failure restarts the fetch loop after one batch. The only way out in
 * kafkajs 2.2.4 is the consumer's retry budget running out: it then crashes,
 * restarts, finds the new coordinator and joins again. With the previous
 * budget (20 retries, up to 2 s apart) that took ~35 s, plus the rejoin.
 */

/** Retry policy (kafkajs `RetryOptions`) for the consumer and its cluster connection. */
export interface KitConsumerRetry {
  readonly retries: number;
  readonly initialRetryTime: number;
  readonly maxRetryTime: number;
}

/** The kafkajs `ConsumerConfig` fields the kit sets (structurally a subset of it; domain/ imports no client). */
export interface KitConsumerSettings {
  readonly sessionTimeout: number;
  readonly rebalanceTimeout: number;
  readonly heartbeatInterval: number;
  readonly metadataMaxAge: number;
  readonly maxWaitTimeInMs: number;
  readonly retry: KitConsumerRetry;
}

export const KIT_CONSUMER_SETTINGS: KitConsumerSettings = {
  // A member that stops heartbeating (a dead pod, or the member a crashed kafkajs consumer leaves
  // behind when its LeaveGroup went to a dead coordinator) holds its partitions this long; a restarted
  // consumer's join waits for it. 6 s is the brokers' group.min.session.timeout.ms default (the lowest
  // allowed). librdkafka's mock cluster also waits session timeout - 1 s in every rejoin.
  // kafkajs heartbeats between batches: a handler that can run longer must call heartbeat().
  sessionTimeout: 6_000,
  // How long a rebalance waits for members to rejoin (kafkajs default 60 s): a live kafkajs member
  // rejoins within a heartbeat interval, so 10 s only bounds how long a dead one can hold a rebalance.
  rebalanceTimeout: 10_000,
  // A third of the session or less (Kafka's rule); 1 s lets other members see a rebalance within 1 s.
  heartbeatInterval: 1_000,
  // kafkajs refreshes metadata on "not leader" errors but not when a leader's connection is refused:
  // with the default 5 min it keeps fetching from a dead leader. 5 s bounds that; one Metadata request
  // per consumer per 5 s is negligible.
  metadataMaxAge: 5_000,
  // Longest a fetch waits for data when idle (default 5 s); the verifier's end-to-end latency includes it.
  maxWaitTimeInMs: 100,
  // The retry budget is the stall: a dead coordinator is only left behind when it runs out (see above).
  // 3 retries at 100, 200, 400 ms (each +-20%) give up after ~0.7 s; kafkajs then restarts the consumer
  // (restartOnFailure default) after at most maxRetryTime. A transient error costs a restart and a rejoin.
  retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
};

/** A kafkajs consumer config for `groupId` with the kit's settings (what `Kafka#consumer` takes). */
export function kitConsumerConfig(groupId: string): KitConsumerSettings & { readonly groupId: string } {
  return { groupId, ...KIT_CONSUMER_SETTINGS, retry: { ...KIT_CONSUMER_SETTINGS.retry } };
}
