import { builtInKindsNormalized } from "./checks/built-in-kinds-normalized";
import { clusterReachableFromCi } from "./checks/cluster-reachable-from-ci";
import { chartCrdsManaged } from "./checks/chart-crds-managed";
import { crdInstalledFirst } from "./checks/crd-installed-first";
import { lbControllerFirst } from "./checks/lb-controller-first";
import { strimziReadyWait } from "./checks/strimzi-ready-wait";
import { inClusterStacksAwsFree } from "./checks/in-cluster-stacks-aws-free";
import { workloadsSchedulable } from "./checks/workloads-schedulable";
import { Finding, PlanCheck, SynthOutput } from "./synth-output";

export * from "./synth-output";

/** Every plan-time check, one per class of defect (DESIGN.md, "What the offline checks must model"). */
export const PLAN_CHECKS: readonly PlanCheck[] = [
  crdInstalledFirst,
  builtInKindsNormalized,
  strimziReadyWait,
  lbControllerFirst,
  clusterReachableFromCi,
  inClusterStacksAwsFree,
  chartCrdsManaged,
  workloadsSchedulable,
];

export function runPlanChecks(out: SynthOutput, checks: readonly PlanCheck[] = PLAN_CHECKS): Finding[] {
  return checks.flatMap((c) => c.run(out));
}
