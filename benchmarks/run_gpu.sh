#!/usr/bin/env bash
# All GPU benchmarks in one go, on a machine with python3 + torch + CUDA (e.g. the device
# machine); braindecode and its pure-Python dependencies may come as wheels in .whl/.
#
#   bash benchmarks/run_gpu.sh OUTDIR [stages]      stages: any of env,test,latency,throughput,e2e,online,explore,plot
#
# Results land in OUTDIR/gpu/ (JSON, PNG, logs) and OUTDIR/gpu-results.tar.gz.
set -u
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
  timeout 240 python3 -m pytest -q -p no:cacheprovider tests/test_engine.py 2>&1 | tee "$RES/pytest.log" | tail -5
fi
cd benchmarks
if has latency; then
  timeout 200 python3 bench_latency.py --device cuda --out "$RES" 2>&1 | tee "$RES/latency.log" | grep -v "^wrote"
fi
if has throughput; then
  timeout 420 python3 bench_throughput.py --device cuda --out "$RES" 2>&1 | tee "$RES/throughput.log" | grep -v "^wrote"
fi
if has e2e; then
  timeout 200 python3 bench_end_to_end.py --device cuda --out "$RES" 2>&1 | tee "$RES/end_to_end.log" | grep -v "^wrote"
fi
if has online; then
  timeout 200 python3 bench_online.py --device cuda --out "$RES" 2>&1 | tee "$RES/online.log" | grep -v "^wrote"
fi
if has explore; then
  timeout 330 python3 experiments/explore_gpu.py --out "$RES" --autotune-limit 200 2>&1 | tee "$RES/explore.log" | grep -v "^wrote"
fi
if has plot; then
  python3 plot.py "$RES"
fi
tar -C "$OUTDIR" -czf "$OUTDIR/gpu-results.tar.gz" gpu
ls -la "$RES"
