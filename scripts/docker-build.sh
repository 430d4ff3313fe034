#!/usr/bin/env bash
# Builds the Sluice container image: with Jib through Maven by default (no Docker daemon needed),
# or with the Dockerfile and `docker build` (--docker).
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/docker-build.sh [options]

Jib (default; the cli module's `jib` profile, see cli/pom.xml):
  writes the image as a tar (cli/target/jib-image.tar) unless --push or --daemon says otherwise.
Docker (--docker): docker build with ./Dockerfile from cli/target/sluice.jar (built first).

Options:
  --image NAME:TAG     image name (default: sluice:VERSION, VERSION from the project)
  --push               push to the registry of --image (Jib: jib:build; Docker: docker push)
  --daemon             Jib: load into the local Docker daemon (jib:dockerBuild)
  --docker             build with the Dockerfile instead of Jib
  --base IMAGE         base image (default: the one in cli/pom.xml or the Dockerfile)
  --local-runtime      Jib only, for machines that cannot pull a base image: build on `scratch`
                       with a jlink-ed Java runtime of this machine's JDK (JAVA_HOME, with jmods)
                       and the system libraries it links (Linux/glibc, same CPU architecture)
  --revision REV       the org.opencontainers.image.revision label (default: git HEAD, else unknown)
  --skip-package       do not build the jar/classes first (they must exist)
  --maven-arg ARG      one more argument for Maven (repeatable), e.g. --maven-arg -o
  --dry-run            print the commands that would run, change nothing
  -h, --help           this help
EOF
}

die() { echo "docker-build.sh: $*" >&2; exit 1; }
usage_error() { echo "docker-build.sh: $*" >&2; echo "Try 'scripts/docker-build.sh --help'." >&2; exit 2; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
image=
mode=tar
use_docker=false
base=
local_runtime=false
revision=
package=true
maven_args=()
dry_run=false

need_value() {
  if [ $# -lt 2 ] || [ -z "$2" ]; then usage_error "$1 needs a value"; fi
}

while [ $# -gt 0 ]; do
  case "$1" in
    --image) need_value "$@"; image=$2; shift 2 ;;
    --push) mode=push; shift ;;
    --daemon) mode=daemon; shift ;;
    --docker) use_docker=true; shift ;;
    --base) need_value "$@"; base=$2; shift 2 ;;
    --local-runtime) local_runtime=true; shift ;;
    --revision) need_value "$@"; revision=$2; shift 2 ;;
    --skip-package) package=false; shift ;;
    --maven-arg) need_value "$@"; maven_args+=("$2"); shift 2 ;;
    --dry-run) dry_run=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage_error "unknown option: $1" ;;
  esac
done

if [ "$use_docker" = true ] && [ "$local_runtime" = true ]; then usage_error "--local-runtime is for Jib, not --docker"; fi
if [ "$use_docker" = true ] && [ "$mode" = daemon ]; then usage_error "--daemon is for Jib; docker build always loads into the daemon"; fi
if [ "$local_runtime" = true ] && [ -n "$base" ]; then usage_error "--local-runtime builds on scratch: leave --base out"; fi
if [ -n "$image" ] && ! [[ "$image" =~ ^[a-z0-9]([a-z0-9._/:-]*[a-z0-9])?(@sha256:[0-9a-f]{64})?$ ]]; then
  usage_error "--image must look like [REGISTRY/]NAME:TAG, got '$image'"
fi
if [ -n "$image" ] && [[ "${image##*/}" != *:* ]]; then usage_error "--image needs a tag (NAME:TAG), got '$image'"; fi
if [ -n "$image" ] && [[ "$image" == *:latest ]]; then usage_error "--image: use a version tag, not latest"; fi

version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$repo/pom.xml" | head -n 1)
[ -n "$version" ] || die "cannot read the project version from $repo/pom.xml"
image=${image:-sluice:$version}
if [ -z "$revision" ]; then
  revision=$(git -C "$repo" rev-parse HEAD 2>/dev/null || echo unknown)
fi

quote() {
  if [[ "$1" =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then printf '%s' "$1"; else printf "'%s'" "${1//\'/\'\\\'\'}"; fi
}
run() {
  local out="+" arg
  for arg in "$@"; do out+=" $(quote "$arg")"; done
  echo "$out"
  [ "$dry_run" = true ] || "$@"
}

# The runtime for --local-runtime: DIR gets opt/java (jlink), the shared libraries the runtime
# links, etc/passwd and etc/group with the image's user, and tmp.
build_local_runtime() {
  local dir=$1 java_home=${JAVA_HOME:-}
  if [ -z "$java_home" ]; then java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")"); fi
  [ -x "$java_home/bin/jlink" ] || die "--local-runtime needs a JDK (jlink); $java_home has none: set JAVA_HOME"
  command -v ldd >/dev/null || die "--local-runtime needs ldd (glibc)"
  # JDKs without jmods (JDK 24+ built with JEP 493) link from their own run-time image.
  local module_path=()
  if [ -d "$java_home/jmods" ]; then module_path=(--module-path "$java_home/jmods"); fi
  run rm -rf "$dir"
  run "$java_home/bin/jlink" "${module_path[@]}" \
    --add-modules java.se,jdk.unsupported,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.zipfs,jdk.httpserver,jdk.management,jdk.net,jdk.naming.dns,jdk.charsets \
    --strip-debug --no-man-pages --no-header-files --compress=2 --output "$dir/opt/java"
  echo "+ (copy the shared libraries that $dir/opt/java links, from ldd, into $dir)"
  if [ "$dry_run" != true ]; then
    local lib
    # GUI and sound libraries (X11, ALSA) are left out: a server never loads them (headless).
    find "$dir/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) \
      ! -name libawt_xawt.so ! -name libsplashscreen.so ! -name libjsound.so ! -name libjawt.so -print0 \
      | xargs -0 ldd 2>/dev/null \
      | awk '/=> \// { print $3 } /^\t\/[^ ]+ \(0x/ { print $1 }' \
      | sort -u \
      | while IFS= read -r lib; do
          mkdir -p "$dir$(dirname "$lib")"
          cp -L "$lib" "$dir$lib"
        done
    mkdir -p "$dir/etc" "$dir/tmp" "$dir/proc" "$dir/config" "$dir/var/lib/sluice"
    printf 'root:x:0:0:root:/root:/sbin/nologin\nsluice:x:10001:10001:sluice:/var/lib/sluice:/sbin/nologin\n' >"$dir/etc/passwd"
    printf 'root:x:0:\nsluice:x:10001:\n' >"$dir/etc/group"
  fi
}

cd "$repo"
if [ "$use_docker" = true ]; then
  if [ "$package" = true ]; then
    run mvn -B -pl cli -am -DskipTests "${maven_args[@]}" package
  fi
  docker_args=(build --file Dockerfile --tag "$image" --build-arg "VERSION=$version" --build-arg "REVISION=$revision")
  if [ -n "$base" ]; then docker_args+=(--build-arg "JRE_IMAGE=$base"); fi
  run docker "${docker_args[@]}" .
  if [ "$mode" = push ]; then run docker push "$image"; fi
  exit 0
fi

case "$mode" in
  tar) goal=buildTar ;;
  push) goal=build ;;
  daemon) goal=dockerBuild ;;
esac
jib_args=(-Pjib "-Dsluice.image=$image" "-Dsluice.image.revision=$revision" -Djib.disableUpdateChecks=true)
if [ -n "$base" ]; then jib_args+=("-Dsluice.image.base=$base"); fi
if [ "$local_runtime" = true ]; then
  runtime="$repo/cli/target/jib-runtime"
  build_local_runtime "$runtime"
  jib_args+=(-Dsluice.image.base=scratch
    "-Djib.extraDirectories.paths=$repo/deploy/docker/rootfs,$runtime"
    "-Djib.extraDirectories.permissions=/opt/sluice/bin/healthcheck.sh=755,/opt/java/bin/*=755,/opt/java/lib/jspawnhelper=755,/lib64/*=755,/tmp=777"
    "-Djib.container.environment=JAVA_HOME=/opt/java,PATH=/opt/java/bin:/usr/bin:/bin")
fi
# The full plugin coordinates work in the whole reactor (-am); jib.containerize limits the image to the cli.
mvn_args=(-B -pl cli)
if [ "$package" = true ]; then mvn_args+=(-am -DskipTests package); fi
run mvn "${mvn_args[@]}" "${maven_args[@]}" "${jib_args[@]}" -Djib.containerize=dev.sluice:sluice-cli \
  "com.google.cloud.tools:jib-maven-plugin:3.5.2:$goal"
if [ "$mode" = tar ] && [ "$dry_run" != true ]; then
  echo "image $image written to cli/target/jib-image.tar (load it with: docker load --input cli/target/jib-image.tar)"
fi
