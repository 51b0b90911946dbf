import { ResourceView } from "./resource-view";

export type Severity = "error" | "warning";

/** Facts about the environment that some rules need. */
export interface PolicyContext {
  /** Production gets the strict variants of some rules. */
  readonly production: boolean;
  /** Tag keys every taggable AWS resource must carry (after provider default_tags). */
  readonly requiredTags: readonly string[];
}

/** What a rule found wrong with one resource. */
export interface Finding {
  /** What is wrong, in terms of the resource's own attributes. */
  readonly detail: string;
  /** Overrides the rule's severity for this finding (e.g. a prod-only error is a warning elsewhere). */
  readonly severity?: Severity;
}

/**
 * One policy rule. Each lives in its own file under rules/, so it can be read,
 * tested (a compliant and a non-compliant fixture) and suppressed on its own.
 */
export interface PolicyRule {
  /** Stable id used in messages and suppressions, e.g. "IMDSV2_REQUIRED". */
  readonly id: string;
  readonly severity: Severity;
  /** One line: what must be true. */
  readonly title: string;
  /** Why it matters, shown with every violation. */
  readonly explanation: string;
  /** Terraform resource types the rule looks at; "*" for all. */
  readonly resourceTypes: readonly string[] | "*";
  /** Returns a finding when `resource` breaks the rule. */
  check(resource: ResourceView, context: PolicyContext): Finding | undefined;
}

/** Terraform JSON renders a single nested block as an object or a one-element list; read both. */
export function blocks(value: unknown): Record<string, unknown>[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v): v is Record<string, unknown> => typeof v === "object" && v !== null);
}

/** Terraform accepts true and "true" for booleans. */
export function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}
