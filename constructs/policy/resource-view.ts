import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import {
  DefaultTokenResolver,
  StringConcat,
  TerraformElement,
  TerraformProvider,
  TerraformResource,
  TerraformStack,
  Tokenization,
} from "cdktf";
import { IConstruct } from "constructs";

/** Synthesized Terraform JSON: its shape depends on the resource type, and rules read it field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TerraformJson = any;

function resolve(scope: IConstruct, value: unknown): TerraformJson {
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
  private readonly logicalId: string;
  private rendered?: Readonly<Record<string, TerraformJson>>;

  constructor(
    readonly resource: TerraformResource,
    private readonly stackIndex: StackIndex,
  ) {
    this.type = resource.terraformResourceType;
    this.logicalId = resolve(resource, resource.friendlyUniqueId) as string;
    this.address = `${this.type}.${this.logicalId}`;
    this.path = resource.node.path;
  }

  /**
   * The resolved configuration. Resolved on first use: rendering every
   * resource of every stack a second time was most of the policy pack's
   * share of synth time, and most rules only look at a few resource types.
   */
  get config(): Readonly<Record<string, TerraformJson>> {
    if (this.rendered) return this.rendered;
    const out = resolve(this.resource, this.resource.toTerraform()) as { resource: Record<string, Record<string, TerraformJson>> };
    const rendered: Readonly<Record<string, TerraformJson>> = out.resource[this.type][this.logicalId] ?? {};
    this.rendered = rendered;
    return rendered;
  }

  /** Whether the resource type has a `tags` argument. */
  get taggable(): boolean {
    return this.type.startsWith("aws_") && "tags" in this.resource;
  }

  /** Provider default_tags merged with the resource's own tags (undefined when not taggable). */
  get effectiveTags(): Readonly<Record<string, string>> | undefined {
    if (!this.taggable) return undefined;
    return { ...this.stackIndex.defaultTagsFor(this.resource), ...(this.ownTags() ?? {}) };
  }

  /**
   * The resource's `tags` argument. Generated AWS resource classes expose
   * their input as `tagsInput`, which is cheap to resolve alone; a resource
   * with raw overrides (`addOverride`) may set tags that way, so it is
   * rendered whole.
   */
  private ownTags(): Record<string, string> | undefined {
    const overrides = (this.resource as unknown as { rawOverrides?: object }).rawOverrides;
    const hasOverrides = overrides !== undefined && Object.keys(overrides).length > 0;
    if (!hasOverrides && "tagsInput" in this.resource)
      return resolve(this.resource, (this.resource as unknown as { tagsInput: unknown }).tagsInput);
    return this.config.tags;
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
  private defaultProvider?: TerraformProvider | null;

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
    // Looked up once per stack (a walk of the whole construct tree).
    if (this.defaultProvider === undefined) {
      this.defaultProvider =
        this.stack.node
          .findAll()
          .find(
            (c: IConstruct): c is AwsProvider =>
              c instanceof AwsProvider && !(c as AwsProvider).alias && TerraformStack.of(c as TerraformElement) === this.stack,
          ) ?? null;
    }
    return this.defaultProvider ?? undefined;
  }
}
