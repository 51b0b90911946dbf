import { CiRunnerComputeType, CiRunnerConfig, EnvironmentConfig } from "./types";
import { isRecord, ProblemCollector, show } from "./validation-kit";

/** Every key of CiRunnerConfig; the compiler fails when the type gains or loses one. */
const CI_RUNNER_KEYS: readonly string[] = Object.keys({
  connectionArn: true,
  repository: true,
  computeType: true,
  image: true,
} satisfies Record<keyof CiRunnerConfig, true>);

const COMPUTE_TYPES: readonly CiRunnerComputeType[] = [
  "BUILD_GENERAL1_SMALL",
  "BUILD_GENERAL1_MEDIUM",
  "BUILD_GENERAL1_LARGE",
  "BUILD_GENERAL1_XLARGE",
  "BUILD_GENERAL1_2XLARGE",
];

/** A connection ARN in either namespace (CodeStar Connections was renamed CodeConnections in 2024). */
const CONNECTION_ARN =
  /^arn:aws(-[a-z]+)*:(codeconnections|codestar-connections):[a-z]{2}(-gov)?-[a-z]+-\d:\d{12}:connection\/[0-9a-f-]{36}$/;
/** GitHub owner (user or organization) and repository name. */
const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
/** CodeBuild-managed x86_64 Linux images; they carry the AWS CLI v2 the exec auth needs. */
const IMAGE = /^aws\/codebuild\/(amazonlinux-x86_64-standard|amazonlinux2-x86_64-standard|standard):\d+\.\d+$/;

/** 123456789012 is the account id of the AWS documentation's examples; nobody owns it. */
const EXAMPLE_ACCOUNT = "123456789012";
/** Owner of the example repository in the shipped configs. */
const EXAMPLE_OWNER = "example-org";

/** What validation needs besides the config. */
export interface CiRunnerCheckOptions {
  /**
   * Synthesizing for a deploy (KIT_DEPLOY=1): the example values the shipped
   * configs carry are errors, not warnings.
   */
  readonly forDeploy: boolean;
}

/**
 * The VPC runner's settings. The shipped configs carry clearly marked example
 * values for the connection and the repository so that synth works on a fresh
 * clone; they are warnings at synth and errors when synthesizing for a deploy.
 */
export function checkCiRunner(p: ProblemCollector, cfg: EnvironmentConfig, opts: CiRunnerCheckOptions): void {
  const r: unknown = cfg.ciRunner;
  if (!isRecord(r)) {
    p.add(
      "ciRunner",
      `got ${show(r)}, expected { connectionArn, repository, computeType, image } (the VPC runner the deploy workflow uses)`,
    );
    return;
  }
  const runner = r as unknown as CiRunnerConfig;
  p.knownKeys("ciRunner", runner, CI_RUNNER_KEYS);
  const example = (path: string, value: string, why: string, fix: string) => {
    const message = `got ${show(value)}, an example value (${why}); ${fix}`;
    if (opts.forDeploy) p.add(path, `${message}. A deploy cannot use it`);
    else p.warn(path, `${message}. Synth goes on; a deploy (KIT_DEPLOY=1) refuses it`);
  };
  if (
    p.matches(
      "ciRunner.connectionArn",
      runner.connectionArn,
      CONNECTION_ARN,
      'expected the ARN of a CodeConnections connection such as "arn:aws:codeconnections:us-east-1:111122223333:connection/<uuid>"',
    ) &&
    runner.connectionArn.split(":")[4] === EXAMPLE_ACCOUNT
  ) {
    example(
      "ciRunner.connectionArn",
      runner.connectionArn,
      `${EXAMPLE_ACCOUNT} is the AWS documentation's account`,
      "create a GitHub connection in your account (Developer Tools > Settings > Connections), install the GitHub App on the repository, and put its ARN here",
    );
  }
  if (
    p.matches(
      "ciRunner.repository",
      runner.repository,
      REPOSITORY,
      'expected the GitHub repository as "owner/name", such as "acme/streaming-platform"',
    ) &&
    runner.repository.split("/")[0] === EXAMPLE_OWNER
  ) {
    example(
      "ciRunner.repository",
      runner.repository,
      `"${EXAMPLE_OWNER}" is a placeholder owner`,
      "name the repository that holds your copy of the kit",
    );
  }
  p.expect(
    COMPUTE_TYPES.includes(runner.computeType),
    "ciRunner.computeType",
    runner.computeType,
    `expected one of ${COMPUTE_TYPES.join(", ")}`,
  );
  p.matches(
    "ciRunner.image",
    runner.image,
    IMAGE,
    'expected a CodeBuild-managed x86_64 Linux image such as "aws/codebuild/amazonlinux-x86_64-standard:5.0" (it carries the AWS CLI the Kubernetes providers run)',
  );
}
