/**
 * npm run check:plan [-- --dir cdktf.out]
 * Runs the plan-time checks on a synthesized app and exits 1 on any finding.
 */
import { PLAN_CHECKS, readSynthOutput, runPlanChecks } from "./index";

function main(argv: readonly string[]): number {
  const flag = argv.indexOf("--dir");
  const dir = flag >= 0 ? argv[flag + 1] : "cdktf.out";
  if (!dir) {
    console.error("usage: npm run check:plan -- [--dir <synth output>]");
    return 2;
  }
  const out = readSynthOutput(dir);
  const findings = runPlanChecks(out);
  for (const c of PLAN_CHECKS) {
    const mine = findings.filter((f) => f.check === c.id);
    console.log(`${mine.length ? "FAIL" : "ok  "} ${c.id}: ${c.title} (${mine.length} finding${mine.length === 1 ? "" : "s"})`);
    for (const f of mine) console.log(`  [${f.stack}] ${f.address}: ${f.message}`);
    if (mine.length) console.log(`  why it matters: ${c.why}`);
  }
  console.log(`plan checks: ${out.stacks.size} stacks, ${findings.length} finding(s)`);
  return findings.length ? 1 : 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  console.error((e as Error).message);
  process.exitCode = 2;
}
