/**
 * Reading pod shapes out of synthesized objects: requests, the pool a pod
 * selects, and the scheduling constraints the planner models. Shared by the
 * workload models in this folder (one file per chart or custom-resource kind)
 * and WORKLOADS_SCHEDULABLE.
 */
import { quantityValue } from "../../../domain/k8s-quantity";
import { NODE_POOL_LABEL } from "../../../domain/node-pools";
import { WorkloadAtMax } from "../../../domain/scheduling-planner";
import { TerraformJson } from "../synth-output";

export const ZONE_KEY = "topology.kubernetes.io/zone";
export const HOSTNAME_KEY = "kubernetes.io/hostname";

/** A workload at its maximum; the pool may be left to the check (no selector: the untainted pool). */
export type PodWorkload = Omit<WorkloadAtMax, "pool"> & { readonly pool?: string };

/** CPU millicores and MiB of a `requests` map (missing or unparsable entries count 0). */
export function requestsOf(requests: TerraformJson | undefined): { cpuMillis: number; memoryMiB: number } {
  const cpu = quantityValue(requests?.cpu ?? 0) ?? 0;
  const memory = quantityValue(requests?.memory ?? 0) ?? 0;
  return { cpuMillis: Math.round(cpu * 1000), memoryMiB: Math.ceil(memory / 2 ** 20) };
}

export const sumRequests = (list: readonly { cpuMillis: number; memoryMiB: number }[]) =>
  list.reduce((a, b) => ({ cpuMillis: a.cpuMillis + b.cpuMillis, memoryMiB: a.memoryMiB + b.memoryMiB }), { cpuMillis: 0, memoryMiB: 0 });

/** The pool a pod selects: node selector or a required node affinity on the pool label. */
export function poolOf(pod: TerraformJson | undefined): string | undefined {
  const selected = pod?.nodeSelector?.[NODE_POOL_LABEL];
  if (typeof selected === "string") return selected;
  for (const term of pod?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    const e = (term.matchExpressions ?? []).find((x: TerraformJson) => x.key === NODE_POOL_LABEL && x.operator === "In");
    if (e?.values?.length === 1) return String(e.values[0]);
  }
  return undefined;
}

/** Scheduling constraints the planner models, read from a pod spec. */
export function constraintsOf(pod: TerraformJson | undefined) {
  const spread = (pod?.topologySpreadConstraints ?? []) as TerraformJson[];
  const anti = (pod?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) as TerraformJson[];
  const expressions = (
    (pod?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) as TerraformJson[]
  ).flatMap((t) => (t.matchExpressions ?? []) as TerraformJson[]);
  return {
    zoneSpread: spread.some((c) => c.topologyKey === ZONE_KEY && c.whenUnsatisfiable === "DoNotSchedule"),
    onePerNode: anti.some((t) => t.topologyKey === HOSTNAME_KEY),
    nodeGroupOnly: expressions.some(
      (e) =>
        (e.key === "karpenter.sh/nodepool" && e.operator === "DoesNotExist") ||
        (e.key === "eks.amazonaws.com/nodegroup" && e.operator === "Exists"),
    ),
  };
}
