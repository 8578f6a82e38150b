#!/usr/bin/env bash
# The timings in the README's "./workbook" section: from a saved edit to the result of one exercise's
# tests, ./workbook against Maven, in the same session. Run after ./mvnw verify, from anywhere:
#
#     workbook-cli/timing.sh [runs]        (default 5 runs of each; prints the median of each)
#
# It works on a temporary copy of the repository (with its build output), so your own code is not
# touched. Two states of exercise 5.1: "solved" (the reference's BoundedBlockingQueue.java) and
# "not started" (the skeleton, whose tests wait for their timeouts before failing).
set -euo pipefail
runs="${1:-5}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
copy="$(mktemp -d)"
trap 'rm -rf "$copy"' EXIT
(cd "$repo" && tar cf - --exclude=.git --exclude=.workbook .) | (cd "$copy" && tar xf -)
file=chapter05-inmemory/src/main/java/org/mqworkbook/inmemory/BoundedBlockingQueue.java

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# seconds for one command, after "saving" the file (rewriting it unchanged, as an editor does)
timed() {
    cp "$copy/$file" "$copy/$file.saved" && cat "$copy/$file.saved" > "$copy/$file" && rm "$copy/$file.saved"
    local start end
    start=$(date +%s.%N)
    (cd "$copy" && "$@" > /dev/null 2>&1) || true
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}

measure() {
    local state="$1" wb=() mvn=()
    for ((i = 0; i < runs; i++)); do # interleaved, so that both see the same machine
        wb+=("$(timed ./workbook test 5.1)")
        mvn+=("$(timed ./mvnw -q -o test -pl chapter05-inmemory -Dexercise=5.1)")
    done
    printf '%s: ./workbook test 5.1: %s s (runs: %s)\n' "$state" "$(printf '%s\n' "${wb[@]}" | median)" "${wb[*]}"
    printf '%s: ./mvnw -q -o test -pl chapter05-inmemory -Dexercise=5.1: %s s (runs: %s)\n' "$state" \
        "$(printf '%s\n' "${mvn[@]}" | median)" "${mvn[*]}"
}

watch_latency() {
    local out="$copy/watch.out" fifo="$copy/keys" lat=()
    mkfifo "$fifo"
    (cd "$copy" && ./workbook watch 5.1 < "$fifo" > "$out" 2>&1) &
    exec 3> "$fifo" # keep the keyboard open
    until grep -q "watching \.\.\." "$out" 2> /dev/null; do sleep 0.05; done
    for ((i = 1; i <= runs; i++)); do
        local start end
        start=$(date +%s.%N)
        cp "$copy/$file" "$copy/$file.saved" && cat "$copy/$file.saved" > "$copy/$file" && rm "$copy/$file.saved"
        until [[ $(grep -c "after the save" "$out") -ge $i ]]; do sleep 0.02; done
        end=$(date +%s.%N)
        lat+=("$(echo "$end - $start" | bc)")
        sleep 1 # let the editor's next save be a new one
    done
    echo q >&3
    exec 3>&-
    wait
    printf 'solved: ./workbook watch 5.1, save to result: %s s (runs: %s)\n' "$(printf '%s\n' "${lat[@]}" | median)" \
        "${lat[*]}"
}

date -u
echo "$(nproc) cores, $(lscpu | grep 'Model name' | sed 's/  */ /g')"
java -version 2>&1 | head -1
cp "$copy/solutions/$file" "$copy/$file"
measure solved
watch_latency
(cd "$copy" && ./workbook reset 5.1 --yes > /dev/null)
measure "not started"
