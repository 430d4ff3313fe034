#!/usr/bin/env bash
# Deploys Sluice to AWS: the image to ECR (built and pushed with Jib), then the CloudFormation stack
# deploy/aws/sluice.cfn.yaml: ECS Fargate tasks in cluster mode behind a load balancer, with an RDS
# PostgreSQL store and generated passwords in Secrets Manager.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/deploy-aws.sh --region REGION --vpc-id VPC --subnets SUBNET,SUBNET --lb-subnets SUBNET,SUBNET [options]

Steps (each printed before it runs):
  1. the account id (aws sts get-caller-identity), unless --account-id
  2. the ECR repository (created when missing: immutable tags, scan on push)
  3. the image, built and pushed with Jib (scripts/docker-build.sh --push, credential helper ecr-login),
     unless --image-uri names one that exists
  4. aws cloudformation validate-template, then aws cloudformation deploy of deploy/aws/sluice.cfn.yaml
     with the configuration (--config, base64) as a parameter
  5. the stack's outputs (service URL, database endpoint, secret ARNs)

Options:
  --region REGION        AWS region (required)
  --vpc-id VPC           VPC of the service and the database (required)
  --subnets IDS          private subnets, comma-separated, two or more zones (required)
  --lb-subnets IDS       load balancer subnets, comma-separated (required)
  --stack-name NAME      CloudFormation stack (default: sluice)
  --repository NAME      ECR repository (default: sluice)
  --tag TAG              image tag (default: the project version; never latest)
  --account-id ID        AWS account id (default: from aws sts get-caller-identity)
  --image-uri URI        deploy this image instead of building one (needs a tag or digest)
  --config FILE          Sluice configuration (default: deploy/aws/sluice.yaml)
  --desired-count N      number of tasks (default: 2)
  --lb-scheme SCHEME     internal (default) or internet-facing
  --allowed-cidr CIDR    who may reach the load balancer (default: 10.0.0.0/8)
  --dry-run              print the commands that would run, change nothing
  -h, --help             this help

Needs: aws (v2), and for building: Java 17+, Maven, docker-credential-ecr-login on PATH.
EOF
}

die() { echo "deploy-aws.sh: $*" >&2; exit 1; }
usage_error() { echo "deploy-aws.sh: $*" >&2; echo "Try 'scripts/deploy-aws.sh --help'." >&2; exit 2; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
region=
vpc_id=
subnets=
lb_subnets=
stack=sluice
repository=sluice
tag=
account_id=
image_uri=
config="$repo/deploy/aws/sluice.yaml"
desired_count=2
lb_scheme=internal
allowed_cidr=10.0.0.0/8
dry_run=false
template="$repo/deploy/aws/sluice.cfn.yaml"

need_value() {
  if [ $# -lt 2 ] || [ -z "$2" ]; then usage_error "$1 needs a value"; fi
}

while [ $# -gt 0 ]; do
  case "$1" in
    --region) need_value "$@"; region=$2; shift 2 ;;
    --vpc-id) need_value "$@"; vpc_id=$2; shift 2 ;;
    --subnets) need_value "$@"; subnets=$2; shift 2 ;;
    --lb-subnets) need_value "$@"; lb_subnets=$2; shift 2 ;;
    --stack-name) need_value "$@"; stack=$2; shift 2 ;;
    --repository) need_value "$@"; repository=$2; shift 2 ;;
    --tag) need_value "$@"; tag=$2; shift 2 ;;
    --account-id) need_value "$@"; account_id=$2; shift 2 ;;
    --image-uri) need_value "$@"; image_uri=$2; shift 2 ;;
    --config) need_value "$@"; config=$2; shift 2 ;;
    --desired-count) need_value "$@"; desired_count=$2; shift 2 ;;
    --lb-scheme) need_value "$@"; lb_scheme=$2; shift 2 ;;
    --allowed-cidr) need_value "$@"; allowed_cidr=$2; shift 2 ;;
    --dry-run) dry_run=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage_error "unknown option: $1" ;;
  esac
done

[ -n "$region" ] || usage_error "--region is required"
[ -n "$vpc_id" ] || usage_error "--vpc-id is required"
[ -n "$subnets" ] || usage_error "--subnets is required"
[ -n "$lb_subnets" ] || usage_error "--lb-subnets is required"
[[ "$region" =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]] || usage_error "--region does not look like an AWS region: '$region'"
[[ "$vpc_id" =~ ^vpc-[0-9a-f]+$ ]] || usage_error "--vpc-id must be vpc-..., got '$vpc_id'"
[[ "$subnets" =~ ^subnet-[0-9a-f]+(,subnet-[0-9a-f]+)+$ ]] || usage_error "--subnets needs two or more subnet-... ids, comma-separated, got '$subnets'"
[[ "$lb_subnets" =~ ^subnet-[0-9a-f]+(,subnet-[0-9a-f]+)+$ ]] || usage_error "--lb-subnets needs two or more subnet-... ids, comma-separated, got '$lb_subnets'"
[[ "$stack" =~ ^[A-Za-z][A-Za-z0-9-]{0,127}$ ]] || usage_error "--stack-name must be letters, digits and hyphens, got '$stack'"
[[ "$desired_count" =~ ^[1-9][0-9]*$ ]] || usage_error "--desired-count must be a positive number, got '$desired_count'"
case "$lb_scheme" in internal|internet-facing) ;; *) usage_error "--lb-scheme must be internal or internet-facing, got '$lb_scheme'" ;; esac
if [ -n "$account_id" ] && ! [[ "$account_id" =~ ^[0-9]{12}$ ]]; then usage_error "--account-id must be 12 digits, got '$account_id'"; fi
[ -f "$config" ] || die "no configuration at $config"
[ -f "$template" ] || die "no template at $template"

if [ -z "$tag" ]; then
  tag=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$repo/pom.xml" | head -n 1)
fi
[[ "$tag" =~ ^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$ ]] || usage_error "--tag is not a valid image tag: '$tag'"
[ "$tag" != latest ] || usage_error "--tag latest is not allowed: deploy a version"
if [ -n "$image_uri" ]; then
  if ! [[ "$image_uri" =~ (:[A-Za-z0-9_][A-Za-z0-9._-]*|@sha256:[0-9a-f]{64})$ ]] || [[ "$image_uri" == *:latest ]]; then
    usage_error "--image-uri needs a version tag or a digest, got '$image_uri'"
  fi
fi

quote() {
  if [[ "$1" =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then printf '%s' "$1"; else printf "'%s'" "${1//\'/\'\\\'\'}"; fi
}
show() {
  local out="+" arg
  for arg in "$@"; do out+=" $(quote "$arg")"; done
  echo "$out"
}
run() {
  show "$@"
  [ "$dry_run" = true ] || "$@"
}

if [ "$dry_run" = false ]; then
  command -v aws >/dev/null || die "aws (AWS CLI v2) not found on PATH"
fi

# 1. the account
if [ -z "$account_id" ]; then
  show aws sts get-caller-identity --query Account --output text
  if [ "$dry_run" = true ]; then
    account_id=ACCOUNT_ID
  else
    account_id=$(aws sts get-caller-identity --query Account --output text)
  fi
fi
registry="$account_id.dkr.ecr.$region.amazonaws.com"

# 2 and 3. the repository and the image
if [ -z "$image_uri" ]; then
  image_uri="$registry/$repository:$tag"
  show aws ecr describe-repositories --repository-names "$repository" --region "$region"
  if [ "$dry_run" = true ] || ! aws ecr describe-repositories --repository-names "$repository" --region "$region" >/dev/null 2>&1; then
    [ "$dry_run" = false ] || echo "# only when the repository does not exist:"
    run aws ecr create-repository --repository-name "$repository" --region "$region" \
      --image-tag-mutability IMMUTABLE --image-scanning-configuration scanOnPush=true
  fi
  build=("$repo/scripts/docker-build.sh" --push --image "$image_uri" --maven-arg -Djib.to.credHelper=ecr-login)
  if [ "$dry_run" = true ]; then build+=(--dry-run); fi
  show "${build[@]}"
  "${build[@]}" | sed 's/^/  /'
fi

# 4. the stack
config_base64=$(base64 -w0 <"$config")
[ "${#config_base64}" -le 4096 ] || die "$config is too large for a CloudFormation parameter (4096 bytes base64)"
run aws cloudformation validate-template --template-body "file://$template" --region "$region"
run aws cloudformation deploy --region "$region" --stack-name "$stack" --template-file "$template" \
  --capabilities CAPABILITY_IAM --no-fail-on-empty-changeset \
  --parameter-overrides "ImageUri=$image_uri" "VpcId=$vpc_id" "SubnetIds=$subnets" \
  "LoadBalancerSubnetIds=$lb_subnets" "LoadBalancerScheme=$lb_scheme" "AllowedCidr=$allowed_cidr" \
  "DesiredCount=$desired_count" "ConfigBase64=$config_base64"

# 5. where it is
run aws cloudformation describe-stacks --region "$region" --stack-name "$stack" \
  --query "Stacks[0].Outputs" --output table
