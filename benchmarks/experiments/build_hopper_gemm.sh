#!/bin/bash
# Build benchmarks/experiments/hopper_gemm.cu (CUTLASS 3 Hopper GEMMs) into one shared library.
# usage: build_hopper_gemm.sh CUTLASS_DIR OUT_DIR [CONFIG_IDS...]   (needs nvcc >= 12.3)
# CUTLASS_DIR holds include/ and util/include/ (CUTLASS's include and tools/util/include).
set -euo pipefail
cutlass=$1 out=$2
shift 2
ids=${*:-0 1 2 3 4 5}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
for id in $ids; do
  nvcc -std=c++17 -O3 -DNDEBUG -gencode=arch=compute_90a,code=sm_90a -DCFG_ID="$id" \
    --expt-relaxed-constexpr -I"$cutlass/include" -I"$cutlass/util/include" \
    -Xcompiler -fPIC -c "$here/hopper_gemm.cu" -o "$out/g$id.o" &
done
wait
nvcc -shared "$out"/g*.o -o "$out/libeegpt_gemm.so"
echo "built $out/libeegpt_gemm.so"
