import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** One measured run of a node program: wall time and the child's peak RSS. */
export interface Sample {
  readonly wallMs: number;
  readonly peakRssMiB: number;
}

/**
 * Runs `node script` under GNU time (which reads the child's rusage), in a
 * fresh output directory, and returns wall time and peak RSS.
 */
export function measureNode(script: string, env: NodeJS.ProcessEnv = {}): Sample {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-synth-"));
  const start = process.hrtime.bigint();
  const res = spawnSync("/usr/bin/time", ["-f", "BENCH_MAXRSS_KB=%M", process.execPath, script], {
    env: { ...process.env, ...env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" },
    encoding: "utf8",
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  fs.rmSync(outdir, { recursive: true, force: true });
  if (res.status !== 0) throw new Error(`${script} exited ${res.status}: ${res.stderr}`);
  const kb = /BENCH_MAXRSS_KB=(\d+)/.exec(res.stderr);
  if (!kb) throw new Error(`no RSS figure from /usr/bin/time for ${script}: ${res.stderr}`);
  return { wallMs, peakRssMiB: Number(kb[1]) / 1024 };
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
