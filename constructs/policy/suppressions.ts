import { IConstruct } from "constructs";

export const MIN_SUPPRESSION_REASON = 10;

export interface Suppression {
  readonly ruleId: string;
  readonly reason: string;
  /** Path of the construct the suppression was placed on; it covers that subtree. */
  readonly scopePath: string;
}

const byConstruct = new WeakMap<IConstruct, Suppression[]>();

/**
 * Suppresses a rule for a construct and everything below it. A reason is
 * mandatory (at least 10 characters) and every suppression is listed in the
 * synth report, so an exception is always visible and explained.
 */
export function suppressRule(scope: IConstruct, ruleId: string, reason: string): void {
  const trimmed = (reason ?? "").trim();
  if (trimmed.length < MIN_SUPPRESSION_REASON) {
    throw new Error(
      `Suppression of ${ruleId} on ${scope.node.path}: reason ${JSON.stringify(reason)} is too short; ` +
        `give at least ${MIN_SUPPRESSION_REASON} characters explaining why the rule does not apply`,
    );
  }
  const list = byConstruct.get(scope) ?? [];
  list.push({ ruleId, reason: trimmed, scopePath: scope.node.path });
  byConstruct.set(scope, list);
}

/** The suppression of `ruleId` that covers `construct`, looking up through its scopes. */
export function findSuppression(construct: IConstruct, ruleId: string): Suppression | undefined {
  for (const scope of [...construct.node.scopes].reverse()) {
    const hit = byConstruct.get(scope)?.find((s) => s.ruleId === ruleId);
    if (hit) return hit;
  }
  return undefined;
}
