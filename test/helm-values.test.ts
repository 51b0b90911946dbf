import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { environments } from "../config";
import { prod } from "../config/prod";
import { ChartEntry, STRIMZI } from "../domain/charts";
import { CERT_MANAGER_TEST_ENTRY } from "./fixtures/charts";
import { Json, resources, synthEnvironment } from "./helpers";
import { CHART_REFERENCE_DIR, chartReferencesPresent, helmReleaseProblems, helmValuesProblems, valueKeyProblems } from "./helm-values";

/**
 * Every value the kit hands Helm must be a key the pinned chart version
 * reads: a typo or a key from another chart (or chart version) synthesizes,
 * plans and applies cleanly, and Helm silently ignores it. The reference is
 * each chart version's default values.yaml (and values.schema.json where the
 * chart ships one) in ../shared/reference/charts (test/helm-values.ts).
 */
const helmReleases = (out: Record<string, Json>) =>
  Object.entries(out).flatMap(([layer, tf]) => resources(tf, "helm_release").map((r) => ({ layer, release: r })));

(chartReferencesPresent ? describe : describe.skip)("Helm values against the pinned charts' defaults", () => {
  test.each(environments.map((e) => [e.name, e]))("%s: every helm_release's values exist in its chart version", (_name, env) => {
    const releases = helmReleases(synthEnvironment(env).out);
    if (env.features.kafka) expect(releases.map((r) => r.release.chart)).toContain(STRIMZI.chart);
    expect(releases.flatMap(({ layer, release }) => helmReleaseProblems(release).map((p) => `${env.name}-${layer}: ${p}`))).toEqual([]);
  });

  describe("the check is not vacuous", () => {
    let prodStrimzi: Json;
    let kitValues: Json;
    beforeAll(() => {
      prodStrimzi = helmReleases(synthEnvironment(prod).out).find((r) => r.release.chart === STRIMZI.chart)!.release;
      kitValues = JSON.parse(prodStrimzi.values[0]);
    });
    const withValues = (values: Json) => ({ ...prodStrimzi, values: [JSON.stringify(values)] });

    test("the kit's Strimzi values pass", () => {
      expect(Object.keys(kitValues).sort()).toEqual([
        "extraEnvs",
        "nodeSelector",
        "replicas",
        "resources",
        "tolerations",
        "watchAnyNamespace",
        "watchNamespaces",
      ]);
      expect(helmReleaseProblems(prodStrimzi)).toEqual([]);
    });

    test("a typo key fails, naming the path, the chart and the version", () => {
      const { watchNamespaces, ...rest } = kitValues;
      expect(helmReleaseProblems(withValues({ ...rest, watchNamespace: watchNamespaces }))).toEqual([
        "helm_release strimzi: strimzi-kafka-operator 1.2.0: watchNamespace is not a key of the chart's default values.yaml, " +
          "so the chart ignores it (did you mean watchNamespaces?)",
      ]);
    });

    test("a nested typo fails with its full path", () => {
      expect(helmValuesProblems(STRIMZI, { leaderElection: { enabled: false } })).toEqual([
        "strimzi-kafka-operator 1.2.0: leaderElection.enabled is not a key of the chart's default values.yaml, " +
          "so the chart ignores it (did you mean leaderElection.enable?)",
      ]);
    });

    test("keys of another chart fail (cert-manager's crds.enabled, KEDA's operator.replicaCount)", () => {
      const problems = helmValuesProblems(STRIMZI, { ...kitValues, crds: { enabled: true }, operator: { replicaCount: 2 } });
      expect(problems).toHaveLength(2);
      expect(problems[0]).toMatch(/^strimzi-kafka-operator 1\.2\.0: crds is not a key of the chart's default values\.yaml/);
      expect(problems[1]).toMatch(/^strimzi-kafka-operator 1\.2\.0: operator is not a key/);
    });

    test("a value of the wrong shape fails", () => {
      expect(helmValuesProblems(STRIMZI, { leaderElection: true, watchAnyNamespace: { yes: true } })).toEqual([
        "strimzi-kafka-operator 1.2.0: leaderElection is a boolean, but the chart's default is a map",
        "strimzi-kafka-operator 1.2.0: watchAnyNamespace is a map, but the chart's default is a boolean, so the keys below it " +
          "cannot be checked; if the chart passes it through, list watchAnyNamespace in freeFormValuePaths",
      ]);
    });

    test("free-form paths and the paths only the templates read are accepted", () => {
      expect(
        helmValuesProblems(STRIMZI, {
          nodeSelector: { "kubernetes.io/os": "linux" },
          tolerations: [{ key: "k", operator: "Exists", effect: "NoSchedule" }],
          resources: { requests: { "ephemeral-storage": "1Gi" } },
          operatorNetworkPolicy: { enabled: true, ingress: [{ from: [{ podSelector: {} }] }] },
          revisionHistoryLimit: 3,
        }),
      ).toEqual([]);
    });

    test("an unregistered chart, or an unregistered version, fails", () => {
      expect(helmReleaseProblems({ name: "keda", chart: "keda", version: "2.20.2", values: [] })).toEqual([
        "helm_release keda: chart keda 2.20.2 is not in the chart registry (domain/charts.ts)",
      ]);
      expect(helmReleaseProblems({ ...prodStrimzi, version: "1.1.0" })).toEqual([
        "helm_release strimzi: chart strimzi-kafka-operator 1.1.0 is not in the chart registry (domain/charts.ts); registered versions: 1.2.0",
      ]);
    });

    test("a chart version without reference files fails, saying so", () => {
      const orphan: ChartEntry = { ...STRIMZI, key: "orphan", chart: "no-such-chart", version: "0.0.1" };
      expect(helmValuesProblems(orphan, {})).toEqual([
        `no-such-chart 0.0.1: no reference directory with a values.yaml (${CHART_REFERENCE_DIR}/no-such-chart-0.0.1/values.yaml); ` +
          "add the chart's default values.yaml (and values.schema.json if it ships one) before pinning this version",
      ]);
    });

    test("lists: element maps are checked against the default's first element, else only under a free-form path", () => {
      const entry: ChartEntry = { ...STRIMZI, chart: "example", freeFormValuePaths: ["extraVolumes"], additionalValuePaths: [] };
      const defaults = { rules: [{ host: "", paths: [] }], hosts: [], extraVolumes: [], names: ["a"] };
      const values = { rules: [{ host: "x" }, { hots: "y" }], hosts: [{ name: "h" }], extraVolumes: [{ any: 1 }], names: ["b", "c"] };
      expect(valueKeyProblems(entry, values, defaults)).toEqual([
        "example 1.2.0: rules[1].hots is not a key of the chart's default values.yaml, so the chart ignores it (did you mean rules[1].host?)",
        "example 1.2.0: hosts[0] is a map, but the chart's default hosts is an empty list, so its keys cannot be checked; " +
          "if the chart passes it through, list hosts in freeFormValuePaths",
      ]);
    });

    test("a chart's values.schema.json is applied to the values merged over the defaults (cert-manager v1.21.1, draft-07)", () => {
      // Not registered yet: a test-only entry, so the schema path is exercised before the first chart that ships a schema arrives.
      const certManager = CERT_MANAGER_TEST_ENTRY;
      expect(helmValuesProblems(certManager, { crds: { enabled: true }, replicaCount: 2 })).toEqual([]);
      // The key exists, so only the schema catches the wrong type.
      expect(helmValuesProblems(certManager, { replicaCount: "two" })).toEqual([
        "cert-manager v1.21.1: values.schema.json: /replicaCount must be number",
      ]);
      const typo = helmValuesProblems(certManager, { crd: { enabled: true } });
      expect(typo[0]).toMatch(
        /^cert-manager v1\.21\.1: crd is not a key of the chart's default values\.yaml, so the chart ignores it \(did you mean crds\?\)/,
      );
      expect(typo).toContain("cert-manager v1.21.1: values.schema.json: / must NOT have additional properties");
    });
  });
});

describe("charts without reference files: values checked against the registry's referenceValuePaths", () => {
  // An empty reference directory: the chart has no copy there, as for charts pinned from a repository the reference lacks.
  const emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), "chart-ref-empty-"));
  afterAll(() => fs.rmSync(emptyDir, { recursive: true, force: true }));
  const entry: ChartEntry = {
    ...STRIMZI,
    key: "listed",
    chart: "listed-chart",
    version: "1.0.0",
    freeFormValuePaths: ["nodeSelector", "tolerations", "serviceAccount.annotations"],
    additionalValuePaths: ["envFrom"],
    referenceValuePaths: [
      "clusterName",
      "replicaCount",
      "serviceAccount.create",
      "serviceAccount.name",
      "podDisruptionBudget",
      "rules[].host",
    ],
    source: "github.com/example/charts tag listed-chart-1.0.0: values.yaml",
  };
  const check = (values: Json) => helmValuesProblems(entry, values, emptyDir);

  test("paths at or below listed, free-form and additional paths pass", () => {
    expect(
      check({
        clusterName: "prod-streaming",
        replicaCount: 2,
        serviceAccount: { create: true, name: "sa", annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/x" } },
        podDisruptionBudget: { maxUnavailable: 1 },
        nodeSelector: { "platform.streaming-kit/pool": "system" },
        tolerations: [{ key: "k", operator: "Exists" }],
        rules: [{ host: "a" }],
        envFrom: [{ secretRef: { name: "s" } }],
      }),
    ).toEqual([]);
  });

  test("a typo fails, naming the path and suggesting the listed key", () => {
    expect(check({ clusterNmae: "prod-streaming" })).toEqual([
      "listed-chart 1.0.0: clusterNmae is not a value path of the chart (referenceValuePaths in domain/charts.ts, read from " +
        "github.com/example/charts tag listed-chart-1.0.0: values.yaml), so the chart ignores it (did you mean clusterName?)",
    ]);
  });

  test("a nested typo and an unlisted nested key fail with their full paths", () => {
    const problems = check({ serviceAccount: { craete: true, automount: false }, rules: [{ hots: "a" }] });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(
      /^listed-chart 1\.0\.0: serviceAccount\.craete is not a value path .* \(did you mean serviceAccount\.create\?\)$/,
    );
    expect(problems[1]).toMatch(/^listed-chart 1\.0\.0: serviceAccount\.automount is not a value path .*ignores it$/);
    expect(problems[2]).toMatch(/^listed-chart 1\.0\.0: rules\[0\]\.hots is not a value path .* \(did you mean rules\[0\]\.host\?\)$/);
  });

  test("a scalar where the chart has a map fails", () => {
    expect(check({ serviceAccount: true })).toEqual([
      "listed-chart 1.0.0: serviceAccount is a boolean, but the chart has keys below it (serviceAccount.create, serviceAccount.name, serviceAccount.annotations)",
    ]);
  });

  test("no reference directory and no list is still a failure", () => {
    const { referenceValuePaths: _none, ...unlisted } = entry;
    expect(helmValuesProblems(unlisted, { clusterName: "x" }, emptyDir)).toEqual([
      `listed-chart 1.0.0: no reference directory with a values.yaml (${emptyDir}/listed-chart-1.0.0/values.yaml); ` +
        "add the chart's default values.yaml (and values.schema.json if it ships one) before pinning this version",
    ]);
  });

  test("a chart with reference files is checked against them, not against its list", () => {
    // Strimzi has reference files: a key its list would accept but its values.yaml lacks still fails.
    if (!chartReferencesPresent) return;
    const listedStrimzi: ChartEntry = { ...STRIMZI, referenceValuePaths: ["watchNamespace"] };
    expect(helmValuesProblems(listedStrimzi, { watchNamespace: ["kafka"] })[0]).toMatch(
      /^strimzi-kafka-operator 1\.2\.0: watchNamespace is not a key of the chart's default values\.yaml/,
    );
  });
});

describe("values.schema.json drafts", () => {
  const entry: ChartEntry = { ...STRIMZI, chart: "drafted", version: "1.0.0", freeFormValuePaths: [], additionalValuePaths: [] };
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const withSchema = (schema: Json) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chart-ref-"));
    dirs.push(dir);
    fs.mkdirSync(path.join(dir, "drafted-1.0.0"));
    fs.writeFileSync(path.join(dir, "drafted-1.0.0", "values.yaml"), "replicas: 1\n");
    fs.writeFileSync(path.join(dir, "drafted-1.0.0", "values.schema.json"), JSON.stringify(schema));
    return dir;
  };
  const body = { type: "object", properties: { replicas: { type: "integer" } } };

  test.each([
    "http://json-schema.org/draft-06/schema#",
    "http://json-schema.org/draft-07/schema#",
    "https://json-schema.org/draft/2019-09/schema",
    "https://json-schema.org/draft/2020-12/schema",
  ])("checks with the schema's own draft: %s", (draft) => {
    const dir = withSchema({ $schema: draft, ...body });
    expect(helmValuesProblems(entry, { replicas: 2 }, dir)).toEqual([]);
    expect(helmValuesProblems(entry, { replicas: 1.5 }, dir)).toEqual(["drafted 1.0.0: values.schema.json: /replicas must be integer"]);
  });

  test("a draft ajv cannot check fails instead of passing", () => {
    const dir = withSchema({ $schema: "http://json-schema.org/draft-04/schema#", ...body });
    expect(helmValuesProblems(entry, { replicas: 2 }, dir)).toEqual([
      "drafted 1.0.0: values.schema.json: $schema http://json-schema.org/draft-04/schema# is a draft ajv 8 cannot check; " +
        "teach schemaValidator in test/helm-values.ts its meta-schema",
    ]);
  });
});

if (!chartReferencesPresent) {
  test("chart reference files are absent: Helm values checks skipped", () => {
    console.warn(`Chart reference files not found at ${CHART_REFERENCE_DIR}; Helm values tests skipped (set CHART_REFERENCE_DIR).`);
  });
}
