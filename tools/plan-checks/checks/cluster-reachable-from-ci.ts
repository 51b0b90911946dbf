import { dependsOn, Finding, PlanCheck, resourcesOf, SynthOutput, SynthStack, TerraformJson } from "../synth-output";

/** A resource attribute an expression refers to, followed across stacks through remote state. */
export interface ResolvedRef {
  readonly stack: string;
  /** Terraform address, e.g. `aws_eks_cluster.cluster_A4C38409`. */
  readonly address: string;
  readonly attribute: string;
}

const DIRECT = /^\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$/;
const REMOTE = /^\$\{data\.terraform_remote_state\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)\}$/;

/**
 * The resource attribute `expr` names: `${type.name.attr}` in `stack`, or a
 * remote-state output of another stack (cdktf's cross-stack references), followed
 * to the resource behind it. Undefined for anything else (literals, functions).
 */
export function resolveRef(out: SynthOutput, stack: SynthStack, expr: unknown, hops = 3): ResolvedRef | undefined {
  if (typeof expr !== "string" || hops === 0) return undefined;
  const direct = DIRECT.exec(expr);
  if (direct && !direct[1].startsWith("data.")) return { stack: stack.name, address: direct[1], attribute: direct[2] };
  const remote = REMOTE.exec(expr);
  if (!remote) return undefined;
  const source = stack.json.data?.terraform_remote_state?.[remote[1]];
  const key = source?.config?.key ?? source?.config?.path;
  const producer = [...out.stacks.values()].find((s) => {
    const backend = s.json.terraform?.backend ?? {};
    return Object.values(backend).some((b) => (b as TerraformJson).key === key || (b as TerraformJson).path === key);
  });
  const value = producer?.json.output?.[remote[2]]?.value;
  return producer && resolveRef(out, producer, value, hops - 1);
}

const sameRef = (a?: ResolvedRef, b?: ResolvedRef) => !!a && !!b && a.stack === b.stack && a.address === b.address;

/** The `--cluster-name` argument and the host of a stack's Kubernetes or Helm provider. */
function clusterProviders(stack: SynthStack): { provider: string; host: unknown; clusterName: unknown }[] {
  const found: { provider: string; host: unknown; clusterName: unknown }[] = [];
  const nameArg = (exec: TerraformJson | undefined) => {
    const args: unknown[] = exec?.args ?? [];
    const i = args.indexOf("--cluster-name");
    return i >= 0 ? args[i + 1] : undefined;
  };
  for (const k of stack.json.provider?.kubernetes ?? []) {
    found.push({ provider: "kubernetes", host: k.host, clusterName: nameArg(k.exec?.[0] ?? k.exec) });
  }
  for (const h of stack.json.provider?.helm ?? []) {
    const k = h.kubernetes?.[0] ?? h.kubernetes;
    found.push({ provider: "helm", host: k?.host, clusterName: nameArg(k?.exec?.[0] ?? k?.exec) });
  }
  return found;
}

function resourceAt(out: SynthOutput, ref: ResolvedRef): TerraformJson | undefined {
  const [type, name] = ref.address.split(".");
  return out.stacks.get(ref.stack)?.json.resource?.[type]?.[name];
}

/** Whether `runnerStack` holds a working VPC runner for `cluster`, and what each of its near misses lacks. */
function runnerGaps(
  out: SynthOutput,
  runnerStack: SynthStack,
  cluster: ResolvedRef,
  clusterSubnets: ResolvedRef[],
): { works: boolean; gaps: string[][] } {
  const gaps: string[][] = [];
  // Node entries (EC2_LINUX and the like: Karpenter's node role) grant kubelets, never a runner.
  const entries = resourcesOf(runnerStack, "aws_eks_access_entry").filter(
    (e) => (e.config.type ?? "STANDARD") === "STANDARD" && sameRef(resolveRef(out, runnerStack, e.config.cluster_name), cluster),
  );
  for (const entry of entries) {
    const missing: string[] = [];
    const associated = resourcesOf(runnerStack, "aws_eks_access_policy_association").some(
      (a) => a.config.principal_arn === `\${${entry.address}.principal_arn}` || a.config.principal_arn === entry.config.principal_arn,
    );
    if (!associated) missing.push(`${entry.address} has no access policy association (the principal can authenticate but do nothing)`);
    const role = resolveRef(out, runnerStack, entry.config.principal_arn);
    const projects = resourcesOf(runnerStack, "aws_codebuild_project").filter((p) =>
      sameRef(resolveRef(out, runnerStack, p.config.service_role), role),
    );
    if (projects.length === 0) missing.push(`the principal of ${entry.address} is no CodeBuild project's service role`);
    for (const project of projects) {
      const webhook = resourcesOf(runnerStack, "aws_codebuild_webhook").some(
        (w) =>
          w.config.project_name === `\${${project.address}.name}` &&
          (w.config.filter_group ?? []).some((g: TerraformJson) =>
            (g.filter ?? []).some((f: TerraformJson) => f.type === "EVENT" && String(f.pattern).includes("WORKFLOW_JOB_QUEUED")),
          ),
      );
      if (!webhook) missing.push(`${project.address} has no webhook on WORKFLOW_JOB_QUEUED (it is not a GitHub Actions runner)`);
      const vpc = project.config.vpc_config;
      const subnets: unknown[] = vpc?.subnets ?? [];
      if (!vpc || subnets.length === 0) {
        missing.push(`${project.address} runs outside the VPC (no vpc_config)`);
      } else if (!subnets.every((s) => clusterSubnets.some((c) => sameRef(c, resolveRef(out, runnerStack, s))))) {
        missing.push(`${project.address} runs in subnets that are not the cluster's`);
      }
      const groups = (vpc?.security_group_ids ?? []).map((g: unknown) => resolveRef(out, runnerStack, g));
      const https = resourcesOf(runnerStack, "aws_vpc_security_group_egress_rule").some(
        ({ config: r }) =>
          groups.some((g: ResolvedRef | undefined) => sameRef(g, resolveRef(out, runnerStack, r.security_group_id))) &&
          (r.ip_protocol === "-1" || (r.ip_protocol === "tcp" && r.from_port <= 443 && r.to_port >= 443)),
      );
      if (!https) missing.push(`the security groups of ${project.address} allow no egress to port 443`);
    }
    if (missing.length === 0) return { works: true, gaps: [] };
    gaps.push(missing);
  }
  return { works: false, gaps };
}

/**
 * The Kubernetes and Helm providers talk to the cluster's API when Terraform
 * plans. A GitHub-hosted runner reaches neither a private endpoint nor one
 * allow-listed to other addresses, so every stack with those providers must be
 * deployable from a runner inside the VPC: a stack it depends on must hold a
 * CodeBuild project registered as a GitHub Actions runner (webhook on
 * WORKFLOW_JOB_QUEUED) in the cluster's subnets, with HTTPS egress, whose role
 * has an access entry on that cluster with an access policy. The cluster must
 * also keep its private endpoint on (that is the address the runner uses).
 */
export const clusterReachableFromCi: PlanCheck = {
  id: "CLUSTER_REACHABLE_FROM_CI",
  title: "every stack with cluster providers can be planned from a runner inside the VPC",
  why: "kubernetes_manifest and helm_release call the API server at plan time; from a runner that cannot reach it, or is not allowed in, the plan fails",
  run(out) {
    const findings: Finding[] = [];
    for (const stack of out.stacks.values()) {
      for (const p of clusterProviders(stack)) {
        const address = `provider.${p.provider}`;
        const add = (message: string) => findings.push({ check: this.id, stack: stack.name, address, message });
        const host = resolveRef(out, stack, p.host);
        const byName = resolveRef(out, stack, p.clusterName);
        if (!host || host.address.split(".")[0] !== "aws_eks_cluster" || !sameRef(host, byName)) {
          add("host and --cluster-name do not both come from one aws_eks_cluster, so no runner can be matched to it");
          continue;
        }
        const cluster = resourceAt(out, host);
        if (cluster?.vpc_config?.endpoint_private_access !== true) {
          add(`${host.stack}/${host.address} has no private endpoint, which is the one a runner inside the VPC uses`);
        }
        const clusterSubnets = ((cluster?.vpc_config?.subnet_ids ?? []) as unknown[])
          .map((s) => resolveRef(out, out.stacks.get(host.stack)!, s))
          .filter((r): r is ResolvedRef => r !== undefined);
        const candidates = [...out.stacks.values()].filter((s) => s.name !== stack.name && dependsOn(out, stack.name, s.name));
        const results = candidates.map((s) => ({ stack: s.name, ...runnerGaps(out, s, host, clusterSubnets) }));
        if (results.some((r) => r.works)) continue;
        const gaps = results.flatMap((r) => r.gaps.map((g) => `${r.stack}: ${g.join("; ")}`));
        add(
          gaps.length
            ? `no working VPC runner for ${host.stack}/${host.address} among the stacks this one depends on: ${gaps.join(" | ")}`
            : `no stack this one depends on runs a GitHub Actions runner inside the VPC with access to ${host.stack}/${host.address}; a GitHub-hosted runner cannot plan it`,
        );
      }
    }
    return findings;
  },
};
