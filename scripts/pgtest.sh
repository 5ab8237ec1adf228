#!/usr/bin/env bash
# A private PostgreSQL 15 for the tests: `scripts/pgtest.sh start DIR PORT` initialises DIR (as the `postgres`
# user: initdb refuses root), listens on 127.0.0.1:PORT only with trust auth (local test use), creates the role
# and database `winnow` and prints the URL; `scripts/pgtest.sh stop DIR` stops it; `scripts/pgtest.sh run DIR
# PORT COMMAND...` starts it, runs COMMAND with WINNOW_TEST_PG set to its URL and stops it however COMMAND ends
# (failure, Ctrl-C), with COMMAND's exit status. Installs Debian's postgresql package when it is missing.
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?data directory}; port=${3:-55432}
bin=/usr/lib/postgresql/15/bin
as_pg() { if [ "$(id -un)" = postgres ]; then "$@"; elif [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); \
          else "$@"; fi; }
case "$cmd" in
start)
  if [ ! -x "$bin/initdb" ]; then
    SUDO=$(test "$(id -u)" = 0 || echo sudo)
    { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql-15; } >&2
  fi
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; chmod 700 "$dir"; fi
  if [ ! -f "$dir/PG_VERSION" ]; then
    as_pg "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off -c max_connections=200" \
      >/dev/null
  fi
  psql=( "$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 )
  if [ -z "$("${psql[@]}" -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'winnow'")" ]; then
    "${psql[@]}" -c "CREATE ROLE winnow LOGIN CREATEDB"
  fi
  if [ -z "$("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = 'winnow'")" ]; then
    "${psql[@]}" -c "CREATE DATABASE winnow OWNER winnow"
  fi
  echo "postgresql://winnow@127.0.0.1:$port/winnow"
  ;;
run)
  shift 3
  url=$(bash "$0" start "$dir" "$port" | tail -n 1)
  trap 'bash "$0" stop "$dir"' EXIT
  trap 'exit 130' INT TERM
  set +e
  WINNOW_TEST_PG="$url" "$@"
  exit $?
  ;;
stop)
  if [ -f "$dir/postmaster.pid" ]; then as_pg "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null || true; fi
  ;;
*) echo "usage: $0 start|stop|run DIR [PORT [COMMAND...]]" >&2; exit 2 ;;
esac
