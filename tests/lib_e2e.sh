# lib_e2e.sh — helpers for the end-to-end tests tests/e2e_*.sh.
#
# Sourced (not run) by each script; deliberately NOT named e2e_*.sh, so that
# tests/CMakeLists.txt does not pick it up as a test of its own. Its Python
# side — the document generator, the damage maker and the checks of JSON,
# CSV and reports that would otherwise be Python inside Bash strings — is
# tests/e2e_lib.py ($E2E_PY).
#
# Environment (set by ctest, see tests/CMakeLists.txt):
#   DIARIUM_SOURCE_DIR  repository root
#   DIARIUM_BIN_DIR     folder holding diarium-index and diarium-query
#   DIARIUM_SHARED_DIR  the project's ../shared (may not exist)
#   DIARIUM_TEST_DATA   tests/data
# When run by hand, the defaults are derived from this file's location and
# ./build/bin.
#
# Conventions: a script stops at the first failed check (exit 1), printing
# what was run, what was expected and what was seen; it ends with
# e2e_done, which prints "N passed, 0 failed". Exit 77 means skipped.
#
# Helpers (all run programs with a time limit; a program killed by a
# signal — exit status >= 128 — always fails the check):
#   run CMD...                 run, output in $OUT / $ERR (files), status in $RC
#   expect_status N CMD...     run and require exit status N
#   expect_contains WHERE S    WHERE: stdout, stderr or a file; fixed string S
#   expect_not_contains WHERE S
#   expect_icontains WHERE S   case-insensitive
#   expect_match WHERE ERE     grep -E
#   expect_summary WHERE N W   the summary says "N W" ("15 added")
#   expect_lines WHERE N       exactly N lines
#   expect_eq LABEL EXPECTED GOT
#   expect_py LABEL CODE [ARG...]  python3 CODE with the last stdout on stdin;
#                              passes when it exits 0; what it prints is shown
#                              on failure
#   py CODE [ARG...]           python3 CODE on the last stdout, printing
#   get_docs                   DOCS := the "doc" of each JSON line of stdout
#   gen_docs DIR N [OPTION...] write N generated documents into DIR
#                              (tests/e2e_lib.py docs: vocabulary, sizes,
#                              names, seed)
#   expect_check LABEL NAME [ARG...]  the check NAME of tests/e2e_lib.py
#                              on the last stdout (passes when it exits 0;
#                              what it says is shown on failure)
#   as_nobody                  AS := a command prefix that runs a program
#                              as an unprivileged user (see below)
#   serve_start DB [OPTION...] start diarium-serve ($SRV) on a free
#                              loopback port; sets SRV_PID, SRV_URL, SRV_PORT
#   serve_stop                 SIGTERM, and require exit status 0
#   ok LABEL                   count a check that the caller made itself
#   fail MESSAGE...            fail now

set -u

E2E_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${DIARIUM_SOURCE_DIR:=$(cd "$E2E_LIB_DIR/.." && pwd)}"
: "${DIARIUM_BIN_DIR:=$DIARIUM_SOURCE_DIR/build/bin}"
: "${DIARIUM_SHARED_DIR:=$DIARIUM_SOURCE_DIR/../shared}"
: "${DIARIUM_TEST_DATA:=$DIARIUM_SOURCE_DIR/tests/data}"

E2E_NAME=$(basename "$0" .sh)
E2E_PY=$E2E_LIB_DIR/e2e_lib.py
E2E_PASSED=0
E2E_TIMEOUT=${E2E_TIMEOUT:-60}
IDX=$DIARIUM_BIN_DIR/diarium-index
QRY=$DIARIUM_BIN_DIR/diarium-query
SRV=$DIARIUM_BIN_DIR/diarium-serve
CORPUS=$DIARIUM_SOURCE_DIR/corpus

# The private work folder, removed on exit however the script ends.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/diarium-e2e.XXXXXX") || {
    echo "$E2E_NAME: cannot create a temporary folder" >&2
    exit 1
}
e2e_cleanup() {
    # Undo chmod 000 and similar so that rm can remove everything.
    chmod -R u+rwX "$WORK" 2>/dev/null
    rm -rf "$WORK"
}
trap e2e_cleanup EXIT
OUT=$WORK/.stdout
ERR=$WORK/.stderr
RC=0
E2E_LAST_CMD=""

for p in "$IDX" "$QRY"; do
    if [ ! -x "$p" ]; then
        echo "$E2E_NAME: FAIL: program not found: $p (build first; DIARIUM_BIN_DIR=$DIARIUM_BIN_DIR)" >&2
        echo "$E2E_PASSED passed, 1 failed"
        exit 1
    fi
done
command -v python3 >/dev/null 2>&1 || {
    echo "skipped: python3 is needed to check JSON and CSV output"
    exit 77
}

# Shell-quoted rendering of a command, for messages.
e2e_cmdstr() {
    local s="" a
    for a in "$@"; do
        if [ ${#a} -gt 200 ]; then
            s+=" <${#a}-byte argument>"
        else
            s+=" $(printf '%q' "$a")"
        fi
    done
    printf '%s' "${s# }"
}

# Shows the head of a file, indented, for failure messages.
e2e_show() {
    local label=$1 file=$2
    if [ -s "$file" ]; then
        echo "  --- $label (first 20 lines) ---"
        head -n 20 "$file" | cut -c1-300 | sed 's/^/  | /'
    else
        echo "  --- $label: (empty)"
    fi
}

fail() {
    {
        echo "$E2E_NAME: FAIL: $*"
        if [ -n "$E2E_LAST_CMD" ]; then
            echo "  last command: $E2E_LAST_CMD"
            echo "  its exit status: $RC"
            e2e_show stdout "$OUT"
            e2e_show stderr "$ERR"
        fi
    } >&2
    echo "$E2E_PASSED passed, 1 failed"
    exit 1
}

ok() {
    E2E_PASSED=$((E2E_PASSED + 1))
    echo "ok $E2E_PASSED - $*"
}

skip() {
    echo "skipped: $*"
    exit 77
}

# run CMD... — stdout to $OUT, stderr to $ERR, status to $RC. Stdin is
# /dev/null unless E2E_STDIN names a file.
run() {
    E2E_LAST_CMD=$(e2e_cmdstr "$@")
    local in=${E2E_STDIN:-/dev/null}
    if command -v timeout >/dev/null 2>&1; then
        timeout -k 5 "$E2E_TIMEOUT" "$@" >"$OUT" 2>"$ERR" <"$in"
    else
        "$@" >"$OUT" 2>"$ERR" <"$in"
    fi
    RC=$?
    if [ "$RC" -eq 124 ] && command -v timeout >/dev/null 2>&1; then
        fail "timed out after ${E2E_TIMEOUT}s: $E2E_LAST_CMD"
    fi
    return 0
}

e2e_signal_check() {
    if [ "$RC" -ge 128 ]; then
        fail "killed by signal $((RC - 128)) (exit status $RC): $E2E_LAST_CMD"
    fi
}

expect_status() {
    local want=$1
    shift
    run "$@"
    e2e_signal_check
    if [ "$RC" -ne "$want" ]; then
        fail "expected exit status $want, got $RC"
    fi
    ok "exit $want: $E2E_LAST_CMD"
}

# A printable rendering of a string for messages (control bytes as ^X).
e2e_vis() {
    printf '%s' "$1" | cat -v
}

e2e_where() {
    case $1 in
        stdout) echo "$OUT" ;;
        stderr) echo "$ERR" ;;
        *) echo "$1" ;;
    esac
}

expect_contains() {
    local f
    f=$(e2e_where "$1")
    grep -qF -- "$2" "$f" || fail "expected $1 to contain '$(e2e_vis "$2")'"
    ok "$1 contains '$(e2e_vis "$2")'"
}

expect_icontains() {
    local f
    f=$(e2e_where "$1")
    grep -qiF -- "$2" "$f" || fail "expected $1 to contain '$(e2e_vis "$2")' (any case)"
    ok "$1 contains '$(e2e_vis "$2")' (any case)"
}

expect_not_contains() {
    local f
    f=$(e2e_where "$1")
    if grep -qF -- "$2" "$f"; then
        fail "expected $1 NOT to contain '$(e2e_vis "$2")'; it does: $(grep -F -m1 -- "$2" "$f" | cut -c1-200 | cat -v)"
    fi
    ok "$1 does not contain '$(e2e_vis "$2")'"
}

# expect_match WHERE ERE — grep -E extended regular expression.
expect_match() {
    local f
    f=$(e2e_where "$1")
    grep -qE -- "$2" "$f" || fail "expected $1 to match the regular expression '$(e2e_vis "$2")'"
    ok "$1 matches '$(e2e_vis "$2")'"
}

# expect_summary WHERE N WORD — the indexing summary says "N WORD" (e.g.
# "15 added"), with N a whole number (so "0 added" does not match "10 added").
expect_summary() {
    local f
    f=$(e2e_where "$1")
    grep -qE -- "(^|[^0-9])$2 $3" "$f" || fail "expected $1 to say '$2 $3'"
    ok "$1 says '$2 $3'"
}

expect_lines() {
    local f n
    f=$(e2e_where "$1")
    n=$(wc -l <"$f")
    # A last line without a newline counts too.
    if [ -s "$f" ] && [ -n "$(tail -c1 "$f")" ]; then n=$((n + 1)); fi
    [ "$n" -eq "$2" ] || fail "expected $1 to have $2 line(s), it has $n"
    ok "$1 has $2 line(s)"
}

expect_eq() {
    local label=$1 want=$2 got=$3
    if [ "$want" != "$got" ]; then
        fail "$label: expected:
$(printf '%s\n' "$want" | sed 's/^/    /')
  got:
$(printf '%s\n' "$got" | sed 's/^/    /')"
    fi
    ok "$label"
}

# expect_py LABEL CODE [ARG...] — CODE reads the last command's stdout on
# stdin; sys.argv[1:] are the ARGs. Exit 0 passes; anything it prints is
# shown when it fails.
expect_py() {
    local label=$1 code=$2
    shift 2
    local msg
    if ! msg=$(python3 -c "$code" "$@" <"$OUT" 2>&1); then
        fail "$label:
$(printf '%s\n' "$msg" | head -n 30 | sed 's/^/    /')"
    fi
    ok "$label"
}

# py CODE [ARG...] — like expect_py but prints the result instead of checking
# (for extracting values, e.g. the list of documents).
py() {
    local code=$1
    shift
    python3 -c "$code" "$@" <"$OUT"
}

# gen_docs DIR N [OPTION...] — N generated documents in DIR (see
# tests/e2e_lib.py, "docs", for the options); a failure fails the test.
gen_docs() {
    local msg
    msg=$(python3 "$E2E_PY" docs "$@" 2>&1) ||
        fail "cannot generate the documents ($*): $msg"
}

# expect_check LABEL NAME [ARG...] — the check NAME of tests/e2e_lib.py
# (its ARGs after it), with the last stdout on its standard input (with
# E2E_CHECK_IN=stderr: the last stderr); LABEL says what it checks.
expect_check() {
    local label=$1 name=$2 msg in=$OUT
    shift 2
    [ "${E2E_CHECK_IN:-}" = stderr ] && in=$ERR
    if ! msg=$(python3 "$E2E_PY" check "$name" "$@" <"$in" 2>&1); then
        fail "$label:
$(printf '%s\n' "$msg" | head -n 30 | cut -c1-300 | sed 's/^/    /')"
    fi
    ok "$label"
}

# get_docs — sets DOCS to the document ids of the JSON-lines results on the
# last stdout, one per line, in order; fails on a line that is not a JSON
# object with a "doc" string.
get_docs() {
    DOCS=$(py '
import json, sys
for n, line in enumerate(sys.stdin, 1):
    o = json.loads(line)
    assert isinstance(o, dict) and isinstance(o.get("doc"), str), "line %d: %r" % (n, line[:200])
    print(o["doc"])
' 2>&1) || fail "JSON lines with a \"doc\" string expected on stdout: $DOCS"
}

# as_nobody — permissions do not stop root, so a test of "permission
# denied" runs the programs as nobody. Sets AS to the prefix to put before a
# program ("${AS[@]}" "$IDX" ...): setpriv as uid/gid 65534 when this runs
# as root, nothing when it does not; opens $WORK to it (mode 755; the test
# makes what nobody must write 777). Returns 1 (AS empty) when root cannot
# switch: the caller skips what needs it, saying so.
as_nobody() {
    AS=()
    [ "$(id -u)" -eq 0 ] || return 0
    if command -v setpriv >/dev/null 2>&1 &&
        setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
        AS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
        chmod 755 "$WORK" || fail "cannot open $WORK to nobody"
        return 0
    fi
    return 1
}

# serve_start DB [OPTION...] — starts diarium-serve on a free loopback port
# (--listen 127.0.0.1:0) and waits until it says where it listens; sets
# SRV_PID, SRV_URL (http://127.0.0.1:PORT/) and SRV_PORT. It is killed when
# the test ends, however it ends. serve_stop — SIGTERM, and requires exit
# status 0.
serve_start() {
    local db=$1
    shift
    [ -x "$SRV" ] || fail "program not found: $SRV"
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

e2e_done() {
    echo "$E2E_PASSED passed, 0 failed"
    exit 0
}
