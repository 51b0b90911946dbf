/**
 * npm run bench:synth [-- --runs N] [--strict]
 * Synth of every environment against a minimal one-resource cdktf app, runs
 * interleaved so both see the same machine load; prints medians, the ratio and
 * the verdict per target (exit 1 on a MISSED target only with --strict).
 */
import * as os from "os";
import * as path from "path";
import { measureNode, median, Sample } from "./measure";
import { reportVerdicts } from "./verdicts";

const runsArg = process.argv.indexOf("--runs");
const runs = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 7;
const dist = path.resolve(__dirname, "..");
const kit = path.join(dist, "main.js");
const minimal = path.join(dist, "bench", "minimal-app.js");

const samples: Record<"kit" | "minimal", Sample[]> = { kit: [], minimal: [] };
measureNode(minimal); // warm the file cache for both
measureNode(kit);
for (let i = 0; i < runs; i++) {
  samples.minimal.push(measureNode(minimal));
  samples.kit.push(measureNode(kit));
}

const row = (name: string, s: Sample[]) => {
  const wall = median(s.map((x) => x.wallMs));
  const rss = Math.max(...s.map((x) => x.peakRssMiB));
  console.log(`${name.padEnd(34)} ${wall.toFixed(0).padStart(8)} ms ${rss.toFixed(0).padStart(8)} MiB`);
  return { wall, rss };
};
console.log(
  `bench:synth  ${new Date().toISOString()}  ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, runs=${runs}`,
);
console.log(`${"".padEnd(34)} ${"median wall".padStart(11)} ${"peak RSS".padStart(12)}`);
const m = row("minimal app (1 stack, 1 resource)", samples.minimal);
const k = row("kit: dev + staging + prod", samples.kit);
// Targets from BENCHMARKS.md; a MISSED target fails the run only with --strict.
process.exitCode = reportVerdicts([
  { name: "synth wall time, kit / minimal app", target: "<= 3x", measured: `${(k.wall / m.wall).toFixed(2)}x`, pass: k.wall / m.wall <= 3 },
  { name: "kit peak RSS", target: "< 1024 MiB", measured: `${k.rss.toFixed(0)} MiB`, pass: k.rss < 1024 },
]);
