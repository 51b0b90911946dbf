import { findChart } from "../../../domain/charts";
import { dependsOn, Finding, PlanCheck, resourcesOf, SynthOutput } from "../synth-output";
import { apiGroupOf, BUILT_IN_GROUPS } from "./built-in-kinds-normalized";
import { groupOfSource, httpManifests } from "./chart-crds-managed";

/**
 * Where each CRD group gets installed: the stacks whose Helm releases (by the
 * chart registry; not a crds/ folder the release skips) or CRD manifests (a
 * literal CustomResourceDefinition, or a registered CRD file fetched with
 * data "http") bring it.
 */
export function crdInstallers(out: SynthOutput): Map<string, string[]> {
  const installers = new Map<string, string[]>();
  const add = (group: string, stack: string) => {
    if (!installers.get(group)?.includes(stack)) installers.set(group, [...(installers.get(group) ?? []), stack]);
  };
  for (const stack of out.stacks.values()) {
    for (const { config } of resourcesOf(stack, "helm_release")) {
      const entry = findChart(String(config.chart), String(config.version));
      // With skip_crds, Helm installs nothing from the chart's crds/ folder.
      if (entry?.crdInstall === "crds-folder" && (config.skip_crds === true || config.skip_crds === "true")) continue;
      for (const group of entry?.crdGroups ?? []) add(group, stack.name);
    }
    for (const m of httpManifests(stack)) {
      const group = m.registered && groupOfSource(m.registered);
      if (group) add(group, stack.name);
    }
    for (const { config } of resourcesOf(stack, "kubernetes_manifest")) {
      const m = config.manifest;
      if (m?.kind === "CustomResourceDefinition" && typeof m.spec?.group === "string") add(m.spec.group, stack.name);
    }
  }
  return installers;
}

/**
 * `kubernetes_manifest` resolves its kind against the API server at plan time
 * ("API did not recognize GroupVersionKind from manifest (CRD may not be
 * installed)"), so a custom resource must live in a stack that depends,
 * directly or transitively, on the stack that installs its CRD. A helm_release
 * of a chart that is not in the registry installs nothing as far as this check
 * knows: register it with its CRD groups.
 */
export const crdInstalledFirst: PlanCheck = {
  id: "CRD_INSTALLED_FIRST",
  title: "every custom resource's CRD is installed by a stack it depends on",
  why: "the kubernetes provider resolves the kind at plan time; without the CRD the plan fails",
  run(out) {
    const installers = crdInstallers(out);
    const findings: Finding[] = [];
    for (const stack of out.stacks.values()) {
      for (const { address, config } of resourcesOf(stack, "kubernetes_manifest")) {
        const o = config.manifest;
        const group = apiGroupOf(String(o.apiVersion));
        if (BUILT_IN_GROUPS.has(group)) continue;
        const from = installers.get(group) ?? [];
        if (from.some((s) => dependsOn(out, stack.name, s))) continue;
        const message = from.length
          ? `${o.kind}/${o.metadata?.name} (${group}): its CRD comes from ${from.join(", ")}, which this stack does not depend on`
          : `${o.kind}/${o.metadata?.name} (${group}): no stack installs this CRD group`;
        findings.push({ check: this.id, stack: stack.name, address, message });
      }
    }
    return findings;
  },
};
