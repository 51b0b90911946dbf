import { Release } from "@cdktf/provider-helm/lib/release";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { ChartEntry, isDnsLabel, isExactChartVersion, MAX_RELEASE_NAME_LENGTH } from "../../domain/charts";
import { ChartCrds } from "./chart-crds";

/** Helm values: a JSON object (the chart's values.yaml structure). */
export type HelmValues = object;

export interface HelmChartProps<V extends HelmValues = Record<string, unknown>> {
  /** The pinned chart, from the registry in domain/charts.ts (repository, chart, exact version). */
  readonly chart: ChartEntry;
  /** Helm release name: a DNS label of at most 53 characters. */
  readonly releaseName: string;
  /**
   * Namespace of the release.
   * @default chart.defaultNamespace
   */
  readonly namespace?: string;
  /**
   * Create the namespace when it does not exist (`helm install --create-namespace`).
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * Values for the chart, typed per chart (e.g. StrimziChartValues). Every key
   * must exist in the chart version's values.yaml (test/helm-values.test.ts);
   * `undefined` anywhere inside is refused, because JSON would drop it silently.
   * @default {} (the chart's defaults)
   */
  readonly values?: V;
  /**
   * Wait until every resource of the release is ready before Terraform marks it created.
   * @default true
   */
  readonly wait?: boolean;
  /**
   * Roll a failed install or upgrade back instead of leaving a half-applied release.
   * @default true
   */
  readonly atomic?: boolean;
  /**
   * Seconds Helm waits for any individual Kubernetes operation (and for readiness when `wait` is on).
   * @default 600
   */
  readonly timeoutSeconds?: number;
  /**
   * Install nothing from the chart's `crds/` folder (`helm install --skip-crds`),
   * for a chart whose CRDs another release installs as templates (Karpenter's
   * karpenter-crd), so that chart upgrades them.
   * @default false
   */
  readonly skipCrds?: boolean;
  /**
   * Resources that must exist before the release is installed (a namespace it binds roles in, CRDs, ...).
   * @default none
   */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * One Helm release of a pinned chart (the kit's counterpart of aws-eks'
 * `HelmChart`). Everything the kit installs with Helm goes through it: the
 * chart coordinates come from the registry, the values are typed per chart
 * and checked before synth, and the release is emitted as `helm_release`
 * with `values: [JSON.stringify(values)]`.
 *
 * A chart whose registry entry has crdInstall `crds-folder` gets a
 * {@link ChartCrds} child (`crds`): its CRDs are applied from the pinned,
 * checksummed files of that chart version, and the release installs with
 * `skip_crds` after them. Helm never upgrades a `crds/` folder, so without
 * this a chart bump would keep the old schemas.
 *
 * The `helm_release` is this construct's default child (id `Default`), so its
 * Terraform address is the one a `Release` created directly under this
 * construct's scope with this construct's id would get.
 */
export class HelmChart<V extends HelmValues = Record<string, unknown>> extends Construct {
  /** Helm release name (known at synth time). */
  readonly releaseName: string;
  /** Namespace the release is installed into. */
  readonly namespace: string;
  /** The pinned chart this release installs. */
  readonly chart: ChartEntry;
  /** The values passed to Helm, as given. */
  readonly values: V | undefined;
  /** The underlying `helm_release` resource (depend on it to wait for the release). */
  readonly release: Release;
  /** The chart's CRDs, applied by the kit, when the registry says they ship in `crds/` (else undefined). */
  readonly crds?: ChartCrds;

  constructor(scope: Construct, id: string, props: HelmChartProps<V>) {
    super(scope, id);
    const namespace = props.namespace ?? props.chart.defaultNamespace;
    const timeout = props.timeoutSeconds ?? 600;

    const problems: string[] = [];
    if (!isDnsLabel(props.releaseName, MAX_RELEASE_NAME_LENGTH)) {
      problems.push(
        `releaseName ${JSON.stringify(props.releaseName)} must be a DNS label (lower-case letters, digits and "-", ` +
          `alphanumeric at both ends) of at most ${MAX_RELEASE_NAME_LENGTH} characters`,
      );
    }
    if (!isDnsLabel(namespace)) problems.push(`namespace ${JSON.stringify(namespace)} must be a DNS label of at most 63 characters`);
    if (!isExactChartVersion(props.chart.version)) {
      problems.push(
        `chart ${props.chart.chart} version ${JSON.stringify(props.chart.version)} is a range or not a version; pin one exact version ` +
          `(a range installs whatever the repository serves on the day of the apply)`,
      );
    }
    if (!Number.isInteger(timeout) || timeout <= 0) problems.push(`timeoutSeconds: got ${timeout}, expected a whole number above 0`);
    if (props.values !== undefined) problems.push(...nonJsonValues(props.values, "values"));
    if (problems.length) throw new Error(problems.map((p) => `${this.node.path}: ${p}`).join("\n"));

    const fromFolder = props.chart.crdInstall === "crds-folder";
    const crds = fromFolder && props.chart.crdsFromChart === undefined ? new ChartCrds(this, "crds", { chart: props.chart }) : undefined;
    const dependsOn = [...(props.dependsOn ?? []), ...(crds?.manifests ?? [])];
    this.release = new Release(this, "Default", {
      name: props.releaseName,
      repository: props.chart.repository,
      chart: props.chart.chart,
      version: props.chart.version,
      namespace,
      createNamespace: props.createNamespace ?? true,
      atomic: props.atomic ?? true,
      wait: props.wait ?? true,
      timeout,
      values: props.values === undefined ? undefined : [JSON.stringify(props.values)],
      // Helm would create crds/ on first install only; ChartCrds (or the companion CRD chart) applies and upgrades them.
      skipCrds: fromFolder || props.skipCrds ? true : undefined,
      dependsOn: dependsOn.length ? dependsOn : undefined,
    });
    this.crds = crds;
    this.releaseName = props.releaseName;
    this.namespace = namespace;
    this.chart = props.chart;
    this.values = props.values;
  }
}

/**
 * Paths inside `value` that JSON.stringify would drop or change silently:
 * `undefined`, functions and symbols (dropped from objects, `null` in lists),
 * non-finite numbers (`null`), and objects that are not plain data (class
 * instances such as cdktf tokens serialize as their internals).
 */
function nonJsonValues(value: unknown, path: string): string[] {
  if (value === undefined) return [`${path} is undefined (JSON.stringify would drop it); omit the key or give it a value`];
  if (typeof value === "function" || typeof value === "symbol" || typeof value === "bigint") {
    return [`${path} is a ${typeof value}, not JSON data`];
  }
  if (typeof value === "number" && !Number.isFinite(value)) return [`${path} is ${value} (JSON.stringify writes null)`];
  if (value === null || typeof value !== "object") return [];
  if (Array.isArray(value)) {
    // A hole in a sparse array is undefined too.
    return Array.from({ length: value.length }, (_, i) => nonJsonValues(value[i], `${path}[${i}]`)).flat();
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    return [`${path} is a ${proto?.constructor?.name ?? "non-plain"} object, not plain JSON data`];
  }
  return Object.entries(value).flatMap(([k, v]) => nonJsonValues(v, valuePath(path, k)));
}

/** `parent.key`, or `parent["key"]` when the key is not a plain identifier (`nodeSelector["kubernetes.io/os"]`). */
export function valuePath(parent: string, key: string): string {
  const part = /^[A-Za-z_$][\w$-]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  return parent === "" && part.startsWith(".") ? key : parent + part;
}
