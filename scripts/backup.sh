#!/usr/bin/env bash
# Backup and restore of the Sluice store (checkpoints, runs, dead letters, users, secrets, stored
# configurations): PostgreSQL with pg_dump/pg_restore, embedded H2 with SCRIPT/RUNSCRIPT through
# the H2 tools in the sluice jar. Every backup gets a manifest (rows per table, read back from the
# backup itself) and a SHA-256 checksum; `verify` and every restore check both.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/backup.sh backup  --url JDBC_URL --file FILE [options]
       scripts/backup.sh restore --url JDBC_URL --file FILE [--force] [options]
       scripts/backup.sh verify  --file FILE [--url JDBC_URL] [options]

backup   writes FILE (PostgreSQL: pg_dump custom format; H2: gzip SQL script), then
         FILE.manifest (engine and rows per table, counted from FILE) and FILE.sha256,
         then verifies them.
restore  verifies FILE, loads it into the database of --url and checks that every table has
         the rows the manifest lists. Refuses a database that already has tables unless --force
         (which replaces them). For embedded H2, stop Sluice first (the file is locked while open).
verify   checks FILE against FILE.sha256, counts the rows in FILE again and compares them with
         FILE.manifest; with --url also compares the database's tables with the manifest.

JDBC_URL is the store's URL as in sluice.yaml: jdbc:postgresql://HOST[:PORT]/DATABASE or
jdbc:h2:file:PATH (jdbc:h2:mem: is refused: nothing outlives the process).

Options:
  --user NAME            database user (default: postgres for PostgreSQL; for H2 none, as the store
                         opens it when sluice.yaml names no username)
  --password-file PATH   file holding the database password (default: $SLUICE_DB_PASSWORD, else none);
                         PostgreSQL gets it through PGPASSWORD, never on a command line
  --pg-bin DIR           folder of pg_dump, pg_restore and psql (default: from PATH); pg_dump must be
                         the server's major version or newer
  --jar PATH             jar with the H2 tools (default: $SLUICE_JAR, /opt/sluice/lib/sluice.jar,
                         or cli/target/sluice.jar of this checkout)
  --java PATH            java command for H2 (default: java)
  --force                restore over a database that has tables; backup over an existing FILE
  --dry-run              print the commands that would run, change nothing
  -h, --help             this help

Exit status: 0 ok, 1 failure (a verify mismatch names the table), 2 bad usage.
EOF
}

die() { echo "backup.sh: $*" >&2; exit 1; }
usage_error() { echo "backup.sh: $*" >&2; echo "Try 'scripts/backup.sh --help'." >&2; exit 2; }

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
command=
url=
file=
user=
password_file=
pg_bin=
jar=
java_cmd=java
force=false
dry_run=false

need_value() {
  if [ $# -lt 2 ] || [ -z "$2" ]; then usage_error "$1 needs a value"; fi
}

while [ $# -gt 0 ]; do
  case "$1" in
    backup|restore|verify)
      [ -z "$command" ] || usage_error "one command only, got '$command' and '$1'"
      command=$1; shift ;;
    --url) need_value "$@"; url=$2; shift 2 ;;
    --file) need_value "$@"; file=$2; shift 2 ;;
    --user) need_value "$@"; user=$2; shift 2 ;;
    --password-file) need_value "$@"; password_file=$2; shift 2 ;;
    --pg-bin) need_value "$@"; pg_bin=$2; shift 2 ;;
    --jar) need_value "$@"; jar=$2; shift 2 ;;
    --java) need_value "$@"; java_cmd=$2; shift 2 ;;
    --force) force=true; shift ;;
    --dry-run) dry_run=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done

[ -n "$command" ] || usage_error "name a command: backup, restore or verify"
[ -n "$file" ] || usage_error "$command needs --file"
if [ "$command" != verify ] && [ -z "$url" ]; then usage_error "$command needs --url"; fi

# quote ARG: the argument as a shell word (plain when safe, else single-quoted).
quote() {
  if [[ "$1" =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then
    printf '%s' "$1"
  else
    printf "'%s'" "${1//\'/\'\\\'\'}"
  fi
}

# show CMD...: prints the command as it would be typed; a password after -password is masked.
show() {
  local out="+" mask=false arg
  for arg in "$@"; do
    if [ "$mask" = true ]; then out+=" '****'"; mask=false; continue; fi
    out+=" $(quote "$arg")"
    [ "$arg" != -password ] || mask=true
  done
  echo "$out"
}

# show_pg CMD...: like show, with the password's environment variable (masked) when there is one.
show_pg() {
  if [ -n "$password" ]; then show env PGPASSWORD='****' "$@"; else show "$@"; fi
}

password=${SLUICE_DB_PASSWORD:-}
if [ -n "$password_file" ]; then
  [ -r "$password_file" ] || die "cannot read --password-file $password_file"
  password=$(<"$password_file")
fi

engine=
pg_host=''
pg_port=''
pg_db=''
pg_user=''
parse_url() {
  case "$url" in
    jdbc:postgresql://*)
      engine=postgresql
      local rest=${url#jdbc:postgresql://} authority
      rest=${rest%%\?*}
      authority=${rest%%/*}
      [ "$authority" != "$rest" ] || die "no database name in --url $url (expected jdbc:postgresql://HOST[:PORT]/DATABASE)"
      pg_db=${rest#*/}
      if [ -z "$pg_db" ] || [[ "$pg_db" == */* ]]; then die "bad database name in --url $url"; fi
      pg_host=${authority%%:*}
      pg_port=5432
      if [ "$authority" != "$pg_host" ]; then pg_port=${authority#*:}; fi
      [ -n "$pg_host" ] || die "no host in --url $url"
      [[ "$pg_port" =~ ^[0-9]+$ ]] || die "bad port '$pg_port' in --url $url"
      user=${user:-postgres} ;;
    jdbc:h2:mem:*) die "--url $url is an in-memory H2 database: there is nothing to back up or restore once its process ends" ;;
    jdbc:h2:*)
      engine=h2 ;; # the user stays empty unless given: the store's default (no username in sluice.yaml)
    *) die "unsupported --url '$url': expected jdbc:postgresql://HOST[:PORT]/DATABASE or jdbc:h2:file:PATH" ;;
  esac
}

pg() { # pg PROGRAM: the PostgreSQL client program
  if [ -n "$pg_bin" ]; then echo "$pg_bin/$1"; else echo "$1"; fi
}

pg_env() { # runs a PostgreSQL client with the password in the environment, not on the command line
  if [ -n "$password" ]; then PGPASSWORD=$password "$@"; else "$@"; fi
}

pg_conn=()
pg_setup() {
  pg_conn=(--host="$pg_host" --port="$pg_port" --username="$pg_user")
  local p
  for p in pg_dump pg_restore psql; do
    if [ "$dry_run" != true ] && ! command -v "$(pg "$p")" >/dev/null 2>&1; then
      die "$(pg "$p") not found: install the PostgreSQL client (Debian: apt-get install postgresql-client) or pass --pg-bin"
    fi
  done
}

pg_sql() { # pg_sql SQL: runs one query, unaligned tab-separated output without headers
  pg_env "$(pg psql)" -X -q -A -t -F $'\t' -v ON_ERROR_STOP=1 "${pg_conn[@]}" --dbname="$pg_db" -c "$1"
}

pg_check_versions() {
  [ "$dry_run" != true ] || return 0
  local server client
  server=$(pg_sql "SHOW server_version_num") || die "cannot connect to PostgreSQL at $pg_host:$pg_port database $pg_db as $pg_user"
  server=$((server / 10000))
  client=$("$(pg pg_dump)" --version | sed -E 's/^[^0-9]*([0-9]+).*/\1/')
  if [ "$client" -lt "$server" ]; then
    die "pg_dump $client cannot dump a PostgreSQL $server server: install the PostgreSQL $server client (or newer) and pass its folder with --pg-bin"
  fi
}

# Rows per table as "table<TAB>rows" lines, sorted by table name.
pg_live_counts() {
  local tables query="" t
  tables=$(pg_sql "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1")
  [ -n "$tables" ] || return 0
  while IFS= read -r t; do
    [ -z "$query" ] || query+=" UNION ALL "
    query+="SELECT '${t//\'/\'\'}', count(*) FROM \"${t//\"/\"\"}\""
  done <<<"$tables"
  pg_sql "$query" | LC_ALL=C sort
}

pg_file_counts() { # rows per table in a custom-format dump: the lines of each COPY block
  "$(pg pg_restore)" --file=- "$1" | awk '
    /^COPY / { table = $2; sub(/^[^.]*\./, "", table); gsub(/"/, "", table); rows = 0; copying = 1; next }
    copying && $0 == "\\." { print table "\t" rows; copying = 0; next }
    copying { rows++ }' | LC_ALL=C sort
}

h2_jar() {
  if [ -n "$jar" ]; then echo "$jar"; return; fi
  local candidate
  for candidate in "${SLUICE_JAR:-}" /opt/sluice/lib/sluice.jar "$script_dir/../cli/target/sluice.jar"; do
    if [ -n "$candidate" ] && [ -f "$candidate" ]; then echo "$candidate"; return; fi
  done
  echo /opt/sluice/lib/sluice.jar
}

h2_shell_args() { # h2_shell_args URL USER: the H2 Shell's connection arguments
  local args=(-url "$1" -user "$2")
  if [ -n "$password" ]; then args+=(-password "$password"); else args+=(-password ""); fi
  printf '%s\0' "${args[@]}"
}

h2() { # h2 URL SQL: runs SQL through org.h2.tools.Shell (printed in dry runs)
  local conn=()
  mapfile -d '' conn < <(h2_shell_args "$1" "$user")
  show "$java_cmd" -cp "$(h2_jar)" org.h2.tools.Shell "${conn[@]}" -sql "$2"
  [ "$dry_run" = true ] || "$java_cmd" -cp "$(h2_jar)" org.h2.tools.Shell "${conn[@]}" -sql "$2" >/dev/null
}

h2_query() { # h2_query URL SQL: result rows as tab-separated lines (no header, no summary)
  local conn=()
  mapfile -d '' conn < <(h2_shell_args "$1" "$user")
  "$java_cmd" -cp "$(h2_jar)" org.h2.tools.Shell "${conn[@]}" -sql "$2" \
    | awk -F' *[|] *' 'NR > 1 && !/^\([0-9]+ rows?, / { for (i = 1; i <= NF; i++) sub(/ +$/, "", $i); out = $1; for (i = 2; i <= NF; i++) out = out "\t" $i; print out }'
}

h2_live_counts() { # h2_live_counts URL: rows per table of the PUBLIC schema
  local tables query="" t
  tables=$(h2_query "$1" "SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = 'PUBLIC' AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1")
  [ -n "$tables" ] || return 0
  while IFS= read -r t; do
    [ -z "$query" ] || query+=" UNION ALL "
    query+="SELECT '${t//\'/\'\'}', COUNT(*) FROM \"PUBLIC\".\"${t//\"/\"\"}\""
  done <<<"$tables"
  h2_query "$1" "$query" | LC_ALL=C sort
}

h2_file_counts() { # restores the script into a scratch database and counts there
  local scratch
  scratch=$(mktemp -d)
  "$java_cmd" -cp "$(h2_jar)" org.h2.tools.RunScript -url "jdbc:h2:file:$scratch/verify" -user sa -password "" \
    -script "$1" -options COMPRESSION GZIP >/dev/null || { rm -rf "$scratch"; die "$1 is not a readable H2 backup"; }
  h2_live_counts "jdbc:h2:file:$scratch/verify"
  rm -rf "$scratch"
}

sql_string() { printf "'%s'" "${1//\'/\'\'}"; }

manifest_counts() { grep -v '^#' "$1.manifest" || true; }

compare_counts() { # compare_counts WHAT EXPECTED ACTUAL
  local what=$1 expected=$2 actual=$3
  if [ "$expected" != "$actual" ]; then
    echo "backup.sh: verify failed: $what differs from the manifest (< manifest, > $what):" >&2
    diff <(echo "$expected") <(echo "$actual") >&2 || true
    exit 1
  fi
}

verify_file() {
  if [ "$dry_run" = true ]; then
    echo "+ sha256sum --check $(quote "$file.sha256")"
    echo "+ (count the rows in $(quote "$file") and compare them with $(quote "$file.manifest"))"
    return 0
  fi
  [ -f "$file" ] || die "no backup at $file"
  [ -f "$file.manifest" ] || die "no manifest at $file.manifest (was $file made by backup.sh?)"
  [ -f "$file.sha256" ] || die "no checksum at $file.sha256"
  (cd "$(dirname "$file")" && sha256sum --quiet --check "$(basename "$file").sha256") \
    || die "verify failed: $file does not match its checksum $file.sha256"
  local file_engine counts
  file_engine=$(sed -n 's/^# engine=//p' "$file.manifest")
  case "$file_engine" in
    postgresql) counts=$(pg_file_counts "$file") ;;
    h2) counts=$(h2_file_counts "$file") ;;
    *) die "unknown engine '$file_engine' in $file.manifest" ;;
  esac
  compare_counts "the backup $file" "$(manifest_counts "$file")" "$counts"
  if [ -n "$engine" ] && [ "$engine" != "$file_engine" ]; then
    die "$file is a $file_engine backup, --url is $engine"
  fi
  echo "verified $file: checksum ok, $(manifest_counts "$file" | wc -l) tables, $(manifest_counts "$file" | awk -F'\t' '{ s += $2 } END { print s + 0 }') rows"
}

live_counts() {
  case "$engine" in
    postgresql) pg_live_counts ;;
    h2) h2_live_counts "$url" ;;
  esac
}

verify_database() {
  if [ "$dry_run" = true ]; then
    echo "+ (count the rows of every table of $(quote "$url") and compare them with $(quote "$file.manifest"))"
    return 0
  fi
  compare_counts "the database $url" "$(manifest_counts "$file")" "$(live_counts)"
  echo "verified $url: every table has the rows of $file.manifest"
}

write_manifest_and_checksum() {
  if [ "$dry_run" = true ]; then
    echo "+ (write $(quote "$file.manifest"): rows per table counted from $(quote "$file"))"
    echo "+ sha256sum $(quote "$(basename "$file")") > $(quote "$file.sha256")"
    return 0
  fi
  local counts
  case "$engine" in
    postgresql) counts=$(pg_file_counts "$file") ;;
    h2) counts=$(h2_file_counts "$file") ;;
  esac
  { echo "# engine=$engine"; echo "# sluice store backup; rows per table (tab-separated)"; [ -z "$counts" ] || echo "$counts"; } >"$file.manifest"
  (cd "$(dirname "$file")" && sha256sum "$(basename "$file")" >"$(basename "$file").sha256")
}

[ -z "$url" ] || parse_url
pg_user=$user
[ "$engine" != postgresql ] || pg_setup

case "$command" in
  backup)
    if [ -e "$file" ] && [ "$force" != true ]; then die "$file exists: pass --force to overwrite it"; fi
    [ "$dry_run" = true ] || mkdir -p "$(dirname "$file")"
    case "$engine" in
      postgresql)
        pg_check_versions
        show_pg "$(pg pg_dump)" "${pg_conn[@]}" --dbname="$pg_db" --format=custom --no-owner --no-privileges --file="$file"
        [ "$dry_run" = true ] || pg_env "$(pg pg_dump)" "${pg_conn[@]}" --dbname="$pg_db" --format=custom --no-owner --no-privileges --file="$file.tmp"
        ;;
      h2)
        [ "$dry_run" = true ] || rm -f "$file.tmp"
        h2 "$url;IFEXISTS=TRUE" "SCRIPT TO $(sql_string "$file.tmp") COMPRESSION GZIP"
        ;;
    esac
    [ "$dry_run" = true ] || mv -f "$file.tmp" "$file"
    write_manifest_and_checksum
    verify_file
    ;;
  restore)
    verify_file
    case "$engine" in
      postgresql)
        pg_check_versions
        if [ "$dry_run" != true ]; then
          existing=$(pg_sql "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()")
          if [ "$existing" -gt 0 ] && [ "$force" != true ]; then
            die "database $pg_db at $pg_host:$pg_port already has $existing tables: pass --force to replace them"
          fi
        fi
        show_pg "$(pg pg_restore)" "${pg_conn[@]}" --dbname="$pg_db" --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error "$file"
        [ "$dry_run" = true ] || pg_env "$(pg pg_restore)" "${pg_conn[@]}" --dbname="$pg_db" --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error "$file"
        ;;
      h2)
        if [ "$dry_run" != true ]; then
          existing=$(h2_live_counts "$url" | wc -l)
          if [ "$existing" -gt 0 ] && [ "$force" != true ]; then
            die "H2 database $url already has $existing tables: pass --force to replace them"
          fi
        fi
        h2 "$url" "DROP ALL OBJECTS; RUNSCRIPT FROM $(sql_string "$file") COMPRESSION GZIP"
        ;;
    esac
    verify_database
    ;;
  verify)
    verify_file
    [ -z "$url" ] || verify_database
    ;;
esac
