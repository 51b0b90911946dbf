import { execFileSync } from "child_process";
import * as fs from "fs";
import { builtinModules } from "module";
import * as os from "os";
import * as path from "path";
import { TOPIC_CATALOG } from "../domain/event-catalog";
import { startGateway } from "../local/gateway-process";
import { MockKafkaCluster } from "../local/mock-cluster";

/**
 * There is no Docker engine on the machines this kit is developed and tested
 * on, so the gateway's image is never built here. This test replays the
 * Dockerfile's recipe outside Docker instead: only the files its COPY lines
 * bring in, compiled with its exact tsc command, laid out as in the final
 * image, then started against the mock cluster. It catches a gateway that
 * imports something the image does not contain, a runtime dependency missing
 * from the image's package.json, and a layout in which kafkajs or the pooled
 * encoder cannot be found. It does not check the base image or the npm
 * install inside Docker.
 */
jest.setTimeout(120_000);

const root = path.resolve(__dirname, "..");
const dockerfile = fs.readFileSync(path.join(root, "services", "ingest-gateway", "Dockerfile"), "utf8");
// Logical lines (backslash continuations joined) of the build stage.
const lines = dockerfile
  .replace(/\\\n/g, " ")
  .split("\n")
  .map((l) => l.trim());
const stageStarts = lines.flatMap((l, i) => (l.startsWith("FROM ") ? [i] : []));
const buildStage = lines.slice(stageStarts[0], stageStarts[1]);
const copies = buildStage
  .filter((l) => l.startsWith("COPY ") && !l.includes("--from"))
  .map((l) => l.split(/\s+/).slice(1) as [string, string]);

test("the gateway's runtime dependencies are the image's, at the versions the repository tests", () => {
  const image = JSON.parse(fs.readFileSync(path.join(root, "services", "ingest-gateway", "package.json"), "utf8")).dependencies as Record<
    string,
    string
  >;
  const repo = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).dependencies as Record<string, string>;
  const srcDir = path.join(root, "services", "ingest-gateway", "src");
  const imported = new Set<string>();
  for (const f of fs.readdirSync(srcDir).filter((n) => n.endsWith(".ts"))) {
    for (const m of fs.readFileSync(path.join(srcDir, f), "utf8").matchAll(/from "([^".][^"]*)"|require\("([^".][^"]*)"\)/g)) {
      const spec = m[1] ?? m[2];
      const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
      if (!builtinModules.includes(pkg) && !pkg.startsWith("node:")) imported.add(pkg);
    }
  }
  expect([...imported].sort()).toEqual(Object.keys(image).sort());
  for (const [name, version] of Object.entries(image)) expect([name, version]).toEqual([name, repo[name]]);
});

test("the Dockerfile's recipe, replayed outside Docker, gives a gateway that starts and writes to Kafka", async () => {
  expect(copies.length).toBeGreaterThan(0);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "gateway-image-"));
  const src = path.join(work, "src");
  const out = path.join(work, "out");
  for (const [from, to] of copies) fs.cpSync(path.join(root, from), path.join(src, to), { recursive: true });
  // Stand-in for `npm install --omit=dev`: the repository's node_modules, where the pinned versions are installed.
  fs.symlinkSync(path.join(root, "node_modules"), path.join(src, "node_modules"), "dir");

  const tscLine = buildStage.find((l) => l.includes("npx tsc"))!;
  const args = tscLine
    .slice(tscLine.indexOf("npx tsc") + "npx tsc".length)
    .trim()
    .split(/\s+/)
    .map((a) =>
      a
        .replace(/^\/src\/node_modules\/@types$/, path.join(root, "node_modules", "@types"))
        .replace(/^\/out$/, out)
        .replace(/^\/src$/, src),
    );
  try {
    execFileSync(process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), ...args], { cwd: src, stdio: "pipe" });
  } catch (e) {
    const err = e as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`the Dockerfile's tsc command fails on the files its COPY lines bring in:\n${err.stdout}${err.stderr}`);
  }

  // The final stage: node_modules beside the compiled tree, CMD's entry point.
  fs.symlinkSync(path.join(root, "node_modules"), path.join(out, "node_modules"), "dir");
  const cmd = JSON.parse(lines.find((l) => l.startsWith("CMD "))!.slice(4)) as string[];
  expect(cmd[0]).toBe("node");
  const entry = path.join(out, cmd[1]);
  expect(fs.existsSync(entry)).toBe(true);

  const cluster = await MockKafkaCluster.start(3);
  try {
    for (const t of TOPIC_CATALOG) await cluster.createTopic(t.name, t.partitions ?? 3, 3);
    const gateway = await startGateway(cluster.bootstrapServers, {}, { entry });
    try {
      expect(gateway.output()).toContain('"kafkaEncoder":"installed"');
      const event = { eventId: "image-test-0001", type: "system", userId: "u-1", timestamp: Date.now(), payload: { ok: true } };
      const res = await fetch(`${gateway.url}/v1/events`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify([event]),
      });
      expect(res.status).toBe(202);
    } finally {
      await gateway.stop();
    }
  } finally {
    await cluster.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
});
