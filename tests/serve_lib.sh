# serve_lib.sh — starting and stopping diarium-serve for the e2e tests
# (sourced after lib_e2e.sh; not a test of its own).
#
#   serve_start DB [OPTION...]  starts diarium-serve on a free loopback
#                               port; sets SRV_PID, SRV_URL, SRV_PORT
#   serve_stop                  SIGTERM, and requires exit status 0

SRV=$DIARIUM_BIN_DIR/diarium-serve
[ -x "$SRV" ] || fail "program not found: $SRV"

serve_start() {
    local db=$1
    shift
    SRV_LOG=$WORK/serve.log
    : >"$SRV_LOG"
    "$SRV" --db "$db" --listen 127.0.0.1:0 "$@" 2>"$SRV_LOG" &
    SRV_PID=$!
    local i
    for i in $(seq 1 200); do
        SRV_URL=$(sed -n 's/^diarium-serve: serving .* on \(http:[^ ]*\)$/\1/p' "$SRV_LOG")
        [ -n "$SRV_URL" ] && break
        kill -0 "$SRV_PID" 2>/dev/null || fail "diarium-serve exited at start: $(head -c 500 "$SRV_LOG")"
        sleep 0.05
    done
    [ -n "$SRV_URL" ] || fail "diarium-serve did not say where it listens: $(head -c 500 "$SRV_LOG")"
    SRV_PORT=${SRV_URL##*:}
    SRV_PORT=${SRV_PORT%/}
    trap 'kill "$SRV_PID" 2>/dev/null; e2e_cleanup' EXIT
}

serve_stop() {
    kill -TERM "$SRV_PID"
    local rc=0
    wait "$SRV_PID" || rc=$?
    [ "$rc" -eq 0 ] || fail "diarium-serve exited $rc after SIGTERM: $(head -c 500 "$SRV_LOG")"
    ok "diarium-serve exits 0 on SIGTERM"
    trap e2e_cleanup EXIT
}
