import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

/**
 * Every exported `*Props` interface in constructs/ and stacks/ documents every
 * member (a JSDoc comment with text, not only tags), and every optional member
 * says what happens when it is left out (`@default`). Construct props are the
 * kit's API; these comments are its reference.
 */

const root = path.resolve(__dirname, "..");
const SCANNED = ["constructs", "stacks"];

/**
 * Known gaps, `Interface.member`. Empty, and it should stay so: document the
 * member instead (the last test fails on a stale entry).
 */
const KNOWN_UNDOCUMENTED: readonly string[] = [];

type Problem = "missing doc comment" | "missing @default";

interface Failure {
  readonly file: string;
  readonly line: number;
  readonly key: string;
  readonly problem: Problem;
}

const format = (f: Failure) => `${f.file}:${f.line} ${f.key}: ${f.problem}`;

/** The documentation problems of the exported `*Props` interfaces in one source file. */
export function propsDocFailures(file: string, source: string): { failures: Failure[]; members: number } {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const failures: Failure[] = [];
  let members = 0;
  for (const st of sf.statements) {
    if (!ts.isInterfaceDeclaration(st) || !st.name.text.endsWith("Props")) continue;
    if (!st.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
    for (const member of st.members) {
      members++;
      const name = member.name ? member.name.getText(sf) : `[${member.getText(sf).split(":")[0]}]`;
      const where = { file, line: sf.getLineAndCharacterOfPosition(member.getStart(sf)).line + 1, key: `${st.name.text}.${name}` };
      const docs = ts.getJSDocCommentsAndTags(member).filter(ts.isJSDoc);
      if (!docs.some((d) => (ts.getTextOfJSDocComment(d.comment) ?? "").trim() !== ""))
        failures.push({ ...where, problem: "missing doc comment" });
      const optional = (ts.isPropertySignature(member) || ts.isMethodSignature(member)) && member.questionToken !== undefined;
      if (optional && !ts.getJSDocTags(member).some((t) => t.tagName.text === "default"))
        failures.push({ ...where, problem: "missing @default" });
    }
  }
  return { failures, members };
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(rel);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [rel] : [];
  });
}

const scan = SCANNED.flatMap(sourceFiles).map((file) => propsDocFailures(file, fs.readFileSync(path.join(root, file), "utf8")));
const failures = scan.flatMap((s) => s.failures);

test("the checker is not vacuous: undocumented members and optional members without @default fail", () => {
  const fixture = `
    export interface WidgetProps {
      readonly undocumented: string;
      /** Documented and required. */
      readonly documented: number;
      /** Optional, but no default given. */
      readonly noDefault?: boolean;
      /** @default 3 */
      readonly onlyATag?: number;
      /**
       * Optional and complete.
       * @default "blue"
       */
      readonly colour?: string;
    }
    interface PrivateProps { readonly ignored: string }
    export interface WidgetOptions { readonly ignoredToo: string }
  `;
  expect(propsDocFailures("fixture.ts", fixture).failures.map(format)).toEqual([
    "fixture.ts:3 WidgetProps.undocumented: missing doc comment",
    "fixture.ts:7 WidgetProps.noDefault: missing @default",
    "fixture.ts:9 WidgetProps.onlyATag: missing doc comment",
  ]);
  // The real tree is scanned: interfaces and members are found.
  expect(scan.reduce((n, s) => n + s.members, 0)).toBeGreaterThan(50);
});

test("every member of every exported *Props interface is documented, and optional members have @default", () => {
  const unexpected = failures.filter((f) => !KNOWN_UNDOCUMENTED.includes(f.key));
  if (unexpected.length) throw new Error(`props documentation missing:\n${unexpected.map(format).join("\n")}`);
});

test("the known-gaps list has no stale entries", () => {
  const stale = KNOWN_UNDOCUMENTED.filter((k) => !failures.some((f) => f.key === k));
  if (stale.length) throw new Error(`documented now, remove from KNOWN_UNDOCUMENTED in test/props-docs.test.ts: ${stale.join(", ")}`);
});
