/**
 * What the cdktf CLI (cdktf-cli 0.21.0, the version package.json pins) accepts,
 * as its `--help` prints it and its stack helpers (@cdktf/cli-core
 * lib/helpers/stack-helpers) enforce it. test/workflows.test.ts compares this
 * model with the installed CLI's `--help`, so the two cannot drift apart.
 */

/** How a command takes stacks. */
export type StackArgs =
  /** none */
  | "none"
  /** `[stack]`: at most one exact stack name (getSingleStack; no globs); required when the app has more than one stack */
  | "one-exact"
  /** `[stacks...]`: names or minimatch globs, each must match at least one stack (getMultipleStacks) */
  | "patterns";

export interface CdktfCommand {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly stacks: StackArgs;
  /** Long options the command accepts (without `--`), besides the global ones. */
  readonly options: readonly string[];
  /** Options that take a value (`--app <cmd>`); the others are flags. */
  readonly valued: readonly string[];
  /** It runs the app (cdktf.json `app`) to synthesize first, unless given --skip-synth (when it accepts it). */
  readonly synthesizes: boolean;
  /** For `patterns`: the stacks' dependencies must be in the selection too, unless --ignore-missing-stack-dependencies. */
  readonly needsDependencies?: "dependencies" | "dependants";
}

/** Options every command accepts. */
export const GLOBAL_OPTIONS: readonly string[] = [
  "version",
  "experimental-provider-schema-cache-path",
  "disable-plugin-cache-env",
  "log-level",
  "log-file-directory",
  "help",
];

const SHORT: Readonly<Record<string, string>> = { a: "app", o: "output", h: "help" };

const RUN = ["app", "output"];
const PLAN = ["refresh-only", "terraform-parallelism", "var", "var-file", "no-color", "migrate-state", "skip-synth", "skip-provider-lock"];
const VALUED = [
  "app",
  "output",
  "terraform-parallelism",
  "parallelism",
  "var",
  "var-file",
  "outputs-file",
  "log-level",
  "log-file-directory",
  "experimental-provider-schema-cache-path",
];

export const CDKTF_COMMANDS: readonly CdktfCommand[] = [
  { name: "diff", aliases: ["plan"], stacks: "one-exact", options: [...RUN, ...PLAN], valued: VALUED, synthesizes: true },
  {
    name: "deploy",
    aliases: ["apply"],
    stacks: "patterns",
    options: [
      ...RUN,
      "auto-approve",
      "outputs-file",
      "outputs-file-include-sensitive-outputs",
      "ignore-missing-stack-dependencies",
      "parallelism",
      ...PLAN,
    ],
    valued: VALUED,
    synthesizes: true,
    needsDependencies: "dependencies",
  },
  {
    name: "destroy",
    aliases: [],
    stacks: "patterns",
    options: [
      ...RUN,
      "auto-approve",
      "ignore-missing-stack-dependencies",
      "parallelism",
      "terraform-parallelism",
      "var",
      "var-file",
      "no-color",
      "migrate-state",
      "skip-synth",
      "skip-provider-lock",
    ],
    valued: VALUED,
    synthesizes: true,
    needsDependencies: "dependants",
  },
  {
    name: "synth",
    aliases: ["synthesize"],
    stacks: "none",
    options: [...RUN, "check-code-maker-output", "hcl"],
    valued: VALUED,
    synthesizes: true,
  },
  { name: "list", aliases: [], stacks: "none", options: [...RUN], valued: VALUED, synthesizes: true },
  {
    name: "output",
    aliases: ["outputs"],
    stacks: "patterns",
    options: [...RUN, "outputs-file", "outputs-file-include-sensitive-outputs", "skip-synth", "skip-provider-lock"],
    valued: VALUED,
    synthesizes: true,
  },
  { name: "get", aliases: [], stacks: "none", options: [], valued: VALUED, synthesizes: false },
];

/** Every subcommand the CLI has (some are not modelled in detail: init, convert, login, watch, debug, provider, completion). */
export const CDKTF_SUBCOMMANDS: readonly string[] = [
  "init",
  "get",
  "convert",
  "deploy",
  "apply",
  "destroy",
  "diff",
  "plan",
  "list",
  "login",
  "synth",
  "synthesize",
  "watch",
  "output",
  "outputs",
  "debug",
  "provider",
  "completion",
];

export function cdktfCommand(name: string): CdktfCommand | undefined {
  return CDKTF_COMMANDS.find((c) => c.name === name || c.aliases.includes(name));
}

/** A parsed cdktf invocation: subcommand, positional arguments and options (long names). */
export interface CdktfInvocation {
  readonly subcommand?: string;
  readonly positionals: readonly string[];
  readonly options: ReadonlyMap<string, string | true>;
}

/** Splits `cdktf` arguments the way yargs reads them (long and short options, `--x=y`, `--x y` for valued options). */
export function parseCdktfArgs(args: readonly string[]): CdktfInvocation {
  const options = new Map<string, string | true>();
  const positionals: string[] = [];
  let subcommand: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith("--") || (a.startsWith("-") && a.length === 2)) {
      let name = a.startsWith("--") ? a.slice(2) : (SHORT[a.slice(1)] ?? a.slice(1));
      let value: string | true = true;
      const eq = name.indexOf("=");
      if (eq >= 0) {
        value = name.slice(eq + 1);
        name = name.slice(0, eq);
      } else if (VALUED.includes(name) && i + 1 < args.length) {
        value = args[++i];
      }
      options.set(name, value);
    } else if (subcommand === undefined) {
      subcommand = a;
    } else {
      positionals.push(a);
    }
  }
  return { subcommand, positionals, options };
}

/**
 * minimatch's reading of a stack pattern, for names without `/` (stack names
 * never have one): `*` any run of characters, `?` one, `[...]` a class.
 */
export function matchesStackPattern(name: string, pattern: string): boolean {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0) re += "\\[";
      else {
        re += `[${pattern
          .slice(i + 1, end)
          .replace(/^!/, "^")
          .replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`).test(name);
}
