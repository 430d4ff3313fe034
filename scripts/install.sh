#!/usr/bin/env bash
# Installs the `sluice` command on a Linux host: the all-in-one jar, a wrapper command, a system
# user, a configuration folder, a data folder and a systemd unit that runs `sluice serve`.
# Idempotent: a second run with the same options changes nothing (files are rewritten only when
# their content differs; an existing configuration is never overwritten).
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/install.sh [options]

Installs Sluice as a systemd service:
  PREFIX/lib/sluice.jar            the all-in-one jar (from --jar)
  BIN_DIR/sluice                   a wrapper command: java -jar PREFIX/lib/sluice.jar "$@"
  CONFIG_DIR/sluice.yaml           a starting configuration (only when absent; never overwritten)
  CONFIG_DIR/sluice.env            environment for the service, e.g. SLUICE_MASTER_KEY (0600, only when absent)
  DATA_DIR                         the working folder of the service (embedded H2 store: DATA_DIR/data)
  /etc/systemd/system/sluice.service
and a system user that owns DATA_DIR. Running it again changes nothing.

Options:
  --jar PATH         jar to install (default: cli/target/sluice.jar of this checkout)
  --prefix DIR       install folder (default: /opt/sluice)
  --bin-dir DIR      folder of the wrapper command (default: /usr/local/bin)
  --config-dir DIR   configuration folder (default: /etc/sluice)
  --data-dir DIR     data and working folder (default: /var/lib/sluice)
  --user NAME        system user the service runs as (default: sluice)
  --port N           HTTP port of `sluice serve` (default: 8080)
  --java PATH        java command the wrapper runs (default: java from PATH)
  --root DIR         install under DIR as if it were / (a staging tree or a test): all files go
                     below DIR, and useradd, chown and systemctl are skipped (each is printed)
  --no-systemd       do not write the unit nor call systemctl
  --dry-run          print what would be done, change nothing
  -h, --help         this help

Exit status: 0 on success (also when nothing had to change), 2 on bad usage, 1 on failure.
EOF
}

die() { echo "install.sh: $*" >&2; exit 1; }
usage_error() { echo "install.sh: $*" >&2; echo "Try 'scripts/install.sh --help'." >&2; exit 2; }

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
jar="$script_dir/../cli/target/sluice.jar"
prefix=/opt/sluice
bin_dir=/usr/local/bin
config_dir=/etc/sluice
data_dir=/var/lib/sluice
user=sluice
port=8080
java_cmd=java
root=
systemd=true
dry_run=false

need_value() {
  if [ $# -lt 2 ] || [ -z "$2" ]; then usage_error "$1 needs a value"; fi
}

while [ $# -gt 0 ]; do
  case "$1" in
    --jar) need_value "$@"; jar=$2; shift 2 ;;
    --prefix) need_value "$@"; prefix=$2; shift 2 ;;
    --bin-dir) need_value "$@"; bin_dir=$2; shift 2 ;;
    --config-dir) need_value "$@"; config_dir=$2; shift 2 ;;
    --data-dir) need_value "$@"; data_dir=$2; shift 2 ;;
    --user) need_value "$@"; user=$2; shift 2 ;;
    --port) need_value "$@"; port=$2; shift 2 ;;
    --java) need_value "$@"; java_cmd=$2; shift 2 ;;
    --root) need_value "$@"; root=$2; shift 2 ;;
    --no-systemd) systemd=false; shift ;;
    --dry-run) dry_run=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage_error "unknown option: $1" ;;
  esac
done

for dir_option in "prefix:$prefix" "bin-dir:$bin_dir" "config-dir:$config_dir" "data-dir:$data_dir"; do
  case "${dir_option#*:}" in
    /*) ;;
    *) usage_error "--${dir_option%%:*} must be an absolute path, got '${dir_option#*:}'" ;;
  esac
done
[[ "$user" =~ ^[a-z_][a-z0-9_-]*$ ]] || usage_error "--user must be a system user name ([a-z_][a-z0-9_-]*), got '$user'"
if ! [[ "$port" =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
  usage_error "--port must be 1..65535, got '$port'"
fi
[ -f "$jar" ] || die "no jar at $jar: build it first (mvn -B -DskipTests -pl cli -am package) or pass --jar"
if [ -n "$root" ]; then
  if [ "$dry_run" = true ] && [ ! -d "$root" ]; then
    root_abs=$root
  else
    mkdir -p "$root"
    root_abs=$(cd "$root" && pwd)
  fi
  [ "$root_abs" != / ] || usage_error "--root / is the real system: leave --root out instead"
  root=$root_abs
fi

unit_name=sluice.service
unit_path=/etc/systemd/system/$unit_name
changes=0

# say ACTION: every change, and in a dry run every change that would be made, is one line.
say() {
  if [ "$dry_run" = true ]; then echo "would $*"; else echo "$*"; fi
}

# ensure_dir MODE PATH: creates the folder (under the root) when missing.
ensure_dir() {
  local mode=$1 path=$root$2
  if [ ! -d "$path" ]; then
    say "create folder $path (mode $mode)"
    changes=$((changes + 1))
    [ "$dry_run" = true ] || install -d -m "$mode" "$path"
  fi
}

# ensure_file MODE PATH SOURCE [keep]: copies SOURCE to PATH when the content differs or PATH is
# missing; with "keep", an existing PATH is left alone whatever it holds.
ensure_file() {
  local mode=$1 path=$root$2 source=$3 keep=${4:-}
  if [ -e "$path" ]; then
    if [ "$keep" = keep ] || cmp -s "$source" "$path"; then
      return 0
    fi
    say "update $path"
  else
    say "write $path (mode $mode)"
  fi
  changes=$((changes + 1))
  if [ "$dry_run" != true ]; then
    install -m "$mode" "$source" "$path.tmp.$$"
    mv -f "$path.tmp.$$" "$path"
  fi
}

# system ACTION...: a command that changes the real system; skipped (and printed) with --root.
system() {
  if [ -n "$root" ]; then
    echo "skipped (--root): $*"
  elif [ "$dry_run" = true ]; then
    echo "would run: $*"
  else
    echo "run: $*"
    "$@"
  fi
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/wrapper" <<EOF
#!/bin/sh
# The sluice command, installed by scripts/install.sh. JAVA and SLUICE_JAVA_OPTS are honoured.
# shellcheck disable=SC2086
exec "\${JAVA:-$java_cmd}" \${SLUICE_JAVA_OPTS:-} -jar "$prefix/lib/sluice.jar" "\$@"
EOF

cat >"$work/config" <<EOF
# Sluice configuration (installed by scripts/install.sh; edit freely, it is never overwritten).
# State lives in the embedded H2 database below $data_dir; for a shared PostgreSQL store use
#   store: { type: jdbc, url: "jdbc:postgresql://db:5432/sluice", username: sluice, password: "\${env:SLUICE_DB_PASSWORD}" }
store: { jdbc: "jdbc:h2:file:$data_dir/data/sluice" }
pipelines: {}
EOF

cat >"$work/env" <<'EOF'
# Environment of the sluice service (read by systemd; mode 0600). For example:
# SLUICE_MASTER_KEY=...      the passphrase of the secrets in the store (secrets.key)
# SLUICE_DB_PASSWORD=...     a database password the configuration reads with ${env:...}
# SLUICE_JAVA_OPTS=-Xmx512m
EOF

cat >"$work/unit" <<EOF
[Unit]
Description=Sluice data routing (sluice serve)
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
User=$user
Group=$user
EnvironmentFile=-$config_dir/sluice.env
WorkingDirectory=$data_dir
ExecStart=$bin_dir/sluice serve --config $config_dir/sluice.yaml --port $port
SuccessExitStatus=143
Restart=on-failure
RestartSec=5
TimeoutStopSec=60
NoNewPrivileges=true
ProtectSystem=strict
ProtectHome=true
PrivateTmp=true
ReadWritePaths=$data_dir

[Install]
WantedBy=multi-user.target
EOF

if [ "$dry_run" = true ]; then
  echo "dry run: nothing is changed"
fi

if [ -z "$root" ]; then
  if id -u "$user" >/dev/null 2>&1; then
    :
  else
    changes=$((changes + 1))
    system useradd --system --user-group --home-dir "$data_dir" --no-create-home --shell /usr/sbin/nologin "$user"
  fi
else
  system useradd --system --user-group --home-dir "$data_dir" --no-create-home --shell /usr/sbin/nologin "$user"
fi

ensure_dir 0755 "$prefix"
ensure_dir 0755 "$prefix/lib"
ensure_file 0644 "$prefix/lib/sluice.jar" "$jar"
ensure_dir 0755 "$bin_dir"
ensure_file 0755 "$bin_dir/sluice" "$work/wrapper"
ensure_dir 0755 "$config_dir"
ensure_file 0644 "$config_dir/sluice.yaml" "$work/config" keep
ensure_file 0600 "$config_dir/sluice.env" "$work/env" keep
ensure_dir 0750 "$data_dir"

if [ -n "$root" ]; then
  system chown -R "$user:$user" "$data_dir"
elif [ "$(stat -c %U "$data_dir" 2>/dev/null || echo none)" != "$user" ]; then
  changes=$((changes + 1))
  system chown -R "$user:$user" "$data_dir"
fi

if [ "$systemd" = true ]; then
  unit_changes=$changes
  ensure_dir 0755 /etc/systemd/system
  ensure_file 0644 "$unit_path" "$work/unit"
  if [ "$changes" -ne "$unit_changes" ] || [ -n "$root" ]; then
    system systemctl daemon-reload
  fi
  if [ -n "$root" ]; then
    system systemctl enable "$unit_name"
  elif ! systemctl is-enabled --quiet "$unit_name" 2>/dev/null; then
    changes=$((changes + 1))
    system systemctl enable "$unit_name"
  fi
fi

if [ "$changes" -eq 0 ]; then
  echo "nothing to change: Sluice is installed"
elif [ "$dry_run" = true ]; then
  echo "dry run: $changes change(s) would be made"
else
  echo "installed: $changes change(s); start it with: systemctl start $unit_name"
fi
