import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Aspects, IAspect, LocalBackend, S3Backend, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { EnvironmentConfig } from "../config/types";

/** Where Terraform state goes. "local" is for synth and tests without an AWS account. */
export type StateBackendKind = "s3" | "local";

/** Cost-allocation tag keys every taggable resource carries (see the COST_ALLOCATION_TAGS rule). */
export const COST_TAG_KEYS = ["environment", "component", "owner"] as const;

export interface KitStackProps {
  readonly env: EnvironmentConfig;
  /** The layer this stack holds; the stack is named `<env>-<layer>` and tagged component=<layer>. */
  readonly layer: string;
  readonly stateBackend: StateBackendKind;
  /** Aspects (the policy pack) applied to the whole stack. */
  readonly aspects?: readonly IAspect[];
}

/**
 * Base of every stack in the kit: environment-prefixed name, state backend
 * from config, and an AWS provider whose default_tags carry the cost tags.
 */
export class KitStack extends TerraformStack {
  readonly env: EnvironmentConfig;
  readonly layer: string;
  readonly aws: AwsProvider;

  constructor(scope: Construct, props: KitStackProps) {
    super(scope, `${props.env.name}-${props.layer}`);
    this.env = props.env;
    this.layer = props.layer;
    const stackName = `${props.env.name}-${props.layer}`;
    if (props.stateBackend === "s3") {
      new S3Backend(this, {
        bucket: props.env.state.bucket,
        key: `${props.env.state.keyPrefix}/${stackName}.tfstate`,
        region: props.env.state.region,
        dynamodbTable: props.env.state.lockTable,
        encrypt: true,
      });
    } else {
      new LocalBackend(this, { path: `terraform.${stackName}.tfstate` });
    }
    this.aws = new AwsProvider(this, "aws", {
      region: props.env.region,
      defaultTags: [{ tags: costTags(props.env, props.layer) }],
    });
    for (const aspect of props.aspects ?? []) Aspects.of(this).add(aspect);
  }
}

export function costTags(env: EnvironmentConfig, component: string): Record<string, string> {
  return { environment: env.name, component, owner: env.owner, "managed-by": "cdktf-streaming-kit" };
}
