import { Annotations, IAspect, TerraformResource, TerraformStack } from "cdktf";
import { IConstruct } from "constructs";
import { StackIndex } from "./resource-view";
import { PolicyContext, PolicyRule, Severity } from "./rule";
import { findSuppression } from "./suppressions";

export interface Violation {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly path: string;
  readonly address: string;
  readonly message: string;
}

export interface SuppressedFinding {
  readonly ruleId: string;
  readonly path: string;
  readonly reason: string;
}

export interface PolicyReport {
  readonly violations: readonly Violation[];
  readonly suppressed: readonly SuppressedFinding[];
}

export interface PolicyPackProps extends PolicyContext {
  /** The rules to run over every resource; ids must be unique (`platformRules` is the kit's set). */
  readonly rules: readonly PolicyRule[];
}

/**
 * Runs policy rules over every resource when a stack synthesizes. Error-level
 * findings become validation errors, so synth fails naming the resource path
 * and the rule; warnings become annotations. Everything, suppressions included,
 * is kept in `report` for the synth summary.
 */
export class PolicyPack implements IAspect {
  private readonly violations: Violation[] = [];
  private readonly suppressed: SuppressedFinding[] = [];
  private readonly indexes = new Map<TerraformStack, StackIndex>();

  constructor(private readonly props: PolicyPackProps) {
    const ids = props.rules.map((r) => r.id);
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup) throw new Error(`PolicyPack: rule id ${dup} appears twice`);
  }

  get report(): PolicyReport {
    return { violations: [...this.violations], suppressed: [...this.suppressed] };
  }

  visit(node: IConstruct): void {
    if (!TerraformResource.isTerraformResource(node)) return;
    const resource = node as TerraformResource;
    const stack = TerraformStack.of(resource);
    let index = this.indexes.get(stack);
    if (!index) {
      index = new StackIndex(stack);
      this.indexes.set(stack, index);
    }
    const view = index.viewOf(resource);
    const errors: string[] = [];
    for (const rule of this.props.rules) {
      if (rule.resourceTypes !== "*" && !rule.resourceTypes.includes(view.type)) continue;
      const finding = rule.check(view, this.props);
      if (!finding) continue;
      const suppression = findSuppression(resource, rule.id);
      if (suppression) {
        this.suppressed.push({ ruleId: rule.id, path: view.path, reason: suppression.reason });
        continue;
      }
      const severity = finding.severity ?? rule.severity;
      const message = `${rule.id} (${severity}): ${rule.title}: ${view.address} ${finding.detail}. Why: ${rule.explanation}`;
      this.violations.push({ ruleId: rule.id, severity, path: view.path, address: view.address, message });
      if (severity === "error") errors.push(message);
      else Annotations.of(resource).addWarning(message);
    }
    // Validations run right after aspects; cdktf then fails synth listing `[path] message` for each.
    if (errors.length) resource.node.addValidation({ validate: () => errors });
  }
}

/** Human summary of a report, one line per finding and suppression. */
export function formatPolicyReport(report: PolicyReport): string {
  const lines: string[] = [];
  const errors = report.violations.filter((v) => v.severity === "error").length;
  const warnings = report.violations.length - errors;
  lines.push(`policy: ${errors} error(s), ${warnings} warning(s), ${report.suppressed.length} suppressed`);
  for (const v of report.violations) lines.push(`  [${v.path}] ${v.message}`);
  for (const s of report.suppressed) lines.push(`  suppressed ${s.ruleId} at [${s.path}]: ${s.reason}`);
  return lines.join("\n");
}
