import { Timeline } from "../loadtest/harness/timeline";

/** A clock the test moves by hand (ms). */
function fakeClock(startMs = 1_000) {
  let now = startMs;
  return { now: () => now, to: (ms: number) => (now = startMs + ms) };
}

describe("Timeline", () => {
  test("buckets counts by whole second since the start, with empty seconds as zeros", () => {
    const c = fakeClock();
    const t = new Timeline(undefined, c.now);
    t.offered(100);
    t.offered(100);
    c.to(400);
    t.accepted(100, 12);
    t.refused("429", 1);
    c.to(2_100); // second 1 stays empty
    t.offered(50);
    t.accepted(100, 30);
    t.refused("503", 5000);
    t.refused("error", 3);
    t.refused("400", 2);
    c.to(3_000); // second 2 is over, second 3 has nothing yet
    expect(t.points()).toEqual([
      { second: 0, offeredEvents: 200, acknowledgedEvents: 100, rejected429: 1, otherErrors: 0, p50Ms: 12, p99Ms: 12 },
      { second: 1, offeredEvents: 0, acknowledgedEvents: 0, rejected429: 0, otherErrors: 0 },
      { second: 2, offeredEvents: 50, acknowledgedEvents: 100, rejected429: 0, otherErrors: 3, p50Ms: 30, p99Ms: 30 },
    ]);
  });

  test("latency percentiles are per second, of accepted requests only, and survive the second closing", () => {
    const c = fakeClock();
    const t = new Timeline(undefined, c.now);
    for (let i = 1; i <= 100; i++) t.accepted(1, i); // 1..100 ms in second 0
    t.refused("503", 99_999); // not a 202: no effect on the percentiles
    const open = t.points();
    expect(open).toHaveLength(1); // the current partial second is included because it holds data
    expect(open[0]).toMatchObject({ p50Ms: 50, p99Ms: 99 });
    c.to(1_500);
    t.accepted(1, 500);
    const [s0, s1] = t.points();
    expect(s0).toMatchObject({ second: 0, p50Ms: 50, p99Ms: 99, acknowledgedEvents: 100 });
    expect(s1).toMatchObject({ second: 1, p50Ms: 500, p99Ms: 500 });
  });

  test("the points add up to everything recorded", () => {
    const c = fakeClock(0);
    const t = new Timeline(0, c.now);
    let offered = 0;
    let acked = 0;
    for (let ms = 0; ms < 20_000; ms += 37) {
      c.to(ms);
      t.offered(7);
      offered += 7;
      if (ms % 3 === 0) {
        t.accepted(5, ms % 100);
        acked += 5;
      } else t.refused(ms % 2 ? "429" : "503", 1);
    }
    const pts = t.points();
    expect(pts.map((p) => p.second)).toEqual([...Array(pts.length).keys()]);
    expect(pts.reduce((n, p) => n + p.offeredEvents, 0)).toBe(offered);
    expect(pts.reduce((n, p) => n + p.acknowledgedEvents, 0)).toBe(acked);
  });

  test("progressLine: totals, the recent rate, p99 so far from the histogram, 429s", () => {
    const c = fakeClock();
    const t = new Timeline(undefined, c.now);
    expect(t.progressLine()).toBe("[   0 s] sent 0 events, acknowledged 0, 0 ev/s now, p99 so far n/a, 429s 0");
    // 30 s at 3,500 events/s offered, 3,400 acknowledged per second with 10-20 ms; one 231 ms outlier per second.
    for (let s = 0; s < 30; s++) {
      c.to(s * 1000 + 10);
      t.offered(3500);
      for (let i = 0; i < 33; i++) t.accepted(100, 10 + (i % 10));
      t.accepted(100, 231);
      if (s === 29) t.refused("429", 1);
    }
    c.to(30_200);
    const line = t.progressLine();
    expect(line).toMatch(/^\[ {2}30 s\] sent 105,000 events, acknowledged 102,000, 3,400 ev\/s now, p99 so far (\d+) ms, 429s 1$/);
    // 1 in 34 requests took 231 ms: the run-wide p99 is that, within the histogram's 2%.
    const p99 = Number(/p99 so far (\d+) ms/.exec(line)![1]);
    expect(p99).toBeGreaterThanOrEqual(231);
    expect(p99).toBeLessThanOrEqual(236);
    t.refused("error", 1);
    expect(t.progressLine()).toMatch(/429s 1, other errors 1$/);
  });

  test("startProgress prints every everyMs until stopped", () => {
    jest.useFakeTimers();
    try {
      const c = fakeClock();
      const t = new Timeline(undefined, c.now);
      const lines: string[] = [];
      const stop = t.startProgress((l) => lines.push(l), 10_000);
      t.offered(10);
      c.to(10_000);
      jest.advanceTimersByTime(10_000);
      c.to(20_000);
      jest.advanceTimersByTime(10_000);
      expect(lines).toEqual([
        "[  10 s] sent 10 events, acknowledged 0, 0 ev/s now, p99 so far n/a, 429s 0",
        "[  20 s] sent 10 events, acknowledged 0, 0 ev/s now, p99 so far n/a, 429s 0",
      ]);
      stop();
      jest.advanceTimersByTime(60_000);
      expect(lines).toHaveLength(2);
    } finally {
      jest.useRealTimers();
    }
  });
});
