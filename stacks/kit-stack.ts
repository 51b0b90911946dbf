import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Aspects, IAspect, LocalBackend, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { EnvironmentConfig } from "../config/types";
import { stackNameOf } from "../domain/names";

/** Where Terraform state goes. "local" is for synth and tests without an AWS account. */
export type StateBackendKind = "s3" | "local";

/** Cost-allocation tag keys every taggable resource carries (see the COST_ALLOCATION_TAGS rule). */
export const COST_TAG_KEYS = ["environment", "component", "owner"] as const;

export interface KitStackProps {
  /** The validated environment this stack belongs to. */
  readonly env: EnvironmentConfig;
  /** The layer this stack holds; the stack is named `<env>-<layer>` and tagged component=<layer>. */
  readonly layer: string;
  /** Where Terraform state goes: S3 from config, or a local file for synth without an account. */
  readonly stateBackend: StateBackendKind;
  /** Aspects (the policy pack) applied to the whole stack. @default none */
  readonly aspects?: readonly IAspect[];
}

/** Props of a layer stack: the layer name is the stack's own. */
export type LayerStackProps = Omit<KitStackProps, "layer">;

/**
 * Base of every stack in the kit: environment-prefixed name, state backend
 * from config, and an AWS provider whose default_tags carry the cost tags.
 */
export class KitStack extends TerraformStack {
  readonly env: EnvironmentConfig;
  readonly layer: string;
  readonly aws: AwsProvider;

  constructor(scope: Construct, props: KitStackProps) {
    const stackName = stackNameOf(props.env.name, props.layer);
    super(scope, stackName);
    this.env = props.env;
    this.layer = props.layer;
    if (props.stateBackend === "s3") {
      const backend = new S3Backend(this, {
        bucket: props.env.state.bucket,
        key: `${props.env.state.keyPrefix}/${stackName}.tfstate`,
        region: props.env.state.region,
        // Only while migrating off DynamoDB locking (deprecated since Terraform 1.11); both locks are taken then.
        dynamodbTable: props.env.state.dynamodbLockTable,
        encrypt: true,
      });
      // S3-native locking (Terraform >= 1.10). cdktf 0.21's S3Backend has no field for it.
      backend.addOverride("use_lockfile", true);
    } else {
      // Relative to each stack's working directory (cdktf.out/stacks/<stack>), and written so that it names
      // the same file from any sibling: other stacks' terraform_remote_state reads this exact path.
      new LocalBackend(this, { path: `../${stackName}/terraform.${stackName}.tfstate` });
    }
    this.aws = new AwsProvider(this, "aws", {
      region: props.env.region,
      defaultTags: [{ tags: costTags(props.env, props.layer) }],
    });
    for (const aspect of props.aspects ?? []) Aspects.of(this).add(aspect);
  }
}

/**
 * A stack output, named as terraform-aws-modules names it (`cluster_name`,
 * `vpc_id`, ...) so `terraform output` reads the way users expect.
 */
export function addOutput(stack: KitStack, name: string, value: unknown, description: string): TerraformOutput {
  return new TerraformOutput(stack, name, { value, description });
}

export function costTags(env: EnvironmentConfig, component: string): Record<string, string> {
  return { environment: env.name, component, owner: env.owner, "managed-by": "cdktf-streaming-kit" };
}
