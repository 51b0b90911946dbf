import { HttpProvider } from "@cdktf/provider-http/lib/provider";
import { App, TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { ChartCrds, ChartCrdsProps, DEFAULT_CRD_FIELD_MANAGER } from "../constructs/helm/chart-crds";
import { HelmChart } from "../constructs/helm/helm-chart";
import { ChartEntry, CHARTS, chartRegistryProblems, STRIMZI } from "../domain/charts";
import { crdResourceName, crdSourceProblems, STRIMZI_1_2_0_CRD_SOURCES } from "../domain/crd-sources";
import { resources } from "./helpers";

/**
 * ChartCrds on its synthesized JSON: what the data sources fetch and check,
 * how the manifests apply, how existing CRDs are adopted and retired ones
 * released, and what the constructor and synth refuse.
 */

const SOURCES = STRIMZI.crdSources!;

function synth(props: Partial<ChartCrdsProps> = {}, withHttp = true) {
  const stack = new TerraformStack(Testing.app(), "stack");
  if (withHttp) new HttpProvider(stack, "http");
  const crds = new ChartCrds(stack, "crds", { chart: STRIMZI, ...props });
  return { stack, crds, tf: JSON.parse(Testing.synth(stack)) };
}

describe("ChartCrds: Strimzi 1.2.0", () => {
  const { tf, crds } = synth();

  test("registry: ten CRD files at commit 6c7b43c of strimzi/strimzi-kafka-operator (tag 1.2.0), one per kind, hashes pinned", () => {
    expect(SOURCES).toBe(STRIMZI_1_2_0_CRD_SOURCES);
    expect(SOURCES.map((s) => s.kind).sort()).toEqual(STRIMZI.crds.map((c) => c.kind).sort());
    expect(SOURCES.find((s) => s.kind === "Kafka")).toEqual({
      kind: "Kafka",
      name: "kafkas.kafka.strimzi.io",
      url:
        "https://raw.githubusercontent.com/strimzi/strimzi-kafka-operator/6c7b43c4af0db547c10463ba09d1dfa6f5e156a0/" +
        "helm-charts/helm3/strimzi-kafka-operator/crds/040-Crd-kafka.yaml",
      sha256: "c03fc9679a6edb13f3826cd3b5505183a21bb436ada484c7ed93f55f6a010aa8",
      release: "1.2.0",
    });
    expect(SOURCES.find((s) => s.kind === "StrimziPodSet")?.name).toBe("strimzipodsets.core.strimzi.io");
    expect(crdSourceProblems(SOURCES, STRIMZI)).toEqual([]);
  });

  test("one data.http per file: the pinned URL, retries, and postconditions on status 200 and the pinned sha256", () => {
    const http = tf.data.http;
    expect(Object.keys(http).sort()).toEqual(SOURCES.map((s) => crdResourceName(s.name)).sort());
    for (const s of SOURCES) {
      const d = http[crdResourceName(s.name)];
      expect(d.url).toBe(s.url);
      expect(d.retry).toEqual({ attempts: 3, min_delay_ms: 1000, max_delay_ms: 10000 });
      expect(d.depends_on).toBeUndefined(); // read during plan, so the manifest is known when it plans
      expect(d.lifecycle.postcondition).toEqual([
        { condition: "${self.status_code == 200}", error_message: `GET ${s.url} answered HTTP \${self.status_code}, not 200.` },
        {
          condition: `\${sha256(self.response_body) == "${s.sha256}"}`,
          error_message: expect.stringContaining(`${s.url} has sha256 \${sha256(self.response_body)}, the chart registry pins ${s.sha256}`),
        },
      ]);
    }
  });

  test("one kubernetes_manifest per CRD: the decoded file, server-side apply forcing conflicts, wait for Established, prevent_destroy", () => {
    const manifests = tf.resource.kubernetes_manifest;
    expect(Object.keys(manifests)).toHaveLength(10);
    for (const s of SOURCES) {
      const name = crdResourceName(s.name);
      const m = manifests[name];
      expect(m.manifest).toBe(`\${yamldecode(data.http.${name}.response_body)}`);
      expect(m.field_manager).toEqual({ name: DEFAULT_CRD_FIELD_MANAGER, force_conflicts: true });
      expect(m.wait).toEqual({ condition: [{ type: "Established", status: "True" }] });
      expect(m.lifecycle.prevent_destroy).toBe(true);
      expect(m.lifecycle.precondition).toEqual([
        {
          condition:
            `\${yamldecode(data.http.${name}.response_body).kind == "CustomResourceDefinition" && ` +
            `yamldecode(data.http.${name}.response_body).metadata.name == "${s.name}"}`,
          error_message: expect.stringContaining(`${s.url} does not hold CustomResourceDefinition ${s.name}`),
        },
      ]);
    }
    expect(crds.manifests).toHaveLength(10);
    expect(crds.crdNames).toEqual(SOURCES.map((s) => s.name));
    expect(crds.fieldManager).toBe(DEFAULT_CRD_FIELD_MANAGER);
  });

  test("Terraform names come from the CRD name alone, wherever the construct sits", () => {
    expect(crdResourceName("kafkas.kafka.strimzi.io")).toBe("crd_kafkas_kafka_strimzi_io");
    const stack = new TerraformStack(Testing.app(), "other");
    new HttpProvider(stack, "http");
    new ChartCrds(new Construct(stack, "deep"), "er", { chart: STRIMZI });
    const nested = JSON.parse(Testing.synth(stack));
    expect(Object.keys(nested.resource.kubernetes_manifest).sort()).toEqual(Object.keys(tf.resource.kubernetes_manifest).sort());
  });

  test("adoption: an import per CRD whose for_each lists the CRD in the cluster at plan time (empty on a fresh cluster)", () => {
    for (const s of SOURCES) {
      const name = crdResourceName(s.name);
      expect(tf.data.kubernetes_resources[name]).toMatchObject({
        api_version: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        field_selector: `metadata.name=${s.name}`,
      });
    }
    expect(tf.import).toHaveLength(10);
    expect(tf.import).toContainEqual({
      for_each: "${{ for o in data.kubernetes_resources.crd_kafkas_kafka_strimzi_io.objects : o.metadata.name => o.metadata.name }}",
      to: "kubernetes_manifest.crd_kafkas_kafka_strimzi_io",
      id: "apiVersion=apiextensions.k8s.io/v1,kind=CustomResourceDefinition,name=${each.value}",
    });
  });

  test("adoptExisting: false emits no import and no cluster lookup; fieldManager is passed through", () => {
    const { tf: plain } = synth({ adoptExisting: false, fieldManager: "platform-team" });
    expect(plain.import).toBeUndefined();
    expect(plain.data.kubernetes_resources).toBeUndefined();
    expect(plain.resource.kubernetes_manifest.crd_kafkas_kafka_strimzi_io.field_manager).toEqual({
      name: "platform-team",
      force_conflicts: true,
    });
  });

  test("a retired CRD leaves the state without being deleted (removed, destroy = false)", () => {
    const { tf: bumped } = synth({ chart: { ...STRIMZI, retiredCrds: ["kafkamirrormakers.kafka.strimzi.io"] } });
    expect(bumped.removed).toEqual([{ from: "kubernetes_manifest.crd_kafkamirrormakers_kafka_strimzi_io", lifecycle: { destroy: false } }]);
    expect(synth().tf.removed).toBeUndefined();
  });
});

describe("ChartCrds refuses", () => {
  const build =
    (chart: ChartEntry, props: Partial<ChartCrdsProps> = {}) =>
    () =>
      synth({ chart, ...props });

  test("a chart whose CRDs are templates or absent", () => {
    expect(build({ ...STRIMZI, crdInstall: "templates", crdSources: undefined })).toThrow(
      'stack/crds: chart strimzi-kafka-operator 1.2.0 has crdInstall "templates"; ChartCrds is for charts whose CRDs are in crds/',
    );
  });

  test("a crds-folder chart without sources, or with a bad one, every line starting with the construct path", () => {
    expect(build({ ...STRIMZI, crdSources: [] })).toThrow(
      "stack/crds: strimzi (strimzi-kafka-operator 1.2.0): crdInstall crds-folder needs crdSources (Helm never upgrades crds/; the kit applies them itself)",
    );
    const bad = SOURCES.map((s) =>
      s.kind === "Kafka"
        ? { ...s, sha256: "C03F", url: s.url.replace(/[0-9a-f]{40}/, "1.2.0") }
        : s.kind === "KafkaUser"
          ? { ...s, name: "kafkausers.example.com" }
          : s,
    );
    let message = "";
    try {
      build({ ...STRIMZI, crdSources: bad })();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.split("\n")).toEqual([
      'stack/crds: strimzi (strimzi-kafka-operator 1.2.0): crdSources kafkas.kafka.strimzi.io: url pins "1.2.0", a tag or branch can move; use the commit',
      'stack/crds: strimzi (strimzi-kafka-operator 1.2.0): crdSources kafkas.kafka.strimzi.io: sha256 "C03F" is not 64 lower-case hex digits',
      "stack/crds: strimzi (strimzi-kafka-operator 1.2.0): crdSources kafkausers.example.com: name must be <plural>.kafka.strimzi.io for kind KafkaUser",
    ]);
  });

  test("a field manager Kubernetes would reject", () => {
    expect(build(STRIMZI, { fieldManager: "" })).toThrow('stack/crds: fieldManager "" must be 1 to 128 printable ASCII characters');
    expect(build(STRIMZI, { fieldManager: "has space" })).toThrow("stack/crds: fieldManager");
  });

  test("synth without an http provider in the stack", () => {
    const app = new App({ outdir: Testing.app().outdir });
    const stack = new TerraformStack(app, "stack");
    new ChartCrds(stack, "crds", { chart: STRIMZI });
    expect(() => app.synth()).toThrow(/stack\/crds: the stack declares no HttpProvider \(hashicorp\/http\)/);
  });

  test("synth with two ChartCrds applying the same CRDs in one stack (two HelmCharts of a crds-folder chart)", () => {
    const app = new App({ outdir: Testing.app().outdir });
    const stack = new TerraformStack(app, "stack");
    new HttpProvider(stack, "http");
    new HelmChart(stack, "one", { chart: STRIMZI, releaseName: "one" });
    new HelmChart(stack, "two", { chart: STRIMZI, releaseName: "two" });
    expect(() => app.synth()).toThrow(/stack\/one\/crds: stack\/two\/crds also manages kafkas\.kafka\.strimzi\.io/);
  });
});

describe("chart registry: CRD sources", () => {
  test("a crds-folder chart must list its sources, and only such a chart may", () => {
    expect(chartRegistryProblems({ strimzi: { ...STRIMZI, crdSources: undefined } })).toEqual([
      "strimzi (strimzi-kafka-operator 1.2.0): crdInstall crds-folder needs crdSources (Helm never upgrades crds/; the kit applies them itself)",
    ]);
    expect(chartRegistryProblems({ strimzi: { ...STRIMZI, crdInstall: "templates" } })).toEqual([
      "strimzi (strimzi-kafka-operator 1.2.0): crdSources or retiredCrds given for crdInstall templates; Helm already manages these CRDs",
    ]);
  });

  test("a chart whose CRDs come from a companion chart (Karpenter's karpenter-crd) needs that companion, at its version", () => {
    const { karpenter, karpenterCrd } = CHARTS;
    expect(chartRegistryProblems({ karpenter, karpenterCrd })).toEqual([]);
    expect(chartRegistryProblems({ karpenter })).toEqual([
      'karpenter (karpenter 1.14.1): crdsFromChart "karpenterCrd" is not a registry key',
    ]);
    expect(chartRegistryProblems({ karpenter, karpenterCrd: { ...karpenterCrd, version: "1.14.0" } })).toEqual([
      "karpenter (karpenter 1.14.1): crdsFromChart karpenterCrd must install the CRDs as templates at the same version (1.14.1)",
    ]);
    // HelmChart skips the controller chart's crds/ folder instead of applying sources.
    const stack = new TerraformStack(Testing.app(), "k");
    const chart = new HelmChart(stack, "karpenter", { chart: karpenter, releaseName: "karpenter" });
    expect(chart.crds).toBeUndefined();
    expect(resources(JSON.parse(Testing.synth(stack)), "helm_release")[0].skip_crds).toBe(true);
  });

  test("a version bump that keeps the previous release's files is refused", () => {
    const problems = chartRegistryProblems({ strimzi: { ...STRIMZI, version: "1.3.0" } });
    expect(problems).toHaveLength(SOURCES.length);
    expect(problems[0]).toBe(
      "strimzi (strimzi-kafka-operator 1.3.0): crdSources kafkas.kafka.strimzi.io: taken from release 1.2.0, the chart entry is 1.3.0",
    );
  });

  test("each kind once, no duplicates, no retired CRD still listed", () => {
    const kafka = SOURCES.find((s) => s.kind === "Kafka")!;
    const sources = [...SOURCES.filter((s) => s.kind !== "KafkaTopic"), { ...kafka }];
    expect(crdSourceProblems(sources, { ...STRIMZI, retiredCrds: [kafka.name, "Not A Name"] })).toEqual([
      "crdSources kafkas.kafka.strimzi.io: listed twice",
      `crdSources kafkas.kafka.strimzi.io: url ${kafka.url} listed twice`,
      "crdSources: kind Kafka has 2 sources, expected 1",
      "crdSources: kind KafkaTopic has 0 sources, expected 1",
      "retiredCrds: kafkas.kafka.strimzi.io is still in crdSources",
      'retiredCrds: "Not A Name" is not a CRD name',
    ]);
    expect(crdSourceProblems([{ ...kafka, kind: "Kafka2", url: "http://example.com/x.yaml" }], { version: "1.2.0", crds: [] })).toEqual([
      "crdSources kafkas.kafka.strimzi.io: kind Kafka2 is not among the chart's CRD kinds",
      'crdSources kafkas.kafka.strimzi.io: url "http://example.com/x.yaml" is not HTTPS',
    ]);
  });
});
