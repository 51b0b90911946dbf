import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import Ajv2019 from "ajv/dist/2019";
import Ajv2020 from "ajv/dist/2020";
import draft06 from "ajv/dist/refs/json-schema-draft-06.json";
import * as YAML from "yaml";
import { ALL_CHARTS, ChartEntry } from "../domain/charts";

/**
 * Each pinned chart's default values.yaml (and values.schema.json when the
 * chart ships one) lives outside the repository, in
 * ../shared/reference/charts/<chart>-<version>/ (override the folder with
 * CHART_REFERENCE_DIR). Tests that need it skip, saying so, when it is absent.
 * A chart with no copy there is checked against its registry entry's
 * `referenceValuePaths` instead (read from the chart at its `source`); with
 * neither, its values fail.
 */
export const CHART_REFERENCE_DIR = process.env.CHART_REFERENCE_DIR ?? path.resolve(__dirname, "..", "..", "shared", "reference", "charts");
export const chartReferencesPresent = fs.existsSync(CHART_REFERENCE_DIR);

type Json = Record<string, any>;

/** A chart version's defaults and, when shipped, its values schema. */
export interface ChartReference {
  readonly dir: string;
  readonly defaults: Json;
  readonly schema?: Json;
}

const references = new Map<string, ChartReference | string>();

/** The reference files of a chart version, or a sentence saying why there are none. */
export function loadChartReference(entry: ChartEntry, referenceDir = CHART_REFERENCE_DIR): ChartReference | string {
  const dir = path.join(referenceDir, `${entry.chart}-${entry.version}`);
  const cached = references.get(dir);
  if (cached) return cached;
  let ref: ChartReference | string;
  const valuesFile = path.join(dir, "values.yaml");
  if (!fs.existsSync(valuesFile)) {
    ref =
      `${entry.chart} ${entry.version}: no reference directory with a values.yaml (${valuesFile}); ` +
      `add the chart's default values.yaml (and values.schema.json if it ships one) before pinning this version`;
  } else {
    // Helm reads values with go-yaml (YAML 1.1: `yes` is a boolean).
    const defaults = YAML.parse(fs.readFileSync(valuesFile, "utf8"), { version: "1.1" }) ?? {};
    const schemaFile = path.join(dir, "values.schema.json");
    const schema = fs.existsSync(schemaFile) ? JSON.parse(fs.readFileSync(schemaFile, "utf8")) : undefined;
    ref = { dir, defaults, schema };
  }
  references.set(dir, ref);
  return ref;
}

const isMap = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const kindOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "list" : isMap(v) ? "map" : typeof v);

/** Segments of a value path: map keys and list indices. */
type Segments = readonly (string | number)[];

/** `a.b[0]["c.d"]`: how messages name a path. */
function display(segs: Segments): string {
  let out = "";
  for (const s of segs) {
    if (typeof s === "number") out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out === "" ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** `a.b[].c`: how the registry's freeFormValuePaths and additionalValuePaths name a path. */
function pattern(segs: Segments): string {
  return segs.map((s, i) => (typeof s === "number" ? "[]" : i === 0 ? s : `.${s}`)).join("");
}

/** Closest key of the defaults, for "did you mean" (same words in another case, or at most 2 edits away). */
function closest(key: string, candidates: string[]): string | undefined {
  const distance = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++)
        d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length][b.length];
  };
  const scored = candidates.map((c) => ({ c, d: c.toLowerCase() === key.toLowerCase() ? 0 : distance(key, c) }));
  const best = scored.sort((x, y) => x.d - y.d)[0];
  return best && best.d <= 2 ? best.c : undefined;
}

/**
 * Every value path in `values` that the chart version's default values.yaml
 * does not have (the chart would ignore it). Paths at or below a free-form
 * path of the registry entry, and the entry's additional paths, are accepted.
 * Lists: each element map is checked against the first element of the
 * default list when that is a non-empty list of maps; otherwise element maps
 * are accepted only below a free-form path. Empty when every key exists.
 */
export function valueKeyProblems(entry: ChartEntry, values: unknown, defaults: Json): string[] {
  const where = `${entry.chart} ${entry.version}`;
  const freeForm = new Set([...entry.freeFormValuePaths, ...(entry.additionalValuePaths ?? [])]);
  const problems: string[] = [];
  const walk = (value: unknown, def: unknown, segs: Segments): void => {
    if (segs.length && freeForm.has(pattern(segs))) return;
    const at = display(segs) || "(the values)";
    if (isMap(value)) {
      if (!isMap(def)) {
        problems.push(
          `${where}: ${at} is a map, but the chart's default is ${def === undefined ? "absent" : `a ${kindOf(def)}`}, so the keys ` +
            `below it cannot be checked; if the chart passes it through, list ${pattern(segs)} in freeFormValuePaths`,
        );
        return;
      }
      for (const [k, v] of Object.entries(value)) {
        const child = [...segs, k];
        if (freeForm.has(pattern(child))) continue;
        if (!(k in def)) {
          const hint = closest(k, Object.keys(def));
          const empty = Object.keys(def).length === 0;
          problems.push(
            `${where}: ${display(child)} is not a key of the chart's default values.yaml, so the chart ignores it` +
              (hint ? ` (did you mean ${display([...segs, hint])}?)` : "") +
              (empty
                ? ` (the default of ${at} is an empty map: if the chart passes it through, list ${pattern(segs)} in freeFormValuePaths)`
                : ""),
          );
          continue;
        }
        walk(v, def[k], child);
      }
      return;
    }
    if (Array.isArray(value)) {
      const template = Array.isArray(def) && def.length > 0 && isMap(def[0]) ? def[0] : undefined;
      value.forEach((el, i) => {
        if (isMap(el) || Array.isArray(el)) {
          if (template) walk(el, template, [...segs, i]);
          else if (!freeForm.has(pattern([...segs, i]))) {
            problems.push(
              `${where}: ${display([...segs, i])} is a ${kindOf(el)}, but the chart's default ${at} is ` +
                `${Array.isArray(def) ? (def.length ? "a list of scalars" : "an empty list") : `a ${kindOf(def)}`}, so its keys cannot be checked; ` +
                `if the chart passes it through, list ${pattern(segs)} in freeFormValuePaths`,
            );
          }
        }
      });
      return;
    }
    if (value !== null && (isMap(def) || Array.isArray(def))) {
      problems.push(`${where}: ${at} is a ${kindOf(value)}, but the chart's default is a ${kindOf(def)}`);
    }
  };
  walk(values, defaults, []);
  return problems;
}

/**
 * Every value path in `values` that is neither at or below one of the
 * registry entry's `referenceValuePaths` (the paths of the chart's default
 * values.yaml, read from the chart at `entry.source`) nor at or below a
 * free-form or additional path. For charts whose defaults are not in the
 * reference directory. A path above listed ones (`serviceAccount` when
 * `serviceAccount.create` is listed) is a map in the chart, so it is walked
 * into; a scalar there is refused. Empty when every path is listed.
 */
export function referencePathProblems(entry: ChartEntry, values: unknown): string[] {
  const where = `${entry.chart} ${entry.version}`;
  const listed = entry.referenceValuePaths ?? [];
  const accepted = [...listed, ...entry.freeFormValuePaths, ...(entry.additionalValuePaths ?? [])];
  /** `p` is `path`, or below it (`a.b.c` and `a.b[].c` are below `a.b`). */
  const atOrBelow = (p: string, path: string) => p === path || p.startsWith(`${path}.`) || p.startsWith(`${path}[]`);
  /** The listed paths strictly below `p`: non-empty when the chart has a map (or list) at `p`. */
  const below = (p: string) => accepted.filter((a) => a !== p && atOrBelow(a, p));
  /** Keys the chart has directly under `p` ("" for the top level), for "did you mean". */
  const childKeys = (p: string) =>
    [
      ...new Set(
        accepted
          .filter((a) => p === "" || a.startsWith(`${p}.`))
          .map((a) => (p === "" ? a : a.slice(p.length + 1)).split(/[.[]/)[0])
          .filter((k) => k !== ""),
      ),
    ].sort();
  const problems: string[] = [];
  const walk = (value: unknown, segs: Segments): void => {
    const at = pattern(segs);
    if (segs.length && accepted.some((a) => atOrBelow(at, a))) return;
    if (segs.length && below(at).length === 0) {
      const key = segs[segs.length - 1];
      const parent = segs.slice(0, -1);
      const hint = typeof key === "string" ? closest(key, childKeys(pattern(parent))) : undefined;
      problems.push(
        `${where}: ${display(segs)} is not a value path of the chart (referenceValuePaths in domain/charts.ts, read from ${entry.source}), ` +
          `so the chart ignores it` +
          (hint ? ` (did you mean ${display([...parent, hint])}?)` : ""),
      );
      return;
    }
    if (isMap(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, [...segs, k]);
    } else if (Array.isArray(value)) {
      value.forEach((el, i) => {
        if (isMap(el) || Array.isArray(el)) walk(el, [...segs, i]);
      });
    } else if (value !== null) {
      problems.push(
        `${where}: ${display(segs)} is a ${kindOf(value)}, but the chart has keys below it (${below(at).slice(0, 3).join(", ")}` +
          `${below(at).length > 3 ? ", ..." : ""})`,
      );
    }
  };
  walk(values, []);
  return problems;
}

/** Helm's merge of user values over the defaults: maps merge, everything else replaces, null deletes. */
export function coalesce(defaults: unknown, values: unknown): unknown {
  if (!isMap(defaults) || !isMap(values)) return values;
  const out: Json = { ...defaults };
  for (const [k, v] of Object.entries(values)) {
    if (v === null) delete out[k];
    else out[k] = coalesce(defaults[k], v);
  }
  return out;
}

const validators = new Map<Json, (data: unknown) => string[]>();

/** A validator for a values.schema.json, with the draft its `$schema` names; throws for drafts ajv 8 cannot check. */
function schemaValidator(schema: Json): (data: unknown) => string[] {
  const cached = validators.get(schema);
  if (cached) return cached;
  const draft = String(schema.$schema ?? "http://json-schema.org/draft-07/schema#");
  // Chart schemas carry keywords and formats ajv does not know; they do not constrain the values checked here.
  const options = { strict: false, allErrors: true, validateFormats: false, logger: false as const };
  let ajv;
  if (/draft-07|draft-06/.test(draft)) {
    ajv = new Ajv(options);
    if (draft.includes("draft-06")) ajv.addMetaSchema(draft06);
  } else if (draft.includes("2019-09")) ajv = new Ajv2019(options);
  else if (draft.includes("2020-12")) ajv = new Ajv2020(options);
  else throw new Error(`$schema ${draft} is a draft ajv 8 cannot check; teach schemaValidator in test/helm-values.ts its meta-schema`);
  const validate = ajv.compile(schema);
  const check = (data: unknown) => (validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`));
  validators.set(schema, check);
  return check;
}

/**
 * Problems with the Helm values for a chart version (one document, or several
 * that Helm merges in order): keys the chart's defaults lack, and, when the
 * chart ships values.schema.json, schema violations of the documents merged
 * over the defaults, which is what Helm validates.
 */
export function helmValuesProblems(entry: ChartEntry, values: Json | readonly Json[], referenceDir = CHART_REFERENCE_DIR): string[] {
  const ref = loadChartReference(entry, referenceDir);
  const documents: readonly unknown[] = Array.isArray(values) ? values : [values];
  if (typeof ref === "string") {
    // No copy of the chart's defaults: check against the value paths the registry read from them, if it lists any.
    if (entry.referenceValuePaths?.length) return documents.flatMap((d) => referencePathProblems(entry, d));
    return [ref];
  }
  const problems = documents.flatMap((d) => valueKeyProblems(entry, d, ref.defaults));
  if (ref.schema) {
    let errors: string[];
    try {
      errors = schemaValidator(ref.schema)(documents.reduce((acc, d) => coalesce(acc, d), ref.defaults));
    } catch (e) {
      errors = [(e as Error).message];
    }
    problems.push(...errors.map((e) => `${entry.chart} ${entry.version}: values.schema.json: ${e}`));
  }
  return problems;
}

/**
 * Problems with one synthesized helm_release: its chart must be registered
 * (name, version and repository), have reference files (or referenceValuePaths),
 * and every values document must pass {@link helmValuesProblems}.
 */
export function helmReleaseProblems(
  release: Json,
  charts: readonly ChartEntry[] = ALL_CHARTS,
  referenceDir = CHART_REFERENCE_DIR,
): string[] {
  const entry = charts.find((c) => c.chart === release.chart && c.version === release.version);
  if (!entry) {
    const known = charts.filter((c) => c.chart === release.chart).map((c) => c.version);
    return [
      `helm_release ${release.name}: chart ${release.chart} ${release.version} is not in the chart registry (domain/charts.ts)` +
        (known.length ? `; registered versions: ${known.join(", ")}` : ""),
    ];
  }
  if (release.repository !== entry.repository) {
    return [`helm_release ${release.name}: repository ${release.repository}, but the registry pins ${entry.repository}`];
  }
  const documents: Json[] = (release.values ?? []).map((v: string) => JSON.parse(v));
  return helmValuesProblems(entry, documents, referenceDir).map((p) => `helm_release ${release.name}: ${p}`);
}
