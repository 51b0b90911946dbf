import { longestReadGap } from "../loadtest/harness/verifier";

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
