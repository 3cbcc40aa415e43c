#!/usr/bin/env bash
# All CPU benchmarks, both implementations in one process each, torch limited to THREADS threads.
#
#   bash benchmarks/run_cpu.sh [OUTDIR] [THREADS]      (or: make bench-cpu)
#
# PYTHON names the interpreter (default: the repository's .venv if there is one, else python).
# On a shared machine the scripts wait (briefly) for an idle CPU before each timing round and
# report both the minimum and the median of interleaved rounds.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUTDIR=$(realpath -m "${1:-$ROOT/benchmarks/results/cpu}")
THREADS=${2:-2}
mkdir -p "$OUTDIR"
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS
PY=${PYTHON:-$( [ -x "$ROOT/.venv/bin/python" ] && echo "$ROOT/.venv/bin/python" || echo python )}
cd "$ROOT/benchmarks"
"$PY" bench_latency.py --device cpu --threads "$THREADS" --quiet-cpu --out "$OUTDIR" 2>&1 | tee "$OUTDIR/latency.log"
"$PY" bench_throughput.py --device cpu --threads "$THREADS" --out "$OUTDIR" 2>&1 | tee "$OUTDIR/throughput.log"
"$PY" bench_end_to_end.py --device cpu --threads "$THREADS" --files 2 --minutes 3 --precisions float32,bfloat16 --out "$OUTDIR" 2>&1 | tee "$OUTDIR/end_to_end.log"
"$PY" bench_online.py --device cpu --threads "$THREADS" --out "$OUTDIR" 2>&1 | tee "$OUTDIR/online.log"
"$PY" plot.py "$OUTDIR"
