import { EVENT_CATEGORIES, EventCategory, topicFor } from "../../../domain/event-catalog";

/** One event as clients send it. */
export interface IncomingEvent {
  readonly eventId: string;
  readonly type: EventCategory;
  readonly userId: string;
  /** When the event happened (or was sent): ISO 8601 string or epoch milliseconds. */
  readonly timestamp: string | number;
  readonly payload: Record<string, unknown>;
  /** Optional event name within its category, e.g. "add_to_cart". */
  readonly name?: string;
}

/** What is written to Kafka: the event with its timestamp normalized and the receive time added. */
export interface StoredEvent {
  readonly eventId: string;
  readonly type: EventCategory;
  readonly userId: string;
  readonly timestamp: number;
  readonly receivedAt: number;
  readonly name?: string;
  readonly payload: Record<string, unknown>;
}

export interface FieldError {
  readonly field: string;
  readonly reason: string;
}

export interface EventRejection {
  readonly index: number;
  readonly eventId?: string;
  readonly errors: readonly FieldError[];
}

export interface SchemaLimits {
  /** Largest serialized event (as stored in Kafka), bytes. */
  readonly maxEventBytes: number;
  readonly maxEventAgeMs: number;
  readonly maxClockSkewMs: number;
}

const ALLOWED_FIELDS = new Set(["eventId", "type", "userId", "timestamp", "payload", "name"]);
const EVENT_ID = /^[A-Za-z0-9_-]{8,64}$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Checks one event and returns it ready for Kafka, or the reasons it is
 * refused, field by field. Never throws on any input.
 */
export function validateEvent(
  raw: unknown,
  now: number,
  limits: SchemaLimits,
): { event?: StoredEvent; value?: Buffer; errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return {
      errors: [
        { field: "(event)", reason: `must be a JSON object, got ${raw === null ? "null" : Array.isArray(raw) ? "array" : typeof raw}` },
      ],
    };
  }
  const e = raw as Record<string, unknown>;
  for (const key of Object.keys(e)) if (!ALLOWED_FIELDS.has(key)) errors.push({ field: key, reason: "unknown field" });
  if (typeof e.eventId !== "string" || !EVENT_ID.test(e.eventId))
    errors.push({ field: "eventId", reason: "must be 8-64 characters of A-Z a-z 0-9 _ -" });
  if (typeof e.type !== "string" || !(EVENT_CATEGORIES as readonly string[]).includes(e.type)) {
    errors.push({ field: "type", reason: `must be one of ${EVENT_CATEGORIES.join(", ")}` });
  }
  if (typeof e.userId !== "string" || e.userId.length < 1 || e.userId.length > 128)
    errors.push({ field: "userId", reason: "must be a string of 1-128 characters" });
  if (e.name !== undefined && (typeof e.name !== "string" || e.name.length < 1 || e.name.length > 64))
    errors.push({ field: "name", reason: "must be a string of 1-64 characters" });
  let ts = NaN;
  if (typeof e.timestamp === "number" && Number.isInteger(e.timestamp)) ts = e.timestamp;
  else if (typeof e.timestamp === "string" && ISO_8601.test(e.timestamp)) ts = Date.parse(e.timestamp);
  if (!Number.isFinite(ts)) errors.push({ field: "timestamp", reason: "must be an ISO 8601 date-time with zone or epoch milliseconds" });
  else if (ts > now + limits.maxClockSkewMs)
    errors.push({ field: "timestamp", reason: `is more than ${limits.maxClockSkewMs} ms in the future` });
  else if (ts < now - limits.maxEventAgeMs) errors.push({ field: "timestamp", reason: `is older than ${limits.maxEventAgeMs} ms` });
  if (typeof e.payload !== "object" || e.payload === null || Array.isArray(e.payload))
    errors.push({ field: "payload", reason: "must be a JSON object" });
  if (errors.length) return { errors };
  const event: StoredEvent = {
    eventId: e.eventId as string,
    type: e.type as EventCategory,
    userId: e.userId as string,
    timestamp: ts,
    receivedAt: now,
    ...(e.name !== undefined ? { name: e.name as string } : {}),
    payload: e.payload as Record<string, unknown>,
  };
  // Serialize once: the size limit applies to exactly the bytes Kafka will store.
  const value = Buffer.from(JSON.stringify(event));
  if (value.length > limits.maxEventBytes) {
    return { errors: [{ field: "payload", reason: `makes the event ${value.length} bytes, at most ${limits.maxEventBytes}` }] };
  }
  return { event, value, errors };
}

export type BodyFormat = "json" | "ndjson";

/** Media types the gateway reads; anything else is 415. */
export function bodyFormatOf(contentType: string | undefined): BodyFormat | undefined {
  const type = (contentType ?? "").split(";")[0].trim().toLowerCase();
  if (type === "application/json") return "json";
  if (type === "application/x-ndjson" || type === "application/ndjson") return "ndjson";
  return undefined;
}

export class MalformedBodyError extends Error {}

/**
 * The events of a body: a JSON array, an object with an `events` array, or
 * NDJSON (one event per line). Throws MalformedBodyError with the position.
 */
export function parseBatch(body: string, format: BodyFormat): unknown[] {
  if (format === "ndjson") {
    const out: unknown[] = [];
    body.split("\n").forEach((line, i) => {
      if (line.trim() === "") return;
      try {
        out.push(JSON.parse(line));
      } catch (e) {
        throw new MalformedBodyError(`line ${i + 1}: ${(e as Error).message}`);
      }
    });
    return out;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    throw new MalformedBodyError((e as Error).message);
  }
  if (Array.isArray(parsed)) return parsed;
  if (typeof parsed === "object" && parsed !== null && Array.isArray((parsed as { events?: unknown }).events))
    return (parsed as { events: unknown[] }).events;
  throw new MalformedBodyError('expected a JSON array of events or an object with an "events" array');
}

/** Kafka topic for a validated event (from the shared topic catalog). */
export function topicOf(event: StoredEvent): string {
  return topicFor(event.type);
}
