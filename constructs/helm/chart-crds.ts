import { DataHttp } from "@cdktf/provider-http/lib/data-http";
import { HttpProvider } from "@cdktf/provider-http/lib/provider";
import { DataKubernetesResources } from "@cdktf/provider-kubernetes/lib/data-kubernetes-resources";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { Fn, TerraformElement, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { ChartEntry, chartRegistryProblems } from "../../domain/charts";
import { CrdSource, crdResourceName } from "../../domain/crd-sources";
import { ImportIfPresent } from "../k8s/import-if-present";

/** Field manager the kit's server-side applies of CRDs use (it shows in each CRD's managedFields). */
export const DEFAULT_CRD_FIELD_MANAGER = "streaming-platform-kit";

const CRD_API_VERSION = "apiextensions.k8s.io/v1";

export interface ChartCrdsProps {
  /**
   * The pinned chart (registry entry in domain/charts.ts) whose CRDs to apply:
   * crdInstall `crds-folder`, with one `crdSources` file per kind.
   */
  readonly chart: ChartEntry;
  /**
   * Server-side apply field manager. The apply forces conflicts, so this
   * manager takes every field of the CRD over from Helm (which created it on
   * the release's first install) and from earlier applies.
   * @default DEFAULT_CRD_FIELD_MANAGER ("streaming-platform-kit")
   */
  readonly fieldManager?: string;
  /**
   * Import a CRD that already exists in the cluster instead of failing with
   * "Cannot create resource that already exists" (kubernetes_manifest refuses
   * to create over an existing object): on every cluster where the release was
   * installed before the kit managed CRDs, Helm created them. Each CRD gets an
   * `import` block whose `for_each` lists the CRD by name at plan time (a
   * `kubernetes_resources` data source): empty on a fresh cluster, one entry
   * where it exists, and a no-op once the CRD is in state. Needs Terraform >= 1.7.
   * @default true
   */
  readonly adoptExisting?: boolean;
}

/**
 * The CRDs of one pinned chart version, applied by Terraform rather than by
 * Helm. Helm installs a chart's `crds/` folder on the release's first install
 * and never upgrades it (strimzi/strimzi-kafka-operator#9851), so a chart bump
 * would leave the old schemas in the cluster. For each file the registry lists:
 *
 * - `data "http"` reads it at plan time from its immutable URL, with
 *   postconditions that fail the plan unless the status is 200 and
 *   `sha256(response_body)` is the pinned hash;
 * - `kubernetes_manifest` applies `yamldecode(response_body)` with server-side
 *   apply (`force_conflicts`, so it takes the fields over from Helm), waits for
 *   the CRD to be Established, refuses to plan unless the file holds the CRD
 *   the registry names (precondition), and is `prevent_destroy` (deleting a CRD
 *   deletes every resource of its kind);
 * - with `adoptExisting`, an `import` block takes over a CRD Helm created;
 * - for each of the entry's `retiredCrds`, a `removed` block with
 *   `destroy = false`, so a chart version that drops a CRD does not delete it.
 *
 * Each CRD's resources are named `crd_<name, dots as underscores>`
 * (crdResourceName), e.g. `kubernetes_manifest.crd_kafkas_kafka_strimzi_io`,
 * whatever the construct path; two ChartCrds applying the same CRD in one
 * stack fail synth.
 *
 * The release that needs the CRDs installs with `skip_crds` and depends on
 * {@link manifests}; HelmChart does both for every chart whose registry entry
 * has crdInstall `crds-folder`. The stack must declare the hashicorp/http
 * provider (HttpProvider); synth fails otherwise.
 */
export class ChartCrds extends Construct {
  /** The chart version whose CRDs these are. */
  readonly chart: ChartEntry;
  /** The CRDs' names (`<plural>.<group>`), in registry order. */
  readonly crdNames: readonly string[];
  /** One `kubernetes_manifest` per CRD (depend on them to wait for every CRD to be Established). */
  readonly manifests: readonly Manifest[];
  /** One `data "http"` per CRD file. */
  readonly sources: readonly DataHttp[];
  /** The server-side apply field manager. */
  readonly fieldManager: string;

  constructor(scope: Construct, id: string, props: ChartCrdsProps) {
    super(scope, id);
    const chart = props.chart;
    const fieldManager = props.fieldManager ?? DEFAULT_CRD_FIELD_MANAGER;
    const where = `${chart.chart} ${chart.version}`;
    const problems: string[] = [];
    if (chart.crdInstall !== "crds-folder") {
      problems.push(
        `chart ${where} has crdInstall ${JSON.stringify(chart.crdInstall)}; ChartCrds is for charts whose CRDs are in crds/ ` +
          `(Helm upgrades templated CRDs with the release, and two managers would fight over them)`,
      );
    } else {
      problems.push(...chartRegistryProblems({ [chart.key]: chart }));
    }
    if (!/^[\x21-\x7e]{1,128}$/.test(fieldManager)) {
      problems.push(`fieldManager ${JSON.stringify(fieldManager)} must be 1 to 128 printable ASCII characters without spaces`);
    }
    if (problems.length) throw new Error(problems.map((p) => `${this.node.path}: ${p}`).join("\n"));

    const sources = chart.crdSources ?? [];
    const manifests: Manifest[] = [];
    const data: DataHttp[] = [];
    for (const source of sources) {
      const crdId = source.name.replace(/\./g, "-");
      const tfName = crdResourceName(source.name);
      const http = this.fetch(`${crdId}-source`, source);
      http.overrideLogicalId(tfName);
      const body = `data.http.${tfName}.response_body`;
      const manifest = new Manifest(this, crdId, {
        manifest: Fn.yamldecode(http.responseBody),
        fieldManager: { name: fieldManager, forceConflicts: true },
        wait: { condition: [{ type: "Established", status: "True" }] },
        lifecycle: {
          preventDestroy: true,
          precondition: [
            {
              condition: `\${yamldecode(${body}).kind == "CustomResourceDefinition" && yamldecode(${body}).metadata.name == "${source.name}"}`,
              errorMessage: `${source.url} does not hold CustomResourceDefinition ${source.name}, which the chart registry (domain/charts.ts) says it does.`,
            },
          ],
        },
      });
      manifest.overrideLogicalId(tfName);
      if (props.adoptExisting ?? true) {
        const existing = new DataKubernetesResources(this, `${crdId}-existing`, {
          apiVersion: CRD_API_VERSION,
          kind: "CustomResourceDefinition",
          fieldSelector: `metadata.name=${source.name}`,
        });
        existing.overrideLogicalId(tfName);
        new ImportIfPresent(this, `${crdId}-adopt`, {
          lookup: tfName,
          to: `kubernetes_manifest.${tfName}`,
          id: `apiVersion=${CRD_API_VERSION},kind=CustomResourceDefinition,name=\${each.value}`,
        });
      }
      manifests.push(manifest);
      data.push(http);
    }
    for (const retired of chart.retiredCrds ?? [])
      new ForgetWithoutDestroy(this, `${retired.replace(/\./g, "-")}-retired`, crdResourceName(retired));
    this.node.addValidation({ validate: () => this.stackProblems() });
    this.chart = chart;
    this.crdNames = sources.map((s) => s.name);
    this.manifests = manifests;
    this.sources = data;
    this.fieldManager = fieldManager;
  }

  /** What only the whole stack can tell: an http provider is declared, no other ChartCrds applies the same CRD. */
  private stackProblems(): string[] {
    const all = TerraformStack.of(this).node.findAll();
    const problems: string[] = [];
    if (!all.some((c) => c instanceof HttpProvider)) {
      problems.push(`the stack declares no HttpProvider (hashicorp/http); ChartCrds reads the CRD files with data "http"`);
    }
    for (const other of all) {
      if (!(other instanceof ChartCrds) || other === this) continue;
      const both = this.crdNames.filter((n) => other.crdNames.includes(n) || (other.chart.retiredCrds ?? []).includes(n));
      if (both.length) problems.push(`${other.node.path} also manages ${both.join(", ")}`);
    }
    return problems.map((p) => `${this.node.path}: ${p}`);
  }

  /** The file at its pinned URL, read at plan time; the plan fails unless it is the pinned file. */
  private fetch(id: string, source: CrdSource): DataHttp {
    return new DataHttp(this, id, {
      url: source.url,
      requestTimeoutMs: 30_000,
      retry: { attempts: 3, minDelayMs: 1_000, maxDelayMs: 10_000 },
      lifecycle: {
        postcondition: [
          {
            // hashicorp/http >= 3.0 returns any status without an error.
            condition: "${self.status_code == 200}",
            errorMessage: `GET ${source.url} answered HTTP \${self.status_code}, not 200.`,
          },
          {
            condition: `\${sha256(self.response_body) == "${source.sha256}"}`,
            errorMessage:
              `${source.url} has sha256 \${sha256(self.response_body)}, the chart registry pins ${source.sha256} ` +
              `(CRD ${source.name}). The file changed or the registry entry is wrong; nothing was applied.`,
          },
        ],
      },
    });
  }
}

/**
 * `removed { from = kubernetes_manifest.<retired CRD>, lifecycle { destroy = false } }`
 * (Terraform >= 1.7): a CRD a chart version no longer ships leaves the state
 * but stays in the cluster. Without it, dropping the resource from the
 * configuration would delete the CRD and every resource of its kind
 * (prevent_destroy goes away with the resource block). A no-op when the
 * address is not in state. JSON synth only (cdktf's HCL renderer has no `removed`).
 */
class ForgetWithoutDestroy extends TerraformElement {
  constructor(
    scope: Construct,
    id: string,
    private readonly tfName: string,
  ) {
    super(scope, id);
  }

  override toTerraform() {
    return { removed: [{ from: `kubernetes_manifest.${this.tfName}`, lifecycle: { destroy: false } }] };
  }
}
