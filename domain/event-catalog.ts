/**
 * The event catalog: categories, their topics, their share of traffic and the
 * event names each carries. Dependency-free on purpose: the Kafka stack
 * provisions these topics, the ingest gateway routes by them, and the load
 * profile (Node harness and k6) generates its mix from them, so a topic added
 * here is provisioned, routable and load-tested with this one change.
 */

/** Event categories the gateway accepts, one topic each (seed: user actions, transactions, inventory, system). */
export const EVENT_CATEGORIES = ["user_action", "transaction", "inventory", "system"] as const;
export type EventCategory = (typeof EVENT_CATEGORIES)[number];

export type Compression = "zstd" | "lz4";

export interface TopicDefinition {
  /** Kafka topic name. */
  readonly name: string;
  /** The event category routed here; undefined for the dead-letter topic. */
  readonly category?: EventCategory;
  readonly description: string;
  /** Fraction of all events that land here; the capacity planner sizes partitions and disk from it. */
  readonly share: number;
  readonly compression: Compression;
  readonly cleanupPolicy: "delete" | "compact";
  /** Retention override in hours. @default the environment's load.retentionDays */
  readonly retentionHours?: number;
  /** Fixed partitions. @default derived by the capacity planner */
  readonly partitions?: number;
  /** Event names within the category (the load generator draws from these). @default none (no events of its own) */
  readonly eventNames?: readonly string[];
}

export const DEAD_LETTER_TOPIC = "events.dead-letter";

export const TOPIC_CATALOG: readonly TopicDefinition[] = [
  {
    name: "events.user-actions",
    category: "user_action",
    description: "Page views, clicks, cart actions",
    share: 0.6,
    compression: "zstd",
    cleanupPolicy: "delete",
    eventNames: ["page_view", "click", "add_to_cart", "remove_from_cart", "search"],
  },
  // lz4: cheaper to compress than zstd, and transactions are the latency-sensitive stream (fraud checks).
  {
    name: "events.transactions",
    category: "transaction",
    description: "Purchases, refunds, payment status",
    share: 0.15,
    compression: "lz4",
    cleanupPolicy: "delete",
    eventNames: ["purchase", "refund", "payment_authorized", "payment_failed"],
  },
  {
    name: "events.inventory",
    category: "inventory",
    description: "Stock updates, availability changes",
    share: 0.1,
    compression: "zstd",
    cleanupPolicy: "delete",
    eventNames: ["stock_update", "availability_change", "restock"],
  },
  {
    name: "events.system",
    category: "system",
    description: "Errors and performance metrics from services",
    share: 0.15,
    compression: "zstd",
    cleanupPolicy: "delete",
    eventNames: ["error", "latency_report", "deploy"],
  },
  // Rare by design; kept twice as long so a poison event can be inspected after a weekend.
  {
    name: DEAD_LETTER_TOPIC,
    description: "Events consumers could not process",
    share: 0,
    compression: "zstd",
    cleanupPolicy: "delete",
    retentionHours: 14 * 24,
    partitions: 3,
  },
];

/** Topic that receives events of `category`. */
export function topicFor(category: EventCategory, catalog: readonly TopicDefinition[] = TOPIC_CATALOG): string {
  const topic = catalog.find((t) => t.category === category);
  if (!topic) throw new Error(`No topic in the catalog for category ${JSON.stringify(category)}`);
  return topic.name;
}
