import { environments, EnvironmentConfig, findConfigProblems } from "../config";
import { dev } from "../config/dev";
import { prod } from "../config/prod";
import { documentationRangeOf } from "../domain/cidr";
import { withOverrides } from "./helpers";

const messages = (cfg: EnvironmentConfig, forDeploy = false) =>
  findConfigProblems(cfg, { forDeploy }).problems.map((p) => `${p.path}: ${p.message}`);
const warnings = (cfg: EnvironmentConfig) => findConfigProblems(cfg).warnings.map((p) => `${p.path}: ${p.message}`);
const REAL_ARN = "arn:aws:codeconnections:us-east-1:111122223333:connection/0f0e0d0c-0b0a-4909-8807-060504030201";

describe("documentation ranges in the API allow-list", () => {
  test.each([
    ["203.0.113.0/24", "RFC 5737 TEST-NET-3 (203.0.113.0/24)"],
    ["198.51.100.0/24", "RFC 5737 TEST-NET-2 (198.51.100.0/24)"],
    ["192.0.2.0/24", "RFC 5737 TEST-NET-1 (192.0.2.0/24)"],
    ["203.0.113.64/28", "RFC 5737 TEST-NET-3 (203.0.113.0/24)"],
    ["2001:db8::/32", "RFC 3849 IPv6 documentation prefix (2001:db8::/32)"],
    ["2001:DB8:1::/48", "RFC 3849 IPv6 documentation prefix (2001:db8::/32)"],
  ])("%s is %s", (cidr, range) => {
    expect(documentationRangeOf(cidr)).toBe(range);
  });

  test.each(["198.51.0.0/16", "203.0.112.0/24", "10.0.0.0/8", "0.0.0.0/0", "2001:db9::/32"])("%s is a real block", (cidr) => {
    expect(documentationRangeOf(cidr)).toBeUndefined();
  });

  test("refused with the range named and what to do instead", () => {
    const cfg = withOverrides(dev, { eks: { endpointPublicAccess: true, publicAccessCidrs: ["198.51.100.0/24", "2001:db8::/32"] } });
    expect(messages(cfg)).toEqual([
      'dev.eks.publicAccessCidrs[0]: got "198.51.100.0/24", a documentation range (RFC 5737 TEST-NET-2 (198.51.100.0/24)) that no real client has; list the egress CIDRs of the people who must reach the API, or keep the endpoint private (CI reaches it from the VPC runner, people through SSM or a VPN: docs/ci-runner.md)',
      'dev.eks.publicAccessCidrs[1]: got "2001:db8::/32", a documentation range (RFC 3849 IPv6 documentation prefix (2001:db8::/32)) that no real client has; list the egress CIDRs of the people who must reach the API, or keep the endpoint private (CI reaches it from the VPC runner, people through SSM or a VPN: docs/ci-runner.md)',
    ]);
  });

  test("no shipped environment allow-lists a documentation range, and every one keeps its API private", () => {
    for (const env of environments) {
      expect(env.eks.publicAccessCidrs.filter((c) => documentationRangeOf(c))).toEqual([]);
      expect(env.eks.endpointPublicAccess).toBe(false);
    }
  });
});

describe("ciRunner", () => {
  test("the shipped example connection and repository are warnings at synth and errors for a deploy", () => {
    for (const env of environments) {
      expect(messages(env)).toEqual([]);
      expect(warnings(env)).toEqual([
        expect.stringMatching(
          new RegExp(
            `^${env.name}\\.ciRunner\\.connectionArn: got ".*:123456789012:.*", an example value \\(123456789012 is the AWS documentation's account\\); create a GitHub connection .* Synth goes on; a deploy \\(KIT_DEPLOY=1\\) refuses it$`,
          ),
        ),
        `${env.name}.ciRunner.repository: got "example-org/streaming-platform-kit", an example value ("example-org" is a placeholder owner); name the repository that holds your copy of the kit. Synth goes on; a deploy (KIT_DEPLOY=1) refuses it`,
      ]);
      expect(messages(env, true)).toEqual([
        expect.stringMatching(new RegExp(`^${env.name}\\.ciRunner\\.connectionArn: got .*an example value.*\\. A deploy cannot use it$`)),
        expect.stringMatching(new RegExp(`^${env.name}\\.ciRunner\\.repository: got "example-org/.*\\. A deploy cannot use it$`)),
      ]);
    }
  });

  test("real values pass for a deploy too, in either connection namespace", () => {
    const real = withOverrides(prod, { ciRunner: { connectionArn: REAL_ARN, repository: "acme/streaming-platform" } });
    expect(messages(real, true)).toEqual([]);
    expect(warnings(real)).toEqual([]);
    const old = withOverrides(real, { ciRunner: { connectionArn: REAL_ARN.replace("codeconnections", "codestar-connections") } });
    expect(messages(old, true)).toEqual([]);
  });

  test("what CodeBuild would refuse, named with the value and what is allowed", () => {
    const cfg = withOverrides(prod, {
      ciRunner: {
        connectionArn: "arn:aws:codebuild:us-east-1:111122223333:token/github",
        repository: "https://github.com/acme/platform",
        computeType: "BUILD_GENERAL1_HUGE" as never,
        image: "ubuntu:24.04",
      },
    });
    expect(messages(cfg)).toEqual([
      'prod.ciRunner.connectionArn: got "arn:aws:codebuild:us-east-1:111122223333:token/github", expected the ARN of a CodeConnections connection such as "arn:aws:codeconnections:us-east-1:111122223333:connection/<uuid>"',
      'prod.ciRunner.repository: got "https://github.com/acme/platform", expected the GitHub repository as "owner/name", such as "acme/streaming-platform"',
      'prod.ciRunner.computeType: got "BUILD_GENERAL1_HUGE", expected one of BUILD_GENERAL1_SMALL, BUILD_GENERAL1_MEDIUM, BUILD_GENERAL1_LARGE, BUILD_GENERAL1_XLARGE, BUILD_GENERAL1_2XLARGE',
      'prod.ciRunner.image: got "ubuntu:24.04", expected a CodeBuild-managed x86_64 Linux image such as "aws/codebuild/amazonlinux-x86_64-standard:5.0" (it carries the AWS CLI the Kubernetes providers run)',
    ]);
  });

  test("settings it does not read are refused; a config without the block is told what it needs", () => {
    const extra = { ...prod, ciRunner: { ...prod.ciRunner, fleet: "x" } } as unknown as EnvironmentConfig;
    expect(messages(extra)).toEqual([
      'prod.ciRunner.fleet: got "x", no such setting in this version of the kit; known: connectionArn, repository, computeType, image',
    ]);
    const missing = Object.fromEntries(Object.entries(prod).filter(([k]) => k !== "ciRunner")) as unknown as EnvironmentConfig;
    expect(messages(missing)).toEqual([
      "prod.ciRunner: got nothing, expected { connectionArn, repository, computeType, image } (the VPC runner the deploy workflow uses)",
    ]);
  });
});
