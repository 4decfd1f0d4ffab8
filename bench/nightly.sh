#!/usr/bin/env bash
# nightly.sh — how fast is the nightly re-index (issue 6)? Not a test.
#
# Builds a database from a copy of the g0vse corpus (~44,000 files), then
# measures, each as the median of 3 runs:
#   - a re-run with nothing changed (target: <= 3 s);
#   - a re-run after 1 % of the files (every 100th, 440) were modified
#     (a line appended: new content, new mtime) — should take time in
#     proportion to the change, not to the collection;
#   - a re-run after 1 % were only touched (new mtime, same content: read
#     and hashed, not analysed);
#   - a re-run after 1 % were renamed (moved, not analysed);
#   - a re-run after 1 % were deleted;
# and once each: the full build, --full over the existing database,
# --dry-run with 1 % modified, and --check.
#
# Usage: bench/nightly.sh [CORPUS_DIR]
#   CORPUS_DIR defaults to $G0VSE, else /tmp/g0vse, else /tmp/g0/g0vse,
#   else ../shared/corpus/g0vse-md.tar.gz is unpacked into a temp folder.
#   DIARIUM_BIN_DIR (default build/bin) holds diarium-index.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${DIARIUM_BIN_DIR:-build/bin}
IDX=$BIN/diarium-index
[ -x "$IDX" ] || { echo "nightly.sh: build first ($IDX missing)" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/diarium-nightly.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

SRC=${1:-${G0VSE:-}}
if [ -z "$SRC" ]; then
    for d in /tmp/g0vse /tmp/g0/g0vse; do
        [ -d "$d" ] && { SRC=$d; break; }
    done
fi
if [ -z "$SRC" ]; then
    TAR=../shared/corpus/g0vse-md.tar.gz
    [ -f "$TAR" ] || { echo "nightly.sh: no corpus (give a folder or put $TAR in place)" >&2; exit 1; }
    echo "unpacking $TAR ..."
    tar xzf "$TAR" -C "$WORK"
    SRC=$WORK/g0vse
fi

C=$WORK/corpus
DB=$WORK/db
cp -a "$SRC" "$C"
NFILES=$(find "$C" -type f | wc -l)
echo "corpus: $SRC ($NFILES files, $(du -sh "$C" | cut -f1)); diarium-index: $IDX"
echo

# The run time of one diarium-index call, in seconds (its own JSON figure
# would leave out process start and exit; this is wall time).
timed() {
    local t0 t1
    t0=$(date +%s.%N)
    "$IDX" --db "$DB" --json "$@" >"$WORK/out.json" 2>"$WORK/err.txt" || {
        local rc=$?
        [ "$rc" -eq 1 ] || { echo "diarium-index failed ($rc): $(cat "$WORK/err.txt")" >&2; exit 1; }
    }
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc
}
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$WORK/out.json" "$1"; }
median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
runs() { printf '%.2f ' "$@" | sed 's/ $//'; }

# Every 100th file in sorted order, starting at offset $1: 1 % of the corpus.
pick() { find "$C" -type f | LC_ALL=C sort | awk -v o="$1" 'NR % 100 == o'; }

printf '%-52s %7s  %s\n' "run" "seconds" "summary"
report() {
    printf '%-52s %7.2f  %s\n' "$1" "$2" \
        "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(", ".join("%s %s" % (d[k], k) for k in ("added","updated","renamed","removed","unchanged","failed")))' "$WORK/out.json")"
}

t=$(timed "$C"); report "full build (empty database)" "$t"
FULL=$t

T=()
for i in 1 2 3; do T+=("$(timed "$C")"); done
report "no change (median of 3: $(runs "${T[@]}"))" "$(median "${T[@]}")"
NOCHANGE=$(median "${T[@]}")

T=()
for i in 1 2 3; do
    pick $((i + 10)) | while read -r f; do printf '\nÄndrad i omgång %d.\n' "$i" >>"$f"; done
    T+=("$(timed "$C")")
    [ "$(field updated)" -eq "$(pick $((i + 10)) | wc -l)" ] || { echo "expected every modified file to be updated" >&2; exit 1; }
done
report "1 % modified (median of 3: $(runs "${T[@]}"))" "$(median "${T[@]}")"
MODIFIED=$(median "${T[@]}")

T=()
for i in 1 2 3; do
    pick $((i + 20)) | xargs touch
    T+=("$(timed "$C")")
done
report "1 % touched, same content (median of 3)" "$(median "${T[@]}")"

T=()
for i in 1 2 3; do
    pick $((i + 30)) | while read -r f; do mv "$f" "${f%.md}-flyttad$i.md"; done
    T+=("$(timed "$C")")
done
report "1 % renamed (median of 3)" "$(median "${T[@]}")"

T=()
for i in 1 2 3; do
    pick $((i + 40)) | xargs rm -f
    T+=("$(timed "$C")")
done
report "1 % deleted (median of 3)" "$(median "${T[@]}")"

pick 55 | while read -r f; do printf '\nÄndrad igen.\n' >>"$f"; done
t=$(timed --dry-run "$C"); report "--dry-run, 1 % modified" "$t"
t=$(timed "$C"); report "... then the real run" "$t"

t0=$(date +%s.%N)
"$IDX" --db "$DB" --check >"$WORK/check.txt" || { cat "$WORK/check.txt"; exit 1; }
t1=$(date +%s.%N)
printf '%-52s %7.2f  %s\n' "--check" "$(echo "$t1 - $t0" | bc)" "$(tail -n1 "$WORK/check.txt" | sed "s|$DB|DB|")"

t=$(timed --full "$C"); report "--full over the existing database" "$t"

echo
printf 'summary: full build %.1f s; no-change re-run %.2f s; 1 %% modified %.2f s\n' \
    "$FULL" "$NOCHANGE" "$MODIFIED"
