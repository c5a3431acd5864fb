#!/usr/bin/env bash
# The test suite's wall time, two commits side by side on this machine, each run its own way:
#
#   benchmarks/suite-time.sh OLD NEW [ROUNDS]
#
# Each commit is checked out into a temporary worktree with a venv of its own (`pip install -e
# '.[test]'`, as its README says), then, ROUNDS times (default 2), alternately:
#   - OLD with the test command its README gives, as its CI ran it (no NIXPKGS_LIB, not CI);
#   - NEW with the test command its README gives, as its CI runs it (CI=true, NIXPKGS_LIB).
# The wall time of each run and pytest's last line are printed. helm, nix-instantiate and the
# nixpkgs lib (NIXPKGS_LIB, else ../shared/data/nixpkgs-lib/lib) are the machine's.
set -euo pipefail

old=${1:?usage: suite-time.sh OLD NEW [ROUNDS]}
new=${2:?usage: suite-time.sh OLD NEW [ROUNDS]}
rounds=${3:-2}
root=$(git rev-parse --show-toplevel)
lib=${NIXPKGS_LIB:-$root/../shared/data/nixpkgs-lib/lib}
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/old" >/dev/null 2>&1 || true;
      git -C "$root" worktree remove --force "$work/new" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

for side in old new; do
  rev=${!side}
  git -C "$root" worktree add --detach -q "$work/$side" "$rev"
  python3 -m venv "$work/$side/.venv"
  "$work/$side/.venv/bin/pip" install -q -e "$work/$side[test]" >/dev/null
done

# The README's test command, less its install steps: what follows `&&` last.
command_of() { grep -m1 -E '^python3 -m venv .* -m pytest' "$1/README.md" | sed 's/.*&& //'; }

run() {  # side, environment...
  local side=$1; shift
  local cmd; cmd=$(command_of "$work/$side")
  local start end
  start=$(date +%s.%N)
  (cd "$work/$side" && env "$@" bash -c "$cmd -q -p no:cacheprovider" > "$work/$side.log" 2>&1) || true
  end=$(date +%s.%N)
  printf '%s %s (%s): %.1f s; %s\n' "$side" "$(git -C "$work/$side" rev-parse --short HEAD)" \
    "$cmd" "$(echo "$end - $start" | bc)" "$(tail -1 "$work/$side.log")"
}

echo "machine: $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$rounds"); do
  echo "round $round"
  run old -u NIXPKGS_LIB -u CI
  run new CI=true NIXPKGS_LIB="$lib"
done
