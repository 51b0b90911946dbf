import { Finding, PlanCheck, resourcesOf, TerraformJson } from "../synth-output";
import { apiGroupOf } from "./built-in-kinds-normalized";

/**
 * Strimzi kinds whose readiness later stacks rely on, and the least time a
 * create may take: a first Kafka rollout provisions volumes and starts
 * controllers, brokers, the entity operator, Cruise Control and Kafka Exporter;
 * users and topics are reconciled by the entity operator within seconds once
 * it runs. The provider's default (10 minutes) is too short for a Kafka.
 */
export const STRIMZI_READY_KINDS: Readonly<Record<string, { readonly minMinutes: number; readonly needs: string }>> = {
  Kafka: { minMinutes: 20, needs: "the cluster CA secret and running brokers (the gateway mounts one and connects to the other)" },
  KafkaUser: { minMinutes: 5, needs: "the user's credentials Secret (its clients read the password from it)" },
  KafkaTopic: { minMinutes: 5, needs: "the topic in Kafka (auto-creation is off; producers get UNKNOWN_TOPIC_OR_PARTITION)" },
};

const STRIMZI_GROUP = "kafka.strimzi.io";

/** Seconds in a Go duration as Terraform timeouts take it (`30m`, `1h30m`, `90s`, `1.5h`); undefined when unparseable. */
export function goDurationSeconds(text: string): number | undefined {
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 1e-6, µs: 1e-6, ns: 1e-9 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)];
  if (!parts.length || parts.map((p) => p[0]).join("") !== text) return undefined;
  return parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2]], 0);
}

/** What is wrong with the wait of one Strimzi manifest (empty when it waits for Ready long enough). */
export function readyWaitProblems(config: TerraformJson, minMinutes: number): string[] {
  const wait = Array.isArray(config.wait) ? config.wait[0] : config.wait;
  if (!wait) return ["no wait block: apply returns as soon as the API server accepts it"];
  const problems: string[] = [];
  // The provider (2.38, waiter.go) uses rollout if set, else conditions, else fields; the others are ignored.
  if (wait.rollout === true) problems.push("wait.rollout is set: the provider waits for a rollout and ignores the conditions");
  const conditions: TerraformJson[] = wait.condition ?? [];
  if (!conditions.some((c) => c.type === "Ready" && c.status === "True")) {
    problems.push(
      `wait has no condition { type = "Ready", status = "True" }${wait.fields ? " (fields do not say the operator finished reconciling)" : ""}`,
    );
  }
  const timeouts = Array.isArray(config.timeouts) ? config.timeouts[0] : config.timeouts;
  for (const op of ["create", "update"] as const) {
    const given = timeouts?.[op];
    const seconds = given === undefined ? 600 : goDurationSeconds(String(given));
    if (seconds === undefined) problems.push(`timeouts.${op} ${JSON.stringify(given)} is not a duration Terraform reads`);
    else if (seconds < minMinutes * 60)
      problems.push(
        `timeouts.${op} is ${given ?? "the provider's default 10m"}, under the ${minMinutes}m a ${op === "create" ? "first rollout" : "reconcile"} can take`,
      );
  }
  return problems;
}

/**
 * Every Strimzi Kafka, KafkaUser and KafkaTopic the kit applies waits for
 * Strimzi's `Ready` condition, with time limits a first rollout fits in. The
 * stacks after the Kafka stack (the ingest gateway) need what Strimzi creates
 * minutes after the custom resources are accepted; without the wait,
 * `cdktf deploy` moves on, reports success, and the gateway's pods sit in
 * CreateContainerConfigError until the secrets appear.
 */
export const strimziReadyWait: PlanCheck = {
  id: "STRIMZI_READY_WAIT",
  title: "Strimzi Kafka, KafkaUser and KafkaTopic manifests wait for Ready long enough for a first rollout",
  why: "later stacks start before Strimzi has written the secrets and topics they need, and deploy reports success while pods cannot start",
  run(out) {
    const findings: Finding[] = [];
    for (const stack of out.stacks.values()) {
      for (const { address, config } of resourcesOf(stack, "kubernetes_manifest")) {
        const o = config.manifest as TerraformJson;
        if (apiGroupOf(String(o?.apiVersion)) !== STRIMZI_GROUP) continue;
        const kind = STRIMZI_READY_KINDS[String(o.kind)];
        if (!kind) continue;
        for (const p of readyWaitProblems(config, kind.minMinutes)) {
          findings.push({
            check: this.id,
            stack: stack.name,
            address,
            message: `${o.kind}/${o.metadata?.name}: ${p}; it provides ${kind.needs}`,
          });
        }
      }
    }
    return findings;
  },
};
