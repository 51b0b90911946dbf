import { TerraformElement } from "cdktf";
import { Construct } from "constructs";

export interface ImportIfPresentProps {
  /** Terraform name of the `kubernetes_resources` data source that lists the object if the cluster has it. */
  readonly lookup: string;
  /** Address to import into, e.g. `kubernetes_manifest.crd_kafkas_kafka_strimzi_io`. */
  readonly to: string;
  /** Import id with `${each.value}` for the object's name, e.g. `apiVersion=v1,kind=Namespace,name=${each.value}`. */
  readonly id: string;
}

/**
 * `import { for_each = <the object if the cluster has it>, to = <address>, id = ... }`
 * (Terraform >= 1.7 for `for_each` in import blocks): adopts an object that
 * exists in the cluster but not in state (made by Helm, or by an earlier kit
 * version), and is empty where it does not exist yet, so a fresh cluster plans
 * a plain create. cdktf's `importFrom` has no `for_each`, hence this element.
 */
export class ImportIfPresent extends TerraformElement {
  constructor(
    scope: Construct,
    id: string,
    private readonly props: ImportIfPresentProps,
  ) {
    super(scope, id);
  }

  private block() {
    return {
      for_each: `\${{ for o in data.kubernetes_resources.${this.props.lookup}.objects : o.metadata.name => o.metadata.name }}`,
      to: this.props.to,
      id: this.props.id,
    };
  }

  override toTerraform() {
    return { import: [this.block()] };
  }

  override toHclTerraform() {
    const b = this.block();
    const attr = (value: string, storageClassType: string) => ({ value, isBlock: false, type: "simple", storageClassType });
    return {
      import: [{ for_each: attr(b.for_each, "reference"), to: attr(b.to, "reference"), id: attr(b.id, "string") }],
    };
  }
}
