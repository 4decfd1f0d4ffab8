# e2e_nightly_crash.sh — diarium-index killed with SIGKILL at random moments
# (issue 6): after each kill the database opens, answers queries and is
# sound (--check: every record matches its passages, as of the last
# commit); the next run finishes the job, and the result equals a clean
# build — same documents, same passages, same query results — with nothing
# lost and nothing duplicated. Three phases: a first build, an incremental
# run over modified / deleted / renamed / added files, and --full (which
# must leave the old database exactly as it was when killed).
#
# The seed of the random kill times is printed; E2E_SEED=N repeats a run.
. "$(dirname "$0")/lib_e2e.sh"

SEED=${E2E_SEED:-$$}
echo "seed: $SEED (E2E_SEED=$SEED repeats these kill times)"
RANDOM=$SEED

G=$WORK/docs
DB=$WORK/db
# Sanitizer builds run several times slower: fewer files there.
if ldd "$IDX" 2>/dev/null | grep -q libasan; then NFILES=1000; else NFILES=3000; fi

# A few thousand small Swedish-looking decision files, deterministic.
gen_docs "$G" "$NFILES" --seed 6 --subdir "{s}" --mod 8 --base 2015 \
    --name "beslut_{i:05d}.txt" --paras 2-5 --para-words 30-90 --period \
    --tail "Dnr {s}:{i:04d} ärende{i:05d}." --newline --words \
    "skolan eleverna huvudmannen kommunen beslutet åtgärder undervisningen
     betygen tryggheten studieron rektorn elevhälsan analysen resurserna
     kompensatoriska särskilt stöd nyanlända uppföljning granskningen
     förskoleklassen fritidshemmet bedömningen likvärdig utbildning ansvar"

QUERIES=("kompensatoriska åtgärder" "särskilt stöd" "tryggheten OR studieron"
         "elevhälsan" "ärende00042" "ärende02999" "likvärdig utbildning")

snapshot() { # all results of QUERIES on $1, sorted
    local q i=0
    for q in "${QUERIES[@]}"; do
        i=$((i + 1))
        "$QRY" --db "$1" --format json --limit 100000 "$q" >"$WORK/snap.$i" 2>"$ERR" ||
            fail "query '$q' on $1: exit $?: $(cat "$ERR")"
    done
    python3 - "$WORK/snap" "${QUERIES[@]}" <<'EOF' | LC_ALL=C sort
import json, sys
base, queries = sys.argv[1], sys.argv[2:]
for i, q in enumerate(queries, 1):
    for line in open("%s.%d" % (base, i), encoding="utf-8"):
        o = json.loads(line)
        if "doc" in o:
            print("%s | %s | %d | %.4f" % (q, o["doc"], o["passage"], o["score"]))
EOF
}

# counts_of DB — "documents passages" from --check --json; fails unless sound.
counts_of() {
    run "$IDX" --db "$1" --check --json
    [ "$RC" -eq 0 ] || fail "$1 is not sound after a kill: $(cat "$OUT")"
    py 'import json,sys; d=json.load(sys.stdin); print(d["documents"], d["passages"])'
}

# clean_build — a reference database built in one go from $G.
clean_build() {
    rm -rf "$WORK/clean"
    local t0 t1
    t0=$(date +%s%N)
    run "$IDX" --db "$WORK/clean" "$G"
    t1=$(date +%s%N)
    [ "$RC" -eq 0 ] || fail "clean build failed: $(cat "$ERR")"
    CLEAN_MS=$(( (t1 - t0) / 1000000 ))
    CLEAN_COUNTS=$(counts_of "$WORK/clean")
    CLEAN_SNAP=$(snapshot "$WORK/clean")
}

KILLS=0
# killed_run MAX_MS ARGS... — starts diarium-index ARGS, kills it with
# SIGKILL after a random time in [20, MAX_MS] ms, then checks that the
# database is sound and answers queries. Sets KILLED=1 if it was killed
# (0 if it had finished by then) and DONE_DOCS to the documents indexed.
killed_run() {
    local max=$1
    shift
    [ "$max" -gt 120 ] || max=120
    local ms=$(( 20 + RANDOM % (max - 20) ))
    "$IDX" --db "$DB" "$@" >"$WORK/k.out" 2>"$WORK/k.err" &
    local pid=$!
    sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
    if kill -9 "$pid" 2>/dev/null; then
        wait "$pid" 2>/dev/null
        KILLED=1
        KILLS=$((KILLS + 1))
    else
        wait "$pid"
        local rc=$?
        [ "$rc" -eq 0 ] || fail "diarium-index $* exited $rc: $(cat "$WORK/k.err")"
        KILLED=0
    fi
    DONE_DOCS=0
    if [ -e "$DB/iamglass" ]; then
        DONE_DOCS=$(counts_of "$DB" | cut -d' ' -f1)
        run "$QRY" --db "$DB" --format json "kompensatoriska åtgärder"
        [ "$RC" -eq 0 ] || fail "query after a kill at ${ms} ms: exit $RC: $(cat "$ERR")"
    fi
    echo "note: $* stopped after ${ms} ms: $([ $KILLED = 1 ] && echo killed || echo had finished); database sound ($DONE_DOCS documents)"
}

# The time a first build that has DONE_DOCS of its NFILES documents still
# needs: the next kill lands within it.
left_ms() { echo $(( CLEAN_MS * (NFILES - DONE_DOCS) / NFILES )); }

finish_and_compare() { # LABEL ARGS...
    local label=$1
    shift
    expect_status 0 "$IDX" --db "$DB" "$@" "$G"
    expect_eq "$label: documents and passages equal a clean build's" \
        "$CLEAN_COUNTS" "$(counts_of "$DB")"
    expect_eq "$label: query results equal a clean build's" \
        "$CLEAN_SNAP" "$(snapshot "$DB")"
    ls -d "$WORK"/db.full-* "$WORK"/db.shard-* >/dev/null 2>&1 &&
        fail "$label: a --full sibling or shard folder was left behind"
    return 0
}

# --- phase 1: the first build, killed 4 times -----------------------------
clean_build
echo "note: a clean build of $NFILES files takes ${CLEAN_MS} ms"
DONE_DOCS=0
for i in 1 2 3 4; do
    # Runs 1-2: the parallel first build (all or nothing: a kill leaves the
    # database empty and shards behind). Runs 3-4: one thread with small
    # batches, so that kills land between commits too.
    if [ "$i" -ge 3 ]; then killed_run "$(left_ms)" --jobs 1 --batch 150 "$G"
    else killed_run "$(left_ms)" --jobs 2 "$G"; fi
    # (Only with room for shards: with little free disk the first build
    # runs in one thread, batch by batch — see use_bulk in dx_index.c.)
    # All or nothing: none, or all of them when the kill came after the
    # swap (while the process was ending).
    if [ "$i" -le 2 ] && [ "$KILLED" = 1 ] && [ "$DONE_DOCS" != 0 ] &&
        [ "$DONE_DOCS" != "$NFILES" ] &&
        [ "$(df -Pk "$WORK" | awk 'NR == 2 {print $4}')" -gt 1048576 ]; then
        fail "a killed parallel first build left $DONE_DOCS of $NFILES documents (expected none or all)"
    fi
done
finish_and_compare "first build after kills"

# --- phase 2: changes, the incremental run killed 3 times -----------------
python3 - "$G" <<'EOF' || fail "cannot change the documents"
import os, random, sys
d = sys.argv[1]
rnd = random.Random(7)
files = sorted(os.path.join(r, f) for r, _, fs in os.walk(d) for f in fs)
rnd.shuffle(files)
n = len(files)
for f in files[: n // 10]:                       # 10 % modified
    with open(f, "a", encoding="utf-8") as fh:
        fh.write("\nTillägg efter uppföljningen: likvärdig utbildning.\n")
for f in files[n // 10: n // 10 + n // 20]:      # 5 % deleted
    os.remove(f)
for f in files[n // 10 + n // 20: n // 5]:       # 5 % renamed
    os.rename(f, f.replace("beslut_", "flyttat_beslut_"))
os.makedirs(os.path.join(d, "nya"), exist_ok=True)
for i in range(150):                              # 5 % added
    with open(os.path.join(d, "nya", "ny_%03d.txt" % i), "w",
              encoding="utf-8") as fh:
        fh.write("Nytt beslut om särskilt stöd ärende9%04d.\n\n"
                 "Kompensatoriska åtgärder för eleverna.\n" % i)
EOF
clean_build
# About 20 % of the files need work: a run takes about a fifth of a build.
for i in 1 2 3; do
    if [ $((i % 2)) -eq 0 ]; then killed_run $((CLEAN_MS / 5)) --batch 50 "$G"
    else killed_run $((CLEAN_MS / 5)) "$G"; fi
done
finish_and_compare "incremental run after kills"
run "$IDX" --db "$DB" --json "$G"
expect_check "then nothing is left to do" nc-then-nothing-is-left-to

# --- phase 3: --full, killed 3 times: the old database stays as it was ----
# The folder is unchanged since: the database equals the clean build of
# it, before --full and after.
BEFORE=$CLEAN_SNAP
BEFORE_COUNTS=$CLEAN_COUNTS
for i in 1 2 3; do
    killed_run "$CLEAN_MS" --full "$G"
    if [ "$KILLED" = 1 ]; then
        expect_eq "--full killed: the database is the old one" \
            "$BEFORE_COUNTS" "$(counts_of "$DB")"
        expect_eq "--full killed: old query results" "$BEFORE" "$(snapshot "$DB")"
    fi
done
finish_and_compare "--full after kills" --full

[ "$KILLS" -ge 5 ] || fail "only $KILLS of 10 runs were killed before they finished (machine too fast for the timings?)"
ok "$KILLS runs killed with SIGKILL, each followed by a sound database"
e2e_done
