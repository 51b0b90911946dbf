import { builtInKindsNormalized } from "./checks/built-in-kinds-normalized";
import { crdInstalledFirst } from "./checks/crd-installed-first";
import { workloadsSchedulable } from "./checks/workloads-schedulable";
import { Finding, PlanCheck, SynthOutput } from "./synth-output";

export * from "./synth-output";

/** Every plan-time check, one per class of defect (DESIGN.md, "What the offline checks must model"). */
export const PLAN_CHECKS: readonly PlanCheck[] = [crdInstalledFirst, builtInKindsNormalized, workloadsSchedulable];

export function runPlanChecks(out: SynthOutput, checks: readonly PlanCheck[] = PLAN_CHECKS): Finding[] {
  return checks.flatMap((c) => c.run(out));
}
