import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { Service } from "kubernetes-models/v1/Service";
import { environments } from "../config";
import { Json, manifests, synthEnvironment } from "./helpers";
import { strimziSchemaErrors, strimziSchemasPresent } from "./strimzi-schemas";

/**
 * Every Kubernetes object the kit emits, in every environment, is checked
 * against the schema of its kind: core and Prometheus-operator kinds with
 * kubernetes-models, Strimzi kinds with the Strimzi CRD schemas. Synth does
 * not load these validators (they cost ~100 ms per synth); the objects are
 * typed against the same API types when the kit compiles.
 */
const MODELS: Record<string, new (o: any) => { validate(): void }> = {
  "apps/v1/Deployment": Deployment,
  "v1/Service": Service,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "monitoring.coreos.com/v1/ServiceMonitor": ServiceMonitor,
};

function schemaErrors(o: Json): string[] {
  const model = MODELS[`${o.apiVersion}/${o.kind}`];
  if (model) {
    try {
      new model(o).validate();
      return [];
    } catch (e) {
      return [(e as Error).message];
    }
  }
  if (String(o.apiVersion).startsWith("kafka.strimzi.io/")) return strimziSchemasPresent ? strimziSchemaErrors(o as any) : [];
  return [`no schema check for ${o.apiVersion} ${o.kind}: add one to this test`];
}

test.each(environments.map((e) => [e.name, e]))("%s: every kubernetes_manifest object is valid for its kind", (_name, env) => {
  const { out } = synthEnvironment(env);
  const objects = Object.values(out).flatMap((tf) => manifests(tf));
  expect(objects.length).toBeGreaterThan(10);
  const failures = objects.map((o) => ({ object: `${o.kind}/${o.metadata?.name}`, errors: schemaErrors(o) })).filter((f) => f.errors.length);
  expect(failures).toEqual([]);
});

test("the check is not vacuous: a Deployment with a string replica count and no containers fails", () => {
  const bad = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" }, spec: { replicas: "three", selector: {}, template: { spec: {} } } };
  expect(schemaErrors(bad).join("\n")).toMatch(/replicas|containers/);
  expect(schemaErrors({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } })).toEqual(["no schema check for example.com/v1 Widget: add one to this test"]);
});
