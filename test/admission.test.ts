import {
  AdaptiveConcurrencyLimit,
  Admission,
  AdaptiveLimitOptions,
  DEFAULT_ADAPTIVE_LIMIT,
} from "../services/ingest-gateway/src/admission";

const opts = (over: Partial<AdaptiveLimitOptions> = {}): AdaptiveLimitOptions => ({
  ...DEFAULT_ADAPTIVE_LIMIT,
  maxLimit: 512,
  latencyTargetMs: 100,
  ...over,
});

/**
 * A gateway modelled as one CPU serving requests one after another (Node's
 * event loop) plus a Kafka wait: a request's latency is its wait for the CPU,
 * its own `serviceMs` and `kafkaMs`. Arrivals come at `arrivalsPerMs`; those
 * over the limit are refused. Time is whole milliseconds; state carries over
 * from one `run` to the next.
 */
class SimulatedGateway {
  private t = 0;
  private cpuFreeAt = 0;
  // Completions in order: one CPU, and a request never overtakes an earlier one (Kafka acknowledges in order).
  private readonly completions: { at: number; latency: number }[] = [];
  private next = 0;

  constructor(private readonly limiter: AdaptiveConcurrencyLimit) {}

  run(o: { ms: number; arrivalsPerMs: number; serviceMs: number; kafkaMs: number }) {
    let accepted = 0;
    let refused = 0;
    const latencies: number[] = [];
    let due = 0;
    for (const end = this.t + o.ms; this.t < end; this.t++) {
      while (this.next < this.completions.length && this.completions[this.next].at <= this.t) {
        const c = this.completions[this.next++];
        this.limiter.release(c.latency, c.at);
      }
      due += o.arrivalsPerMs;
      while (due >= 1) {
        due--;
        if (!this.limiter.tryAcquire()) {
          refused++;
          continue;
        }
        accepted++;
        this.cpuFreeAt = Math.max(this.t, this.cpuFreeAt) + o.serviceMs;
        const at = Math.max(this.cpuFreeAt + o.kafkaMs, this.completions.at(-1)?.at ?? 0);
        latencies.push(at - this.t);
        this.completions.push({ at, latency: at - this.t });
      }
    }
    return { accepted, refused, latencies };
  }
}

const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * q) / 100))];

describe("AdaptiveConcurrencyLimit", () => {
  test("refuses at the limit and takes requests again as slots free", () => {
    const l = new AdaptiveConcurrencyLimit(opts({ initialLimit: 2 }), 0);
    expect(l.tryAcquire()).toBe(true);
    expect(l.tryAcquire()).toBe(true);
    expect(l.tryAcquire()).toBe(false);
    l.release(10, 1);
    expect(l.tryAcquire()).toBe(true);
  });

  test("latency over the target cuts the limit by target/p90, at most by half per window", () => {
    const l = new AdaptiveConcurrencyLimit(opts({ initialLimit: 40, minSamples: 4 }), 0);
    for (let i = 0; i < 40; i++) l.tryAcquire();
    for (let i = 0; i < 10; i++) l.release(125, 10 + i); // p90 125 ms against 100: x0.8
    l.release(125, 300); // the window ends
    expect(l.limit).toBe(32);
    for (let i = 0; i < 10; i++) l.release(1000, 310 + i); // 10x over: halved, not cut to a tenth
    l.release(1000, 600);
    expect(l.limit).toBe(16);
  });

  test("grows by sqrt(limit) only when the limit was reached and latency is under the target", () => {
    const l = new AdaptiveConcurrencyLimit(opts({ initialLimit: 16, minSamples: 4 }), 0);
    // Not using the limit (2 in flight at most): no growth, however fast.
    for (let w = 0; w < 5; w++) {
      for (let i = 0; i < 10; i++) {
        l.tryAcquire();
        l.tryAcquire();
        l.release(5, w * 300 + i);
        l.release(5, w * 300 + i);
      }
      l.release(5, w * 300 + 260);
    }
    expect(l.limit).toBe(16);
    // At the limit: +4 (sqrt 16).
    while (l.tryAcquire());
    for (let i = 0; i < 10; i++) l.release(5, 2000 + i);
    l.release(5, 2300);
    expect(l.limit).toBe(20);
  });

  test("stays within min and max", () => {
    const l = new AdaptiveConcurrencyLimit(opts({ initialLimit: 4, minLimit: 3, maxLimit: 6, minSamples: 1 }), 0);
    for (let w = 1; w <= 10; w++) {
      while (l.tryAcquire());
      l.release(1, w * 300);
    }
    expect(l.limit).toBe(6);
    for (let w = 11; w <= 20; w++) {
      l.tryAcquire();
      l.release(5000, w * 300);
    }
    expect(l.limit).toBe(3);
  });

  test("refuses options that cannot work, naming them", () => {
    expect(() => new AdaptiveConcurrencyLimit(opts({ minLimit: 0 }))).toThrow(/minLimit 0 must be at least 1/);
    expect(() => new AdaptiveConcurrencyLimit(opts({ minLimit: 10, maxLimit: 5 }))).toThrow(/maxLimit 5 must be at least minLimit 10/);
    expect(() => new AdaptiveConcurrencyLimit(opts({ latencyTargetMs: 0 }))).toThrow(/latencyTargetMs 0/);
  });

  test("under a 5x flood of a CPU-bound server it keeps goodput near capacity and latency near the target", () => {
    // 4 ms of CPU per request (capacity 250/s) and 10 ms of Kafka; 5x that offered for 60 s.
    const flood = new SimulatedGateway(new AdaptiveConcurrencyLimit(opts(), 0)).run({
      ms: 60_000,
      arrivalsPerMs: 1.25,
      serviceMs: 4,
      kafkaMs: 10,
    });
    const capacityPerS = 250;
    const settled = flood.latencies.slice(Math.floor(flood.latencies.length / 10)); // after the first 6 s
    expect(flood.accepted / 60).toBeGreaterThanOrEqual(0.9 * capacityPerS);
    expect(p(settled, 90)).toBeLessThanOrEqual(130);
    expect(p(settled, 99)).toBeLessThanOrEqual(250);
    expect(flood.refused).toBeGreaterThan(flood.accepted * 3);
    // Without a limit the same flood queues without bound: the latency grows for as long as it lasts.
    const unlimited = new AdaptiveConcurrencyLimit(opts({ initialLimit: 1e6, maxLimit: 1e6, latencyTargetMs: 1e9 }), 0);
    const queued = new SimulatedGateway(unlimited).run({ ms: 60_000, arrivalsPerMs: 1.25, serviceMs: 4, kafkaMs: 10 });
    expect(p(queued.latencies, 99)).toBeGreaterThan(100 * 250);
  });

  test("after the flood, the limit lets the normal load through with no refusals within a few seconds", () => {
    const gw = new SimulatedGateway(new AdaptiveConcurrencyLimit(opts(), 0));
    gw.run({ ms: 30_000, arrivalsPerMs: 1.25, serviceMs: 4, kafkaMs: 10 });
    // Back to 80% of capacity.
    const after = gw.run({ ms: 10_000, arrivalsPerMs: 0.2, serviceMs: 4, kafkaMs: 10 });
    expect(after.refused).toBe(0);
    expect(p(after.latencies, 99)).toBeLessThanOrEqual(100);
  });

  test("a slow Kafka shrinks the limit towards the minimum, and it grows back to serve the load when Kafka recovers", () => {
    const l = new AdaptiveConcurrencyLimit(opts(), 0);
    const gw = new SimulatedGateway(l);
    gw.run({ ms: 10_000, arrivalsPerMs: 0.5, serviceMs: 1, kafkaMs: 2000 });
    expect(l.limit).toBeLessThanOrEqual(4);
    gw.run({ ms: 5_000, arrivalsPerMs: 0.5, serviceMs: 1, kafkaMs: 10 });
    // 500 requests/s of 11 ms need ~6 slots: within 5 s the limit has grown past that and refuses nothing.
    const later = gw.run({ ms: 5_000, arrivalsPerMs: 0.5, serviceMs: 1, kafkaMs: 10 });
    expect(later.refused).toBe(0);
    expect(l.limit).toBeGreaterThanOrEqual(6);
  });
});

describe("Admission", () => {
  test("refuses by bytes before concurrency, but an idle gateway always takes one request", () => {
    const a = new Admission(opts(), 1000, 0);
    const big = a.admit(5000);
    expect(typeof big).toBe("object");
    expect(a.admit(10)).toBe("bytes");
    (big as Exclude<typeof big, string>).release(false, 1);
    expect(a.inflightBytes).toBe(0);
    const t1 = a.admit(600);
    expect(typeof t1).toBe("object");
    expect(a.admit(500)).toBe("bytes");
    expect(typeof a.admit(400)).toBe("object");
  });

  test("resize trades the reservation of a body of unknown length for its real size", () => {
    const a = new Admission(opts(), 1000, 0);
    const other = a.admit(300);
    const t = a.admit(700); // chunked: reserved the maximum allowed
    if (typeof t === "string" || typeof other === "string") throw new Error("not admitted");
    expect(t.resize(100)).toBe(true);
    expect(a.inflightBytes).toBe(400);
    expect(t.resize(800)).toBe(false); // 300 + 800 would pass the bound
    t.release(true, 5);
    t.release(true, 6); // twice is harmless
    expect(a.inflightBytes).toBe(300);
  });

  test("refuses by concurrency at the limit", () => {
    const a = new Admission(opts({ initialLimit: 2 }), 1e9, 0);
    a.admit(1);
    a.admit(1);
    expect(a.admit(1)).toBe("concurrency");
  });

  test("the latency sample runs from the end of the body to the answer, and only when it says something about capacity", () => {
    const a = new Admission(opts({ initialLimit: 8, minSamples: 1, windowMs: 10 }), 1e9, 0);
    const slowUpload = a.admit(1);
    if (typeof slowUpload === "string") throw new Error("not admitted");
    slowUpload.bodyRead(5000); // a client took 5 s to send its body
    slowUpload.release(true, 5020); // served in 20 ms
    expect(a.limiter.limit).toBe(8); // 20 ms is under the target: no cut for the client's slowness
    const bad = a.admit(1);
    if (typeof bad === "string") throw new Error("not admitted");
    bad.release(false, 9000); // 400 before the body was used: no sample
    expect(a.limiter.limit).toBe(8);
  });
});
