# Sourced by .ci/run (and usable alone: `source .ci/postgres.sh; pg_start`):
# a throwaway PostgreSQL server for the tests, on a Unix socket in a
# temporary directory (no TCP port to clash with), fsync off.
#
# pg_start installs the Debian package only where no initdb is found,
# initialises a cluster as the postgres user (initdb refuses root), starts
# it, waits until it accepts connections, and exports
#   BRIEFBOT_TEST_DATABASE_URL  the server's URL (superuser, database postgres)
#   BRIEFBOT_REQUIRE_POSTGRES=1 so that PostgreSQL tests fail, not skip,
#                               when the server cannot be reached.
# pg_stop stops the server and removes its directory; pg_start arranges for
# it to run on exit, also on failure.

pg_bin() {
	local initdb
	initdb=$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
	if [ -z "$initdb" ]; then
		echo "postgres: no initdb found; installing postgresql" >&2
		DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql </dev/null >&2
		initdb=$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)
	fi
	dirname "$initdb"
}

# as_pg runs a command as the postgres user when we are root (initdb and
# postgres refuse to run as root), as ourselves otherwise.
as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	local bin
	bin=$(pg_bin)
	PG_DIR=$(mktemp -d /tmp/briefbot-pg.XXXXXX)
	chmod 755 "$PG_DIR"
	if [ "$(id -u)" = 0 ]; then
		chown postgres: "$PG_DIR"
	fi
	trap pg_stop EXIT
	as_pg "$bin/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 ||
		{ cat "$PG_DIR/initdb.log" >&2; return 1; }
	as_pg "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
		-o "-c listen_addresses='' -c unix_socket_directories='$PG_DIR' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
		start >/dev/null ||
		{ cat "$PG_DIR/server.log" >&2; return 1; }
	local i
	for i in $(seq 1 60); do
		if "$bin/pg_isready" -q -h "$PG_DIR" -U postgres; then
			break
		fi
		sleep 0.5
	done
	"$bin/pg_isready" -h "$PG_DIR" -U postgres >&2
	PG_BIN=$bin
	export BRIEFBOT_TEST_DATABASE_URL="postgres://postgres@/postgres?host=$PG_DIR"
	export BRIEFBOT_REQUIRE_POSTGRES=1
	echo "postgres: ready at $BRIEFBOT_TEST_DATABASE_URL" >&2
}

pg_stop() {
	local rc=$?
	if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
		as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	if [ -n "${PG_DIR:-}" ]; then
		rm -rf "$PG_DIR"
	fi
	PG_DIR=
	return $rc
}
