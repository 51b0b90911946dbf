/**
 * Where the CRDs of a chart that ships them in its `crds/` folder come from.
 * Helm installs that folder on a release's first install and never upgrades
 * it (nor deletes it), so the kit applies each CRD itself, from the chart's
 * own release, fetched at plan time and checked against the hash recorded
 * here (constructs/helm/chart-crds.ts). Pure data: the registry
 * (domain/charts.ts), the construct and the plan-time checks read it.
 */

/** One CustomResourceDefinition file of a chart release. */
export interface CrdSource {
  /** Kind the CRD defines, e.g. `Kafka` (one of the chart entry's `crds`). */
  readonly kind: string;
  /** The CRD's `metadata.name`, `<plural>.<group>`, e.g. `kafkas.kafka.strimzi.io`. */
  readonly name: string;
  /**
   * Immutable HTTPS URL of the file: one YAML document holding this one CRD
   * (Terraform's yamldecode takes a single document). A raw GitHub file is
   * addressed by commit, not by tag or branch.
   */
  readonly url: string;
  /** sha256 of the file's bytes, lower-case hex (Terraform's `sha256(response_body)`). */
  readonly sha256: string;
  /**
   * The chart version (release) the file was taken from; it must equal the
   * registry entry's version, so bumping the version without the files fails
   * the registry check.
   */
  readonly release: string;
}

const LBC_3_5_0 = { version: "3.5.0", commit: "11eb202c97e4ae2ee45e0658c4cde9a4b59f33d4" };

/** Host serving a GitHub repository's files byte for byte at a given commit. */
export const GITHUB_RAW = "https://raw.githubusercontent.com";

/** `https://raw.githubusercontent.com/<repo>/<commit>/<path>`. */
export function githubRawUrl(repo: string, commit: string, path: string): string {
  return `${GITHUB_RAW}/${repo}/${commit}/${path}`;
}

/** Files of one folder of a GitHub repository at a release's commit: `[file, kind, CRD name, sha256]` each. */
export function githubCrdFolder(
  repo: string,
  release: { readonly version: string; readonly commit: string },
  folder: string,
  files: readonly (readonly [file: string, kind: string, name: string, sha256: string])[],
): CrdSource[] {
  return files.map(([file, kind, name, sha256]) => ({
    kind,
    name,
    url: githubRawUrl(repo, release.commit, `${folder}/${file}`),
    sha256,
    release: release.version,
  }));
}

/**
 * Strimzi 1.2.0: `helm-charts/helm3/strimzi-kafka-operator/crds/` at tag
 * 1.2.0 (commit 6c7b43c4af0db547c10463ba09d1dfa6f5e156a0; the tag points at
 * the commit itself). These are the files Helm installed on the release's
 * first install (they differ from `install/cluster-operator/04x-Crd-*.yaml`
 * by a `component` label and their indentation), one CRD per file, no `---`.
 * Checked when pinned: each file decodes with Terraform 1.11's yamldecode to
 * the same object as a YAML 1.2 parser, and sha256(file(...)) equals the
 * hashes below (sha256sum of the git blobs).
 */
export const STRIMZI_1_2_0_CRD_SOURCES: readonly CrdSource[] = githubCrdFolder(
  "strimzi/strimzi-kafka-operator",
  { version: "1.2.0", commit: "6c7b43c4af0db547c10463ba09d1dfa6f5e156a0" },
  "helm-charts/helm3/strimzi-kafka-operator/crds",
  [
    ["040-Crd-kafka.yaml", "Kafka", "kafkas.kafka.strimzi.io", "c03fc9679a6edb13f3826cd3b5505183a21bb436ada484c7ed93f55f6a010aa8"],
    [
      "041-Crd-kafkaconnect.yaml",
      "KafkaConnect",
      "kafkaconnects.kafka.strimzi.io",
      "4da4a4b2d58bc07edcd0d92b5f459faf15b0de98e98765a4883fdcda8e202859",
    ],
    [
      "042-Crd-strimzipodset.yaml",
      "StrimziPodSet",
      "strimzipodsets.core.strimzi.io",
      "10c7a92e5262de11a46dc8ac69d2581ed5410f6cb60109ef037fe702b20d4cae",
    ],
    [
      "043-Crd-kafkatopic.yaml",
      "KafkaTopic",
      "kafkatopics.kafka.strimzi.io",
      "4f2849dc0c8ddde306074648df5fb631fd43d042c4827f4391e97861596899a3",
    ],
    [
      "044-Crd-kafkauser.yaml",
      "KafkaUser",
      "kafkausers.kafka.strimzi.io",
      "e4b6aa159bbeac133b254903b12759cd5fa64ff391c8c5f92a4b189a8154b0f0",
    ],
    [
      "045-Crd-kafkanodepool.yaml",
      "KafkaNodePool",
      "kafkanodepools.kafka.strimzi.io",
      "f900373d08f199ef5bfa8eb22d6396326aac6a65403b115481655310d6b48696",
    ],
    [
      "046-Crd-kafkabridge.yaml",
      "KafkaBridge",
      "kafkabridges.kafka.strimzi.io",
      "c0d4e308e69a3803fd089c37045c23f629c951411631d090392595e66d948be6",
    ],
    [
      "047-Crd-kafkaconnector.yaml",
      "KafkaConnector",
      "kafkaconnectors.kafka.strimzi.io",
      "1bac2691433f55f3c5aaf1306ff1a31eb4a9c4257f3ffc56a0b32bcb168075eb",
    ],
    [
      "048-Crd-kafkamirrormaker2.yaml",
      "KafkaMirrorMaker2",
      "kafkamirrormaker2s.kafka.strimzi.io",
      "76b0358edcb7fa3e04189cec72690b1d849a362ac2bfc24ccb2b09fd9a235521",
    ],
    [
      "049-Crd-kafkarebalance.yaml",
      "KafkaRebalance",
      "kafkarebalances.kafka.strimzi.io",
      "ae3fc33d7431b1d333916fe54ad0564afced0967a50134f977f138f7eff160b3",
    ],
  ],
);

const SHA256_HEX = /^[0-9a-f]{64}$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const GITHUB_RAW_URL = /^https:\/\/raw\.githubusercontent\.com\/[^/]+\/[^/]+\/([^/]+)\/.+/;

/**
 * Problems with a chart's CRD sources (empty when consistent): every kind the
 * chart defines has exactly one source, each named `<plural>.<group>` in one
 * of its groups, with an HTTPS URL, a raw GitHub URL pinned to a commit, and a
 * sha256, taken from the entry's own version; no name or URL twice; no retired
 * CRD among them.
 */
export function crdSourceProblems(
  sources: readonly CrdSource[],
  chart: {
    readonly version: string;
    readonly crds: readonly { readonly group: string; readonly kind: string }[];
    readonly retiredCrds?: readonly string[];
  },
): string[] {
  const { crds, retiredCrds: retired = [] } = chart;
  const problems: string[] = [];
  const names = new Set<string>();
  const urls = new Set<string>();
  for (const s of sources) {
    const where = `crdSources ${s.name || JSON.stringify(s.url)}`;
    const crd = crds.find((c) => c.kind === s.kind);
    if (!crd) problems.push(`${where}: kind ${s.kind} is not among the chart's CRD kinds`);
    else if (!s.name.endsWith(`.${crd.group}`)) problems.push(`${where}: name must be <plural>.${crd.group} for kind ${s.kind}`);
    if (!DNS_SUBDOMAIN.test(s.name)) problems.push(`${where}: name ${JSON.stringify(s.name)} is not a DNS subdomain`);
    if (!s.url.startsWith("https://")) problems.push(`${where}: url ${JSON.stringify(s.url)} is not HTTPS`);
    const ref = GITHUB_RAW_URL.exec(s.url)?.[1];
    if (ref !== undefined && !/^[0-9a-f]{40}$/.test(ref)) {
      problems.push(`${where}: url pins ${JSON.stringify(ref)}, a tag or branch can move; use the commit`);
    }
    if (!SHA256_HEX.test(s.sha256)) problems.push(`${where}: sha256 ${JSON.stringify(s.sha256)} is not 64 lower-case hex digits`);
    if (s.release !== chart.version) problems.push(`${where}: taken from release ${s.release}, the chart entry is ${chart.version}`);
    if (names.has(s.name)) problems.push(`${where}: listed twice`);
    if (urls.has(s.url)) problems.push(`${where}: url ${s.url} listed twice`);
    names.add(s.name);
    urls.add(s.url);
  }
  for (const c of crds) {
    const n = sources.filter((s) => s.kind === c.kind).length;
    if (n !== 1) problems.push(`crdSources: kind ${c.kind} has ${n} sources, expected 1`);
  }
  for (const r of retired) {
    if (!DNS_SUBDOMAIN.test(r)) problems.push(`retiredCrds: ${JSON.stringify(r)} is not a CRD name`);
    if (names.has(r)) problems.push(`retiredCrds: ${r} is still in crdSources`);
  }
  return problems;
}

/**
 * Terraform name of everything the kit creates for one CRD (its
 * `kubernetes_manifest`, `data "http"` and `data "kubernetes_resources"`):
 * `crd_<name with dots as underscores>`, e.g. `crd_kafkas_kafka_strimzi_io`.
 * Fixed by the CRD's name alone, so it survives refactors of the construct
 * tree, a retired CRD's address is known, and runbooks can name it.
 */
export function crdResourceName(crdName: string): string {
  return `crd_${crdName.replace(/\./g, "_")}`;
}

/**
 * AWS Load Balancer Controller chart 3.5.0 (app v3.5.0). The chart's `crds/`
 * folder holds two multi-document files (crds.yaml, gateway-crds.yaml), which
 * yamldecode cannot take; the controller's repository has the same CRDs one
 * per file under config/crd/ at tag v3.5.0 (commit 11eb202c97e4ae2ee45e0658c4cde9a4b59f33d4).
 * Checked when pinned: each file is one document (after a leading `---`) that
 * decodes to exactly the object of the same name in the chart's crds/ files at
 * that tag; Terraform 1.11's yamldecode reads it; the hashes are sha256 of the files.
 */
export const AWS_LOAD_BALANCER_CONTROLLER_3_5_0_CRD_SOURCES: readonly CrdSource[] = [
  ...githubCrdFolder("kubernetes-sigs/aws-load-balancer-controller", LBC_3_5_0, "config/crd/bases", [
    [
      "elbv2.k8s.aws_targetgroupbindings.yaml",
      "TargetGroupBinding",
      "targetgroupbindings.elbv2.k8s.aws",
      "0efbdd3d88d29abbdd6feb2c1329dceb5e1b7788644f2d9b0be9158589a98432",
    ],
    [
      "elbv2.k8s.aws_ingressclassparams.yaml",
      "IngressClassParams",
      "ingressclassparams.elbv2.k8s.aws",
      "ecc9a6272f05b23da799e8c62f2ace623ca7b061e9808fdee50d1ab15dfbd825",
    ],
    [
      "elbv2.k8s.aws_albtargetcontrolconfigs.yaml",
      "ALBTargetControlConfig",
      "albtargetcontrolconfigs.elbv2.k8s.aws",
      "9f78853c37088c1533f4a90c01fd878c0b65ec6d6905434f727cad903fef390f",
    ],
  ]),
  ...githubCrdFolder("kubernetes-sigs/aws-load-balancer-controller", LBC_3_5_0, "config/crd/aga", [
    [
      "aga.k8s.aws_globalaccelerators.yaml",
      "GlobalAccelerator",
      "globalaccelerators.aga.k8s.aws",
      "305d35cf4c8d28d230aee9e1366804f9b1ec9f7753d78ec8659a3edbf94b120b",
    ],
  ]),
  ...githubCrdFolder("kubernetes-sigs/aws-load-balancer-controller", LBC_3_5_0, "config/crd/gateway", [
    [
      "gateway.k8s.aws_listenerruleconfigurations.yaml",
      "ListenerRuleConfiguration",
      "listenerruleconfigurations.gateway.k8s.aws",
      "491262254fd755852ee8badf2c2fbbcdc12233c9aa3112c9bccbfe5cffb83767",
    ],
    [
      "gateway.k8s.aws_loadbalancerconfigurations.yaml",
      "LoadBalancerConfiguration",
      "loadbalancerconfigurations.gateway.k8s.aws",
      "9c2694988752fc9c1acc9840f0db7b62a4d24cfc0288977177039213f72015b1",
    ],
    [
      "gateway.k8s.aws_targetgroupconfigurations.yaml",
      "TargetGroupConfiguration",
      "targetgroupconfigurations.gateway.k8s.aws",
      "562db78fa27798dc7b302c7cb22b44d2dfa370da54503f40a7aa208ef3fc655c",
    ],
  ]),
];
