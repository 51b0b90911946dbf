/**
 * WORKLOADS_SCHEDULABLE: every pool, at its largest, holds every pod that
 * selects it with every autoscaler at its maximum, judged on what the stacks
 * emit: pods from the Deployments, StatefulSets, Strimzi KafkaNodePools and
 * operands, Helm releases and EKS add-ons (HPA maxReplicas where an HPA
 * targets them); supply from the managed node groups (desired_size: nothing
 * scales them) and the Karpenter NodePools (limits). The arithmetic is
 * domain/scheduling-planner.ts, the same as config validation's.
 */
import { quantityValue } from "../../../domain/k8s-quantity";
import { NODE_POOL_LABEL } from "../../../domain/node-pools";
import { ADDON_DEPLOYMENTS, NODE_DAEMONSETS } from "../../../domain/platform-workloads";
import { AUTOSCALER_MAXIMA, MANIFEST_MODELS, targetKey } from "../pods/manifests";
import { PodWorkload } from "../pods/pod-shape";
import { genericRelease, RELEASE_MODELS } from "../pods/releases";
import { DaemonSetPod, explainPlan, planScheduling, PoolSupply, unplacedWorkloads } from "../../../domain/scheduling-planner";
import { Finding, PlanCheck, resourcesOf, SynthOutput, SynthStack, TerraformJson } from "../synth-output";

/** A pod-producing object, with where it was found. */
interface Located {
  readonly stack: string;
  readonly address: string;
  readonly workload: PodWorkload;
}

interface Supplied {
  readonly stack: string;
  readonly address: string;
  readonly supply: PoolSupply;
}

/** `Kind/namespace/name` -> the maximum of the autoscaler that scales it (HPA, and any kind in AUTOSCALER_MAXIMA). */
function autoscalerMaxima(stacks: readonly SynthStack[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of stacks) {
    for (const { config } of resourcesOf(s, "kubernetes_manifest")) {
      const m = config.manifest;
      const max = AUTOSCALER_MAXIMA[m?.kind]?.(m);
      if (max) out.set(max.target, max.maxReplicas);
    }
  }
  return out;
}

/** Pods of the kubernetes_manifest objects of a stack (tools/plan-checks/pods/manifests.ts: one model per kind). */
function manifestWorkloads(stack: SynthStack, scaled: Map<string, number>): Located[] {
  const out: Located[] = [];
  for (const { address, config } of resourcesOf(stack, "kubernetes_manifest")) {
    const m = config.manifest as TerraformJson;
    const model = MANIFEST_MODELS[m?.kind];
    if (!model) continue;
    const max = scaled.get(targetKey(m.kind, m.metadata?.namespace, m.metadata?.name));
    for (const workload of model(m, max)) out.push({ stack: stack.name, address, workload });
  }
  return out;
}

/** Pods of the Helm releases of a stack (tools/plan-checks/pods/releases.ts: one model per chart). */
function releaseWorkloads(stack: SynthStack): Located[] {
  const out: Located[] = [];
  for (const { address, config } of resourcesOf(stack, "helm_release")) {
    const values = ((config.values ?? []) as string[]).reduce<TerraformJson>((acc, v) => ({ ...acc, ...JSON.parse(v) }), {});
    const chart = String(config.chart);
    const model = RELEASE_MODELS[chart] ?? genericRelease(chart);
    for (const workload of model(values, String(config.name))) out.push({ stack: stack.name, address, workload });
  }
  return out;
}

/** The add-ons' Deployments and DaemonSets (domain/platform-workloads.ts). */
function addonWorkloads(stack: SynthStack): { deployments: Located[]; daemonSets: DaemonSetPod[] } {
  const deployments: Located[] = [];
  const daemonSets: DaemonSetPod[] = [];
  for (const { address, config } of resourcesOf(stack, "aws_eks_addon")) {
    const name = String(config.addon_name);
    for (const d of ADDON_DEPLOYMENTS.filter((x) => x.addon === name)) {
      deployments.push({
        stack: stack.name,
        address,
        workload: { name: d.name, source: `add-on ${name}`, replicas: d.replicas, pod: d.pod },
      });
    }
    for (const d of NODE_DAEMONSETS.filter((x) => x.addon === name)) daemonSets.push({ name: d.name, pod: d.pod });
  }
  return { deployments, daemonSets };
}

/** What each pool can grow to: node groups at desired_size, Karpenter NodePools up to their limits. */
function supplies(stacks: readonly SynthStack[]): Supplied[] {
  const groups = new Map<string, { stack: string; address: string; types: string[]; desired: number[]; perZone: boolean }>();
  const karpenter = new Map<string, Supplied>();
  for (const s of stacks) {
    for (const { address, config } of resourcesOf(s, "aws_eks_node_group")) {
      const pool = config.labels?.[NODE_POOL_LABEL];
      if (typeof pool !== "string") continue;
      const g = groups.get(pool) ?? { stack: s.name, address, types: [], desired: [], perZone: (config.subnet_ids ?? []).length === 1 };
      g.types.push(...((config.instance_types ?? []) as string[]));
      g.desired.push(Number(config.scaling_config?.desired_size ?? 0));
      groups.set(pool, g);
    }
    for (const { address, config } of resourcesOf(s, "kubernetes_manifest")) {
      const m = config.manifest as TerraformJson;
      if (m.kind !== "NodePool" || !String(m.apiVersion).startsWith("karpenter.sh/")) continue;
      const pool = m.spec?.template?.metadata?.labels?.[NODE_POOL_LABEL];
      if (typeof pool !== "string") continue;
      const req = ((m.spec?.template?.spec?.requirements ?? []) as TerraformJson[]).find(
        (r) => r.key === "node.kubernetes.io/instance-type" && r.operator === "In",
      );
      const cpu = quantityValue(m.spec?.limits?.cpu ?? "") ?? Infinity;
      const memory = quantityValue(m.spec?.limits?.memory ?? "") ?? Infinity;
      karpenter.set(pool, {
        stack: s.name,
        address,
        supply: { pool, instanceTypes: (req?.values ?? []) as string[], karpenter: { cpuMillis: cpu * 1000, memoryMiB: memory / 2 ** 20 } },
      });
    }
  }
  const pools = new Set([...groups.keys(), ...karpenter.keys()]);
  return [...pools].map((pool) => {
    const g = groups.get(pool);
    const k = karpenter.get(pool);
    const nodeGroup = g
      ? { nodes: g.perZone ? Math.min(...g.desired) : g.desired.reduce((a, b) => a + b, 0), perZone: g.perZone }
      : undefined;
    return {
      stack: (g ?? k)!.stack,
      address: (g ?? k)!.address,
      supply: {
        pool,
        // Node groups and the NodePool of one pool: judged on the smallest type of either.
        instanceTypes: [...new Set([...(g?.types ?? []), ...(k?.supply.instanceTypes ?? [])])],
        nodeGroup,
        karpenter: k?.supply.karpenter,
      },
    };
  });
}

/** The stacks of each environment (stack names are `<env>-<layer>`). */
function byEnvironment(out: SynthOutput): Map<string, SynthStack[]> {
  const envs = new Map<string, SynthStack[]>();
  for (const s of out.stacks.values()) {
    const env = s.name.split("-")[0];
    envs.set(env, [...(envs.get(env) ?? []), s]);
  }
  return envs;
}

export const workloadsSchedulable: PlanCheck = {
  id: "WORKLOADS_SCHEDULABLE",
  title: "every pool holds its pods with every autoscaler at its maximum",
  why: "an HPA scales to replicas no node can take: they stay Pending (brokers past the pool never start, Strimzi's reconcile and the add-brokers rebalance wait on them)",
  run(out) {
    const findings: Finding[] = [];
    for (const stacks of byEnvironment(out).values()) {
      const scaled = autoscalerMaxima(stacks);
      const pods: Located[] = [];
      const daemonSets: DaemonSetPod[] = [];
      for (const s of stacks) {
        pods.push(...manifestWorkloads(s, scaled), ...releaseWorkloads(s));
        const addons = addonWorkloads(s);
        pods.push(...addons.deployments);
        daemonSets.push(...addons.daemonSets);
      }
      const supplied = supplies(stacks);
      if (supplied.length === 0) continue;
      // A pod that selects no pool lands on an untainted one: the system pool.
      const untainted = supplied.find((x) => x.supply.pool === "system")?.supply.pool ?? supplied[0].supply.pool;
      const workloads = pods.map((p) => ({ ...p.workload, pool: p.workload.pool ?? untainted }));
      const zones = new Set(
        stacks
          .flatMap((s) => resourcesOf(s, "aws_subnet").map((r) => r.config.availability_zone as string))
          .filter((z) => typeof z === "string"),
      ).size;
      const inputs = { zones: zones || 3, pools: supplied.map((x) => x.supply), workloads, daemonSets };
      for (const w of unplacedWorkloads(inputs)) {
        const at = pods.find((p) => p.workload.name === w.name)!;
        findings.push({
          check: this.id,
          stack: at.stack,
          address: at.address,
          message: `${w.name}: ${w.replicas} pods select pool ${w.pool}, which no node group or NodePool provides`,
        });
      }
      for (const plan of planScheduling(inputs)) {
        const where = supplied.find((x) => x.supply.pool === plan.pool)!;
        for (const message of explainPlan(plan, where.supply)) {
          findings.push({ check: this.id, stack: where.stack, address: where.address, message: `pool ${plan.pool}: ${message}` });
        }
      }
    }
    return findings;
  },
};
