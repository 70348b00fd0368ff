#!/bin/sh
# failclosed's clone hook (run --clone-cmd; docs/operating.md, "P07 on your own lane: the clone
# hook") for a lane whose clone is a real PostgreSQL database and whose production identities are
# in a JSON configuration file the lane reads per rehearsal (or reloads on LANE_RELOAD).
#
#   CLONE_ADMIN_URL  a connection to the clone that may write failclosed_clone (from the
#                    environment, never the command line: it may hold a password)
#   LANE_CONFIG      the lane's configuration, with "production": {"databases": [...]}
#   LANE_RELOAD      optional: a command that makes the lane re-read it (systemctl reload my-lane)
#   STATE            optional: where the clean state is kept (default $LANE_CONFIG.clean)
set -eu
: "${CLONE_ADMIN_URL:?}" "${LANE_CONFIG:?}"
STATE="${STATE:-$LANE_CONFIG.clean}"
request=$(head -c 1048576)
field() { printf '%s' "$request" | jq -er "$@"; }
sql() { psql "$CLONE_ADMIN_URL" -X -q -t -A -v ON_ERROR_STOP=1 "$@"; }
marker_sql() { # $1: the marker JWS, or empty for none
  if [ -z "$1" ]; then echo 'DROP SCHEMA IF EXISTS failclosed_clone CASCADE;'; else
    printf "CREATE SCHEMA IF NOT EXISTS failclosed_clone; CREATE TABLE IF NOT EXISTS failclosed_clone.marker (id integer PRIMARY KEY CHECK (id = 1), jws text NOT NULL); INSERT INTO failclosed_clone.marker VALUES (1, '%s') ON CONFLICT (id) DO UPDATE SET jws = EXCLUDED.jws;" "$1"
  fi
}
reload() { if [ -n "${LANE_RELOAD:-}" ]; then sh -c "$LANE_RELOAD" >&2; fi; }
[ "$(field .v)" = 1 ] || { echo "not protocol version 1" >&2; exit 1; }
case "$(field .op)" in
describe)
  jq -cn --arg db "$(sql -c 'SELECT current_database()')" '{v:1,ok:true,database:$db}' ;;
prepare)
  if [ ! -e "$STATE" ]; then # the clean marker and configuration, kept once
    old=$(sql -c "SELECT jws FROM failclosed_clone.marker WHERE id = 1" 2>/dev/null || true)
    umask 077; jq -n --arg m "$old" --rawfile c "$LANE_CONFIG" '{marker:$m,config:$c}' > "$STATE"
  fi
  marker=$(field '.marker_b64 // empty' | base64 -d; true)
  # A JWS is base64url and dots only: anything else is refused, never quoted into SQL.
  printf '%s' "$marker" | grep -qv '[^A-Za-z0-9_.-]' || [ -z "$marker" ] || { echo "not a JWS" >&2; exit 1; }
  sql -c "$(marker_sql "$marker")"
  jq -r .config "$STATE" | jq --argjson add "$(field -c .production_databases)" \
    '.production.databases = (.production.databases + $add | unique)' > "$LANE_CONFIG.tmp"
  mv "$LANE_CONFIG.tmp" "$LANE_CONFIG"; reload
  echo '{"v":1,"ok":true}' ;;
restore)
  if [ -e "$STATE" ]; then
    jq -j .config "$STATE" > "$LANE_CONFIG.tmp" && mv "$LANE_CONFIG.tmp" "$LANE_CONFIG"
    sql -c "$(marker_sql "$(jq -r .marker "$STATE")")"; reload; rm -f "$STATE"
  fi
  echo '{"v":1,"ok":true}' ;;
*) echo "unknown op" >&2; exit 1 ;;
esac
