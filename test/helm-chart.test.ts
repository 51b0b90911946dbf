import * as fs from "fs";
import * as path from "path";
import { TerraformStack, Testing } from "cdktf";
import * as YAML from "yaml";
import { SUPPORTED_KAFKA_VERSIONS } from "../config/validate-kafka";
import { HelmChart, HelmChartProps } from "../constructs/helm/helm-chart";
import { StrimziChartValues } from "../constructs/kafka/strimzi-operator";
import { ChartEntry, CHARTS, chartRegistryProblems, isExactChartVersion, STRIMZI } from "../domain/charts";
import { crdResourceName } from "../domain/crd-sources";
import { STRIMZI_SCHEMA_DIR, strimziSchemasPresent } from "./strimzi-schemas";

const build = (props: Partial<HelmChartProps<any>> = {}) => {
  const stack = new TerraformStack(Testing.app(), "stack");
  const chart = new HelmChart(stack, "chart", { chart: STRIMZI, releaseName: "strimzi", ...props });
  return { stack, chart };
};
/** A chart version that defines no CRDs (the shape of most charts the kit will add). */
const NO_CRDS_CHART: ChartEntry = { ...STRIMZI, crdInstall: "none", crdGroups: [], crds: [], crdSources: undefined };
const releaseOf = (stack: TerraformStack): Record<string, any> =>
  Object.values(JSON.parse(Testing.synth(stack)).resource.helm_release)[0] as any;

describe("HelmChart", () => {
  test("emits one helm_release from the registry entry, with the kit's defaults", () => {
    const { stack, chart } = build({ values: { replicas: 1, nodeSelector: { "kubernetes.io/os": "linux" } } satisfies StrimziChartValues });
    const release = releaseOf(stack);
    expect(release).toMatchObject({
      name: "strimzi",
      repository: "oci://quay.io/strimzi-helm",
      chart: "strimzi-kafka-operator",
      version: "1.2.0",
      namespace: "strimzi-system",
      create_namespace: true,
      atomic: true,
      wait: true,
      timeout: 600,
      values: ['{"replicas":1,"nodeSelector":{"kubernetes.io/os":"linux"}}'],
    });
    // Strimzi ships its CRDs in crds/: the kit applies them (ChartCrds) and Helm skips them.
    expect(release.skip_crds).toBe(true);
    expect(release.depends_on).toEqual(STRIMZI.crdSources!.map((s) => `kubernetes_manifest.${crdResourceName(s.name)}`));
    expect([chart.releaseName, chart.namespace, chart.chart]).toEqual(["strimzi", "strimzi-system", STRIMZI]);
    expect(chart.crds?.crdNames).toEqual(STRIMZI.crdSources!.map((s) => s.name));
    expect(chart.node.defaultChild).toBe(chart.release);
  });

  test("a chart without CRDs in crds/ gets no ChartCrds, no skip_crds and no dependencies", () => {
    const { stack, chart } = build({ chart: NO_CRDS_CHART });
    const release = releaseOf(stack);
    expect(release.skip_crds).toBeUndefined();
    expect(release.depends_on).toBeUndefined();
    expect(chart.crds).toBeUndefined();
    expect(JSON.parse(Testing.synth(stack)).resource.kubernetes_manifest).toBeUndefined();
  });

  test("no values: no values attribute (the chart's defaults)", () => {
    expect(releaseOf(build().stack).values).toBeUndefined();
  });

  test.each([
    ["upper case and underscore", "Strimzi_Operator"],
    ["leading dash", "-strimzi"],
    ["54 characters", "a".repeat(54)],
    ["empty", ""],
  ])("rejects a release name that is not a DNS label of at most 53 characters (%s)", (_why, releaseName) => {
    expect(() => build({ releaseName })).toThrow(
      new RegExp(`^stack/chart: releaseName ${JSON.stringify(releaseName)} must be a DNS label .* of at most 53 characters`),
    );
  });

  test("accepts a 53-character release name", () => {
    expect(() => build({ releaseName: "a".repeat(53) })).not.toThrow();
  });

  test.each(["^1.2.0", "~1.2", ">=1.2.0", "1.2.x", "*", "1.2", ""])("rejects the chart version range %j", (version) => {
    expect(() => build({ chart: { ...STRIMZI, version } })).toThrow(
      `stack/chart: chart strimzi-kafka-operator version ${JSON.stringify(version)} is a range or not a version; pin one exact version`,
    );
  });

  test("rejects undefined anywhere inside the values, naming each path, every line starting with the construct path", () => {
    const values = { nodeSelector: { "kubernetes.io/os": undefined }, tolerations: [undefined], leaderElection: { enable: undefined } };
    let message = "";
    try {
      build({ values });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.split("\n")).toEqual([
      'stack/chart: values.nodeSelector["kubernetes.io/os"] is undefined (JSON.stringify would drop it); omit the key or give it a value',
      "stack/chart: values.tolerations[0] is undefined (JSON.stringify would drop it); omit the key or give it a value",
      "stack/chart: values.leaderElection.enable is undefined (JSON.stringify would drop it); omit the key or give it a value",
    ]);
  });

  test("rejects other values JSON would change silently, and a bad namespace or timeout", () => {
    expect(() => build({ values: { replicas: NaN, when: new Date(0) }, namespace: "Kafka", timeoutSeconds: 0 })).toThrow(
      [
        'stack/chart: namespace "Kafka" must be a DNS label of at most 63 characters',
        "stack/chart: timeoutSeconds: got 0, expected a whole number above 0",
        "stack/chart: values.replicas is NaN (JSON.stringify writes null)",
        "stack/chart: values.when is a Date object, not plain JSON data",
      ].join("\n"),
    );
  });

  test("namespace, createNamespace, wait, atomic, timeout and dependsOn are passed through", () => {
    const stack = new TerraformStack(Testing.app(), "stack");
    const first = new HelmChart(stack, "first", { chart: NO_CRDS_CHART, releaseName: "first" });
    new HelmChart(stack, "second", {
      chart: NO_CRDS_CHART,
      releaseName: "second",
      namespace: "other",
      createNamespace: false,
      wait: false,
      atomic: false,
      timeoutSeconds: 120,
      dependsOn: [first.release],
    });
    const second = Object.values(JSON.parse(Testing.synth(stack)).resource.helm_release).find((r: any) => r.name === "second") as any;
    expect(second).toMatchObject({ namespace: "other", create_namespace: false, wait: false, atomic: false, timeout: 120 });
    expect(second.depends_on).toEqual(["helm_release.first"]);
  });
});

describe("chart registry", () => {
  test("is consistent (keys, exact versions, CRD groups and kinds)", () => {
    expect(chartRegistryProblems()).toEqual([]);
  });

  test("the consistency check is not vacuous", () => {
    const broken = {
      strimzi: {
        ...STRIMZI,
        key: "other",
        version: "^1.2.0",
        crdGroups: ["kafka.strimzi.io", "example.com"],
        crdSources: STRIMZI.crdSources!.map((s) => ({ ...s, release: "^1.2.0" })),
      },
    };
    expect(chartRegistryProblems(broken)).toEqual([
      'strimzi (strimzi-kafka-operator ^1.2.0): key "other" differs from its registry key',
      'strimzi (strimzi-kafka-operator ^1.2.0): version "^1.2.0" is not an exact version',
      "strimzi (strimzi-kafka-operator ^1.2.0): CRD StrimziPodSet is in core.strimzi.io, not in crdGroups",
      "strimzi (strimzi-kafka-operator ^1.2.0): crdGroups lists example.com but no CRD kind in it",
    ]);
  });

  test.each([
    ["1.2.0", true],
    ["v1.21.1", true],
    ["1.0.0-rc1", true],
    ["^1.2.0", false],
    ["1.x", false],
    ["latest", false],
  ])("isExactChartVersion(%j) is %s", (version, exact) => {
    expect(isExactChartVersion(version)).toBe(exact);
  });

  test("config validation reads the supported Kafka versions from the Strimzi entry", () => {
    expect(SUPPORTED_KAFKA_VERSIONS).toBe(CHARTS.strimzi.supportedKafkaVersions);
  });

  const kafkaVersionsFile = path.resolve(__dirname, "..", "..", "shared", "reference", `strimzi-${STRIMZI.version}`, "kafka-versions.yaml");
  (fs.existsSync(kafkaVersionsFile) ? test : test.skip)(`Strimzi's supported and default Kafka versions match ${kafkaVersionsFile}`, () => {
    const versions: { version: string; supported: boolean; default: boolean }[] = YAML.parse(fs.readFileSync(kafkaVersionsFile, "utf8"));
    expect(STRIMZI.supportedKafkaVersions).toEqual(versions.filter((v) => v.supported).map((v) => v.version));
    expect(STRIMZI.defaultKafkaVersion).toBe(versions.find((v) => v.default)!.version);
  });

  (strimziSchemasPresent ? test : test.skip)("every Strimzi kind with a schema in shared/schemas is a CRD of the Strimzi entry", () => {
    const kinds = fs
      .readdirSync(STRIMZI_SCHEMA_DIR)
      .filter((f) => f.endsWith(".json"))
      .map((f) => JSON.parse(fs.readFileSync(path.join(STRIMZI_SCHEMA_DIR, f), "utf8")))
      .map((crd) => ({ group: crd.group, version: crd.version, kind: crd.kind }));
    expect(kinds.length).toBeGreaterThan(0);
    for (const k of kinds) expect(STRIMZI.crds).toContainEqual(k);
  });
});
