import { TOPIC_CATALOG } from "../domain/event-catalog";
import {
  arrivalRateStages,
  averageEventsPerSecond,
  CATEGORY_MIX,
  diurnalCurve,
  diurnalShape,
  EventGenerator,
  eventRateAt,
  plannedEvents,
  requestsPerSecond,
  SECONDS_PER_DAY,
} from "../loadtest/profile/load-profile";
import { timestampOf } from "../loadtest/harness/verifier";
import { validateEvent } from "../services/ingest-gateway/src/events";

describe("load profile math", () => {
  test("300M/day is 3,472.2 events/s; 100-event batches make 34.7 requests/s", () => {
    expect(averageEventsPerSecond(300e6)).toBeCloseTo(3472.22, 2);
    expect(requestsPerSecond(3472.22, 100)).toBeCloseTo(34.72, 2);
  });

  test("one simulated day at the default rate sums to 300M events within 0.1%", () => {
    const run = { eventsPerDay: 300e6, peakFactor: 3, durationSeconds: SECONDS_PER_DAY, batchSize: 100 };
    const curve = diurnalCurve(3);
    let total = 0;
    for (let t = 0; t < SECONDS_PER_DAY; t++) total += eventRateAt(t + 0.5, run, curve);
    expect(Math.abs(total - 300e6) / 300e6).toBeLessThan(0.001);
  });

  test("a run compresses the day: the whole curve fits the run, at real rates", () => {
    const run = { eventsPerDay: 300e6, peakFactor: 3, durationSeconds: 600, batchSize: 100 };
    expect(Math.abs(plannedEvents(run) - 3472.22 * 600) / (3472.22 * 600)).toBeLessThan(0.001);
    expect(eventRateAt(300, run)).toBeCloseTo(3 * 3472.22, 0); // peak mid-run
  });

  test.each([1, 1.5, 2, 3, 4, 6])("peak factor %d: mean 1, peak = factor, trough >= 0", (peak) => {
    const curve = diurnalCurve(peak);
    let sum = 0;
    const n = 10_000;
    for (let i = 0; i < n; i++) sum += diurnalShape((i + 0.5) / n, curve);
    expect(sum / n).toBeCloseTo(1, 6);
    expect(diurnalShape(0.5, curve)).toBeCloseTo(peak, 9);
    expect(diurnalShape(0, curve)).toBeGreaterThanOrEqual(0);
  });

  test("a 3x peak keeps the night at about a quarter of the average", () => {
    expect(diurnalCurve(3).trough).toBeCloseTo(0.247, 3);
  });

  test("k6 stages follow the curve in requests/s", () => {
    const stages = arrivalRateStages({ eventsPerDay: 300e6, peakFactor: 3, durationSeconds: 240, batchSize: 100 }, 4);
    expect(stages.map((s) => s.duration)).toEqual(["60000ms", "60000ms", "60000ms", "60000ms"]);
    expect(stages[1].target).toBe(104); // the peak at mid-run: 10,417 events/s / 100
  });

  test("bad inputs are refused", () => {
    expect(() => diurnalCurve(0.5)).toThrow("peakFactor must be from 1 to 6, got 0.5");
    expect(() => requestsPerSecond(10, 0)).toThrow("batchSize must be >= 1, got 0");
  });
});

describe("event generator", () => {
  const gen = () => new EventGenerator({ seed: 42, runId: "test", bytesPerEvent: 1024, users: 1_000_000, zipfExponent: 1.1 });

  test("the category mix is the topic catalog's", () => {
    const fromCatalog = TOPIC_CATALOG.filter((t) => t.category).map((t) => ({ type: t.category, share: t.share }));
    expect([...CATEGORY_MIX]).toEqual(fromCatalog);
  });

  test("20,000 events: every one passes the gateway schema, ids unique, mix and size on target", () => {
    const g = gen();
    const now = Date.now();
    const events = g.batch(20_000, now);
    const limits = { maxEventBytes: 16 * 1024, maxEventAgeMs: 7 * 86_400_000, maxClockSkewMs: 3_600_000 };
    expect(events.filter((e) => validateEvent(e, now, limits).errors.length > 0)).toEqual([]);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    const share = events.filter((e) => e.type === "user_action").length / events.length;
    expect(share).toBeGreaterThan(0.58);
    expect(share).toBeLessThan(0.62);
    const avgSize = events.reduce((n, e) => n + JSON.stringify(e).length, 0) / events.length;
    expect(avgSize).toBeGreaterThan(1024 * 0.95);
    expect(avgSize).toBeLessThan(1024 * 1.05);
  });

  test("user keys are skewed: the top 1% of users send far more than 1% of events", () => {
    const g = gen();
    const counts = new Map<string, number>();
    for (const e of g.batch(50_000, 0)) counts.set(e.userId, (counts.get(e.userId) ?? 0) + 1);
    const sorted = [...counts.values()].sort((a, b) => b - a);
    const top = sorted.slice(0, Math.ceil(sorted.length / 100)).reduce((a, b) => a + b, 0);
    expect(top / 50_000).toBeGreaterThan(0.1);
  });

  test("the same seed gives the same stream", () => {
    expect(gen().batch(5, 1)).toEqual(gen().batch(5, 1));
  });
});

test("the verifier reads the stored timestamp without parsing the event", () => {
  const stored = {
    eventId: "evt-00000001",
    type: "system",
    userId: "u",
    timestamp: 1795309319371,
    receivedAt: 1795309319381,
    payload: { timestamp: 5 },
  };
  expect(timestampOf(Buffer.from(JSON.stringify(stored)))).toBe(1795309319371);
  expect(timestampOf(Buffer.from("{}"))).toBeNaN();
});
