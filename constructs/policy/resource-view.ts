import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import {
  DefaultTokenResolver, StringConcat, TerraformElement, TerraformProvider, TerraformResource, TerraformStack, Tokenization,
} from "cdktf";
import { IConstruct } from "constructs";

function resolve(scope: IConstruct, value: unknown): any {
  return Tokenization.resolve(value, { scope, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });
}

/**
 * A resource as Terraform will see it: its resolved JSON configuration
 * (references become `${type.name.attr}` strings), its effective tags, and the
 * other resources of its stack, for rules that pair resources (a bucket and
 * its public access block).
 */
export class ResourceView {
  readonly type: string;
  /** Terraform address, `aws_s3_bucket.logs`. */
  readonly address: string;
  /** Construct path, `prod-eks/cluster/secrets-key`. */
  readonly path: string;
  readonly config: Readonly<Record<string, any>>;

  constructor(readonly resource: TerraformResource, private readonly stackIndex: StackIndex) {
    this.type = resource.terraformResourceType;
    const logicalId = resolve(resource, resource.friendlyUniqueId) as string;
    this.address = `${this.type}.${logicalId}`;
    this.path = resource.node.path;
    const rendered = resolve(resource, resource.toTerraform()) as { resource: Record<string, Record<string, any>> };
    this.config = rendered.resource[this.type][logicalId] ?? {};
  }

  /** Whether the resource type has a `tags` argument. */
  get taggable(): boolean {
    return this.type.startsWith("aws_") && "tags" in this.resource;
  }

  /** Provider default_tags merged with the resource's own tags (undefined when not taggable). */
  get effectiveTags(): Readonly<Record<string, string>> | undefined {
    if (!this.taggable) return undefined;
    return { ...this.stackIndex.defaultTagsFor(this.resource), ...(this.config.tags ?? {}) };
  }

  /** Other resources of `type` in the same stack whose configuration references this one. */
  referencedBy(type: string): ResourceView[] {
    const marker = `${this.address}.`;
    return this.stackIndex.views().filter((v) => v.type === type && JSON.stringify(v.config).includes(marker));
  }
}

/** All resource views of one stack, built once per stack and policy run. */
export class StackIndex {
  private cached?: ResourceView[];
  private readonly tagsByProvider = new Map<TerraformProvider, Record<string, string>>();

  constructor(private readonly stack: TerraformStack) {}

  views(): ResourceView[] {
    if (!this.cached) {
      this.cached = this.stack.node
        .findAll()
        .filter((c): c is TerraformResource => TerraformResource.isTerraformResource(c) && TerraformStack.of(c) === this.stack)
        .map((r) => new ResourceView(r, this));
    }
    return this.cached;
  }

  viewOf(resource: TerraformResource): ResourceView {
    return this.views().find((v) => v.resource === resource) ?? new ResourceView(resource, this);
  }

  defaultTagsFor(resource: TerraformResource): Record<string, string> {
    const provider = resource.provider ?? this.defaultAwsProvider();
    if (!provider || !(provider instanceof AwsProvider)) return {};
    // Resolved once per provider: every taggable resource of the stack asks.
    let tags = this.tagsByProvider.get(provider);
    if (!tags) {
      const defaults = resolve(provider, provider.defaultTags) as { tags?: Record<string, string> }[] | undefined;
      tags = Object.assign({}, ...(defaults ?? []).map((d) => d.tags ?? {})) as Record<string, string>;
      this.tagsByProvider.set(provider, tags);
    }
    return tags;
  }

  private defaultAwsProvider(): TerraformProvider | undefined {
    return this.stack.node
      .findAll()
      .find((c: IConstruct): c is AwsProvider => c instanceof AwsProvider && !(c as AwsProvider).alias && TerraformStack.of(c as TerraformElement) === this.stack);
  }
}
