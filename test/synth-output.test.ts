import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * Synth as a user runs it: main.ts in a child process (from the sources, see
 * fixtures/register-ts.js; `npm run synth` runs the same file compiled), in a
 * scratch directory that holds a previous good cdktf.out. Failures are
 * injected by preloading a fixture that patches one module before main.ts
 * loads (fixtures/synth/).
 */
jest.setTimeout(120_000);

const root = path.resolve(__dirname, "..");
const register = path.join(__dirname, "fixtures", "register-ts.js");
const scratch: string[] = [];

// The variables that steer synth, unset unless a test sets them.
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(KIT_|CDKTF_)/.test(k))) as NodeJS.ProcessEnv;

type Inject = "policy-error" | "synth-exception" | "bad-config";

function runSynth(cwd: string, args: string[] = [], opts: { env?: Record<string, string>; inject?: Inject } = {}) {
  const preload = ["-r", register, ...(opts.inject ? ["-r", path.join(__dirname, "fixtures", "synth", `inject-${opts.inject}.js`)] : [])];
  const res = spawnSync(process.execPath, [...preload, path.join(root, "main.ts"), ...args], {
    cwd,
    env: { ...baseEnv, CHECKPOINT_DISABLE: "1", ...opts.env },
    encoding: "utf8",
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

/** Every file (sha256) and directory under `dir`, by relative path. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const p = path.join(rel, entry.name);
      if (entry.isDirectory()) {
        out[`${p}/`] = "dir";
        walk(p);
      } else {
        out[p] = createHash("sha256")
          .update(fs.readFileSync(path.join(dir, p)))
          .digest("hex");
      }
    }
  };
  walk("");
  return out;
}

const stacksIn = (outdir: string) => fs.readdirSync(path.join(outdir, "stacks")).sort();

// A previous good synth (dev, local state backend, so any stack rewritten by the s3 runs below differs),
// with Terraform's working files in one stack directory, as `cdktf deploy` leaves them.
let previous: string;
beforeAll(() => {
  previous = tempDir("synth-previous-");
  const res = runSynth(previous, [], { env: { KIT_ENV: "dev", KIT_STATE_BACKEND: "local" } });
  if (res.status !== 0) throw new Error(`the previous synth failed:\n${res.stderr}`);
  const net = path.join(previous, "cdktf.out", "stacks", "dev-network");
  fs.mkdirSync(path.join(net, ".terraform", "providers"), { recursive: true });
  fs.writeFileSync(path.join(net, ".terraform", "providers", "marker"), "provider cache");
  fs.writeFileSync(path.join(net, ".terraform.lock.hcl"), "# lock file");
  fs.writeFileSync(path.join(net, "terraform.dev-network.tfstate"), '{"version": 4, "serial": 7}');
});

afterAll(() => {
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});

/** A scratch directory holding a copy of the previous good cdktf.out. */
function withPreviousOutput(): { cwd: string; outdir: string; before: Record<string, string> } {
  const cwd = tempDir("synth-run-");
  const outdir = path.join(cwd, "cdktf.out");
  fs.cpSync(path.join(previous, "cdktf.out"), outdir, { recursive: true });
  return { cwd, outdir, before: snapshot(outdir) };
}

describe("a failed synth leaves the previous cdktf.out byte-identical and no temporary directory behind", () => {
  let policyRun: ReturnType<typeof runSynth>;

  test("policy error (in the second stack, after the first was synthesized)", () => {
    const { cwd, outdir, before } = withPreviousOutput();
    policyRun = runSynth(cwd, [], { env: { KIT_ENV: "dev" }, inject: "policy-error" });
    expect(policyRun.status).toBe(1);
    expect(policyRun.stderr).toContain("EBS_ENCRYPTED");
    expect(snapshot(outdir)).toEqual(before);
    expect(fs.readdirSync(cwd)).toEqual(["cdktf.out"]);
  });

  test("the policy failure message ends by pointing at suppressRule with the rule id, not at cdktf's skipValidation", () => {
    expect(policyRun).toBeDefined();
    const err = policyRun.stderr.trimEnd();
    expect(err).toMatch(/\[dev-eks\/injected-unencrypted-volume\] EBS_ENCRYPTED \(error\)/);
    expect(err).not.toContain("skipValidation");
    const last = err.split("\n").pop()!;
    expect(last).toContain('suppressRule(construct, "EBS_ENCRYPTED"');
    expect(policyRun.stdout).toBe("");
  });

  test("bad config", () => {
    const { cwd, outdir, before } = withPreviousOutput();
    const res = runSynth(cwd, [], { inject: "bad-config" });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain("dev.network.natGateways");
    expect(snapshot(outdir)).toEqual(before);
    expect(fs.readdirSync(cwd)).toEqual(["cdktf.out"]);
  });

  test("exception while synthesizing the third stack", () => {
    const { cwd, outdir, before } = withPreviousOutput();
    const res = runSynth(cwd, [], { env: { KIT_ENV: "dev" }, inject: "synth-exception" });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain("injected failure while synthesizing dev-cluster-base");
    expect(snapshot(outdir)).toEqual(before);
    expect(fs.readdirSync(cwd)).toEqual(["cdktf.out"]);
  });
});

describe("a successful synth replaces cdktf.out", () => {
  test("--env prod: only prod-* stacks (the previous dev stacks go), with a policy report for prod only", () => {
    const { cwd, outdir } = withPreviousOutput();
    const res = runSynth(cwd, ["--env", "prod"]);
    expect(res.stderr).toBe("");
    expect(res.status).toBe(0);
    const stacks = stacksIn(outdir);
    expect(stacks.length).toBeGreaterThanOrEqual(3);
    expect(stacks.filter((s) => !s.startsWith("prod-"))).toEqual([]);
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")).stacks).sort()).toEqual(stacks);
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(outdir, "policy-report.json"), "utf8")))).toEqual(["prod"]);
    expect(fs.readdirSync(cwd)).toEqual(["cdktf.out"]);
  });

  test("Terraform's working files (.terraform, lock file, local state) stay in their stack directories", () => {
    const { cwd, outdir, before } = withPreviousOutput();
    const res = runSynth(cwd, [], { env: { KIT_ENV: "dev" } });
    expect(res.status).toBe(0);
    const after = snapshot(outdir);
    for (const f of [".terraform/providers/marker", ".terraform.lock.hcl", "terraform.dev-network.tfstate"]) {
      const p = path.join("stacks", "dev-network", f);
      expect([p, after[p]]).toEqual([p, before[p]]);
    }
    const stackFile = path.join("stacks", "dev-network", "cdk.tf.json");
    expect(after[stackFile]).not.toBe(before[stackFile]); // s3 backend now
    expect(fs.readdirSync(cwd)).toEqual(["cdktf.out"]);
  });
});

describe("command line", () => {
  test("an unknown flag fails, listing the known ones, before anything is written", () => {
    const cwd = tempDir("synth-args-");
    const res = runSynth(cwd, ["--environment", "prod"]);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('Unknown argument "--environment"; known: --env <dev|staging|prod>');
    expect(fs.readdirSync(cwd)).toEqual([]);
  });

  test("an unknown environment name fails, listing the known ones", () => {
    const cwd = tempDir("synth-args-");
    const res = runSynth(cwd, ["--env", "prod,qa"]);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('Unknown environment "qa"; known: dev, staging, prod');
    expect(fs.readdirSync(cwd)).toEqual([]);
  });

  test("`npm run synth -- --env prod` reaches main: the script ends by running it, so npm appends the arguments to it", () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts as Record<string, string>;
    expect(scripts.synth).toMatch(/(^|&& )node dist\/main\.js$/);
  });
});
