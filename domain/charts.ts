/**
 * The Helm charts the kit installs, pinned: one entry per chart version, with
 * the facts that other parts of the kit depend on (the CRDs it brings, the
 * Kafka versions an operator runs, which value paths hold user data). Pure
 * data, so config validation, constructs and tests read the same facts.
 *
 * Bumping a chart is a change here first: its reference files
 * (`shared/reference/charts/<chart>-<version>/values.yaml`, and
 * `values.schema.json` when the chart ships one) must exist for the new
 * version, or the entry lists `referenceValuePaths` read from the chart, and
 * test/helm-values.test.ts checks every value the kit sets against them.
 */

import { AWS_LOAD_BALANCER_CONTROLLER } from "./charts-aws-load-balancer-controller";
import { CrdSource, crdSourceProblems, STRIMZI_1_2_0_CRD_SOURCES } from "./crd-sources";

/** Where Helm fetches a chart: an OCI registry or a classic HTTP(S) chart repository (index.yaml). */
export type ChartRepository = `oci://${string}` | `https://${string}`;

/** One kind of custom resource a chart defines. */
export interface ChartCrd {
  /** API group, e.g. `kafka.strimzi.io`. */
  readonly group: string;
  /** The served version the kit writes, e.g. `v1`. */
  readonly version: string;
  /** Kind, e.g. `Kafka`. */
  readonly kind: string;
}

/**
 * How a chart installs its CRDs. `crds-folder`: from the chart's `crds/`
 * folder, which Helm installs on first install and never upgrades or deletes
 * (a chart bump needs its CRDs applied separately). `templates`: rendered as
 * ordinary templates, so upgraded with the release (usually behind a value such
 * as cert-manager's `crds.enabled`). `none`: the chart defines no CRDs.
 */
export type CrdInstallMode = "crds-folder" | "templates" | "none";

export interface ChartEntry {
  /** Registry key, the same as this entry's key in {@link CHARTS}. */
  readonly key: string;
  /** Chart name in its repository, e.g. `strimzi-kafka-operator`. */
  readonly chart: string;
  /** Repository URL, OCI (`oci://...`, without the chart name) or HTTP(S). */
  readonly repository: ChartRepository;
  /** Exact chart version (never a range): what `helm install --version` gets. */
  readonly version: string;
  /** Namespace the kit installs the chart into unless told otherwise. */
  readonly defaultNamespace: string;
  /** How the chart installs its CRDs (see {@link CrdInstallMode}). */
  readonly crdInstall: CrdInstallMode;
  /** API groups of the CRDs the chart installs (empty when none). */
  readonly crdGroups: readonly string[];
  /** Every kind the chart defines, each in one of {@link crdGroups}. */
  readonly crds: readonly ChartCrd[];
  /**
   * For crdInstall `crds-folder` (required there, refused elsewhere): the CRD
   * files of this chart version, one per kind, which the kit applies itself
   * (constructs/helm/chart-crds.ts) because Helm never upgrades that folder.
   * @default none
   */
  readonly crdSources?: readonly CrdSource[];
  /**
   * For crdInstall `crds-folder`: names of CRDs that earlier registered
   * versions of this chart shipped and this version no longer does. The kit
   * stops managing them without deleting them (deleting a CRD deletes every
   * resource of its kind); keep the list across later bumps.
   * @default none
   */
  readonly retiredCrds?: readonly string[];
  /**
   * Value paths whose contents the chart passes through as they are (toYaml
   * into a Kubernetes object) or whose keys are user data: node selectors,
   * tolerations, affinity, annotations, labels, resources, env lists,
   * catalogs. Keys below them are not checked against the chart's defaults.
   * Dotted, with `[]` for "any element of this list" (`ingress[].from`).
   */
  readonly freeFormValuePaths: readonly string[];
  /**
   * Value paths the chart's templates read although its default values.yaml
   * leaves them out (commented out or absent). Accepted, with everything
   * below them; list only what the templates of this version were seen to read.
   * @default none
   */
  readonly additionalValuePaths?: readonly string[];
  /**
   * For a chart whose default values are not in shared/reference/charts: the
   * value paths of its default values.yaml at this version (dotted, `[]` for
   * list elements) that the kit may set, each read from the chart at `source`.
   * test/helm-values.ts checks the kit's values against these when the
   * reference directory has no copy of the chart.
   * @default none (the chart's reference directory is required)
   */
  readonly referenceValuePaths?: readonly string[];
  /**
   * For crdInstall `crds-folder`: the registry key of a companion chart that
   * installs the same CRDs as templates (so Helm upgrades them with it), e.g.
   * Karpenter's `karpenter-crd`. The kit then installs this chart with
   * `skip_crds` after the companion, instead of applying `crdSources`.
   * @default none (the kit applies crdSources)
   */
  readonly crdsFromChart?: string;
  /** Where the version and the facts above were checked. */
  readonly source: string;
}

/** The Strimzi operator chart also fixes which Kafka versions the operator runs. */
export interface StrimziChartEntry extends ChartEntry {
  /** Kafka versions marked `supported: true` in this Strimzi release's kafka-versions.yaml. */
  readonly supportedKafkaVersions: readonly string[];
  /** The version marked `default: true` there (what a Kafka resource without `spec.kafka.version` gets). */
  readonly defaultKafkaVersion: string;
}

const STRIMZI_KAFKA_GROUP = "kafka.strimzi.io";
const STRIMZI_CORE_GROUP = "core.strimzi.io";

/**
 * Strimzi 1.2.0. CRDs: the chart's `crds/` folder at tag 1.2.0 (ten files,
 * listed with their hashes in domain/crd-sources.ts; `StrimziPodSet` is the
 * one kind in `core.strimzi.io`); the kinds the kit
 * writes are also in shared/schemas/strimzi-1.2.0/. Kafka versions:
 * kafka-versions.yaml at tag 1.2.0 (shared/reference/strimzi-1.2.0/): 4.2.0,
 * 4.2.1, 4.3.0 and 4.3.1 are `supported: true`, 4.3.1 is the default, every
 * older one is `supported: false`.
 */
export const STRIMZI: StrimziChartEntry = {
  key: "strimzi",
  chart: "strimzi-kafka-operator",
  repository: "oci://quay.io/strimzi-helm",
  version: "1.2.0",
  defaultNamespace: "strimzi-system",
  crdInstall: "crds-folder",
  crdGroups: [STRIMZI_KAFKA_GROUP, STRIMZI_CORE_GROUP],
  crds: [
    ...[
      "Kafka",
      "KafkaNodePool",
      "KafkaTopic",
      "KafkaUser",
      "KafkaRebalance",
      "KafkaConnect",
      "KafkaConnector",
      "KafkaMirrorMaker2",
      "KafkaBridge",
    ].map((kind) => ({ group: STRIMZI_KAFKA_GROUP, version: "v1", kind })),
    { group: STRIMZI_CORE_GROUP, version: "v1", kind: "StrimziPodSet" },
  ],
  crdSources: STRIMZI_1_2_0_CRD_SOURCES,
  // Each is rendered with toYaml (templates/060-Deployment, 052-NetworkPolicy, 090-ConfigMap) or holds user data.
  freeFormValuePaths: [
    "nodeSelector",
    "tolerations",
    "affinity",
    "topologySpreadConstraints",
    "annotations",
    "labels",
    "deploymentAnnotations",
    "deploymentLabels",
    "deploymentStrategy",
    "podSecurityContext",
    "securityContext",
    "resources",
    "extraEnvs",
    "image.imagePullSecrets",
    "operatorNetworkPolicy.ingress",
    "operatorNetworkPolicy.egress",
    "dashboards.annotations",
    "dashboards.extraLabels",
  ],
  // Read by templates/ at tag 1.2.0, absent from (or commented out in) values.yaml.
  additionalValuePaths: [
    "defaultImageName",
    "fullnameOverride",
    "nameOverride",
    "image.imagePullPolicy",
    "image.imagePullSecrets",
    "image.operatorNamespaceLabels",
    "logLevelOverride",
    "revisionHistoryLimit",
  ],
  source: "github.com/strimzi/strimzi-kafka-operator tag 1.2.0: helm-charts/helm3/strimzi-kafka-operator, kafka-versions.yaml",
  supportedKafkaVersions: ["4.2.0", "4.2.1", "4.3.0", "4.3.1"],
  defaultKafkaVersion: "4.3.1",
};

const KARPENTER_GROUP = "karpenter.sh";
const KARPENTER_AWS_GROUP = "karpenter.k8s.aws";
const CAPACITY_BUFFER_GROUP = "autoscaling.x-k8s.io";
/** The CRDs of Karpenter 1.14.1 (charts/karpenter-crd/templates and charts/karpenter/crds at tag v1.14.1). */
const KARPENTER_CRDS: readonly ChartCrd[] = [
  { group: KARPENTER_GROUP, version: "v1", kind: "NodePool" },
  { group: KARPENTER_GROUP, version: "v1", kind: "NodeClaim" },
  { group: KARPENTER_GROUP, version: "v1alpha1", kind: "NodeOverlay" },
  { group: KARPENTER_AWS_GROUP, version: "v1", kind: "EC2NodeClass" },
  { group: CAPACITY_BUFFER_GROUP, version: "v1beta1", kind: "CapacityBuffer" },
];
const KARPENTER_SOURCE =
  "github.com/aws/karpenter-provider-aws tag v1.14.1 (published by hack/release/common.sh with version and image patched in)";

/**
 * Karpenter's CRDs as ordinary templates, so `helm upgrade` to a new chart
 * version upgrades them (the controller chart's `crds/` folder is installed
 * once and never again). The kit installs this chart first and the controller
 * chart with `skip_crds`.
 */
export const KARPENTER_CRD: ChartEntry = {
  key: "karpenterCrd",
  chart: "karpenter-crd",
  repository: "oci://public.ecr.aws/karpenter",
  version: "1.14.1",
  defaultNamespace: "karpenter",
  crdInstall: "templates",
  crdGroups: [KARPENTER_GROUP, KARPENTER_AWS_GROUP, CAPACITY_BUFFER_GROUP],
  crds: KARPENTER_CRDS,
  // Rendered with toYaml into every CRD's annotations.
  freeFormValuePaths: ["additionalAnnotations"],
  // charts/karpenter-crd/values.yaml at v1.14.1 has this one value.
  referenceValuePaths: ["additionalAnnotations"],
  source: `${KARPENTER_SOURCE}: charts/karpenter-crd`,
};

/**
 * The Karpenter controller. Its `crds/` folder holds the same CRDs as
 * karpenter-crd; installed with `skip_crds`, it brings none.
 */
export const KARPENTER: ChartEntry = {
  key: "karpenter",
  chart: "karpenter",
  repository: "oci://public.ecr.aws/karpenter",
  version: "1.14.1",
  defaultNamespace: "karpenter",
  crdInstall: "crds-folder",
  crdsFromChart: "karpenterCrd",
  crdGroups: [KARPENTER_GROUP, KARPENTER_AWS_GROUP, CAPACITY_BUFFER_GROUP],
  crds: KARPENTER_CRDS,
  // Rendered with toYaml by templates/deployment.yaml, serviceaccount.yaml, service.yaml and servicemonitor.yaml.
  freeFormValuePaths: [
    "additionalLabels",
    "additionalAnnotations",
    "imagePullSecrets",
    "service.annotations",
    "serviceAccount.annotations",
    "additionalClusterRoleRules",
    "serviceMonitor.additionalLabels",
    "serviceMonitor.relabelings",
    "serviceMonitor.metricRelabelings",
    "serviceMonitor.endpointConfig",
    "strategy",
    "podLabels",
    "podAnnotations",
    "podSecurityContext",
    "dnsConfig",
    "initContainers",
    "nodeSelector",
    "affinity",
    "topologySpreadConstraints",
    "tolerations",
    "extraVolumes",
    "controller.env",
    "controller.envFrom",
    "controller.resources",
    "controller.extraVolumeMounts",
    "controller.sidecarContainer",
    "controller.sidecarVolumeMounts",
  ],
  // The paths of charts/karpenter/values.yaml at v1.14.1 that the kit sets (constructs/karpenter/karpenter-controller.ts).
  referenceValuePaths: [
    "replicas",
    "dnsPolicy",
    "nodeSelector",
    "affinity",
    "serviceAccount.annotations",
    "controller.resources",
    "settings.clusterName",
    "settings.clusterEndpoint",
    "settings.interruptionQueue",
    "settings.featureGates.spotToSpotConsolidation",
  ],
  source: `${KARPENTER_SOURCE}: charts/karpenter`,
};

/**
 * Every chart the kit installs, by registry key. Later charts (Karpenter,
 * AWS Load Balancer Controller, cert-manager, KEDA, kube-prometheus-stack,
 * the Flink and Spark operators, Trino, Pinot, k6-operator) join here with the
 * issue that installs them.
 */
export const CHARTS = {
  strimzi: STRIMZI,
  awsLoadBalancerController: AWS_LOAD_BALANCER_CONTROLLER,
  karpenterCrd: KARPENTER_CRD,
  karpenter: KARPENTER,
} as const satisfies Readonly<Record<string, ChartEntry>>;

export type ChartKey = keyof typeof CHARTS;

/** Every registered chart version. */
export const ALL_CHARTS: readonly ChartEntry[] = Object.values(CHARTS);

/** The registered entry for a chart name and exact version, if any. */
export function findChart(chart: string, version: string): ChartEntry | undefined {
  return ALL_CHARTS.find((c) => c.chart === chart && c.version === version);
}

/** An exact chart version: semver, with the `v` prefix some charts use (cert-manager `v1.21.1`). */
const EXACT_VERSION = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** True when `version` pins one release; false for ranges and wildcards (`^1.2.0`, `~1.2`, `>=1`, `1.x`, `*`, ``). */
export function isExactChartVersion(version: string): boolean {
  return EXACT_VERSION.test(version);
}

/** Helm's limit on release names (they become parts of resource names and labels). */
export const MAX_RELEASE_NAME_LENGTH = 53;

/** A Kubernetes DNS label (RFC 1123): lower-case alphanumerics and `-`, alphanumeric at both ends. */
export function isDnsLabel(name: string, maxLength = 63): boolean {
  return name.length > 0 && name.length <= maxLength && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name);
}

/**
 * Problems with the registry itself (empty when consistent): keys match,
 * versions are exact, every CRD kind is in a listed group and every group has
 * a kind, one entry per chart version.
 */
export function chartRegistryProblems(charts: Readonly<Record<string, ChartEntry>> = CHARTS): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [key, c] of Object.entries(charts)) {
    const where = `${key} (${c.chart} ${c.version})`;
    if (c.key !== key) problems.push(`${where}: key ${JSON.stringify(c.key)} differs from its registry key`);
    if (!isExactChartVersion(c.version)) problems.push(`${where}: version ${JSON.stringify(c.version)} is not an exact version`);
    if (!isDnsLabel(c.defaultNamespace))
      problems.push(`${where}: defaultNamespace ${JSON.stringify(c.defaultNamespace)} is not a DNS label`);
    const id = `${c.chart}@${c.version}`;
    if (seen.has(id)) problems.push(`${where}: registered twice`);
    seen.add(id);
    for (const crd of c.crds) {
      if (!c.crdGroups.includes(crd.group)) problems.push(`${where}: CRD ${crd.kind} is in ${crd.group}, not in crdGroups`);
    }
    for (const g of c.crdGroups) {
      if (!c.crds.some((crd) => crd.group === g)) problems.push(`${where}: crdGroups lists ${g} but no CRD kind in it`);
    }
    if ((c.crdInstall === "none") !== (c.crds.length === 0)) {
      problems.push(`${where}: crdInstall ${c.crdInstall} disagrees with ${c.crds.length} CRD kinds`);
    }
    if (c.crdInstall === "crds-folder" && c.crdsFromChart !== undefined) {
      const companion = charts[c.crdsFromChart];
      if (!companion) problems.push(`${where}: crdsFromChart ${JSON.stringify(c.crdsFromChart)} is not a registry key`);
      else if (companion.crdInstall !== "templates" || companion.version !== c.version) {
        problems.push(`${where}: crdsFromChart ${c.crdsFromChart} must install the CRDs as templates at the same version (${c.version})`);
      } else if (c.crdGroups.some((g) => !companion.crdGroups.includes(g))) {
        problems.push(`${where}: crdsFromChart ${c.crdsFromChart} does not install every CRD group of this chart`);
      }
      if (c.crdSources?.length) problems.push(`${where}: crdSources and crdsFromChart both given; the companion chart installs the CRDs`);
    } else if (c.crdInstall === "crds-folder") {
      if (!c.crdSources?.length) {
        problems.push(`${where}: crdInstall crds-folder needs crdSources (Helm never upgrades crds/; the kit applies them itself)`);
      } else problems.push(...crdSourceProblems(c.crdSources, c).map((p) => `${where}: ${p}`));
    } else if (c.crdSources?.length || c.retiredCrds?.length) {
      problems.push(`${where}: crdSources or retiredCrds given for crdInstall ${c.crdInstall}; Helm already manages these CRDs`);
    }
  }
  return problems;
}
