#!/usr/bin/env bash
# Deploys Sluice to Google Cloud: the image to Artifact Registry (built and pushed with Jib), a Cloud
# SQL PostgreSQL instance on a private address, passwords and the configuration in Secret Manager,
# and the Cloud Run service of deploy/gcp/service.yaml.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/deploy-gcp.sh --project PROJECT --region REGION [options]

Steps (each printed before it runs; "ensure" steps create only what is missing):
  1. enable the APIs (Cloud Run, Cloud SQL Admin, Artifact Registry, Secret Manager)
  2. ensure the Artifact Registry docker repository
  3. build and push the image with Jib (scripts/docker-build.sh --push, credential helper gcloud),
     unless --image names one that exists
  4. ensure the Cloud SQL instance (POSTGRES_16, private IP on --network), the database sluice,
     the secret sluice-db-password (generated) and the user sluice with that password
  5. ensure the secret sluice-master-key (generated); add the configuration (--config) as a new
     version of the secret sluice-config
  6. ensure the service account, with Secret Manager and Cloud SQL client access
  7. fill in deploy/gcp/service.yaml and gcloud run services replace it; print the URL

Options:
  --project PROJECT      Google Cloud project id (required)
  --region REGION        region of every resource (required)
  --service NAME         Cloud Run service (default: sluice)
  --repository NAME      Artifact Registry repository (default: sluice)
  --tag TAG              image tag (default: the project version; never latest)
  --image IMAGE          deploy this image instead of building one (needs a tag or digest)
  --config FILE          Sluice configuration (default: deploy/gcp/sluice.yaml)
  --sql-instance NAME    Cloud SQL instance (default: sluice-db)
  --sql-tier TIER        Cloud SQL machine tier (default: db-custom-1-3840)
  --network NAME         VPC network with private services access (default: default)
  --subnet NAME          subnet for Direct VPC egress (default: default)
  --min-instances N      instances always running (default: 2; at least 1, cron needs one)
  --max-instances N      (default: 4)
  --ingress MODE         all, internal or internal-and-cloud-load-balancing (default: internal)
  --dry-run              print the commands that would run, change nothing
  -h, --help             this help

Needs: gcloud, openssl, and for building: Java 17+, Maven, docker-credential-gcloud (part of gcloud).
EOF
}

die() { echo "deploy-gcp.sh: $*" >&2; exit 1; }
usage_error() { echo "deploy-gcp.sh: $*" >&2; echo "Try 'scripts/deploy-gcp.sh --help'." >&2; exit 2; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
project=
region=
service=sluice
repository=sluice
tag=
image=
config="$repo/deploy/gcp/sluice.yaml"
sql_instance=sluice-db
sql_tier=db-custom-1-3840
network=default
subnet=default
min_instances=2
max_instances=4
ingress=internal
dry_run=false
template="$repo/deploy/gcp/service.yaml"

need_value() {
  if [ $# -lt 2 ] || [ -z "$2" ]; then usage_error "$1 needs a value"; fi
}

while [ $# -gt 0 ]; do
  case "$1" in
    --project) need_value "$@"; project=$2; shift 2 ;;
    --region) need_value "$@"; region=$2; shift 2 ;;
    --service) need_value "$@"; service=$2; shift 2 ;;
    --repository) need_value "$@"; repository=$2; shift 2 ;;
    --tag) need_value "$@"; tag=$2; shift 2 ;;
    --image) need_value "$@"; image=$2; shift 2 ;;
    --config) need_value "$@"; config=$2; shift 2 ;;
    --sql-instance) need_value "$@"; sql_instance=$2; shift 2 ;;
    --sql-tier) need_value "$@"; sql_tier=$2; shift 2 ;;
    --network) need_value "$@"; network=$2; shift 2 ;;
    --subnet) need_value "$@"; subnet=$2; shift 2 ;;
    --min-instances) need_value "$@"; min_instances=$2; shift 2 ;;
    --max-instances) need_value "$@"; max_instances=$2; shift 2 ;;
    --ingress) need_value "$@"; ingress=$2; shift 2 ;;
    --dry-run) dry_run=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage_error "unknown option: $1" ;;
  esac
done

[ -n "$project" ] || usage_error "--project is required"
[ -n "$region" ] || usage_error "--region is required"
[[ "$project" =~ ^[a-z][a-z0-9-]{4,28}[a-z0-9]$ ]] || usage_error "--project is not a project id: '$project'"
[[ "$region" =~ ^[a-z]+-[a-z]+[0-9]+$ ]] || usage_error "--region does not look like a Google Cloud region: '$region'"
for name_option in "service:$service" "repository:$repository" "sql-instance:$sql_instance" "network:$network" "subnet:$subnet"; do
  [[ "${name_option#*:}" =~ ^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$ ]] \
    || usage_error "--${name_option%%:*} must be lower-case letters, digits and hyphens, got '${name_option#*:}'"
done
[[ "$min_instances" =~ ^[1-9][0-9]*$ ]] || usage_error "--min-instances must be 1 or more (the scheduler needs a running instance), got '$min_instances'"
if ! [[ "$max_instances" =~ ^[1-9][0-9]*$ ]] || [ "$max_instances" -lt "$min_instances" ]; then
  usage_error "--max-instances must be a number >= --min-instances, got '$max_instances'"
fi
case "$ingress" in all|internal|internal-and-cloud-load-balancing) ;; *) usage_error "--ingress must be all, internal or internal-and-cloud-load-balancing, got '$ingress'" ;; esac
[ -f "$config" ] || die "no configuration at $config"
config=$(cd "$(dirname "$config")" && pwd)/$(basename "$config")
[ -f "$template" ] || die "no service template at $template"

if [ -z "$tag" ]; then
  tag=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$repo/pom.xml" | head -n 1)
fi
[[ "$tag" =~ ^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$ ]] || usage_error "--tag is not a valid image tag: '$tag'"
[ "$tag" != latest ] || usage_error "--tag latest is not allowed: deploy a version"
if [ -n "$image" ]; then
  if ! [[ "$image" =~ (:[A-Za-z0-9_][A-Za-z0-9._-]*|@sha256:[0-9a-f]{64})$ ]] || [[ "$image" == *:latest ]]; then
    usage_error "--image needs a version tag or a digest, got '$image'"
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
# ensure DESCRIBE... -- CREATE...: runs CREATE when DESCRIBE fails (in a dry run, prints both).
ensure() {
  local describe=() create=()
  while [ "$1" != -- ]; do describe+=("$1"); shift; done
  shift
  create=("$@")
  show "${describe[@]}"
  if [ "$dry_run" = true ]; then
    echo "# only when missing:"
    show "${create[@]}"
  elif ! "${describe[@]}" >/dev/null 2>&1; then
    run "${create[@]}"
  fi
}
# new_secret NAME: creates the secret with a generated random value when it does not exist.
new_secret() {
  show gcloud secrets describe "$1" --project "$project"
  if [ "$dry_run" = true ]; then
    echo "# only when missing (the value is generated: openssl rand -base64 32):"
    show gcloud secrets create "$1" --project "$project" --replication-policy automatic --data-file=-
  elif ! gcloud secrets describe "$1" --project "$project" >/dev/null 2>&1; then
    show gcloud secrets create "$1" --project "$project" --replication-policy automatic --data-file=-
    openssl rand -base64 32 | tr -d '\n' | gcloud secrets create "$1" --project "$project" --replication-policy automatic --data-file=-
  fi
}

if [ "$dry_run" = false ]; then
  command -v gcloud >/dev/null || die "gcloud not found on PATH"
  command -v openssl >/dev/null || die "openssl not found on PATH"
fi

registry="$region-docker.pkg.dev"
service_account="$service-run@$project.iam.gserviceaccount.com"
connection="$project:$region:$sql_instance"

# 1. APIs
run gcloud services enable run.googleapis.com sqladmin.googleapis.com artifactregistry.googleapis.com \
  secretmanager.googleapis.com servicenetworking.googleapis.com --project "$project"

# 2 and 3. the repository and the image
if [ -z "$image" ]; then
  image="$registry/$project/$repository/sluice:$tag"
  ensure gcloud artifacts repositories describe "$repository" --location "$region" --project "$project" -- \
    gcloud artifacts repositories create "$repository" --repository-format docker --location "$region" \
    --project "$project" --description "Sluice images"
  build=("$repo/scripts/docker-build.sh" --push --image "$image" --maven-arg -Djib.to.credHelper=gcloud)
  if [ "$dry_run" = true ]; then build+=(--dry-run); fi
  show "${build[@]}"
  "${build[@]}" | sed 's/^/  /'
fi

# 4. the database
ensure gcloud sql instances describe "$sql_instance" --project "$project" -- \
  gcloud sql instances create "$sql_instance" --project "$project" --region "$region" \
  --database-version POSTGRES_16 --tier "$sql_tier" --network "projects/$project/global/networks/$network" \
  --no-assign-ip --storage-auto-increase --backup-start-time 03:00 --enable-point-in-time-recovery
ensure gcloud sql databases describe sluice --instance "$sql_instance" --project "$project" -- \
  gcloud sql databases create sluice --instance "$sql_instance" --project "$project"
new_secret sluice-db-password
show gcloud sql users list --instance "$sql_instance" --project "$project" --filter name=sluice --format 'value(name)'
if [ "$dry_run" = true ]; then
  echo "# only when missing (the password is read from the secret sluice-db-password):"
  show gcloud sql users create sluice --instance "$sql_instance" --project "$project" --password '****'
elif [ -z "$(gcloud sql users list --instance "$sql_instance" --project "$project" --filter name=sluice --format 'value(name)')" ]; then
  show gcloud sql users create sluice --instance "$sql_instance" --project "$project" --password '****'
  gcloud sql users create sluice --instance "$sql_instance" --project "$project" \
    --password "$(gcloud secrets versions access latest --secret sluice-db-password --project "$project")"
fi

# 5. the master key and the configuration
new_secret sluice-master-key
ensure gcloud secrets describe sluice-config --project "$project" -- \
  gcloud secrets create sluice-config --project "$project" --replication-policy automatic
run gcloud secrets versions add sluice-config --project "$project" --data-file "$config"

# 6. the service account
ensure gcloud iam service-accounts describe "$service_account" --project "$project" -- \
  gcloud iam service-accounts create "$service-run" --project "$project" --display-name "Sluice on Cloud Run"
for secret in sluice-db-password sluice-master-key sluice-config; do
  run gcloud secrets add-iam-policy-binding "$secret" --project "$project" \
    --member "serviceAccount:$service_account" --role roles/secretmanager.secretAccessor
done
run gcloud projects add-iam-policy-binding "$project" --member "serviceAccount:$service_account" \
  --role roles/cloudsql.client --condition None

# 7. the service
show gcloud sql instances describe "$sql_instance" --project "$project" --format 'value(ipAddresses[0].ipAddress)'
if [ "$dry_run" = true ]; then
  db_host=DB_PRIVATE_IP
else
  db_host=$(gcloud sql instances describe "$sql_instance" --project "$project" --format 'value(ipAddresses[0].ipAddress)')
  [ -n "$db_host" ] || die "Cloud SQL instance $sql_instance ($connection) has no private address yet"
fi
workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
rendered=$workdir/service.yaml
sed -e "s|\${SERVICE}|$service|g" -e "s|\${REGION}|$region|g" -e "s|\${INGRESS}|$ingress|g" \
  -e "s|\${MIN_INSTANCES}|$min_instances|g" -e "s|\${MAX_INSTANCES}|$max_instances|g" \
  -e "s|\${NETWORK}|$network|g" -e "s|\${SUBNET}|$subnet|g" -e "s|\${SERVICE_ACCOUNT}|$service_account|g" \
  -e "s|\${IMAGE}|$image|g" -e "s|\${DB_HOST}|$db_host|g" "$template" >"$rendered"
# shellcheck disable=SC2016 # a literal ${ is what is searched for
if grep -v '^[[:space:]]*#' "$rendered" | grep -F '${' >&2; then die "unfilled \${...} in $template (above)"; fi
if [ "$dry_run" = true ]; then
  echo "# the service definition (deploy/gcp/service.yaml filled in):"
  sed 's/^/    /' "$rendered"
fi
# Run from the folder of the filled-in file, so the printed command is the same every time.
(cd "$workdir" && run gcloud run services replace service.yaml --region "$region" --project "$project")
run gcloud run services describe "$service" --region "$region" --project "$project" --format 'value(status.url)'
