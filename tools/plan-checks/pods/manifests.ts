/**
 * The pods a `kubernetes_manifest` object runs, at their maximum, per kind:
 * built-in workloads (Deployment, StatefulSet), Strimzi's KafkaNodePool and
 * the operands of a Kafka. A custom-resource kind that runs pods (a Flink or
 * Spark job, ...) registers its model in MANIFEST_MODELS, and an autoscaler
 * kind (HorizontalPodAutoscaler, a KEDA ScaledObject) its maximum in
 * AUTOSCALER_MAXIMA.
 */
import { TerraformJson } from "../synth-output";
import { constraintsOf, PodWorkload, poolOf, requestsOf, sumRequests } from "./pod-shape";

/** `Kind/namespace/name` of the object an autoscaler scales, and its maximum replicas. */
export type AutoscalerMaximum = (manifest: TerraformJson) => { readonly target: string; readonly maxReplicas: number } | undefined;

/** A manifest's pods. `scaledMax`: the maximum of an autoscaler that targets this object, if any. */
export type ManifestModel = (manifest: TerraformJson, scaledMax: number | undefined) => PodWorkload[];

/** The key an autoscaler's target is looked up by. */
export const targetKey = (kind: string, namespace: string | undefined, name: string) => `${kind}/${namespace ?? ""}/${name}`;

export const AUTOSCALER_MAXIMA: Readonly<Record<string, AutoscalerMaximum>> = {
  HorizontalPodAutoscaler: (m) => {
    const ref = m.spec?.scaleTargetRef ?? {};
    return { target: targetKey(ref.kind, m.metadata?.namespace, ref.name), maxReplicas: Number(m.spec?.maxReplicas) };
  },
};

const podTemplateWorkload: ManifestModel = (m, scaled) => {
  const pod = m.spec?.template?.spec;
  return [
    {
      name: `${m.kind}/${m.metadata?.name}`,
      source: scaled !== undefined ? "autoscaler maximum" : "spec.replicas",
      pool: poolOf(pod),
      replicas: scaled ?? Number(m.spec?.replicas ?? 1),
      pod: sumRequests(((pod?.containers ?? []) as TerraformJson[]).map((c) => requestsOf(c.resources?.requests))),
      ...constraintsOf(pod),
    },
  ];
};

export const MANIFEST_MODELS: Readonly<Record<string, ManifestModel>> = {
  Deployment: podTemplateWorkload,
  StatefulSet: podTemplateWorkload,
  KafkaNodePool: (m, scaled) => {
    const pod = m.spec?.template?.pod;
    return [
      {
        name: `KafkaNodePool/${m.metadata?.name}`,
        source: scaled !== undefined ? "autoscaler maximum" : "spec.replicas",
        pool: poolOf(pod),
        replicas: scaled ?? Number(m.spec?.replicas ?? 0),
        pod: requestsOf(m.spec?.resources?.requests),
        ...constraintsOf(pod),
      },
    ];
  },
  Kafka: (m) => {
    const spec = m.spec ?? {};
    const operand = (name: string, pod: TerraformJson | undefined, requests: { cpuMillis: number; memoryMiB: number }): PodWorkload => ({
      name: `${m.metadata?.name} ${name}`,
      source: "one replica",
      pool: poolOf(pod),
      replicas: 1,
      pod: requests,
      ...constraintsOf(pod),
    });
    const out: PodWorkload[] = [];
    if (spec.entityOperator) {
      const eo = spec.entityOperator;
      out.push(
        operand(
          "entity operator",
          eo.template?.pod,
          sumRequests([requestsOf(eo.topicOperator?.resources?.requests), requestsOf(eo.userOperator?.resources?.requests)]),
        ),
      );
    }
    if (spec.cruiseControl)
      out.push(operand("Cruise Control", spec.cruiseControl.template?.pod, requestsOf(spec.cruiseControl.resources?.requests)));
    if (spec.kafkaExporter)
      out.push(operand("Kafka Exporter", spec.kafkaExporter.template?.pod, requestsOf(spec.kafkaExporter.resources?.requests)));
    return out;
  },
};
