import { TerraformStack, Testing } from "cdktf";
import { CustomResource, KubeManifest, WaitFor } from "../constructs/k8s/manifest";
import { Namespace } from "../constructs/k8s/namespace";
import { NetworkPolicy } from "../constructs/k8s/network-policy";
import { podSecurityLabels, podSecurityVersion } from "../domain/pod-security";
import { Json } from "./helpers";

const stack = () => new TerraformStack(Testing.app(), "fixture");
const synth = (s: TerraformStack): Json => JSON.parse(Testing.synth(s));
const kafka: CustomResource = { apiVersion: "kafka.strimzi.io/v1", kind: "Kafka", metadata: { name: "events", namespace: "kafka" } };
const restricted = { level: "restricted" as const, version: "v1.35" };

describe("KubeManifest waitFor", () => {
  test("conditions become the provider's wait block, minutes its timeouts", () => {
    const s = stack();
    const m = new KubeManifest(s, "kafka", {
      object: kafka,
      waitFor: { conditions: [{ type: "Ready", status: "True" }], timeouts: { createMinutes: 30, updateMinutes: 20 } },
    });
    const [r] = Object.values(synth(s).resource.kubernetes_manifest) as Json[];
    expect(r.wait).toEqual({ condition: [{ type: "Ready", status: "True" }] });
    expect(r.timeouts).toEqual({ create: "30m", update: "20m" });
    expect(m.waitFor?.timeouts.createMinutes).toBe(30);
  });

  test("rollout and fields are passed as they are; no waitFor, no wait block and no timeouts", () => {
    const s = stack();
    new KubeManifest(s, "rollout", {
      object: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" } },
      waitFor: { rollout: true, timeouts: { createMinutes: 10, updateMinutes: 15 } },
    });
    new KubeManifest(s, "fields", {
      object: { apiVersion: "v1", kind: "Secret", metadata: { name: "s" } },
      waitFor: { fields: { 'data["token"]': ".+" }, timeouts: { createMinutes: 2, updateMinutes: 2 } },
    });
    new KubeManifest(s, "plain", { object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } } });
    const byName = Object.fromEntries(
      (Object.values(synth(s).resource.kubernetes_manifest) as Json[]).map((r) => [r.manifest.metadata.name, r]),
    );
    expect(byName.d.wait).toEqual({ rollout: true });
    expect(byName.s.wait).toEqual({ fields: { 'data["token"]': ".+" } });
    expect([byName.c.wait, byName.c.timeouts]).toEqual([undefined, undefined]);
  });

  test("a wait the provider would not honour as written is refused, naming the construct", () => {
    const build = (waitFor: WaitFor) => () => new KubeManifest(stack(), "kafka", { object: kafka, waitFor });
    const ready = [{ type: "Ready", status: "True" as const }];
    const t = { createMinutes: 30, updateMinutes: 30 };
    expect(build({ conditions: ready, rollout: true, timeouts: t } as unknown as WaitFor)).toThrow(
      "fixture/kafka: waitFor: give exactly one of conditions, fields or rollout (got conditions, rollout); the provider uses one and ignores the rest",
    );
    expect(build({ conditions: [], timeouts: t })).toThrow("fixture/kafka: waitFor.conditions: empty; the provider would not wait at all");
    expect(build({ fields: { "status.phase": "(" }, timeouts: t })).toThrow(
      'fixture/kafka: waitFor.fields["status.phase"]: "(" is not a regular expression',
    );
    expect(build({ conditions: ready, timeouts: { createMinutes: 0, updateMinutes: 2.5 } })).toThrow(
      "fixture/kafka: waitFor.timeouts.createMinutes: got 0, expected whole minutes from 1 to 1440\n" +
        "fixture/kafka: waitFor.timeouts.updateMinutes: got 2.5, expected whole minutes from 1 to 1440",
    );
  });
});

describe("Namespace", () => {
  test("Pod Security labels pinned to a version, a default deny, DNS, scraping, and a deny that waits for every allow", () => {
    const s = stack();
    const ns = new Namespace(s, "ns", {
      name: "kafka",
      podSecurity: restricted,
      labels: { team: "data" },
      scrapedBy: { namespace: "monitoring", ports: [9404] },
    });
    ns.allow("later", { pods: { matchLabels: { app: "x" } }, ingress: [{ ports: [{ protocol: "TCP", port: 80 }] }] });
    const tf = synth(s);
    const [namespace] = Object.values(tf.resource.kubernetes_namespace_v1) as Json[];
    expect(namespace.metadata).toEqual({ name: "kafka", labels: { team: "data", ...podSecurityLabels(restricted) } });
    const manifests = tf.resource.kubernetes_manifest as Record<string, Json>;
    const byName = Object.fromEntries(Object.entries(manifests).map(([id, r]) => [r.manifest.metadata.name, { id, ...r }]));
    expect(Object.keys(byName).sort()).toEqual(["allow-dns", "allow-metrics-scraping", "default-deny", "later"]);
    expect(byName["default-deny"].manifest.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    expect(byName["default-deny"].depends_on).toEqual([
      expect.stringMatching(/^kubernetes_namespace_v1\./),
      `kubernetes_manifest.${byName["allow-dns"].id}`,
      `kubernetes_manifest.${byName["allow-metrics-scraping"].id}`,
      `kubernetes_manifest.${byName.later.id}`,
    ]);
    expect(byName["allow-metrics-scraping"].manifest.spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
        ports: [{ protocol: "TCP", port: 9404 }],
      },
    ]);
    expect(ns.networkPolicies).toBe(ns.defaultDeny.resource);
  });

  test("a namespace the kit takes over keeps its Terraform address, with no moved block (which would make synth run terraform)", () => {
    const s = stack();
    new Namespace(s, "kafka-namespace", { name: "kafka", podSecurity: restricted, keepAddress: "kubernetes_namespace_v1.old_0DCDF4F9" });
    const json = synth(s);
    expect(Object.keys(json.resource.kubernetes_namespace_v1)).toEqual(["old_0DCDF4F9"]);
    expect(json.moved).toBeUndefined();
    expect(() => new Namespace(stack(), "ns", { name: "kafka", podSecurity: restricted, keepAddress: "old_0DCDF4F9" })).toThrow(
      'fixture/ns: keepAddress "old_0DCDF4F9" must be kubernetes_namespace_v1.<name>',
    );
  });

  test("a namespace that may already exist (made by Helm) is adopted by an import block that is empty on a fresh cluster", () => {
    const s = stack();
    const ns = new Namespace(s, "operator-namespace", { name: "strimzi-system", podSecurity: restricted, adoptExisting: true });
    const json = synth(s);
    const [lookup] = Object.keys(json.data.kubernetes_resources);
    expect(json.data.kubernetes_resources[lookup]).toMatchObject({
      api_version: "v1",
      kind: "Namespace",
      field_selector: "metadata.name=strimzi-system",
    });
    expect(json.import).toEqual([
      {
        for_each: `\${{ for o in data.kubernetes_resources.${lookup}.objects : o.metadata.name => o.metadata.name }}`,
        to: `kubernetes_namespace_v1.${ns.resource.friendlyUniqueId}`,
        id: "${each.value}",
      },
    ]);
    expect(synth(stack()).import).toBeUndefined();
  });

  test("bad names, versions and labels are refused, naming the construct", () => {
    expect(() => new Namespace(stack(), "ns", { name: "Kafka", podSecurity: { level: "restricted", version: "latest" } })).toThrow(
      'fixture/ns: name "Kafka" must be a DNS label (1-63 of a-z 0-9 -)\n' +
        'fixture/ns: podSecurity: version "latest" is not a pinned Kubernetes minor version such as "v1.35"',
    );
    expect(
      () =>
        new Namespace(stack(), "ns", {
          name: "kafka",
          podSecurity: restricted,
          labels: { "pod-security.kubernetes.io/enforce": "privileged" },
        }),
    ).toThrow("fixture/ns: labels: pod-security.kubernetes.io/enforce is set from podSecurity, not here");
    const ns = new Namespace(stack(), "ns", { name: "kafka", podSecurity: restricted });
    expect(() => ns.allow("allow-dns", { pods: {}, egress: [{}] })).toThrow(
      "fixture/ns: a NetworkPolicy named allow-dns already exists in namespace kafka",
    );
    expect(podSecurityVersion("1.35")).toBe("v1.35");
  });
});

describe("NetworkPolicy", () => {
  test("empty lists the API server would drop, missing protocols and rules that allow nothing are refused", () => {
    const build = (allow: ConstructorParameters<typeof NetworkPolicy>[2]["allow"]) => () =>
      new NetworkPolicy(stack(), "np", { namespace: "kafka", name: "np", allow });
    expect(build({ pods: {} })).toThrow("fixture/np: allows nothing: give ingress or egress rules (a deny-all is the namespace's)");
    expect(build({ pods: {}, ingress: [{ from: [], ports: [] }] })).toThrow(
      'fixture/np: ingress[0].from: empty list (the API server drops it); leave it out to mean "any peer"\n' +
        'fixture/np: ingress[0].ports: empty list (the API server drops it); leave it out to mean "any port"',
    );
    expect(build({ pods: {}, egress: [{ to: [{}], ports: [{ port: 70000 }] }] })).toThrow(
      "fixture/np: egress[0].to[0]: a peer needs a selector or an ipBlock\n" +
        "fixture/np: egress[0].ports[0]: give the protocol (the API server adds TCP)\n" +
        "fixture/np: egress[0].ports[0].port: got 70000, expected 1-65535",
    );
    expect(build({ pods: { matchExpressions: [{ key: "a", operator: "In" }] }, egress: [{}] })).toThrow(
      "fixture/np: pods.matchExpressions[0]: In needs values",
    );
  });

  test("policyTypes name exactly the directions it has rules for; the pod selector keeps no empty parts", () => {
    const np = new NetworkPolicy(stack(), "np", {
      namespace: "kafka",
      name: "np",
      allow: { pods: { matchLabels: {}, matchExpressions: [{ key: "strimzi.io/cluster", operator: "Exists" }] }, egress: [{}] },
    });
    expect(np.object.spec).toEqual({
      podSelector: { matchExpressions: [{ key: "strimzi.io/cluster", operator: "Exists" }] },
      policyTypes: ["Egress"],
      egress: [{}],
    });
  });
});
