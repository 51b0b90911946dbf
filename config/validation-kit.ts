/**
 * A tiny collector for config problems. Each problem names the field path, the
 * value it got and what is allowed, so a failing synth tells the user exactly
 * what to change. All problems are collected before failing, not just the first.
 */

export interface ConfigProblem {
  /** Dotted path from the environment name, e.g. `prod.nodePools.consumers.instanceTypes`. */
  readonly path: string;
  readonly message: string;
}

export class ConfigValidationError extends Error {
  constructor(
    public readonly environment: string,
    public readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `Invalid configuration for environment "${environment}" (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p.path}: ${p.message}`).join("\n"),
    );
    this.name = "ConfigValidationError";
  }
}

/** Renders a value for a message: strings quoted, arrays and objects as JSON. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined) return "nothing";
  return JSON.stringify(value);
}

/** Like `show`, cut to about `max` characters (for whole blocks echoed back in a message). */
export function brief(value: unknown, max = 60): string {
  const text = show(value);
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** True for a plain object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export class ProblemCollector {
  private readonly found: ConfigProblem[] = [];
  private readonly notes: ConfigProblem[] = [];

  constructor(private readonly root: string) {}

  get problems(): readonly ConfigProblem[] {
    return this.found;
  }

  /** Problems that do not fail synth here (e.g. rules that are errors only in production). */
  get warnings(): readonly ConfigProblem[] {
    return this.notes;
  }

  warn(path: string, message: string): void {
    this.notes.push({ path: `${this.root}.${path}`, message });
  }

  /** Records a problem at `root.path`. */
  add(path: string, message: string): void {
    this.found.push({ path: `${this.root}.${path}`, message });
  }

  /** Records `got <value>, <allowed>` unless `ok`. Returns `ok` so callers can skip dependent checks. */
  expect(ok: boolean, path: string, value: unknown, allowed: string): boolean {
    if (!ok) this.add(path, `got ${show(value)}, ${allowed}`);
    return ok;
  }

  integer(path: string, value: number, min: number, max: number): boolean {
    return this.expect(
      Number.isInteger(value) && value >= min && value <= max,
      path,
      value,
      `expected a whole number from ${min} to ${max}`,
    );
  }

  number(path: string, value: number, min: number, max: number): boolean {
    return this.expect(
      typeof value === "number" && Number.isFinite(value) && value >= min && value <= max,
      path,
      value,
      `expected a number from ${min} to ${max}`,
    );
  }

  matches(path: string, value: string, pattern: RegExp, allowed: string): boolean {
    return this.expect(typeof value === "string" && pattern.test(value), path, value, allowed);
  }

  /**
   * Records every key of `value` that is not in `known`: a setting the kit does
   * not read must fail loudly, not be ignored. `prefix` is the block's path
   * ("" for the top level); `what` names the kind of key ("setting", "feature").
   */
  knownKeys(prefix: string, value: unknown, known: readonly string[], what = "setting"): boolean {
    if (!isRecord(value)) return true;
    let ok = true;
    for (const key of Object.keys(value)) {
      if (known.includes(key)) continue;
      ok = false;
      this.add(
        prefix ? `${prefix}.${key}` : key,
        `got ${brief(value[key])}, no such ${what} in this version of the kit; known: ${known.join(", ")}`,
      );
    }
    return ok;
  }

  throwIfAny(environment: string): void {
    if (this.found.length > 0) throw new ConfigValidationError(environment, this.found);
  }
}
