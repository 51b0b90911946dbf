import { ALL_CHARTS, ChartEntry } from "../../../domain/charts";
import { CrdSource, crdResourceName } from "../../../domain/crd-sources";
import { dependsOn, Finding, PlanCheck, resourcesOf, SynthOutput, SynthStack, TerraformJson } from "../synth-output";

/** A `kubernetes_manifest` whose object is a document fetched at plan time with `data "http"`. */
export interface HttpManifest {
  readonly stack: string;
  /** Address of the kubernetes_manifest. */
  readonly address: string;
  /** Address of the data source it decodes (`data.http.<name>`). */
  readonly dataAddress: string;
  /** The data source's URL, when it is a literal. */
  readonly url?: string;
  /** The hash a postcondition on the data source requires of `sha256(self.response_body)`. */
  readonly sha256?: string;
  /** A postcondition on the data source requires `self.status_code == 200` (hashicorp/http >= 3 returns any status). */
  readonly statusChecked: boolean;
  /** `field_manager.force_conflicts`: the apply takes over fields another manager (Helm) set. */
  readonly forceConflicts: boolean;
  /** `lifecycle.prevent_destroy`. */
  readonly preventDestroy: boolean;
  /** `depends_on` of the manifest. */
  readonly dependsOn: readonly string[];
  /** The registered CRD source at this URL, with its chart entry. */
  readonly registered?: { readonly entry: ChartEntry; readonly source: CrdSource };
}

const YAMLDECODE_HTTP = /^\$\{yamldecode\(data\.http\.([A-Za-z0-9_-]+)\.response_body\)\}$/;
const SHA256_CONDITION = /sha256\(self\.response_body\)\s*==\s*"([0-9a-f]{64})"/;
const STATUS_CONDITION = /self\.status_code\s*==\s*200\b/;

/** A block the JSON may hold as an object or as a one-element list. */
const block = (v: unknown): TerraformJson | undefined => (Array.isArray(v) ? v[0] : (v as TerraformJson | undefined));

/** The registered CRD source served at `url`, if any. */
export function registeredCrdSource(url: string, charts: readonly ChartEntry[] = ALL_CHARTS) {
  for (const entry of charts) {
    const source = entry.crdSources?.find((s) => s.url === url);
    if (source) return { entry, source };
  }
  return undefined;
}

/** API group of a registered CRD source (from its chart entry's kinds). */
export function groupOfSource(r: { entry: ChartEntry; source: CrdSource }): string | undefined {
  return r.entry.crds.find((c) => c.kind === r.source.kind)?.group;
}

/** Every kubernetes_manifest of a stack that applies `yamldecode(data.http.<x>.response_body)`. */
export function httpManifests(stack: SynthStack, charts: readonly ChartEntry[] = ALL_CHARTS): HttpManifest[] {
  const sources: Record<string, TerraformJson> = stack.json.data?.http ?? {};
  const found: HttpManifest[] = [];
  for (const { address, config } of resourcesOf(stack, "kubernetes_manifest")) {
    const name = typeof config.manifest === "string" ? YAMLDECODE_HTTP.exec(config.manifest)?.[1] : undefined;
    if (name === undefined) continue;
    const data = sources[name] ?? {};
    const conditions: string[] = (block(data.lifecycle)?.postcondition ?? []).map((p: TerraformJson) => String(p.condition));
    const url = typeof data.url === "string" && !data.url.includes("${") ? data.url : undefined;
    const sha = conditions.map((c) => SHA256_CONDITION.exec(c)?.[1]).find((h) => h !== undefined);
    found.push({
      stack: stack.name,
      address,
      dataAddress: `data.http.${name}`,
      url,
      sha256: sha,
      statusChecked: conditions.some((c) => STATUS_CONDITION.test(c)),
      forceConflicts: block(config.field_manager)?.force_conflicts === true,
      preventDestroy: block(config.lifecycle)?.prevent_destroy === true,
      dependsOn: config.depends_on ?? [],
      registered: url === undefined ? undefined : registeredCrdSource(url, charts),
    });
  }
  return found;
}

/** Stacks whose resources exist before `stack` plans: itself and every stack it depends on. */
function upstream(out: SynthOutput, stack: string): Set<string> {
  return new Set([stack, ...[...out.stacks.keys()].filter((s) => dependsOn(out, stack, s))]);
}

/**
 * The check, against a given registry (tests pass one with a bumped version).
 * For every `helm_release` of a chart whose registry entry has crdInstall
 * `crds-folder`: the release sets `skip_crds`, and its stack or one it depends
 * on applies every CRD of that chart version with `kubernetes_manifest` from
 * the registered URL, checksummed (sha256 postcondition on the data source)
 * and status-checked, with `force_conflicts` and `prevent_destroy`; a release
 * in the same stack depends on those manifests; each CRD the entry lists as
 * retired is released from state with `removed { lifecycle { destroy = false } }`
 * rather than deleted. Also: every manifest fed by
 * `data "http"` is checksummed; the http provider is pinned; no CRD is applied
 * twice.
 */
export function chartCrdsManagedCheck(charts: readonly ChartEntry[] = ALL_CHARTS): PlanCheck {
  return {
    id: "CHART_CRDS_MANAGED",
    title: "CRDs of charts that ship them in crds/ are applied by the kit, from the release's pinned and checksummed files",
    why:
      "Helm installs a chart's crds/ folder on first install only and never upgrades it: after a chart bump the new operator " +
      "runs against the old schemas (fields it writes are pruned, new kinds are missing) until someone applies them by hand",
    run(out) {
      const findings: Finding[] = [];
      const id = this.id;
      const manifests = new Map([...out.stacks.keys()].map((s) => [s, httpManifests(out.stacks.get(s)!, charts)]));
      for (const stack of out.stacks.values()) {
        const finding = (address: string, message: string) => findings.push({ check: id, stack: stack.name, address, message });
        const own = manifests.get(stack.name) ?? [];
        for (const m of own) {
          const what = `${m.address} applies ${m.dataAddress}${m.url ? ` (${m.url})` : ""}`;
          if (!m.sha256)
            finding(m.address, `${what} without a sha256(self.response_body) postcondition: whatever the URL serves gets applied`);
          if (!m.statusChecked)
            finding(m.address, `${what} without a self.status_code == 200 postcondition: an error page would be decoded`);
        }
        const httpData = Object.keys(stack.json.data?.http ?? {});
        if (httpData.length && !stack.json.terraform?.required_providers?.http?.version) {
          finding(
            `data.http.${httpData[0]}`,
            "data.http without a pinned hashicorp/http in required_providers (terraform init would take the newest release): declare HttpProvider in the stack",
          );
        }
        const reachable = [...upstream(out, stack.name)].flatMap((s) => manifests.get(s) ?? []);
        // The same CRD applied by two resources: each apply undoes the other's schema.
        const byName = new Map<string, HttpManifest[]>();
        for (const m of reachable) {
          if (m.registered) byName.set(m.registered.source.name, [...(byName.get(m.registered.source.name) ?? []), m]);
        }
        for (const [name, ms] of byName) {
          if (ms.length > 1 && ms.some((m) => m.stack === stack.name)) {
            const mine = ms.find((m) => m.stack === stack.name)!;
            finding(mine.address, `CRD ${name} is applied ${ms.length} times (${ms.map((m) => `${m.stack}: ${m.address}`).join(", ")})`);
          }
        }
        for (const { address, config } of resourcesOf(stack, "helm_release")) {
          const entry = charts.find((c) => c.chart === config.chart && c.version === config.version);
          if (entry?.crdInstall !== "crds-folder") continue;
          const where = `${entry.chart} ${entry.version}`;
          if (config.skip_crds !== true) {
            finding(
              address,
              `${where} ships its CRDs in crds/, which Helm creates on first install and never upgrades; set skip_crds and apply them with ChartCrds`,
            );
          }
          if (entry.crdsFromChart !== undefined) {
            // The companion chart installs (and upgrades) the CRDs as templates: it must be released, at the same
            // version, in this stack or one it depends on, and before this release.
            const companion = charts.find((c) => c.key === entry.crdsFromChart);
            const found = [...upstream(out, stack.name)].some((s) =>
              resourcesOf(out.stacks.get(s)!, "helm_release").some(
                (r) => r.config.chart === companion?.chart && r.config.version === entry.version,
              ),
            );
            if (!found) {
              finding(
                address,
                `${where}: its CRDs come from ${companion?.chart ?? entry.crdsFromChart} ${entry.version}, which no stack it depends on releases`,
              );
            }
            continue;
          }
          const sources = entry.crdSources ?? [];
          if (!sources.length) finding(address, `${where}: the chart registry lists no crdSources for this version`);
          for (const retired of entry.retiredCrds ?? []) {
            const from = `kubernetes_manifest.${crdResourceName(retired)}`;
            const kept = [...upstream(out, stack.name)].some((s) =>
              ((out.stacks.get(s)?.json.removed ?? []) as TerraformJson[]).some(
                (r) => r.from === from && block(r.lifecycle)?.destroy === false,
              ),
            );
            if (!kept) {
              finding(
                address,
                `${where}: retired CRD ${retired} has no removed { from = ${from}, lifecycle { destroy = false } }; ` +
                  `where the kit applied it, dropping its resource deletes the CRD and every resource of its kind`,
              );
            }
          }
          const releaseDeps: string[] = config.depends_on ?? [];
          for (const src of sources) {
            const m = reachable.find((x) => x.url === src.url);
            if (!m) {
              finding(
                address,
                `${where}: CRD ${src.name} is not applied from ${src.url} by this stack or one it depends on ` +
                  `(a chart bump must bring its own CRDs; ChartCrds applies them)`,
              );
              continue;
            }
            if (m.sha256 && m.sha256 !== src.sha256) {
              finding(m.address, `${where}: CRD ${src.name} is checked against sha256 ${m.sha256}, the registry pins ${src.sha256}`);
            }
            if (!m.forceConflicts) {
              finding(
                m.address,
                `${where}: CRD ${src.name} is applied without field_manager.force_conflicts; on a cluster where Helm created it, ` +
                  `the server-side apply conflicts with Helm's fields (.spec.versions)`,
              );
            }
            if (!m.preventDestroy) {
              finding(
                m.address,
                `${where}: CRD ${src.name} lacks lifecycle.prevent_destroy; deleting it deletes every ${src.kind} in the cluster`,
              );
            }
            if (m.stack === stack.name && !releaseDeps.includes(m.address)) {
              finding(
                address,
                `${where}: the release does not depend on ${m.address}; Helm may start the operator before its CRD is applied`,
              );
            }
          }
        }
      }
      return findings;
    },
  };
}

export const chartCrdsManaged: PlanCheck = chartCrdsManagedCheck();
