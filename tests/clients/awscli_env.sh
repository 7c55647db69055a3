# Sourced by the aws cli client tests (awscli_test.sh, sqs_awscli_test.sh): Debian's aws cli v2
# (/usr/bin/aws, package awscli) with dummy credentials, no pager, no user configuration and no
# metadata lookups, a scratch directory removed at exit, and the check helpers. Needs
# ESSER_ENDPOINT (run_with_esser_local.sh sets it).
set -uo pipefail
: "${ESSER_ENDPOINT:?run me under run_with_esser_local.sh}"
AWS=/usr/bin/aws  # Debian's; another aws may come first on PATH
if [ ! -x "$AWS" ]; then
  echo "$(basename "$0"): $AWS is missing; run scripts/install-deps.sh (package awscli)" >&2
  exit 1
fi
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
export HOME="$scratch" AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
export AWS_DEFAULT_REGION=us-east-1 AWS_PAGER="" AWS_CONFIG_FILE="$scratch/config"
export AWS_SHARED_CREDENTIALS_FILE="$scratch/credentials" AWS_EC2_METADATA_DISABLED=true
export AWS_MAX_ATTEMPTS=1

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
expect_eq() { [ "$1" == "$2" ] || fail "$3: expected '$2', got '$1'"; }
