/**
 * The synthesized app as `cdktf.out` holds it: every stack's Terraform JSON
 * and the dependencies between stacks (manifest.json). The plan-time checks
 * read only this, so they judge exactly what `cdktf deploy` would apply.
 */
import * as fs from "fs";
import * as path from "path";

/** Terraform JSON of one stack (shape depends on the resources in it). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TerraformJson = Record<string, any>;

export interface SynthStack {
  readonly name: string;
  /** Stacks this one depends on directly (cdktf deploys them first). */
  readonly dependencies: readonly string[];
  readonly json: TerraformJson;
}

export interface SynthOutput {
  readonly dir: string;
  readonly stacks: ReadonlyMap<string, SynthStack>;
}

export function readSynthOutput(dir: string): SynthOutput {
  const manifestPath = path.join(dir, "manifest.json");
  if (!fs.existsSync(manifestPath)) throw new Error(`${manifestPath} not found: run the synth first (npm run synth)`);
  const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8")) as {
    stacks: Record<string, { name: string; dependencies: string[]; synthesizedStackPath: string }>;
  };
  const stacks = new Map<string, SynthStack>();
  for (const s of Object.values(manifest.stacks)) {
    const json = JSON.parse(fs.readFileSync(path.join(dir, s.synthesizedStackPath), "utf8")) as TerraformJson;
    stacks.set(s.name, { name: s.name, dependencies: s.dependencies ?? [], json });
  }
  return { dir, stacks };
}

/** Whether `stack` depends on `on`, directly or through other stacks. */
export function dependsOn(out: SynthOutput, stack: string, on: string): boolean {
  const seen = new Set<string>();
  const walk = (name: string): boolean => {
    for (const d of out.stacks.get(name)?.dependencies ?? []) {
      if (d === on) return true;
      if (!seen.has(d)) {
        seen.add(d);
        if (walk(d)) return true;
      }
    }
    return false;
  };
  return walk(stack);
}

/** Every resource of `type` in a stack, with its Terraform address. */
export function resourcesOf(stack: SynthStack, type: string): { address: string; config: TerraformJson }[] {
  return Object.entries(stack.json.resource?.[type] ?? {}).map(([name, config]) => ({
    address: `${type}.${name}`,
    config: config as TerraformJson,
  }));
}

export interface Finding {
  /** Check id, e.g. BUILTIN_KIND_NORMALIZED. */
  readonly check: string;
  readonly stack: string;
  /** Terraform address of the resource. */
  readonly address: string;
  readonly message: string;
}

/** One class of defect that shows only at plan or apply, judged on the synthesized output. */
export interface PlanCheck {
  readonly id: string;
  readonly title: string;
  /** What fails in a real deploy, and where. */
  readonly why: string;
  run(out: SynthOutput): Finding[];
}
