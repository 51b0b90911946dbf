import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * Synth through the commands users run: `npm run synth -- --env prod` (the
 * compiled main), and the cdktf CLI, which runs the same app for `cdktf
 * synth`, `cdktf diff <stack>` and `cdktf deploy <stack>` and then reads the
 * output directory itself. Output goes to a scratch directory (CDKTF_OUTDIR,
 * or the CLI's --output), never to the repository's cdktf.out.
 */
jest.setTimeout(180_000);

const root = path.resolve(__dirname, "..");
const cdktf = path.join(root, "node_modules", ".bin", "cdktf");
const baseEnv = {
  ...(Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(KIT_|CDKTF_)/.test(k))) as NodeJS.ProcessEnv),
  CHECKPOINT_DISABLE: "1",
  CDKTF_DISABLE_TELEMETRY: "1",
  CI: "true",
  NO_COLOR: "1",
};
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "synth-cli-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function run(command: string, args: string[], env: Record<string, string> = {}) {
  const res = spawnSync(command, args, { cwd: root, env: { ...baseEnv, ...env }, encoding: "utf8" });
  return { status: res.status, output: `${res.stdout}\n${res.stderr}` };
}
const stacksIn = (outdir: string) => fs.readdirSync(path.join(outdir, "stacks")).sort();

test("`npm run synth -- --env prod` synthesizes only prod", () => {
  const outdir = path.join(scratch, "npm", "cdktf.out");
  const res = run("npm", ["run", "synth", "--", "--env", "prod"], { CDKTF_OUTDIR: outdir });
  expect(res.status).toBe(0);
  const stacks = stacksIn(outdir);
  expect(stacks.length).toBeGreaterThanOrEqual(3);
  expect(stacks.filter((s) => !s.startsWith("prod-"))).toEqual([]);
});

describe("the cdktf CLI copes with the output swap", () => {
  const outdir = path.join(scratch, "cli", "cdktf.out");

  test("a narrower synth: the CLI removes the other stacks' directories itself, Terraform's files stay", () => {
    expect(run(cdktf, ["synth", "--output", outdir]).status).toBe(0);
    expect(stacksIn(outdir).length).toBeGreaterThanOrEqual(9);
    const terraformDir = path.join(outdir, "stacks", "prod-network", ".terraform");
    fs.mkdirSync(terraformDir);
    fs.writeFileSync(path.join(terraformDir, "marker"), "init");

    const res = run(cdktf, ["synth", "--output", outdir], { KIT_ENV: "prod" });
    expect(res.status).toBe(0);
    expect(stacksIn(outdir).filter((s) => !s.startsWith("prod-"))).toEqual([]);
    expect(fs.readFileSync(path.join(terraformDir, "marker"), "utf8")).toBe("init");
    expect(fs.readdirSync(path.dirname(outdir))).toEqual(["cdktf.out"]);
  });

  test("a policy failure leaves the output alone, and the kit's suppressRule advice is the last thing printed", () => {
    const before = fs.readFileSync(path.join(outdir, "manifest.json"), "utf8");
    const app = `node -r ./test/fixtures/register-ts.js -r ./test/fixtures/synth/inject-policy-error.js main.ts`;
    const res = run(cdktf, ["synth", "--output", outdir, "--app", app], { KIT_ENV: "prod" });
    expect(res.status).not.toBe(0);
    expect(res.output).not.toContain("skipValidation");
    const lines = res.output.split("\n").filter((l) => l.trim() !== "" && !/Synthesizing/.test(l));
    expect(lines[lines.length - 1]).toContain('suppressRule(construct, "EBS_ENCRYPTED"');
    expect(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")).toBe(before);
    expect(fs.readdirSync(path.dirname(outdir))).toEqual(["cdktf.out"]);
  });
});
