/**
 * The pods a Helm release runs, at their maximum, per chart: one model per
 * chart the kit installs (its defaults matter: replicas, anti-affinity), and
 * a generic reading of the common value paths for any other. A chart whose
 * pods the generic reading gets wrong registers its own model here, in a
 * file of its own beside this one.
 */
import { KARPENTER_CONTROLLER, STRIMZI_OPERATOR } from "../../../domain/platform-workloads";
import { TerraformJson } from "../synth-output";
import { HOSTNAME_KEY, constraintsOf, PodWorkload, poolOf, requestsOf } from "./pod-shape";

/** A release's pods from its merged values and release name. */
export type ReleaseModel = (values: TerraformJson, release: string) => PodWorkload[];

const karpenter: ReleaseModel = (values) => {
  // Chart defaults: 2 replicas, hostname anti-affinity, zone spread DoNotSchedule, never on Karpenter's nodes.
  const affinity = values.affinity ?? {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: "karpenter.sh/nodepool", operator: "DoesNotExist" }] }],
      },
    },
  };
  const pod = {
    nodeSelector: values.nodeSelector,
    affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: HOSTNAME_KEY }] }, ...affinity },
  };
  const requests = values.controller?.resources?.requests;
  return [
    {
      name: "Karpenter controller",
      source: "replicas",
      pool: poolOf(pod),
      replicas: Number(values.replicas ?? KARPENTER_CONTROLLER.replicas),
      pod: requests ? requestsOf(requests) : { cpuMillis: 0, memoryMiB: 0 },
      ...constraintsOf(pod),
      zoneSpread: true,
    },
  ];
};

const strimzi: ReleaseModel = (values) => {
  const requests = values.resources?.requests;
  return [
    {
      name: "Strimzi operator",
      source: "replicas",
      pool: poolOf(values),
      replicas: Number(values.replicas ?? 1),
      // The chart's default requests are the kit's (200m / 384Mi).
      pod: requests ? requestsOf(requests) : STRIMZI_OPERATOR,
      ...constraintsOf(values),
    },
  ];
};

/** Any other chart: replicaCount/replicas, resources.requests (or controller.resources.requests), nodeSelector. */
export const genericRelease: (chart: string) => ReleaseModel = (chart) => (values, release) => {
  const requests = values.resources?.requests ?? values.controller?.resources?.requests;
  return [
    {
      name: `${chart} release ${release}`,
      source: "replicaCount",
      pool: poolOf(values),
      replicas: Number(values.replicaCount ?? values.replicas ?? 1),
      pod: requestsOf(requests),
      ...constraintsOf(values),
    },
  ];
};

/** Chart name -> model. Charts that run no pods map to a model returning none. */
export const RELEASE_MODELS: Readonly<Record<string, ReleaseModel>> = {
  karpenter,
  "karpenter-crd": () => [],
  "strimzi-kafka-operator": strimzi,
};
