# A throwaway PostgreSQL cluster on a free port, for tests and benchmarks. Source this file,
# call start_throwaway_postgres; PG_URL then points at it, and it is stopped and removed when
# the calling shell exits. Needs Debian's postgresql package (apt-get install postgresql).
# Tests run it with fsync off (nothing there needs to survive a power cut); benchmarks set
# PG_FSYNC=on so that a commit is as durable as in production.

start_throwaway_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "PostgreSQL is not installed: apt-get install postgresql (or set PROEVE_TEST_DATABASE_URL)" >&2
    return 1
  fi
  PG_DIR=$(mktemp -d /tmp/proeve-pg.XXXXXX)
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  local as=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$PG_DIR"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$bin/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  "${as[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=${PG_FSYNC:-off}" start >/dev/null
  PG_STOP=("${as[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -m immediate stop)
  trap 'stop_throwaway_postgres' EXIT
  PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
  export PG_URL
  echo "throwaway PostgreSQL on port $port"
}

stop_throwaway_postgres() {
  "${PG_STOP[@]}" >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
