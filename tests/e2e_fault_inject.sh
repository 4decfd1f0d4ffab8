# e2e_fault_inject.sh — the fault-injection pass (issue 38): random kill -9
# of nightly runs, --full and first builds, and random byte flips in the
# database's files, over fixed seeds (tests/fault_inject.py says what each
# seed does and what must hold). Every seed ends in exit 3 (a damaged
# database named, nothing written) or a sound database; no program ever
# ends by a signal it was not sent.
#
# 200 seeds (FAULT_SEEDS=N for more or fewer; FAULT_FIRST=K starts at
# seed K); 60 under AddressSanitizer, where each run costs several times
# more.
. "$(dirname "$0")/lib_e2e.sh"

n=${FAULT_SEEDS:-200}
if [ -z "${FAULT_SEEDS:-}" ] && ldd "$IDX" 2>/dev/null | grep -q libasan; then
    n=60
fi
first=${FAULT_FIRST:-1}
E2E_TIMEOUT=1800
expect_status 0 python3 "$DIARIUM_SOURCE_DIR/tests/fault_inject.py" "$IDX" "$WORK" "$first" "$n"
expect_match stdout "^fault_inject: seeds $first\.\.$((first + n - 1)) "
cat "$OUT"
e2e_done
