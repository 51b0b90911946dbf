import { environments } from "../config";
import { manifests, synthEnvironment } from "./helpers";
import { kubeSchemaErrors } from "./kube-schemas";

/**
 * Every Kubernetes object the kit emits, in every environment, is checked
 * against the schema of its kind (test/kube-schemas.ts). Synth does not load
 * these validators (they cost ~100 ms per synth); the objects are typed
 * against the same API types when the kit compiles.
 */
test.each(environments.map((e) => [e.name, e]))("%s: every kubernetes_manifest object is valid for its kind", (_name, env) => {
  const { out } = synthEnvironment(env);
  const all = Object.values(out).flatMap((tf) => manifests(tf));
  // The CRDs the kit applies from their chart's release are expressions (yamldecode of a data "http" whose
  // sha256 is pinned), not objects; CHART_CRDS_MANAGED checks those.
  const fetched = all.filter((o) => typeof o === "string");
  expect(fetched.every((m) => /^\$\{yamldecode\(data\.http\.crd_[a-z0-9_-]+\.response_body\)\}$/.test(m))).toBe(true);
  const objects = all.filter((o) => typeof o !== "string");
  expect(objects.length).toBeGreaterThan(10);
  const failures = objects
    .map((o) => ({ object: `${o.kind}/${o.metadata?.name}`, errors: kubeSchemaErrors(o) }))
    .filter((f) => f.errors.length);
  expect(failures).toEqual([]);
});

test("the check is not vacuous: a Deployment with a string replica count and no containers fails", () => {
  const bad = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "x" },
    spec: { replicas: "three", selector: {}, template: { spec: {} } },
  };
  expect(kubeSchemaErrors(bad).join("\n")).toMatch(/replicas|containers/);
  expect(kubeSchemaErrors({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } })).toEqual([
    "no schema check for example.com/v1 Widget: add one to test/kube-schemas.ts",
  ]);
});
