import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import * as YAML from "yaml";

/**
 * Schema checks for the Karpenter objects the kit emits (NodePool,
 * EC2NodeClass). `@kubernetes-models/karpenter` is not a dependency, so the
 * fields the kit writes are described here by hand from the CRD schemas of
 * karpenter-crd 1.14.1 (charts/karpenter-crd/templates at tag v1.14.1):
 * their types, patterns, enums and bounds, unknown fields refused at every
 * level the kit writes, plus the CEL rules (x-kubernetes-validations) that
 * apply to those fields.
 *
 * With KARPENTER_CRD_DIR pointing at a directory holding the chart's CRD
 * files (karpenter.sh_nodepools.yaml, karpenter.k8s.aws_ec2nodeclasses.yaml),
 * objects are also validated against the CRDs' own openAPIV3Schema, and every
 * field they set must exist there.
 */

const DURATION_OR_NEVER = "^(([0-9]+(s|m|h))+|Never)$";
const DURATION = "^([0-9]+(s|m|h))+$";
const LABEL_KEY = "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(\\/))?([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$";
const LABEL_VALUE = "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$";
const QUANTITY = "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$";
const VOLUME_SIZE =
  "^((?:[1-9][0-9]{0,3}|[1-4][0-9]{4}|[5][0-8][0-9]{3}|59000)Gi|(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|[6][0-3][0-9]{3}|64000)G|([1-9]||[1-5][0-7]|58)Ti|([1-9]||[1-5][0-9]|6[0-3]|64)T)$";

const strict = (properties: Record<string, object>, required: string[] = []) => ({
  type: "object",
  additionalProperties: false,
  required,
  properties,
});
const metadata = strict({ name: { type: "string", pattern: "^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$" } }, ["name"]);
const taint = strict(
  {
    key: { type: "string", pattern: LABEL_KEY },
    value: { type: "string", pattern: LABEL_KEY },
    effect: { enum: ["NoSchedule", "PreferNoSchedule", "NoExecute"] },
  },
  ["key", "effect"],
);

const NODE_POOL = strict(
  {
    apiVersion: { const: "karpenter.sh/v1" },
    kind: { const: "NodePool" },
    metadata,
    spec: strict(
      {
        disruption: strict(
          {
            budgets: {
              type: "array",
              maxItems: 50,
              items: strict(
                {
                  nodes: { type: "string", pattern: "^((100|[0-9]{1,2})%|[0-9]+)$" },
                  reasons: { type: "array", maxItems: 50, items: { enum: ["Underutilized", "Empty", "Drifted"] } },
                  schedule: { type: "string" },
                  duration: { type: "string", pattern: "^((([0-9]+(h|m))|([0-9]+h[0-9]+m))(0s)?)$" },
                },
                ["nodes"],
              ),
            },
            consolidateAfter: { type: "string", pattern: DURATION_OR_NEVER },
            consolidationPolicy: { enum: ["WhenEmpty", "WhenEmptyOrUnderutilized", "Balanced"] },
          },
          ["consolidateAfter"],
        ),
        limits: { type: "object", additionalProperties: { type: ["string", "integer"], pattern: QUANTITY } },
        weight: { type: "integer", minimum: 1, maximum: 100 },
        template: strict(
          {
            metadata: strict({
              labels: { type: "object", maxProperties: 100, additionalProperties: { type: "string", maxLength: 63, pattern: LABEL_VALUE } },
              annotations: { type: "object", additionalProperties: { type: "string" } },
            }),
            spec: strict(
              {
                expireAfter: { type: "string", pattern: DURATION_OR_NEVER },
                terminationGracePeriod: { type: "string", pattern: DURATION },
                nodeClassRef: strict(
                  {
                    group: { type: "string", minLength: 1, pattern: "^[^/]*$" },
                    kind: { type: "string", minLength: 1 },
                    name: { type: "string", minLength: 1 },
                  },
                  ["group", "kind", "name"],
                ),
                requirements: {
                  type: "array",
                  maxItems: 100,
                  items: strict(
                    {
                      key: { type: "string", maxLength: 316, pattern: LABEL_KEY },
                      operator: { enum: ["Gte", "Lte", "In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"] },
                      values: { type: "array", items: { type: "string", maxLength: 63, pattern: LABEL_VALUE } },
                      minValues: { type: "integer", minimum: 1, maximum: 50 },
                    },
                    ["key", "operator"],
                  ),
                },
                taints: { type: "array", items: taint },
                startupTaints: { type: "array", items: taint },
              },
              ["nodeClassRef", "requirements"],
            ),
          },
          ["spec"],
        ),
      },
      ["template"],
    ),
  },
  ["apiVersion", "kind", "metadata", "spec"],
);

const tagTerms = {
  type: "array",
  minItems: 1,
  maxItems: 30,
  items: strict({ tags: { type: "object", minProperties: 1, additionalProperties: { type: "string", minLength: 1 } } }, ["tags"]),
};

const EC2_NODE_CLASS = strict(
  {
    apiVersion: { const: "karpenter.k8s.aws/v1" },
    kind: { const: "EC2NodeClass" },
    metadata,
    spec: strict(
      {
        role: { type: "string", minLength: 1 },
        amiSelectorTerms: {
          type: "array",
          minItems: 1,
          maxItems: 30,
          items: strict({ alias: { type: "string", maxLength: 30 } }, ["alias"]),
        },
        subnetSelectorTerms: tagTerms,
        securityGroupSelectorTerms: tagTerms,
        metadataOptions: strict({
          httpEndpoint: { enum: ["enabled", "disabled"] },
          httpProtocolIPv6: { enum: ["enabled", "disabled"] },
          httpPutResponseHopLimit: { type: "integer" },
          httpTokens: { enum: ["required", "optional"] },
        }),
        blockDeviceMappings: {
          type: "array",
          maxItems: 50,
          items: strict({
            deviceName: { type: "string" },
            rootVolume: { type: "boolean" },
            ebs: strict({
              deleteOnTermination: { type: "boolean" },
              encrypted: { type: "boolean" },
              volumeSize: { type: "string", pattern: VOLUME_SIZE },
              volumeType: { enum: ["standard", "io1", "io2", "gp2", "sc1", "st1", "gp3"] },
              iops: { type: "integer" },
              throughput: { type: "integer" },
              kmsKeyID: { type: "string" },
            }),
          }),
        },
        tags: { type: "object", additionalProperties: { type: "string" } },
      },
      ["amiSelectorTerms", "subnetSelectorTerms", "securityGroupSelectorTerms"],
    ),
  },
  ["apiVersion", "kind", "metadata", "spec"],
);

/** The CEL rules of the CRDs that bear on the fields the kit writes, as predicates with the CRD's messages. */
const CEL: Record<string, ((o: any) => string | undefined)[]> = {
  NodePool: [
    (o) =>
      (o.spec?.template?.spec?.requirements ?? []).some((r: any) => r.operator === "In" && !(r.values?.length > 0))
        ? "requirements with operator 'In' must have a value defined"
        : undefined,
    (o) =>
      (o.spec?.template?.spec?.requirements ?? []).some(
        (r: any) => r.operator === "In" && r.minValues !== undefined && r.values.length < r.minValues,
      )
        ? "requirements with 'minValues' must have at least that many values specified in the 'values' field"
        : undefined,
    (o) => {
      const keys = [
        ...Object.keys(o.spec?.template?.metadata?.labels ?? {}),
        ...(o.spec?.template?.spec?.requirements ?? []).map((r: any) => r.key),
      ];
      const restricted = keys.find(
        (k) =>
          k === "karpenter.sh/nodepool" ||
          k === "kubernetes.io/hostname" ||
          (k.split("/")[0].endsWith("karpenter.sh") && k !== "karpenter.sh/capacity-type"),
      );
      return restricted ? `label ${JSON.stringify(restricted)} is restricted` : undefined;
    },
    (o) => {
      const budgets = o.spec?.disruption?.budgets ?? [];
      return budgets.some((b: any) => (b.schedule === undefined) !== (b.duration === undefined))
        ? "'schedule' must be set with 'duration'"
        : undefined;
    },
  ],
  EC2NodeClass: [
    (o) =>
      (o.spec?.role === undefined) === (o.spec?.instanceProfile === undefined)
        ? "must specify exactly one of ['role', 'instanceProfile']"
        : undefined,
    (o) => {
      const terms = o.spec?.amiSelectorTerms ?? [];
      const aliases = terms.filter((t: any) => t.alias !== undefined);
      if (aliases.length && terms.length !== 1)
        return "'alias' is mutually exclusive, cannot be set with a combination of other amiSelectorTerms";
      const bad = aliases.find(
        (t: any) =>
          !/^[a-zA-Z0-9]+@.+$/.test(t.alias) ||
          !["al2", "al2023", "bottlerocket", "windows2019", "windows2022", "windows2025"].includes(t.alias.split("@")[0]),
      );
      return bad ? `'alias' ${JSON.stringify(bad.alias)} is improperly formatted, must match the format 'family@version'` : undefined;
    },
    (o) =>
      (o.spec?.blockDeviceMappings ?? []).filter((m: any) => m.rootVolume === true).length > 1
        ? "must have only one blockDeviceMappings with rootVolume"
        : undefined,
    (o) => {
      const tags = Object.keys(o.spec?.tags ?? {});
      const bad = tags.find(
        (k) =>
          k === "" ||
          k === "eks:eks-cluster-name" ||
          k.startsWith("kubernetes.io/cluster") ||
          ["karpenter.sh/nodepool", "karpenter.sh/nodeclaim", "karpenter.k8s.aws/ec2nodeclass"].includes(k),
      );
      return bad !== undefined ? `tag ${JSON.stringify(bad)} is restricted` : undefined;
    },
  ],
};

const ajv = new Ajv({ allErrors: true, strict: false });
const validators: Record<string, ReturnType<typeof ajv.compile>> = {
  "karpenter.sh/v1/NodePool": ajv.compile(NODE_POOL),
  "karpenter.k8s.aws/v1/EC2NodeClass": ajv.compile(EC2_NODE_CLASS),
};

/** The CRD files of karpenter-crd 1.14.1, when KARPENTER_CRD_DIR names a directory that has them. */
const CRD_DIR = process.env.KARPENTER_CRD_DIR;
const CRD_FILES: Record<string, string> = {
  "karpenter.sh/v1/NodePool": "karpenter.sh_nodepools.yaml",
  "karpenter.k8s.aws/v1/EC2NodeClass": "karpenter.k8s.aws_ec2nodeclasses.yaml",
};
export const karpenterCrdsPresent = CRD_DIR !== undefined && Object.values(CRD_FILES).every((f) => fs.existsSync(path.join(CRD_DIR, f)));

const crdSchemas = new Map<string, any>();
function crdSchema(key: string): any {
  if (!crdSchemas.has(key)) {
    // The chart's templates carry Helm directives in the metadata; drop those lines before parsing.
    const text = fs
      .readFileSync(path.join(CRD_DIR!, CRD_FILES[key]), "utf8")
      .split("\n")
      .filter((l) => !l.includes("{{"))
      .join("\n");
    const crd = YAML.parse(text);
    const version = key.split("/")[1];
    crdSchemas.set(key, crd.spec.versions.find((v: any) => v.name === version).schema.openAPIV3Schema);
  }
  return crdSchemas.get(key);
}

/** Fields of `value` that the CRD schema has no property for (structural schemas prune them silently). */
function unknownFields(value: any, schema: any, at: string): string[] {
  if (value === null || typeof value !== "object" || schema === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => unknownFields(v, schema.items, `${at}[${i}]`));
  if (schema.properties === undefined) return [];
  return Object.entries(value).flatMap(([k, v]) =>
    k in schema.properties ? unknownFields(v, schema.properties[k], `${at}.${k}`) : [`${at}.${k} is not a field of the CRD schema`],
  );
}

/** Schema problems of a Karpenter object; empty when it is valid. */
export function karpenterSchemaErrors(o: any): string[] {
  const key = `${o.apiVersion}/${o.kind}`;
  const validate = validators[key];
  if (!validate) return [`no schema check for ${o.apiVersion} ${o.kind}: add one to test/karpenter-schemas.ts`];
  const errors = validate(o) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
  for (const rule of CEL[o.kind] ?? []) {
    const message = rule(o);
    if (message) errors.push(message);
  }
  if (karpenterCrdsPresent) {
    const schema = crdSchema(key);
    const full = new Ajv({ allErrors: true, strict: false }).compile(schema);
    if (!full(o)) errors.push(...(full.errors ?? []).map((e) => `CRD schema: ${e.instancePath || "/"} ${e.message}`));
    errors.push(...unknownFields(o, schema, "").map((e) => `CRD schema: ${e}`));
  }
  return errors;
}
