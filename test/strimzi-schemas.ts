import * as fs from "fs";
import * as path from "path";
import Ajv, { ValidateFunction } from "ajv";

/**
 * The Strimzi 1.2 CRD schemas live outside the repository, in ../shared
 * (override with STRIMZI_SCHEMA_DIR). Tests that need them say so and skip
 * when they are absent.
 */
export const STRIMZI_SCHEMA_DIR =
  process.env.STRIMZI_SCHEMA_DIR ?? path.resolve(__dirname, "..", "..", "shared", "schemas", "strimzi-1.2.0");
export const strimziSchemasPresent = fs.existsSync(path.join(STRIMZI_SCHEMA_DIR, "Kafka.json"));

const cache = new Map<string, ValidateFunction>();
// Kubernetes OpenAPI carries x-kubernetes-* keywords and formats ajv does not know; they do not constrain values here.
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });

/** Validates a custom resource against the CRD schema of its kind; returns the errors (empty when valid). */
export function strimziSchemaErrors(object: { apiVersion: string; kind: string }): string[] {
  let validate = cache.get(object.kind);
  if (!validate) {
    const crd = JSON.parse(fs.readFileSync(path.join(STRIMZI_SCHEMA_DIR, `${object.kind}.json`), "utf8"));
    if (`${crd.group}/${crd.version}` !== object.apiVersion)
      return [`apiVersion ${object.apiVersion} but the CRD serves ${crd.group}/${crd.version}`];
    validate = ajv.compile(crd.openAPIV3Schema);
    cache.set(object.kind, validate);
  }
  return validate(object) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
}
