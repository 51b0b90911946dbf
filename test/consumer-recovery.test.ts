import { BehindSpans, consumerRecovery, explainEndToEnd, formatRecovery } from "../loadtest/harness/recovery";

describe("BehindSpans (when the live consumer was more than the threshold behind)", () => {
  test("a batch whose oldest event is older than the threshold marks (sent + threshold, read)", () => {
    const b = new BehindSpans(3000);
    b.record(1000, 3500); // 2.5 s behind: not counted
    b.record(10_000, 20_000);
    expect(b.spans).toEqual([{ fromMs: 13_000, toMs: 20_000 }]);
  });
  test("overlapping spans merge; separate ones stay apart", () => {
    const b = new BehindSpans(3000);
    b.record(10_000, 20_000);
    b.record(15_000, 21_000);
    b.record(30_000, 34_000);
    b.record(5_000, 35_000); // an old event read late covers both
    expect(b.spans).toEqual([{ fromMs: 8_000, toMs: 35_000 }]);
    b.record(40_000, 44_000);
    expect(b.spans).toEqual([
      { fromMs: 8_000, toMs: 35_000 },
      { fromMs: 43_000, toMs: 44_000 },
    ]);
  });
});

describe("consumerRecovery (issue 11: fault to caught up again)", () => {
  const base = { fault: "broker 2 failed over", loadStartMs: 0, thresholdMs: 3000, targetMs: 10_000 };
  test("caught up at the end of the behind-span after the fault", () => {
    const r = consumerRecovery({
      ...base,
      faultAtMs: 20_000,
      windowEndMs: 40_000,
      spans: [
        { fromMs: 5_000, toMs: 6_000 }, // before the fault: ignored
        { fromMs: 23_000, toMs: 28_400 },
      ],
      readTimes: [19_900, 20_300, 28_400],
    });
    expect(r).toMatchObject({
      caughtUpAfterSeconds: 8.4,
      firstReadAfterSeconds: 0.3,
      behindFromSecond: 23,
      behindToSecond: 28.4,
      pass: true,
    });
    expect(formatRecovery(r)).toMatch(/^consumer recovery after broker 2 failed over at 20 s: 8.4 s \(target 10 s: PASS\)/);
  });
  test("a span that starts after the heal belongs to the heal, not the fault", () => {
    const r = consumerRecovery({
      ...base,
      faultAtMs: 20_000,
      windowEndMs: 40_000,
      spans: [{ fromMs: 41_000, toMs: 50_000 }],
      readTimes: [],
    });
    expect(r.caughtUpAfterSeconds).toBe(0);
    expect(r.pass).toBe(true);
    expect(formatRecovery(r)).toMatch(/never more than 3 s behind; no read after it/);
  });
  test("missed when caught up late, and when still behind at the end", () => {
    const late = consumerRecovery({
      ...base,
      faultAtMs: 20_000,
      windowEndMs: 40_000,
      spans: [{ fromMs: 23_000, toMs: 48_000 }],
      readTimes: [],
    });
    expect(late).toMatchObject({ caughtUpAfterSeconds: 28, pass: false });
    expect(formatRecovery(late)).toMatch(/28 s \(target 10 s: MISSED\)/);
    const never = consumerRecovery({ ...base, faultAtMs: 20_000, windowEndMs: 40_000, spans: [], readTimes: [], stillBehind: true });
    expect(never).toMatchObject({ caughtUpAfterSeconds: undefined, pass: false });
    expect(formatRecovery(never)).toMatch(/not caught up when the verifier stopped waiting \(target 10 s: MISSED\)/);
  });
});

describe("explainEndToEnd (the report says what its end-to-end figure is made of)", () => {
  test("names the longest stall and the fault before it", () => {
    const text = explainEndToEnd({
      p95Ms: 9655,
      spans: [{ fromMs: 33_000, toMs: 41_000 }],
      loadStartMs: 0,
      loadEndMs: 60_000,
      faults: [{ what: "SIGKILL broker 2", atMs: 30_000 }],
      thresholdMs: 3000,
    });
    expect(text).toBe(
      "end-to-end p95 9655 ms: events sent from 30.0 s waited for the consumer, which fell behind after SIGKILL broker 2 at 30.0 s " +
        "and read them only by 41.0 s (more than 3 s behind for 8.0 s)",
    );
  });
  test("says so when the consumer never fell behind", () => {
    expect(explainEndToEnd({ p95Ms: 800, spans: [], loadStartMs: 0, loadEndMs: 60_000, faults: [] })).toMatch(/never more than 3 s behind/);
  });
});
