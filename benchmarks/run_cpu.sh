#!/usr/bin/env bash
# All CPU benchmarks, both implementations in one process each, torch limited to THREADS threads.
#
#   bash benchmarks/run_cpu.sh [OUTDIR] [THREADS]      (or: make bench-cpu)
#
# OUTDIR defaults to a new folder, benchmarks/results/local-YYYY-MM-DD, so a run never
# overwrites the committed results; pass benchmarks/results/cpu to replace them deliberately.
# PYTHON names the interpreter (default: the repository's .venv if there is one, else python).
# On a shared machine the scripts wait (briefly) for an idle CPU before each timing round and
# report both the minimum and the median of interleaved rounds. The braindecode parity tests
# and the engine's tests run first; any failing step (a test, a benchmark, or a benchmark's
# error check against its bound) stops the run with a non-zero exit status.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUTDIR=$(realpath -m "${1:-$ROOT/benchmarks/results/local-$(date +%Y-%m-%d)}")
THREADS=${2:-2}
mkdir -p "$OUTDIR"
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS
PY=${PYTHON:-$( [ -x "$ROOT/.venv/bin/python" ] && echo "$ROOT/.venv/bin/python" || echo python )}
source "$ROOT/benchmarks/run_step.sh"  # run LOG CMD...
cd "$ROOT"
run "$OUTDIR/pytest.log" "$PY" -m pytest -q -p no:cacheprovider tests/test_engine.py
run "$OUTDIR/pytest_braindecode.log" "$PY" -m pytest -q -p no:cacheprovider tests/test_model.py -k braindecode
cd "$ROOT/benchmarks"
run "$OUTDIR/latency.log" "$PY" bench_latency.py --device cpu --threads "$THREADS" --quiet-cpu --out "$OUTDIR"
run "$OUTDIR/throughput.log" "$PY" bench_throughput.py --device cpu --threads "$THREADS" --out "$OUTDIR"
run "$OUTDIR/end_to_end.log" "$PY" bench_end_to_end.py --device cpu --threads "$THREADS" --files 2 --minutes 3 --precisions float32,bfloat16 --out "$OUTDIR"
run "$OUTDIR/online.log" "$PY" bench_online.py --device cpu --threads "$THREADS" --out "$OUTDIR"
"$PY" plot.py "$OUTDIR"
echo "results in $OUTDIR"
