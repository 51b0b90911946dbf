#!/usr/bin/env bash
# Plans and applies synthesized stacks one at a time, in the order given (the
# deploy workflow takes it from the manifest: node dist/tools/deploy-order/cli.js).
# Each stack is planned right before it is applied, so a stack that reads an
# earlier stack's outputs (terraform_remote_state) is planned against what was
# just applied; the apply takes exactly the saved plan.
#
#   scripts/deploy-stacks.sh <synth dir> <plans dir> <stack>...
#
# Needs terraform >= 1.10 (S3 lock files) and AWS credentials for the state
# bucket and the stacks' resources. Writes <plans dir>/<stack>.plan.txt (the
# plan as Terraform prints it, sensitive values redacted) and
# <plans dir>/<stack>.apply.txt; the binary plan is deleted after the apply,
# because it holds every value unredacted.
set -euo pipefail

if [ "$#" -lt 3 ]; then
  echo "usage: scripts/deploy-stacks.sh <synth dir> <plans dir> <stack>..." >&2
  exit 2
fi
out="$1"
plans="$2"
shift 2
mkdir -p "$plans"
dir=""
trap 'if [ -n "$dir" ]; then rm -f "$dir/tfplan"; fi' EXIT

for stack in "$@"; do
  dir="$out/stacks/$stack"
  if [ ! -f "$dir/cdk.tf.json" ]; then
    echo "no synthesized stack $stack in $out (run npm run synth, or download the cdktf-out artifact into $out)" >&2
    exit 1
  fi
  echo "::group::$stack: terraform init"
  terraform -chdir="$dir" init -input=false -no-color
  echo "::endgroup::"
  echo "--- $stack: plan"
  terraform -chdir="$dir" plan -input=false -no-color -lock-timeout=10m -out=tfplan | tee "$plans/$stack.plan.txt"
  echo "--- $stack: apply"
  terraform -chdir="$dir" apply -input=false -no-color -lock-timeout=10m tfplan | tee "$plans/$stack.apply.txt"
  rm -f "$dir/tfplan"
done
