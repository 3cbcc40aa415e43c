#!/usr/bin/env bash
# All GPU benchmarks in one go, on a machine with python3 + torch + CUDA (e.g. the device
# machine); braindecode and its pure-Python dependencies may come as wheels in .whl/.
#
#   bash benchmarks/run_gpu.sh OUTDIR [stages]      stages: any of env,test,latency,throughput,e2e,online,bdcompiled,explore,plot
#
# Results land in OUTDIR/gpu/ (JSON, PNG, logs) and OUTDIR/gpu-results.tar.gz. The test stage
# runs the engine's tests and the braindecode parity tests; any failing step (a test, a
# benchmark, or a benchmark's error check against its bound) stops the run with a non-zero
# exit status, its log kept in OUTDIR/gpu/.
set -euo pipefail
OUTDIR=${1:?usage: run_gpu.sh OUTDIR [stages]}
STAGES=${2:-env,test,latency,throughput,e2e,online,plot}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RES=$OUTDIR/gpu
mkdir -p "$RES"
export PYTHONUNBUFFERED=1
export PYTHONPATH=$ROOT/src${PYTHONPATH:+:$PYTHONPATH}
if ls "$ROOT"/.whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site "$ROOT"/.whl/*.whl && export PYTHONPATH=$PYTHONPATH:/tmp/site
fi
has() { [[ ",$STAGES," == *",$1,"* ]]; }
source "$ROOT/benchmarks/run_step.sh"  # run LOG CMD...
cd "$ROOT"
if has env; then
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm --format=csv
  python3 - <<'EOF'
import sys, torch
sys.path.insert(0, "benchmarks")
from common import import_braindecode
print("python", sys.version.split()[0], "torch", torch.__version__, torch.cuda.get_device_name(0))
print("braindecode EEGPT:", import_braindecode()[0])
EOF
fi
if has test; then
  run "$RES/pytest.log" timeout 240 python3 -m pytest -q -p no:cacheprovider tests/test_engine.py
  run "$RES/pytest_braindecode.log" timeout 240 \
    python3 -m pytest -q -p no:cacheprovider tests/test_model.py -k braindecode
fi
cd benchmarks
if has latency; then
  run "$RES/latency.log" timeout 200 python3 bench_latency.py --device cuda --out "$RES"
fi
if has throughput; then
  run "$RES/throughput.log" timeout 420 python3 bench_throughput.py --device cuda --out "$RES"
fi
if has e2e; then
  run "$RES/end_to_end.log" timeout 200 python3 bench_end_to_end.py --device cuda --out "$RES"
fi
if has online; then
  run "$RES/online.log" timeout 200 python3 bench_online.py --device cuda --out "$RES"
fi
if has bdcompiled; then  # braindecode under torch.compile/CUDA graphs (not in the default stages)
  run "$RES/braindecode_compiled.log" timeout 900 python3 bench_braindecode_compiled.py --out "$RES"
fi
if has explore; then
  run "$RES/explore.log" timeout 330 python3 experiments/explore_gpu.py --out "$RES" --autotune-limit 200
fi
if has plot; then
  python3 plot.py "$RES"
fi
tar -C "$OUTDIR" -czf "$OUTDIR/gpu-results.tar.gz" gpu
ls -la "$RES"
