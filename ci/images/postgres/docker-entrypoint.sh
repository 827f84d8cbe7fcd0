#!/bin/sh
# Entrypoint of the CI stand-in for postgres:16 (ci/images/postgres/Dockerfile).
# On the first start (no PG_VERSION in $PGDATA): initdb with POSTGRES_USER as the
# superuser (default postgres) and POSTGRES_PASSWORD (required) as its password,
# then CREATE DATABASE POSTGRES_DB (default: POSTGRES_USER) on a socket-only server.
# Then, and on every later start, exec the command as the postgres user:
# `postgres` listening on every interface. Any other command runs as given.
set -eu

if [ "${1:-}" != postgres ]; then
  exec "$@"
fi

: "${PGDATA:=/var/lib/postgresql/data}"
POSTGRES_USER=${POSTGRES_USER:-postgres}
POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}

as_postgres() {
  setpriv --reuid=postgres --regid=postgres --init-groups "$@"
}

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "error: the database is uninitialised and POSTGRES_PASSWORD is not set" >&2
    exit 1
  fi
  password_file=$(mktemp)
  chown postgres "$password_file"
  printf '%s\n' "$POSTGRES_PASSWORD" >"$password_file"
  as_postgres initdb --username="$POSTGRES_USER" --pwfile="$password_file" \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 >/dev/null
  rm -f "$password_file"
  printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
  # Socket only while initialising: TCP clients (and pg_isready -h) wait for the real start.
  as_postgres pg_ctl --silent --wait -D "$PGDATA" -o "-c listen_addresses=''" start
  if [ "$POSTGRES_DB" != postgres ]; then
    as_postgres psql --quiet --no-psqlrc -v ON_ERROR_STOP=1 --username="$POSTGRES_USER" \
      --dbname=postgres --set=db="$POSTGRES_DB" <<'SQL'
CREATE DATABASE :"db";
SQL
  fi
  as_postgres pg_ctl --silent --wait -D "$PGDATA" -m fast stop
  echo "initialised $PGDATA: superuser $POSTGRES_USER, database $POSTGRES_DB" >&2
fi

shift
exec setpriv --reuid=postgres --regid=postgres --init-groups \
  postgres -D "$PGDATA" -c listen_addresses='*' "$@"
