import { completeness, longestReadGap } from "../loadtest/harness/verifier";
import { describeCompleteness } from "../loadtest/harness/audit";

describe("longestReadGap (the live consumer's longest pause, in the run report)", () => {
  test("finds the longest stretch without reads, and where it began", () => {
    expect(longestReadGap([1000, 1100, 4100, 4200], 1000, 5000)).toEqual({ ms: 3000, startMs: 1100 });
  });
  test("counts the stretch before the first read and after the last one", () => {
    expect(longestReadGap([9000], 1000, 10_000)).toEqual({ ms: 8000, startMs: 1000 });
    expect(longestReadGap([1000], 1000, 10_000)).toEqual({ ms: 9000, startMs: 1000 });
    expect(longestReadGap([], 0, 500)).toEqual({ ms: 500, startMs: 0 });
  });
  test("ignores reads outside the window and does not need them sorted", () => {
    expect(longestReadGap([4000, 50, 2000, 99_999, 3000], 1000, 5000)).toEqual({ ms: 1000, startMs: 1000 });
  });
});

describe("audit completeness (read to the end offsets, not until reads pause)", () => {
  const ends = new Map([
    ["events.user-actions/0", { start: 0n, end: 500n }],
    ["events.user-actions/1", { start: 100n, end: 100n }],
    ["events.transactions/0", { start: 20n, end: 300n }],
  ]);

  test("complete only when every partition is read up to its end; an empty partition needs no read", () => {
    const c = completeness(
      ends,
      new Map([
        ["events.user-actions/0", 500n],
        ["events.transactions/0", 300n],
      ]),
      12,
    );
    expect(c).toEqual({ complete: true, partitions: 3, notReadToEnd: [], seconds: 12, recordsRead: 780 });
    expect(describeCompleteness(c)).toBe("read all 3 partitions to their end offsets (780 records in 12 s)");
  });

  test("a consumer that paused half-way is incomplete, and says where it stopped: no loss can be decided", () => {
    const c = completeness(ends, new Map([["events.user-actions/0", 200n]]), 30);
    expect(c.complete).toBe(false);
    expect(c.notReadToEnd).toEqual([
      { partition: "events.user-actions/0", readTo: 200, end: 500 },
      { partition: "events.transactions/0", readTo: 20, end: 300 },
    ]);
    expect(c.recordsRead).toBe(200);
    expect(describeCompleteness(c)).toMatch(
      /^INCOMPLETE: 2 of 3 partitions .*events.user-actions\/0 read to 200 of 500, events.transactions\/0 read to 20 of 300/,
    );
  });
});
