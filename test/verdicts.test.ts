import { reportVerdicts, Target, verdictTable } from "../bench/verdicts";

const met: Target = { name: "ratio gateway/raw", target: ">= 0.8x", measured: "0.95x", pass: true };
const missed: Target = { name: "p99 at 3x (pooled encoder)", target: "<= 50 ms", measured: "59.7 ms", pass: false };

describe("benchmark verdicts", () => {
  test("the table shows PASS or MISSED per target, aligned", () => {
    const lines = verdictTable([met, missed]).split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/^ratio gateway\/raw +>= 0\.8x +0\.95x +PASS$/);
    expect(lines[3]).toMatch(/^p99 at 3x \(pooled encoder\) +<= 50 ms +59\.7 ms +MISSED$/);
    // Columns start at the same offset on every row.
    expect(lines[2].indexOf(">=")).toBe(lines[3].indexOf("<="));
  });

  test("exit code: 0 without --strict whatever was measured; 1 with --strict only when a target is MISSED", () => {
    const quiet = () => undefined;
    expect(reportVerdicts([met, missed], ["node", "bench.js"], quiet)).toBe(0);
    expect(reportVerdicts([met, missed], ["node", "bench.js", "--rounds", "1", "--strict"], quiet)).toBe(1);
    expect(reportVerdicts([met], ["node", "bench.js", "--strict"], quiet)).toBe(0);
    expect(reportVerdicts([met], ["node", "bench.js"], quiet)).toBe(0);
  });

  test("the summary line says what --strict would do", () => {
    const printed: string[] = [];
    reportVerdicts([met, missed], [], (l) => printed.push(l));
    expect(printed[printed.length - 1]).toBe("1 of 2 targets MISSED (exit 0; --strict makes a MISSED target fail the run)");
    printed.length = 0;
    reportVerdicts([met, missed], ["--strict"], (l) => printed.push(l));
    expect(printed[printed.length - 1]).toBe("1 of 2 targets MISSED (--strict: exit 1)");
  });

  test("no targets is a mistake in the benchmark, not a pass", () => {
    expect(() => reportVerdicts([], ["--strict"], () => undefined)).toThrow(/no targets/);
  });
});
