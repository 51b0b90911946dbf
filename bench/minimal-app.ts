// The baseline for `npm run bench:synth`: a cdktf app with one stack and one AWS resource.
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { App, TerraformStack } from "cdktf";

const app = new App();
const stack = new TerraformStack(app, "minimal");
new AwsProvider(stack, "aws", { region: "us-east-1" });
new S3Bucket(stack, "bucket", { bucketPrefix: "minimal" });
app.synth();
