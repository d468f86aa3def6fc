#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: `up` installs PostgreSQL from Debian's packages when
# no server binaries are found, initdb's a cluster in a temp dir, starts it on 127.0.0.1 only (a
# free port), as an unprivileged user (postgres refuses to run as root), creates a user (CREATEDB,
# CREATEROLE) and a database, and prints the URL (also written to $ONTOSYNC_PG_DIR/url). `down`
# stops it and deletes the cluster. tests/postgres_server.py reads the URL from ONTOSYNC_TEST_POSTGRES_URL.
#
#   url="$(bash .ci/postgres.sh up)"; ...; bash .ci/postgres.sh down
set -euo pipefail
dir="${ONTOSYNC_PG_DIR:-${TMPDIR:-/tmp}/ontosync-pg}"
run_as="${ONTOSYNC_PG_USER:-nobody}"

find_bin() {
  # the newest installed server's bin folder (Debian: /usr/lib/postgresql/NN/bin)
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && dirname "$(command -v initdb)" && return 0
  return 1
}

install_server() {
  echo "postgres.sh: installing PostgreSQL from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # postgresql-common would create and start a cluster of its own: ask it not to
  mkdir -p /etc/postgresql-common
  echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
  apt-get install -y -qq --no-install-recommends postgresql >&2
}

as_user() {
  # run a command as the unprivileged user when we are root, else as ourselves
  if [ "$(id -u)" = 0 ]; then
    setpriv --reuid="$run_as" --regid="$(id -g "$run_as")" --clear-groups -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

up() {
  local bin port password
  bin="$(find_bin)" || { install_server; bin="$(find_bin)"; }
  down_quiet
  mkdir -p "$dir"
  chmod 755 "$dir"
  [ "$(id -u)" = 0 ] && chown "$run_as" "$dir"
  password="$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
  printf '%s\n' "$password" > "$dir/.pw"
  [ "$(id -u)" = 0 ] && chown "$run_as" "$dir/.pw"
  chmod 600 "$dir/.pw"
  # C collation: text sorts by code point, as in SQLite and Python (the plan's merge join needs it)
  as_user "$bin/initdb" -D "$dir/data" -U ontosync_admin --pwfile="$dir/.pw" -A scram-sha-256 \
    --no-locale -E UTF8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  port="$(free_port)"
  # TLS on when openssl can make a throwaway certificate: clients that ask for it (sslmode=require,
  # tests/test_docker_postgres.py: the Action's image with the base's OpenSSL) get it
  local tls=""
  if command -v openssl >/dev/null 2>&1 && openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj "/CN=127.0.0.1" \
      -keyout "$dir/data/server.key" -out "$dir/data/server.crt" >/dev/null 2>&1; then
    chmod 600 "$dir/data/server.key"
    [ "$(id -u)" = 0 ] && chown "$run_as" "$dir/data/server.key" "$dir/data/server.crt"
    tls="-c ssl=on"
  fi
  as_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=100 -c fsync=off $tls" start >&2 \
    || { cat "$dir/server.log" >&2; exit 1; }
  echo "$bin" > "$dir/bin"
  # CREATEROLE: the tests make second roles (a read-only reader, one granted nothing) as an
  # organisation's DBA does (tests/postgres_server.reader_role); the cluster is thrown away after
  PGPASSWORD="$password" "$bin/psql" -q -h 127.0.0.1 -p "$port" -U ontosync_admin -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE USER ontosync PASSWORD '$password' CREATEDB CREATEROLE" \
    -c "CREATE DATABASE ontosync OWNER ontosync TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'" >&2
  local url="postgresql://ontosync:$password@127.0.0.1:$port/ontosync"
  printf '%s\n' "$url" > "$dir/url"
  chmod 600 "$dir/url"
  echo "$url"
}

down_quiet() {
  if [ -f "$dir/bin" ] && [ -d "$dir/data" ]; then
    as_user "$(cat "$dir/bin")/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  up) up ;;
  down) down_quiet ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
