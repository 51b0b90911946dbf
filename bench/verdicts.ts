/**
 * Every benchmark ends with its targets: one table, PASS or MISSED per target.
 * A benchmark is a measurement, not a gate, so it exits 0 whatever it measured;
 * `--strict` (for CI, or a reviewer who wants a gate) makes a MISSED exit 1.
 * Crashes exit non-zero either way.
 */
export interface Target {
  readonly name: string;
  /** e.g. ">= 0.8x", "<= 50 ms" */
  readonly target: string;
  /** e.g. "0.95x", "31.9 ms" */
  readonly measured: string;
  readonly pass: boolean;
}

/** The targets as an aligned table, one row each. */
export function verdictTable(targets: readonly Target[]): string {
  const rows = [
    ["target", "goal", "measured", "verdict"],
    ...targets.map((t) => [t.name, t.target, t.measured, t.pass ? "PASS" : "MISSED"]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(rows[0]), line(widths.map((w) => "-".repeat(w))), ...rows.slice(1).map(line)].join("\n");
}

/**
 * Prints the table and returns the exit code: 1 when `--strict` is in argv and a
 * target was MISSED, else 0.
 */
export function reportVerdicts(
  targets: readonly Target[],
  argv: readonly string[] = process.argv,
  print: (line: string) => void = console.log,
): number {
  if (targets.length === 0) throw new Error("reportVerdicts: no targets (a benchmark without a target has nothing to judge)");
  const missed = targets.filter((t) => !t.pass);
  const strict = argv.includes("--strict");
  print(verdictTable(targets));
  print(
    missed.length === 0
      ? `all ${targets.length} targets met`
      : `${missed.length} of ${targets.length} targets MISSED${strict ? " (--strict: exit 1)" : " (exit 0; --strict makes a MISSED target fail the run)"}`,
  );
  return strict && missed.length > 0 ? 1 : 0;
}
