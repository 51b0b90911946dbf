import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { Service } from "kubernetes-models/v1/Service";
import { karpenterSchemaErrors } from "./karpenter-schemas";
import { strimziSchemaErrors, strimziSchemasPresent } from "./strimzi-schemas";

/**
 * Schema checks for the Kubernetes objects the kit emits: core and
 * Prometheus-operator kinds with kubernetes-models, Strimzi kinds with the
 * Strimzi CRD schemas (skipped, returning no errors, when those are absent),
 * Karpenter kinds with test/karpenter-schemas.ts.
 * Synth does not load these validators; the tests do.
 */
const MODELS: Record<string, new (o: any) => { validate(): void }> = {
  "apps/v1/Deployment": Deployment,
  "v1/Service": Service,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "monitoring.coreos.com/v1/ServiceMonitor": ServiceMonitor,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
};

/** Schema problems of one object; a kind with no check is itself a problem. */
export function kubeSchemaErrors(o: { apiVersion?: unknown; kind?: unknown; [k: string]: unknown }): string[] {
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
  if (/^karpenter\.(sh|k8s\.aws)\//.test(String(o.apiVersion))) return karpenterSchemaErrors(o);
  return [`no schema check for ${o.apiVersion} ${o.kind}: add one to test/kube-schemas.ts`];
}
