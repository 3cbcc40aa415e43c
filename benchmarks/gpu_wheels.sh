#!/usr/bin/env bash
# Download, into .whl/ (git-ignored), the wheels a bare GPU machine (Python 3.12, torch,
# numpy, scipy, matplotlib, scikit-learn ... installed; no network) lacks to run the test suite
# and the benchmarks: MNE and the readers eegpt uses, braindecode 1.8.1 (the reference) and its
# pure-Python needs. benchmarks/run_gpu.sh installs them there into /tmp/site.
#
#   bash benchmarks/gpu_wheels.sh            # then carry .whl to the machine
set -euo pipefail
cd "$(dirname "$0")/.."
grep -qx '/.whl/' .git/info/exclude 2>/dev/null || { mkdir -p .git/info; echo '/.whl/' >> .git/info/exclude; }
mkdir -p .whl
platforms=(manylinux_2_28_x86_64 manylinux_2_27_x86_64 manylinux_2_17_x86_64 manylinux2014_x86_64 manylinux1_x86_64)
args=(--no-deps --only-binary=:all: --python-version 3.12 --implementation cp -d .whl)
for p in "${platforms[@]}"; do args+=(--platform "$p"); done
for name in mne edfio braindecode==1.8.1 eeglabio mne-bids pooch decorator platformdirs \
    skorch torchinfo wfdb soundfile cffi pycparser linear_attention_transformer \
    axial-positional-embedding linformer local-attention product-key-memory colt5-attention \
    hyper-connections torch-einops-utils docstring_inheritance pydantic pydantic-core \
    annotated-types typing-inspection typing-extensions; do
  python3 -m pip download -q "${args[@]}" "$name"
done
ls .whl
