import * as fs from "fs";
import * as path from "path";
import { Testing } from "cdktf";
import { EnvironmentConfig } from "../config/types";
import { buildEnvironment } from "../stacks/environment";
import { KitStack } from "../stacks/kit-stack";

export type Json = Record<string, any>;

/**
 * Full app synth of one environment (cross-stack references, validations and
 * the policy pack, as `cdktf synth` runs them), read back from the output
 * directory. Keys are layer names: network, eks, cluster-base, kafka, ...
 */
export function synthEnvironment(env: EnvironmentConfig, backend: "s3" | "local" = "s3") {
  const app = Testing.app();
  const stacks = buildEnvironment(app, env, backend);
  app.synth();
  const out: Record<string, Json> = {};
  const raw: Record<string, string> = {};
  const all = Object.values(stacks).filter((s): s is KitStack => s instanceof KitStack);
  for (const s of all) {
    raw[s.layer] = fs.readFileSync(path.join(app.outdir, "stacks", s.node.id, "cdk.tf.json"), "utf8");
    out[s.layer] = JSON.parse(raw[s.layer]);
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, "manifest.json"), "utf8"));
  return { stacks, out, raw, manifest: manifest as Json, outdir: app.outdir };
}

/** All resources of one type in a synthesized stack. */
export const resources = (tf: Json, type: string): Json[] => Object.values(tf.resource?.[type] ?? {});

/** The objects of every kubernetes_manifest in a stack. */
export const manifests = (tf: Json): Json[] => resources(tf, "kubernetes_manifest").map((m) => m.manifest);

type DeepPartial<T> = {
  -readonly [K in keyof T]?: T[K] extends readonly (infer U)[] ? readonly U[] : T[K] extends object ? DeepPartial<T[K]> : T[K];
};

/** A copy of `base` with `patch` merged in (arrays replaced, objects merged). */
export function withOverrides(base: EnvironmentConfig, patch: DeepPartial<EnvironmentConfig>): EnvironmentConfig {
  return merge(base, patch) as EnvironmentConfig;
}

function merge(base: any, patch: any): any {
  if (patch === undefined) return base;
  if (Array.isArray(patch) || typeof patch !== "object" || patch === null) return patch;
  const out: any = { ...base };
  for (const [k, v] of Object.entries(patch)) out[k] = merge(base?.[k], v);
  return out;
}
