# Sourced by run_cpu.sh and run_gpu.sh (bash, with `set -o pipefail`).
# run LOG CMD...: the command's output to the screen and to LOG; stop if the command fails
run() {
  local log=$1
  shift
  if ! "$@" 2>&1 | tee "$log"; then
    echo "$(basename "$0"): FAILED: $* (log: $log)" >&2
    exit 1
  fi
}
