import { canonicalQuantity } from "../../../domain/k8s-quantity";
import { Finding, PlanCheck, resourcesOf, TerraformJson } from "../synth-output";

/** API groups served by the API server itself (no CRD). "" is the core group (`v1`). */
export const BUILT_IN_GROUPS: ReadonlySet<string> = new Set([
  "",
  "apps",
  "autoscaling",
  "batch",
  "policy",
  "rbac.authorization.k8s.io",
  "networking.k8s.io",
  "storage.k8s.io",
  "scheduling.k8s.io",
  "coordination.k8s.io",
  "discovery.k8s.io",
  "node.k8s.io",
  "certificates.k8s.io",
  "admissionregistration.k8s.io",
  "apiextensions.k8s.io",
  "apiregistration.k8s.io",
  "flowcontrol.apiserver.k8s.io",
]);

/** Group of an apiVersion: `apps/v1` -> `apps`, `v1` -> "". */
export function apiGroupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
}

/** Map-typed fields: the API server drops them when empty (pointer structs such as `emptyDir: {}` stay). */
const MAP_FIELDS = new Set([
  "labels",
  "annotations",
  "nodeSelector",
  "matchLabels",
  "data",
  "binaryData",
  "stringData",
  "requests",
  "limits",
  "parameters",
  "capacity",
]);
/** Fields whose values are resource quantities. */
const QUANTITY_MAPS = new Set([
  "requests",
  "limits",
  "capacity",
  "hard",
  "default",
  "defaultRequest",
  "max",
  "min",
  "maxLimitRequestRatio",
]);

function walk(value: unknown, at: string, key: string, out: string[]): void {
  if (Array.isArray(value)) {
    if (value.length === 0) out.push(`${at}: empty list (the API server drops it)`);
    value.forEach((v, i) => walk(v, `${at}[${i}]`, key, out));
    return;
  }
  if (value === null || typeof value !== "object") return;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0 && MAP_FIELDS.has(key)) out.push(`${at}: empty map (the API server drops it)`);
  for (const [k, v] of entries) {
    const path = at ? `${at}.${k}` : k;
    if (QUANTITY_MAPS.has(key) && (typeof v === "string" || typeof v === "number")) {
      const text = String(v);
      const canonical = canonicalQuantity(text);
      if (canonical === undefined) out.push(`${path}: ${JSON.stringify(v)} is not a Kubernetes quantity`);
      else if (typeof v === "number" || canonical !== text) {
        out.push(`${path}: ${JSON.stringify(v)} comes back from the API server as "${canonical}"; write "${canonical}"`);
      }
      continue;
    }
    walk(v, path, k, out);
  }
}

/** Problems in one built-in object; empty when it round-trips through the API server unchanged. */
export function normalizationProblems(object: TerraformJson): string[] {
  const out: string[] = [];
  walk(object, "", "", out);
  return out;
}

/**
 * kubernetes_manifest objects of built-in kinds must be written the way the API
 * server stores them. Otherwise the applied object differs from the planned
 * one and the provider fails with "Provider produced inconsistent result after
 * apply" (hashicorp/terraform-provider-kubernetes#2783 for empty lists,
 * #2508 for quantities).
 */
export const builtInKindsNormalized: PlanCheck = {
  id: "BUILTIN_KIND_NORMALIZED",
  title: "built-in kinds carry no empty lists or maps and only canonical quantities",
  why: "the API server normalizes them and the kubernetes provider reports an inconsistent result after apply",
  run(out) {
    const findings: Finding[] = [];
    for (const stack of out.stacks.values()) {
      for (const { address, config } of resourcesOf(stack, "kubernetes_manifest")) {
        const o = config.manifest as TerraformJson;
        if (!BUILT_IN_GROUPS.has(apiGroupOf(String(o.apiVersion)))) continue;
        for (const p of normalizationProblems(o)) {
          findings.push({ check: this.id, stack: stack.name, address, message: `${o.kind}/${o.metadata?.name} ${p}` });
        }
      }
    }
    return findings;
  },
};
