import { PolicyRule } from "../rule";

/** Every taggable AWS resource carries the cost-allocation tags (own tags or provider default_tags). */
export const costTags: PolicyRule = {
  id: "COST_ALLOCATION_TAGS",
  severity: "error",
  title: "Taggable AWS resources must carry the cost-allocation tags",
  explanation: "Cost reports and budgets split spend by environment, component and owner; an untagged resource is spend nobody owns.",
  resourceTypes: "*",
  check(r, context) {
    const tags = r.effectiveTags;
    if (!tags) return undefined;
    const missing = context.requiredTags.filter((t) => typeof tags[t] !== "string" || tags[t].length === 0);
    return missing.length ? { detail: `missing tag${missing.length > 1 ? "s" : ""} ${missing.join(", ")}` } : undefined;
  },
};
