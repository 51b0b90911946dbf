/**
 * Rules on a Kafka cluster's shape that hold whatever the environment. Shared
 * by config validation (which prefixes the field paths) and by the KafkaCluster
 * construct (which throws), so the two can never disagree.
 */

export interface KafkaTopology {
  readonly brokers: { readonly min: number; readonly initial: number; readonly max: number };
  readonly controllers: number;
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
}

export interface TopologyProblem {
  /** Field path relative to the Kafka config, e.g. `brokers.min`. */
  readonly field: string;
  readonly message: string;
}

const whole = (n: number) => Number.isInteger(n) && n > 0;

export function topologyProblems(t: KafkaTopology): TopologyProblem[] {
  const out: TopologyProblem[] = [];
  const { min, initial, max } = t.brokers;
  for (const [k, v] of Object.entries(t.brokers)) {
    if (!whole(v)) out.push({ field: `brokers.${k}`, message: `got ${v}, expected a whole number >= 1` });
  }
  if (out.length === 0 && !(min <= initial && initial <= max)) {
    out.push({ field: "brokers", message: `got min ${min}, initial ${initial}, max ${max}; need min <= initial <= max` });
  }
  if (!whole(t.replicationFactor))
    out.push({ field: "replicationFactor", message: `got ${t.replicationFactor}, expected a whole number >= 1` });
  else if (whole(min) && t.replicationFactor > min) {
    out.push({
      field: "replicationFactor",
      message: `got ${t.replicationFactor}, cannot exceed brokers.min (${min}): a topic needs one broker per replica`,
    });
  }
  if (!whole(t.minInsyncReplicas))
    out.push({ field: "minInsyncReplicas", message: `got ${t.minInsyncReplicas}, expected a whole number >= 1` });
  else if (t.minInsyncReplicas >= t.replicationFactor) {
    out.push({
      field: "minInsyncReplicas",
      message: `got ${t.minInsyncReplicas}, must be below replicationFactor (${t.replicationFactor}) or one broker restart stops every acks=all producer`,
    });
  }
  if (!(whole(t.controllers) && t.controllers % 2 === 1 && t.controllers <= 9)) {
    out.push({
      field: "controllers",
      message: `got ${t.controllers}, expected an odd number from 1 to 9 (a KRaft quorum needs a majority)`,
    });
  }
  return out;
}
