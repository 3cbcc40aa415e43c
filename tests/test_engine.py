"""Exactness of the inference engine's fast paths against the reference path (``fused=False``).

Random weights and inputs; float32 must agree to a max relative error of 1e-5, bfloat16/float16
to 1e-2. The float32 and float16 checks use weights perturbed away from the initialisation
(non-zero biases, LayerNorm scales != 1); bfloat16, whose 8-bit mantissa puts its error near the
bound on such weights (up to ~1.1e-2, BENCHMARKS.md), is checked on the model's own random
initialisation (~7e-3). GPU-only paths (CUDA graphs, compilation on CUDA, pinned pipelined
copies) are skipped without CUDA and were run on the device machine (see BENCHMARKS.md).
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from eegpt.config import PRESETS, EEGPTConfig
from eegpt.engine import GPU_BATCH_SIZE, InferenceEngine, cast_matmuls, default_batch_size
from eegpt.model import EEGPT, EEGPTEncoder

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


def rel_err(a, b) -> float:
    a, b = torch.as_tensor(a).double(), torch.as_tensor(b).double()
    return ((a - b).abs().max() / b.abs().max()).item()


def make_encoder(seed: int = 0, perturb: bool = True, **cfg) -> EEGPTEncoder:
    torch.manual_seed(seed)
    enc = EEGPTEncoder(EEGPTConfig(**cfg), fused=False).eval()
    if perturb:  # less benign than the initialisation: non-zero biases, LN affine
        with torch.no_grad():
            for p in enc.parameters():
                p.add_(0.05 * torch.randn_like(p))
    return enc


def reference(enc: EEGPTEncoder, x: np.ndarray | torch.Tensor, ids) -> torch.Tensor:
    fused, enc.fused = enc.fused, False
    try:
        with torch.no_grad():
            return enc(torch.as_tensor(x, dtype=torch.float32), torch.as_tensor(ids))
    finally:
        enc.fused = fused


# (config kwargs, channels, samples): depths 1-3 (the shortcuts need depth >= 2), overlapping and
# non-overlapping patches, a padded tail, a width equal to the patch size (no low-rank block).
CASES = [
    (dict(embed_dim=128, depth=2, num_heads=4, patch_stride=32), 4, 640),
    (dict(embed_dim=128, depth=3, num_heads=4, embed_num=1), 22, 512),
    (dict(embed_dim=128, depth=1, num_heads=4, patch_stride=32), 9, 300),
    (dict(embed_dim=64, depth=2, num_heads=4), 7, 256),
    (dict(embed_dim=256, depth=2, num_heads=8, embed_num=4, patch_stride=48), 16, 700),
]


@pytest.mark.parametrize("last_block", ["auto", "rows", "absorbed"])
@pytest.mark.parametrize(
    "case", CASES, ids=lambda c: f"D{c[0]['embed_dim']}d{c[0]['depth']}C{c[1]}T{c[2]}"
)
def test_float32_engine_is_exact(case, last_block):
    cfg, c, t = case
    enc = make_encoder(**cfg)
    enc.last_block = last_block
    rng = np.random.default_rng(1)
    windows = rng.standard_normal((5, c, t)).astype(np.float32) * 30
    ids = rng.permutation(62)[:c].tolist()
    out = InferenceEngine(enc, "cpu", batch_size=2).encode(windows, ids)
    ref = reference(enc, windows, ids)
    assert out.shape == tuple(ref.shape) and out.dtype == np.float32
    assert rel_err(out, ref) <= 1e-5


@pytest.mark.parametrize("precision", ["bfloat16", "float16"])
@pytest.mark.parametrize("last_block", ["rows", "absorbed"])
def test_reduced_precision_within_1e_2(precision, last_block):
    enc = make_encoder(
        embed_dim=256, depth=3, num_heads=8, patch_stride=32, perturb=precision == "float16"
    )
    enc.last_block = last_block
    x = torch.randn(2, 19, 480)
    ids = list(range(19))
    engine = InferenceEngine(enc, "cpu", precision=precision, batch_size=2)
    out = engine.encode(x.numpy(), ids)
    assert out.dtype == np.float32
    assert rel_err(out, reference(enc, x, ids)) <= 1e-2
    # the caller's model is left in float32
    assert all(p.dtype == torch.float32 for p in enc.parameters())


@pytest.mark.parametrize("stream", ["float16", "bfloat16"])
@pytest.mark.parametrize("last_block", ["rows", "absorbed"])
def test_narrow_residual_stream(monkeypatch, stream, last_block):
    """stream_precision stores the stream between blocks in float16/bfloat16 (the blocks see
    the rounded values), still within the reduced-precision bound; float16 adds far less
    error than bfloat16."""
    import eegpt.fast_path as M

    enc = make_encoder(embed_dim=256, depth=4, num_heads=8, patch_stride=32)
    enc.last_block = last_block
    x = torch.randn(2, 19, 480)
    ids = list(range(19))
    ref = reference(enc, x, ids)
    wide = InferenceEngine(enc, "cpu", precision="float16", batch_size=2).encode(x.numpy(), ids)
    stored = []
    block = M._residual_mlp
    monkeypatch.setattr(M, "_residual_mlp", lambda *a: stored.append(block(*a).dtype) or block(*a))
    engine = InferenceEngine(enc, "cpu", precision="float16", batch_size=2, stream_precision=stream)
    out = engine.encode(x.numpy(), ids)
    assert stored and set(stored) == {getattr(torch, stream)}  # every full block's output
    err, err_wide = rel_err(out, ref), rel_err(wide, ref)
    assert err <= 1e-2
    assert err != err_wide  # the stream really was rounded
    if stream == "float16":
        assert err <= 2 * err_wide + 1e-3


def test_float16_stream_overflow_falls_back_to_float32():
    """Inputs far outside model units overflow a float16 stream: encode() warns and computes
    exactly those windows again with a float32 stream, returning what float32 gives."""
    enc = make_encoder(embed_dim=128, depth=3, num_heads=4, patch_stride=32)
    x = torch.randn(5, 7, 512).numpy()
    x[[1, 3]] *= 1e7  # two windows far out of range, in different batches
    ids = list(range(7))
    wide = InferenceEngine(enc, "cpu", precision="bfloat16", batch_size=2).encode(x, ids)
    assert np.isfinite(wide).all()
    narrow = InferenceEngine(
        enc, "cpu", precision="bfloat16", batch_size=2, stream_precision="float16"
    )
    plain = narrow.encode(x[[0, 2, 4]], ids)  # in range: float16 stream, no fallback
    assert not np.array_equal(plain, wide[[0, 2, 4]])
    with pytest.warns(
        RuntimeWarning, match="2 of 5 windows .* recomputed them with a float32"
    ) as w:
        out = narrow.encode(x, ids)
    assert any(r.filename == __file__ for r in w)  # attributed to the caller, not to torch
    np.testing.assert_array_equal(out[[1, 3]], wide[[1, 3]])  # the float32 stream's result
    np.testing.assert_array_equal(out[[0, 2, 4]], plain)  # the others kept as computed
    assert narrow.plan(ids).packed.get("stream_dtype") == torch.float16  # engine unchanged


def test_compiled_form_of_the_block_sum(monkeypatch):
    """Under torch.compile the block's sum is written t + (a + m) so the stream is stored once
    per block; the same algebra run eagerly stays exact in float32."""
    enc = make_encoder(embed_dim=128, depth=3, num_heads=4, patch_stride=32)
    x = torch.randn(3, 7, 512)
    ids = list(range(7))
    monkeypatch.setattr(torch.compiler, "is_compiling", lambda: True)
    out = InferenceEngine(enc, "cpu", batch_size=3).encode(x.numpy(), ids)
    assert rel_err(out, reference(enc, x, ids)) <= 1e-5


def test_reference_path_through_the_engine():
    enc = make_encoder(embed_dim=128, depth=2, num_heads=4)
    x = torch.randn(2, 5, 256)
    out = InferenceEngine(enc, "cpu", fused=False).encode(x.numpy(), range(5))
    assert rel_err(out, reference(enc, x, range(5))) == 0.0
    assert (
        InferenceEngine(enc, "cpu", fused=False, precision="bfloat16")
        .encode(x.numpy(), range(5))
        .dtype
        == np.float32
    )


def test_batching_invariance():
    enc = make_encoder(embed_dim=128, depth=2, num_heads=4, patch_stride=32)
    windows = np.random.default_rng(2).standard_normal((11, 6, 320)).astype(np.float32)
    outs = [
        InferenceEngine(enc, "cpu", batch_size=bs).encode(windows, range(6))
        for bs in (1, 3, 11, 64)
    ]
    for other in outs[1:]:
        assert rel_err(other, outs[0]) <= 1e-6
    single = InferenceEngine(enc, "cpu").encode(windows[4:5], range(6))
    assert rel_err(single, outs[0][4:5]) <= 1e-6


def test_full_model_with_channel_projection():
    torch.manual_seed(3)
    model = EEGPT(
        EEGPTConfig(embed_dim=128, depth=2, num_heads=4),
        chan_ids=list(range(19)),
        chan_proj=(22, 19),
    ).eval()
    x = torch.randn(4, 22, 512)
    with torch.no_grad():
        model.fused = False
        ref = model.encode(x)
        model.fused = True
    out = InferenceEngine(model, "cpu", batch_size=3).encode(x.numpy(), list(range(19)))
    assert rel_err(out, ref) <= 1e-5


def test_float64_windows_and_empty_input():
    enc = make_encoder(embed_dim=64, depth=2, num_heads=4)
    engine = InferenceEngine(enc, "cpu")
    x = np.random.default_rng(0).standard_normal((2, 3, 128))
    assert rel_err(engine.encode(x, [0, 1, 2]), reference(enc, x, [0, 1, 2])) <= 1e-5
    empty = engine.encode(np.zeros((0, 3, 128)), [0, 1, 2])
    assert empty.shape == (0, 2, enc.config.embed_num, 64)


@pytest.mark.parametrize("dtype", [">f4", ">f8"])
def test_encode_takes_big_endian_windows(dtype):
    """Big-endian windows (as read from some files or np.load) give the embeddings of the same
    values in the machine's byte order (torch.from_numpy refused them: "byte order different
    from the native byte order"), as model.embed already did."""
    enc = make_encoder(embed_dim=64, depth=2, num_heads=4)
    engine = InferenceEngine(enc, "cpu")
    x = np.random.default_rng(3).standard_normal((3, 2, 128)).astype(np.float32)
    want = engine.encode(x, [4, 9])
    np.testing.assert_array_equal(engine.encode(x.astype(dtype), [4, 9]), want)


@pytest.mark.filterwarnings("error")
def test_an_empty_batch_through_the_low_rank_first_block_is_silent():
    """0 windows on the fast path's low-rank first block (patches at most half the width):
    empty embeddings of the right shape and no warning (torch's var_mean of nothing warned
    "degrees of freedom is <= 0")."""
    enc = make_encoder(embed_dim=128, depth=2, num_heads=4, embed_num=2)
    enc.fused = True
    assert enc.fast_plan_options()[0]  # the low-rank first block runs
    with torch.no_grad():
        out = enc(torch.zeros(0, 3, 256), torch.tensor([0, 1, 2]))
    assert out.shape == (0, 4, 2, 128)
    empty = InferenceEngine(enc, "cpu").encode(np.zeros((0, 3, 256), np.float32), [0, 1, 2])
    assert empty.shape == (0, 4, 2, 128)


def test_an_encoder_without_blocks_takes_the_fast_path_to_its_summary_tokens():
    """depth=0: the fast path normalises the summary tokens as they are embedded (the rows
    after the channels' patch tokens), as the reference path does."""
    torch.manual_seed(0)
    enc = EEGPTEncoder(EEGPTConfig(embed_dim=64, depth=0, num_heads=4, embed_num=2), fused=True)
    enc.eval()
    x, ids = torch.randn(2, 5, 512), list(range(5))
    with torch.no_grad():
        fast = enc(x, torch.tensor(ids))
    ref = reference(enc, x, ids)
    assert fast.shape == ref.shape == (2, enc.config.n_patches(512), 2, 64)
    assert rel_err(fast, ref) <= 1e-6


def test_plan_follows_weight_changes():
    """Derived weights are cached in inference, and refreshed when a parameter changes."""
    enc = make_encoder(embed_dim=128, depth=2, num_heads=4)
    enc.fused = True
    x, ids = torch.randn(2, 5, 256), torch.arange(5)
    with torch.inference_mode():
        first = enc(x, ids)
    with torch.no_grad():
        enc.blocks[0].attn.qkv.weight.mul_(1.5)
        enc.blocks[0].norm1.bias.add_(0.1)
        enc.chan_embed.weight.add_(0.2)
        enc.blocks[-1].attn.qkv.weight.mul_(0.7)
    with torch.inference_mode():
        second = enc(x, ids)
    assert rel_err(second, reference(enc, x, ids)) <= 1e-5
    assert rel_err(second, first) > 1e-3


@pytest.mark.skipif(not torch.backends.mkldnn.is_available(), reason="needs oneDNN")
@pytest.mark.parametrize("last_block", ["rows", "absorbed"])
def test_onednn_packed_linears_are_exact(last_block):
    enc = make_encoder(embed_dim=128, depth=3, num_heads=4, patch_stride=32)
    enc.last_block = last_block
    x, ids = torch.randn(2, 6, 300), list(range(6))
    ref = reference(enc, x, ids)
    with torch.inference_mode():
        packed = enc.fast_plan(ids)
        plain = enc.fast_plan(ids, pack=False)
        assert packed.packed and plain.packed is None
        assert rel_err(enc.forward_planned(x, packed), ref) <= 1e-5
        assert rel_err(enc.forward_planned(x, plain), ref) <= 1e-5


def test_models_copy_and_pickle_after_inference():
    """The fast path's caches (oneDNN-packed weights are not copyable) stay out of the model."""
    import copy
    import pickle

    enc = make_encoder(embed_dim=64, depth=2, num_heads=4)
    x = np.random.default_rng(8).standard_normal((2, 3, 256)).astype(np.float32)
    out = InferenceEngine(enc, "cpu").encode(x, range(3))
    for clone in (copy.deepcopy(enc), pickle.loads(pickle.dumps(enc))):
        assert rel_err(InferenceEngine(clone, "cpu").encode(x, range(3)), out) == 0.0


def test_fast_path_is_differentiable():
    """With autograd on, the fast path recomputes its derived weights so gradients flow."""
    enc = make_encoder(embed_dim=64, depth=2, num_heads=4, patch_stride=32)
    x, ids = torch.randn(2, 3, 200), torch.arange(3)
    grads = {}
    for fused in (False, True):
        enc.fused = fused
        enc.zero_grad()
        enc(x, ids).square().sum().backward()
        grads[fused] = {n: p.grad.clone() for n, p in enc.named_parameters()}
    for name, g in grads[False].items():
        assert rel_err(grads[True][name], g) <= 1e-4, name


def test_cast_matmuls_keeps_norms_and_embeddings_float32():
    model = cast_matmuls(EEGPTEncoder(PRESETS["tiny2"]), torch.bfloat16)
    assert model.blocks[0].attn.qkv.weight.dtype == torch.bfloat16
    assert model.blocks[0].norm1.weight.dtype == torch.float32
    assert model.patch_embed.proj.weight.dtype == torch.float32


def test_option_validation():
    enc = EEGPTEncoder(PRESETS["tiny1"])
    with pytest.raises(ValueError, match="precision"):
        InferenceEngine(enc, "cpu", precision="int8")
    with pytest.raises(ValueError, match="batch_size"):
        InferenceEngine(enc, "cpu", batch_size=0)
    with pytest.raises(ValueError, match="compile"):
        InferenceEngine(enc, "cpu", compile="yes")
    with pytest.raises(ValueError, match="stream_precision"):
        InferenceEngine(enc, "cpu", stream_precision="float16")  # float32 stays exact
    with pytest.raises(ValueError, match="stream_precision"):
        InferenceEngine(enc, "cpu", precision="bfloat16", stream_precision="int8")
    with pytest.raises(ValueError, match="stream_dtype"):
        enc.fast_plan([0, 1], stream_dtype=torch.float64)
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA"):
            InferenceEngine(enc, "cpu", cuda_graphs=True)
    with pytest.raises(ValueError, match="last_block"):
        enc.last_block = "fast"
        enc.fast_plan_options()


def test_auto_compile_never_on_cpu():
    engine = InferenceEngine(EEGPTEncoder(PRESETS["tiny1"]), "cpu")
    engine.windows_done = 10**9
    engine.encode(np.zeros((1, 2, 64), dtype=np.float32), [0, 1])
    assert not engine.use_compile


def test_bucketing():
    engine = InferenceEngine(EEGPTEncoder(PRESETS["tiny1"]), "cpu", batch_size=48)
    assert [engine.bucket(n) for n in (1, 2, 3, 5, 33, 48)] == [1, 2, 4, 8, 48, 48]


def test_default_batch_size_by_device_and_tokens():
    large = PRESETS["large"]
    cpu = [default_batch_size("cpu", large, (c, 1024)) for c in (58, 19, 4, 1, 200)]
    assert cpu == [4, 8, 32, 32, 1]  # 16 patches x (C + 4 summary tokens) <= 4096 tokens
    assert default_batch_size("cpu", large, (8, 5, 512)) == 32  # leading axes ignored
    assert default_batch_size("cpu", large, (2, 64)) == 64  # at most 64
    assert default_batch_size("cuda", large, (58, 1024)) == GPU_BATCH_SIZE == 64
    assert default_batch_size(torch.device("cuda", 1), large, (200, 1024)) == 64


def test_engine_batches_by_default_batch_size(monkeypatch):
    enc = make_encoder(embed_dim=64, depth=1, num_heads=4)
    windows = np.random.default_rng(5).standard_normal((13, 40, 1024)).astype(np.float32)
    engine = InferenceEngine(enc, "cpu")
    assert engine.batch_size is None and engine.batch_for(windows.shape) == 4
    assert InferenceEngine(enc, "cpu", batch_size=5).batch_for(windows.shape) == 5
    seen = []
    forward = engine.forward
    monkeypatch.setattr(engine, "forward", lambda x, *a: seen.append(len(x)) or forward(x, *a))
    out = engine.encode(windows, range(40))
    assert seen == [4, 4, 4, 1]
    same = InferenceEngine(enc, "cpu", batch_size=4).encode(windows, range(40))
    np.testing.assert_array_equal(out, same)


def test_gelu_epilogue_is_never_used_in_float32_or_on_cpu():
    enc = make_encoder(embed_dim=64, depth=2, num_heads=4)
    assert not InferenceEngine(enc, "cpu", precision="bfloat16").use_gelu_epilogue
    with pytest.raises(ValueError, match="gelu_epilogue"):
        InferenceEngine(enc, "cpu", precision="bfloat16", gelu_epilogue=True)
    with pytest.raises(ValueError, match="gelu_epilogue"):
        enc.fast_plan([0, 1], gelu_epilogue=True)


def test_linear_gelu_op_registration():
    """The fused fc1 + GELU custom op passes PyTorch's operator checks (fake tensors for
    torch.compile, autograd registration, schema) and computes linear + GELU."""
    from eegpt.fast_path import linear_gelu_tanh

    x, w, b = torch.randn(3, 5, 8), torch.randn(16, 8), torch.randn(16)
    torch.library.opcheck(linear_gelu_tanh, (x, w, b))
    out = linear_gelu_tanh(x, w, b)
    exact, tanh = F.gelu(F.linear(x, w, b)), F.gelu(F.linear(x, w, b), approximate="tanh")
    assert out.shape == (3, 5, 16)
    # PyTorch's CPU kernel computes the exact GELU, cuBLASLt's epilogue the tanh form
    assert min((out - exact).abs().max(), (out - tanh).abs().max()) <= 1e-5


# -- CUDA-only paths ------------------------------------------------------------------------------


@cuda
@pytest.mark.parametrize("precision", ["bfloat16", "float16"])
@pytest.mark.parametrize("compile_", [False, True])
def test_cuda_gelu_epilogue(precision, compile_):
    enc = make_encoder(embed_dim=128, depth=3, num_heads=4, perturb=True)
    windows = np.random.default_rng(9).standard_normal((12, 19, 512)).astype(np.float32)
    ref = reference(enc, windows, range(19))
    fused = InferenceEngine(enc, "cuda", precision=precision, batch_size=8, compile=compile_)
    plain = InferenceEngine(
        enc, "cuda", precision=precision, batch_size=8, compile=compile_, gelu_epilogue=False
    )
    assert fused.use_gelu_epilogue and not plain.use_gelu_epilogue
    a, b = fused.encode(windows, range(19)), plain.encode(windows, range(19))
    assert rel_err(a, ref) <= 1e-2 and rel_err(b, ref) <= 1e-2
    assert rel_err(a, b) <= 1e-2
    assert not InferenceEngine(enc, "cuda").use_gelu_epilogue  # float32 stays exact


@cuda
def test_cuda_linear_gelu_op_is_the_tanh_epilogue():
    from eegpt.fast_path import linear_gelu_tanh

    x = torch.randn(256, 64, device="cuda", dtype=torch.float16)
    w = torch.randn(128, 64, device="cuda", dtype=torch.float16) / 8
    b = torch.randn(128, device="cuda", dtype=torch.float16)
    out = linear_gelu_tanh(x, w, b).float()
    y = F.linear(x.float(), w.float(), b.float())
    assert (out - F.gelu(y, approximate="tanh")).abs().max() <= 1e-2


@cuda
@pytest.mark.parametrize(
    "precision,tol", [("float32", 1e-5), ("bfloat16", 1e-2), ("float16", 1e-2)]
)
def test_cuda_graphs(precision, tol):
    enc = make_encoder(depth=2, patch_stride=32, perturb=precision != "bfloat16")
    windows = np.random.default_rng(4).standard_normal((37, 22, 1000)).astype(np.float32)
    ids = list(range(22))
    ref = reference(enc, windows, ids)  # CPU float32
    engine = InferenceEngine(enc, "cuda", precision=precision, batch_size=16, compile=False)
    assert engine.use_graphs
    out = engine.encode(windows, ids)  # two full batches + a padded bucket of 8
    assert rel_err(out, ref) <= tol
    assert rel_err(engine.encode(windows[:1], ids), ref[:1]) <= tol
    eager = InferenceEngine(enc, "cuda", precision=precision, cuda_graphs=False, compile=False)
    assert rel_err(eager.encode(windows, ids), ref) <= tol


@cuda
@pytest.mark.parametrize("precision,tol", [("float32", 1e-5), ("bfloat16", 1e-2)])
def test_cuda_compile(precision, tol):
    enc = make_encoder(
        embed_dim=128, depth=2, num_heads=4, patch_stride=32, perturb=precision != "bfloat16"
    )
    windows = np.random.default_rng(5).standard_normal((10, 8, 512)).astype(np.float32)
    ref = reference(enc, windows, range(8))
    engine = InferenceEngine(enc, "cuda", precision=precision, batch_size=8, compile=True)
    assert rel_err(engine.encode(windows, range(8)), ref) <= tol


@cuda
@pytest.mark.parametrize("compile_", [False, True])
def test_cuda_float16_stream(compile_):
    enc = make_encoder(embed_dim=128, depth=3, num_heads=4, patch_stride=32)
    windows = np.random.default_rng(7).standard_normal((10, 8, 512)).astype(np.float32)
    ref = reference(enc, windows, range(8))
    engine = InferenceEngine(
        enc,
        "cuda",
        precision="bfloat16",
        batch_size=8,
        compile=compile_,
        stream_precision="float16",
    )
    assert rel_err(engine.encode(windows, range(8)), ref) <= 1e-2
    # a window far out of model units overflows the float16 stream: recomputed (own graph,
    # float32 stream) to what the float32-stream engine gives (up to the batch size's GEMMs)
    wide = InferenceEngine(
        enc, "cuda", precision="bfloat16", batch_size=8, compile=compile_
    ).encode(windows * 1e7, range(8))
    windows[3] *= 1e7
    with pytest.warns(RuntimeWarning, match="1 of 10 windows"):
        out = engine.encode(windows, range(8))
    assert np.isfinite(out).all()
    assert rel_err(out[3], wide[3]) <= 1e-2


@cuda
def test_cuda_reference_path():
    enc = make_encoder(embed_dim=128, depth=2, num_heads=4)
    x = np.random.default_rng(6).standard_normal((3, 5, 256)).astype(np.float32)
    ref = reference(enc, x, range(5))  # before the engine moves the model to the GPU
    out = InferenceEngine(enc, "cuda", fused=False).encode(x, range(5))
    assert rel_err(out, ref) <= 1e-5


@cuda
def test_cuda_auto_compile_switches_on(monkeypatch):
    import eegpt.engine

    monkeypatch.setattr(eegpt.engine, "AUTO_COMPILE_AFTER", 8)
    enc = make_encoder(embed_dim=64, depth=2, num_heads=4)
    x = np.random.default_rng(7).standard_normal((8, 3, 256)).astype(np.float32)
    ref = reference(enc, x, range(3))
    engine = InferenceEngine(enc, "cuda", batch_size=8)
    assert not engine.use_compile
    engine.encode(x, range(3))
    out = engine.encode(x, range(3))
    assert engine.use_compile
    assert rel_err(out, ref) <= 1e-5


def test_tf32_matmul_op():
    """The TF32 patch-projection op: registration checks, the product, the setting restored."""
    from eegpt.fast_path import matmul_tf32

    a, b = torch.randn(3, 5, 8), torch.randn(8, 16)
    torch.library.opcheck(matmul_tf32, (a, b))
    before = torch.backends.cuda.matmul.fp32_precision
    assert torch.allclose(matmul_tf32(a, b), a @ b, atol=1e-5)
    assert torch.backends.cuda.matmul.fp32_precision == before
    enc = make_encoder(embed_dim=64, depth=2, num_heads=4)
    with pytest.raises(ValueError, match="patch_tf32"):
        enc.fast_plan([0, 1], patch_tf32=True)  # CPU
    assert not InferenceEngine(enc, "cpu", precision="bfloat16").use_patch_tf32


@cuda
@pytest.mark.parametrize("precision", ["bfloat16", "float16"])
def test_cuda_patch_projection_in_tf32(precision):
    """Reduced precisions on CUDA run the patch projection in TF32, within their tolerance and
    close to the float32 projection; float32 never does (it stays exact)."""
    enc = make_encoder(embed_dim=128, depth=3, num_heads=4, perturb=precision == "float16")
    windows = np.random.default_rng(4).standard_normal((6, 19, 512)).astype(np.float32) * 30
    ref = reference(enc, windows, range(19))
    engine = InferenceEngine(enc, "cuda", precision=precision, batch_size=8)
    assert engine.use_patch_tf32 and not InferenceEngine(enc, "cuda").use_patch_tf32
    with_tf32 = engine.encode(windows, range(19))
    engine.use_patch_tf32 = False
    engine._graphs.clear()
    without = engine.encode(windows, range(19))
    assert rel_err(with_tf32, ref) <= 1e-2
    # TF32's ~5e-4 in the first tokens moves later roundings: the two runs differ by about the
    # precision's own noise (bf16 ~5e-3, fp16 ~1e-3 in a CPU emulation of this case)
    assert rel_err(with_tf32, without) <= (1e-2 if precision == "bfloat16" else 2e-3)
    x = torch.randn(64, 19, 64, device="cuda") * 30
    w = torch.randn(64, 512, device="cuda")
    from eegpt.fast_path import matmul_tf32

    assert rel_err(matmul_tf32(x, w).cpu(), (x.double() @ w.double()).cpu()) <= 2e-3


@pytest.mark.parametrize("native", [False, True])
def test_reduced_precision_on_a_cpu_without_native_support_warns(monkeypatch, native):
    """bf16/fp16 on a CPU without native instructions is emulated and slower than float32:
    the engine says so (and stays silent where the CPU has them, and for float32)."""
    import warnings

    import eegpt.engine as engine_module

    monkeypatch.setattr(engine_module, "native_cpu_matmul", lambda dtype: native)
    enc = make_encoder(embed_dim=64, depth=2, num_heads=4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        InferenceEngine(enc, "cpu", precision="bfloat16")
        InferenceEngine(enc, "cpu")
    messages = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert len(messages) == (0 if native else 1)
    if not native:
        assert "no native bfloat16" in messages[0] and "float32" in messages[0]


def test_native_cpu_matmul_reports_float32_as_native():
    from eegpt.fast_path import native_cpu_matmul

    assert native_cpu_matmul(torch.float32)
    assert isinstance(native_cpu_matmul(torch.bfloat16), bool)


def test_graph_key_is_stable_across_calls_and_follows_the_plan():
    """A captured graph is found again for the next batch/encode() call (the plan tuple is new
    every call, its cached terms are not), and not for another stream dtype or after a weight
    changed in place."""
    from eegpt.engine import _graph_key

    enc = make_encoder(embed_dim=64, depth=2, num_heads=4)
    engine = InferenceEngine(enc, "cpu", precision="bfloat16", stream_precision="float16")
    ids = [0, 1, 2]

    def key(**kw):
        return _graph_key(4, (3, 256), ids, engine.plan(ids, **kw))

    first = key()
    held = engine.plan(ids)  # as a cached graph holds its plan
    assert key() == first
    wide = engine.plan(ids, stream_precision="float32")  # the overflow fallback's plan
    assert _graph_key(4, (3, 256), ids, wide) != first
    assert key() == first  # ... did not evict the engine's own
    fp32 = InferenceEngine(enc, "cpu")
    before = _graph_key(4, (3, 256), ids, fp32.plan(ids))
    kept = fp32.plan(ids)
    with torch.no_grad():
        enc.blocks[0].mlp.fc2.weight.mul_(1.5)
    assert _graph_key(4, (3, 256), ids, fp32.plan(ids)) != before
    assert held is not None and kept is not None and wide is not None


@cuda
def test_cuda_graph_follows_weight_changes():
    """A weight changed in place rebuilds the plan's derived weights, and the engine captures a
    new graph for the new plan instead of replaying the old one."""
    enc = make_encoder(embed_dim=64, depth=2, num_heads=4)
    x = np.random.default_rng(8).standard_normal((4, 3, 256)).astype(np.float32)
    engine = InferenceEngine(enc, "cuda", batch_size=4)
    before = engine.encode(x, range(3))
    assert np.array_equal(engine.encode(x, range(3)), before) and len(engine._graphs) == 1
    with torch.no_grad():
        enc.blocks[0].mlp.fc2.weight.mul_(1.5)
    after = engine.encode(x, range(3))
    assert rel_err(after, reference(copy.deepcopy(enc).cpu(), x, range(3))) <= 1e-5
    assert rel_err(after, before) > 1e-3
    assert len(engine._graphs) == 2  # one more, for the new weights


def test_encode_names_windows_whose_embeddings_are_not_finite():
    """NaN samples make NaN embeddings: encode() warns, naming those windows and why; with a
    float16 stream they are not blamed on it (nor computed again), while a window that only
    overflowed the float16 stream still is."""
    enc = make_encoder(embed_dim=128, depth=2, num_heads=4, patch_stride=32)
    x = torch.randn(5, 7, 512).numpy()
    ids = list(range(7))
    clean = InferenceEngine(enc, "cpu", batch_size=2).encode(x, ids)
    x[3, 2, 100] = np.nan
    with pytest.warns(
        RuntimeWarning, match=r"1 of 5 windows .*\(windows 3\): all of them hold NaN"
    ):
        out = InferenceEngine(enc, "cpu", batch_size=2).encode(x, ids)
    assert not np.isfinite(out[3]).all()  # the patches holding the NaN sample
    np.testing.assert_array_equal(out[[0, 1, 2, 4]], clean[[0, 1, 2, 4]])

    with pytest.warns(RuntimeWarning, match=r"\(windows 3\): all of them hold NaN"):
        InferenceEngine(enc, "cpu", batch_size=2).encode(torch.from_numpy(x), ids)  # a tensor

    x[1] *= 1e7  # finite, but beyond float16's range in the stream
    narrow = InferenceEngine(
        enc, "cpu", precision="bfloat16", batch_size=2, stream_precision="float16"
    )
    with pytest.warns(RuntimeWarning) as said:
        narrow.encode(x, ids)
    texts = [str(w.message) for w in said]
    assert any(t.startswith("1 of 5 windows gave non-finite embeddings with stream_precision")
               for t in texts), texts  # fmt: skip
    assert any("(windows 3): all of them hold NaN" in t for t in texts), texts


def test_no_gpu_error_names_the_python_keyword_and_the_option():
    from eegpt.engine import resolve_device
    from eegpt.errors import DeviceUnavailableError

    if torch.cuda.is_available():
        pytest.skip("a GPU is there")
    with pytest.raises(DeviceUnavailableError, match=r"use device='cpu' \(command line: --device"):
        resolve_device("cuda")


def _change_weights(model: EEGPT, how: str, other: EEGPT, x: torch.Tensor) -> None:
    """Change ``model``'s weights in one of the ways the fast path's cache sees."""
    if how == "load_state_dict":
        model.load_state_dict(other.state_dict())
    elif how in ("adamw", "adamw_fused"):
        opt = torch.optim.AdamW(model.parameters(), lr=0.05, fused=how == "adamw_fused")
        model.encode(x, torch.arange(x.shape[1])).square().mean().backward()
        opt.step()
    elif how == "data_then_clear":
        for p in model.parameters():
            p.data.mul_(1.5)
        model.clear_fast_cache()


@pytest.mark.parametrize("precision", ["bfloat16", "float16"])
@pytest.mark.parametrize("how", ["load_state_dict", "adamw", "adamw_fused", "data_then_clear"])
@pytest.mark.filterwarnings("ignore:precision=:RuntimeWarning")
def test_reduced_precision_engine_follows_weight_changes(precision, how):
    """A bfloat16/float16 engine runs a private copy of the encoder: it is made again when the
    caller's weights change (it ran the weights it was built with, 1.4 relative off)."""
    cfg = EEGPTConfig(embed_dim=128, depth=2, num_heads=4)
    torch.manual_seed(0)
    model, other = EEGPT(cfg).eval(), EEGPT(cfg).eval()
    x, ids = torch.randn(3, 5, 256), list(range(5))
    engine = InferenceEngine(model, "cpu", precision=precision)
    before = engine.encode(x.numpy(), ids)
    _change_weights(model, how, other, x)
    model.eval()
    after = engine.encode(x.numpy(), ids)
    ref = reference(model.target_encoder, x, ids)
    assert rel_err(before, ref) > 0.2  # the weights did change
    assert rel_err(after, ref) <= 2e-2


def test_a_thread_calling_while_a_shared_engine_copies_new_weights_runs_them(monkeypatch):
    """A bfloat16 engine shared by threads: one thread makes the private copy of changed weights
    while another calls the engine. The second must not run the previous copy (the token of
    the new weights was noted before the copy was made, so it found the copy up to date and
    ran the old weights)."""
    import threading

    import eegpt.engine

    cfg = EEGPTConfig(embed_dim=64, depth=2, num_heads=4)
    torch.manual_seed(0)
    model, other = EEGPT(cfg).eval(), EEGPT(cfg).eval()
    x, ids = torch.randn(2, 3, 256).numpy(), [0, 1, 2]
    engine = InferenceEngine(model, "cpu", precision="bfloat16")
    engine.encode(x, ids)
    model.load_state_dict(other.state_dict())
    copying, go_on = threading.Event(), threading.Event()
    cast = eegpt.engine.cast_matmuls

    def slow_cast(*args):  # the first thread's copy waits for the second thread's call
        copying.set()
        go_on.wait(timeout=30)
        return cast(*args)

    monkeypatch.setattr(eegpt.engine, "cast_matmuls", slow_cast)
    first = threading.Thread(target=engine.encode, args=(x, ids))
    first.start()
    assert copying.wait(timeout=30)
    monkeypatch.setattr(eegpt.engine, "cast_matmuls", cast)
    got = [None]
    second = threading.Thread(target=lambda: got.__setitem__(0, engine.encode(x, ids)))
    second.start()
    second.join(timeout=5)  # done at once when it ran the old copy; else copying too
    go_on.set()
    first.join()
    second.join()
    assert rel_err(got[0], reference(model.target_encoder, x, ids)) <= 2e-2


def test_reduced_precision_engine_keeps_its_copy_while_the_weights_stay():
    """No change, no new copy: the copy is made once, not per call."""
    enc = make_encoder(embed_dim=64, depth=2, num_heads=4)
    engine = InferenceEngine(enc, "cpu", precision="bfloat16")
    x = np.random.default_rng(0).standard_normal((2, 3, 256)).astype(np.float32)
    first = engine._runner
    engine.encode(x, [0, 1, 2])
    engine.encode(x, [0, 1, 2])
    assert engine._runner is first


def test_a_reduced_precision_engine_follows_inference_tensors_changed_between_calls():
    """Weights made under torch.inference_mode (inference tensors) have no change counter, so
    a reduced-precision engine copies them at each call (a key of the tensors' identities
    would not see an in-place change): a load_state_dict and an in-place edit under
    inference mode between calls are both run."""
    with torch.inference_mode():
        enc = make_encoder(embed_dim=64, depth=2, num_heads=4)
        engine = InferenceEngine(enc, "cpu", precision="bfloat16")
        x = np.random.default_rng(0).standard_normal((2, 3, 256)).astype(np.float32)
        first = engine.encode(x, [0, 1, 2])
        enc.load_state_dict(make_encoder(seed=1, embed_dim=64, depth=2, num_heads=4).state_dict())
        loaded, want_loaded = engine.encode(x, [0, 1, 2]), reference(enc, x, [0, 1, 2])
        enc.blocks[1].mlp.fc2.weight.mul_(-1.0)  # same tensors, same addresses
        edited, want_edited = engine.encode(x, [0, 1, 2]), reference(enc, x, [0, 1, 2])
    assert rel_err(loaded, want_loaded) <= 2e-2 and rel_err(edited, want_edited) <= 2e-2
    assert rel_err(loaded, first) > 0.1 and rel_err(edited, loaded) > 0.1


def test_embed_with_a_reduced_precision_engine_after_load_state_dict():
    """model.embed(..., engine=...) accepted the engine (same live model) but ran old weights."""
    cfg = EEGPTConfig(embed_dim=64, depth=2, num_heads=4)
    torch.manual_seed(1)
    model, other = EEGPT(cfg).eval(), EEGPT(cfg).eval()
    engine = InferenceEngine(model, "cpu", precision="bfloat16")
    x = np.random.default_rng(2).standard_normal((3, 2048)).astype(np.float32) * 1e-5
    names = ["C3", "CZ", "C4"]
    model.embed(x, sfreq=256, ch_names=names, engine=engine)
    model.load_state_dict(other.state_dict())
    got = model.embed(x, sfreq=256, ch_names=names, engine=engine)
    want = model.embed(x, sfreq=256, ch_names=names)
    assert rel_err(got.data, want.data) <= 2e-2


# -- threads, channel ids, bounded caches ---------------------------------------------------------


def _montages(n: int, size: int = 6) -> list[list[int]]:
    """``n`` different channel sets of ``size`` vocabulary rows."""
    return [[(k + 7 * j) % 58 for j in range(size)] for k in range(n)]


def _threaded_encode(engine: InferenceEngine, jobs: list[tuple[np.ndarray, list[int]]]) -> list:
    """Each job ``(windows, chan_ids)`` encoded by its own thread, all started together."""
    import threading

    barrier, out = threading.Barrier(len(jobs)), [None] * len(jobs)

    def work(k: int) -> None:
        barrier.wait()
        for _ in range(3):  # several calls each, interleaving with the others
            out[k] = engine.encode(*jobs[k])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def _jobs(n: int, n_windows: int = 5, seed: int = 0) -> list[tuple[np.ndarray, list[int]]]:
    rng = np.random.default_rng(seed)
    return [
        (rng.standard_normal((n_windows, 6, 512)).astype(np.float32) * 30, ids)
        for ids in _montages(n)
    ]


def test_an_engine_shared_by_threads_gives_each_its_own_embeddings():
    """Threads calling one engine with different channel sets each get what a lone call gives."""
    enc = make_encoder(embed_dim=64, depth=2, num_heads=4)
    engine = InferenceEngine(enc, "cpu", batch_size=2)
    jobs = _jobs(4)
    serial = [engine.encode(*job) for job in jobs]
    for got, want in zip(_threaded_encode(engine, jobs), serial, strict=True):
        np.testing.assert_array_equal(got, want)


@cuda
@pytest.mark.parametrize(
    ("precision", "graphs"), [("float32", "auto"), ("bfloat16", "auto"), ("bfloat16", False)]
)
def test_a_cuda_engine_shared_by_threads_gives_each_its_own_embeddings(precision, graphs):
    """One CUDA engine called from several threads with different channel sets: no capture
    error or abort with CUDA graphs, and no thread gets another's embeddings through the pinned
    buffers (the device lock); engines of their own on one GPU likewise."""
    enc = make_encoder(embed_dim=64, depth=2, num_heads=4)
    jobs = _jobs(6, n_windows=70)  # two batches of 64 and a bucketed rest
    shared = InferenceEngine(enc, "cuda", precision=precision, cuda_graphs=graphs)
    serial = [shared.encode(*job) for job in jobs]
    shared._graphs.clear()
    for got, want in zip(_threaded_encode(shared, jobs), serial, strict=True):
        np.testing.assert_array_equal(got, want)
    own = [InferenceEngine(enc, "cuda", precision=precision, cuda_graphs=graphs) for _ in jobs]
    import threading

    results = [None] * len(jobs)

    def work(k: int) -> None:
        results[k] = own[k].encode(*jobs[k])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for got, want in zip(results, serial, strict=True):
        np.testing.assert_array_equal(got, want)


@cuda
def test_cuda_graphs_stop_being_captured_when_more_shapes_alternate_than_are_kept():
    """More channel sets than MAX_GRAPHS, in turn: after MAX_GRAPHS + 1 captures of graphs
    dropped before, a warning, and new shapes run without graphs (results unchanged)."""
    from eegpt.engine import MAX_GRAPHS

    enc = make_encoder(embed_dim=64, depth=2, num_heads=4)
    engine = InferenceEngine(enc, "cuda", precision="bfloat16")
    jobs = _jobs(MAX_GRAPHS + 2, n_windows=4)
    first = [engine.encode(*job) for job in jobs]
    with pytest.warns(RuntimeWarning, match="captured again and again"):
        for _ in range(2):
            again = [engine.encode(*job) for job in jobs]
    for got, want in zip(again, first, strict=True):
        np.testing.assert_array_equal(got, want)
    assert engine._recaptures > MAX_GRAPHS


def test_encode_refuses_channel_ids_that_are_not_one_vocabulary_row_per_channel():
    """InferenceEngine.encode checks chan_ids as model(x, ids) does: another length, rows
    outside the vocabulary and fractional ids are ValueErrors naming the rule (they were a
    broadcasting RuntimeError, an IndexError, and silently truncated)."""
    engine = InferenceEngine(make_encoder(embed_dim=32, depth=1, num_heads=2), "cpu")
    windows = np.zeros((2, 3, 256), np.float32)
    with pytest.raises(ValueError, match="one vocabulary index per channel of x: 3 channels"):
        engine.encode(windows, [0, 1])
    with pytest.raises(ValueError, match=r"chan_ids must be integers.*in 0\.\.61"):
        engine.encode(windows, [0, 1, 62])
    with pytest.raises(ValueError, match=r"chan_ids must be integers.*in 0\.\.61"):
        engine.encode(windows, [0, -1, 2])
    with pytest.raises(ValueError, match=r"chan_ids must be integers.*in 0\.\.61"):
        engine.encode(windows, [0.9, 1.9, 2.9])
    with pytest.raises(ValueError, match=r"integer dtype, not float64"):
        engine.encode(windows, [0.0, 1.0, 2.0])  # whole, but not integers: as model(x, ids)
    with pytest.raises(ValueError, match=r"integer dtype, not bool"):
        engine.encode(windows, [True, False, True])  # was run as rows 1, 0, 1
    with pytest.raises(TypeError, match=r"map_channels\(names\)\.chan_ids"):
        engine.encode(windows, ["Fz", "Cz", "Pz"])
    assert engine.encode(windows, np.array([0, 1, 2])).shape[0] == 2


def test_the_fast_path_keeps_the_terms_of_a_bounded_number_of_channel_sets():
    """A service embedding ever new montages: the encoder's cache keeps the terms of the
    latest MAX_CACHED_CHANNEL_SETS channel sets (it grew by one entry per set), and a dropped
    set is derived again, equal."""
    from eegpt._weights_watch import FAST_CACHES
    from eegpt.fast_path import MAX_CACHED_CHANNEL_SETS

    enc = make_encoder(embed_dim=32, depth=2, num_heads=2)
    engine = InferenceEngine(enc, "cpu")
    windows = np.random.default_rng(1).standard_normal((1, 3, 256)).astype(np.float32)
    sets = [[a, b, c] for a in range(6) for b in range(6, 12) for c in range(12, 15)][:90]
    first = engine.encode(windows, sets[0])
    for ids in sets[1:]:
        engine.encode(windows, ids)
    held = [k for k in FAST_CACHES[enc] if isinstance(k, tuple) and k[0] == "channels"]
    assert len(held) == MAX_CACHED_CHANNEL_SETS
    np.testing.assert_array_equal(engine.encode(windows, sets[0]), first)


def test_the_fast_paths_channel_terms_follow_the_order_of_the_channels():
    """The cached channel terms are keyed by the channel ids in their order: a channel set
    seen before in another order gets its own terms (one keyed by the set gave the first
    order's terms to the second, a 2.8e-2 relative error)."""
    enc = make_encoder(embed_dim=64, depth=2, num_heads=4)
    enc.fused = True
    x = torch.randn(2, 3, 512)
    with torch.no_grad():
        enc(x, torch.tensor([0, 5, 9]))  # fills the cache for this order
        fast = enc(x, torch.tensor([9, 5, 0]))
    assert rel_err(fast, reference(enc, x, [9, 5, 0])) <= 1e-5
    # and through an engine: the second order's embeddings are its own
    other = make_encoder(seed=1, embed_dim=64, depth=2, num_heads=4)
    engine = InferenceEngine(other, "cpu")
    windows = x.numpy()
    first = engine.encode(windows, [3, 7, 1])
    second = engine.encode(windows, [1, 7, 3])
    assert rel_err(first, reference(other, windows, [3, 7, 1])) <= 1e-5
    assert rel_err(second, reference(other, windows, [1, 7, 3])) <= 1e-5


@pytest.mark.skipif(
    tuple(int(v) for v in torch.__version__.split(".")[:2]) < (2, 13),
    reason="torch 2.11's shape reasoning cannot prove min(64 C, 1024 C) == 64 C (the patch "
    "embedding), so it refuses a dynamic channel axis; 2.13 exports it",
)
def test_torch_export_takes_a_dynamic_channel_count():
    """torch.export with the channel axis dynamic: the exported program runs other montages
    (the input check reads the ids' shape, not len(ids), which fixed it to the traced one)."""
    model = EEGPT("tiny2").eval()
    x, ids = torch.randn(2, 5, 1024), torch.tensor([0, 1, 2, 3, 4])
    chans, batch = torch.export.Dim("C", min=2, max=62), torch.export.Dim("B", min=1, max=64)
    program = torch.export.export(
        model, (x, ids), dynamic_shapes=({0: batch, 1: chans}, {0: chans})
    )
    x3, ids3 = torch.randn(3, 3, 1024), torch.tensor([5, 9, 11])
    with torch.no_grad():
        torch.testing.assert_close(
            program.module()(x3, ids3), model(x3, ids3), rtol=1e-5, atol=1e-5
        )


def test_an_engine_whose_model_was_moved_away_says_so():
    """An engine moves the model it is given; a second engine made on the same model for
    another device moved it away from the first, which then failed inside the patch
    projection with torch's 'Expected all tensors to be on the same device' (seen on a GPU:
    a CPU engine, then a CUDA one on the same model). 'meta' stands in for the other device."""
    enc = make_encoder(embed_dim=32, depth=1, num_heads=2, patch_stride=32)
    windows = np.random.default_rng(0).standard_normal((2, 4, 256)).astype(np.float32)
    engine = InferenceEngine(enc, "cpu", batch_size=2)
    engine.encode(windows, range(4))
    enc.to("meta")
    with pytest.raises(RuntimeError, match=r"runs on cpu but the model's weights are now on meta"):
        engine.encode(windows, range(4))
    enc.to_empty(device="cpu")  # back on the engine's device: runs (whatever the weights)
    assert engine.encode(windows, range(4)).shape[0] == 2


def test_a_cuda_device_without_an_index_is_the_current_one():
    """An engine made with device='cuda' took a model moved to 'cuda:1' as on its device (any
    CUDA index passed) and failed with torch's error: 'cuda' is the current device."""
    from eegpt.engine import same_device

    cuda, cuda0, cuda1 = torch.device("cuda"), torch.device("cuda:0"), torch.device("cuda:1")
    assert same_device(cuda, cuda0, current=0) and same_device(cuda0, cuda, current=0)
    assert not same_device(cuda, cuda1, current=0)
    assert same_device(cuda, cuda1, current=1) and same_device(cuda1, cuda1)
    assert not same_device(cuda0, cuda1) and not same_device(torch.device("cpu"), cuda0)
    assert same_device(torch.device("cpu"), torch.device("cpu"))


def test_a_reduced_precision_engine_whose_hooks_run_the_callers_model_checks_its_device():
    """A reduced-precision engine runs its own copy, so the check of the caller's model was
    skipped; but hooks make each batch run the reference path on the caller's model."""
    enc = make_encoder(embed_dim=32, depth=1, num_heads=2, patch_stride=32)
    windows = np.random.default_rng(0).standard_normal((2, 4, 256)).astype(np.float32)
    engine = InferenceEngine(enc, "cpu", precision="bfloat16", batch_size=2)
    engine.encode(windows, range(4))
    enc.to("meta")
    handle = enc.blocks[0].register_forward_hook(lambda *args: None)
    try:
        with pytest.raises(RuntimeError, match=r"runs on cpu but the model's weights are now"):
            engine.encode(windows, range(4))
    finally:
        handle.remove()


class _SlowKey:
    """A cache key whose comparison sleeps 0.1 ms, releasing the GIL: a thread listing the
    cache's keys (comparing each with "channels") then lets the other threads run mid-listing,
    so that the race of iterating a dict another thread inserts into is met at once instead of
    a few times in thousands of calls (with the switch interval lowered to 1 us)."""

    def __eq__(self, other: object) -> bool:
        import time

        time.sleep(1e-4)
        return False

    __hash__ = object.__hash__


def test_threads_sharing_an_encoder_with_different_channel_sets(monkeypatch):
    """Threads calling one encoder (directly and through an engine) with different channel sets
    at once: no error, and each call gives what a lone call gives. Three times more channel sets
    than the cache keeps, so that most calls also drop one: listing the cached sets while another thread
    inserted one raised "dictionary changed size during iteration" (and two threads dropping the
    same set a KeyError)."""
    import threading

    import eegpt.fast_path
    from eegpt._weights_watch import FAST_CACHES

    enc = make_encoder(embed_dim=32, depth=2, num_heads=2, patch_size=16)
    enc.fused = True
    engine = InferenceEngine(enc, "cpu")
    monkeypatch.setattr(eegpt.fast_path, "MAX_CACHED_CHANNEL_SETS", 4)
    sets = [[a, b] for a in range(3) for b in range(3, 7)]  # 12: most calls derive a set
    x = np.random.default_rng(2).standard_normal((1, 2, 16)).astype(np.float32)
    serial = [engine.encode(x, ids) for ids in sets]
    FAST_CACHES[enc][(_SlowKey(),)] = None  # listings of the cache now let others run
    jobs, rounds = 4, 15
    barrier, errors, got = threading.Barrier(jobs), [], {}

    def work(k: int) -> None:
        barrier.wait()
        try:
            for i in range(rounds):
                j = (37 * k + 11 * i) % len(sets)
                if k % 2:
                    got[k, i] = engine.encode(x, sets[j])
                else:
                    with torch.no_grad():
                        got[k, i] = enc(torch.from_numpy(x), torch.tensor(sets[j])).numpy()
        except Exception as err:  # noqa: BLE001 - collected for the assertion
            errors.append(err)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, f"{len(errors)} of {jobs} threads failed, the first with {errors[0]!r}"
    assert len(got) == jobs * rounds
    for (k, i), out in got.items():
        np.testing.assert_array_equal(out, serial[(37 * k + 11 * i) % len(sets)])


def test_windows_done_counts_every_window_of_concurrent_calls():
    """Threads calling one engine at once: ``windows_done`` ends at the exact number of windows
    encoded, none lost to an unlocked read-add-write (it decides auto-compilation)."""
    import sys
    import threading

    engine = InferenceEngine(EEGPTEncoder(PRESETS["tiny1"]), "cpu")
    windows = np.zeros((3, 2, 64), dtype=np.float32)
    n_threads, calls = 8, 40
    barrier = threading.Barrier(n_threads)

    def work() -> None:
        barrier.wait()
        for _ in range(calls):
            engine.encode(windows, [0, 1])

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as CPython allows
    try:
        threads = [threading.Thread(target=work) for _ in range(n_threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert engine.windows_done == n_threads * calls * len(windows)


def test_engines_copy_and_pickle_each_with_a_lock_of_their_own():
    """``copy.deepcopy`` and ``pickle`` raised "cannot pickle '_thread.lock' object" once the
    engine held a lock for ``windows_done``, and ``copy.copy`` shared that lock between the two
    engines; each copy now has a lock of its own and encodes as the original."""
    import pickle

    engine = InferenceEngine(make_encoder(embed_dim=64, depth=2, num_heads=4), "cpu")
    x = np.random.default_rng(9).standard_normal((2, 3, 256)).astype(np.float32)
    out = engine.encode(x, range(3))
    clones = [copy.deepcopy(engine), pickle.loads(pickle.dumps(engine)), copy.copy(engine)]
    for clone in clones:
        assert clone._count_lock is not engine._count_lock
        assert clone.windows_done == len(x)
        np.testing.assert_array_equal(clone.encode(x, range(3)), out)
        assert clone.windows_done == 2 * len(x)
    assert engine.windows_done == len(x)


@pytest.mark.parametrize(
    ("flags", "native"),
    [
        ({}, None),  # AVX-512 without BF16 (Skylake to Ice Lake): emulated
        ({"avx512_bf16": True}, "AVX512-BF16"),
        ({"amx_bf16": True, "avx512_bf16": True}, "AMX-BF16"),
    ],
)
def test_bfloat16_on_an_avx512_cpu_without_bf16_is_emulated_and_warned_of(
    monkeypatch, flags, native
):
    """oneDNN reports bfloat16 supported on every AVX-512 CPU, where without AVX-512 BF16
    (or AMX) it emulates it, 2-4x slower than float32: the engine took that as native and
    said nothing. The CPU's own instruction sets decide (torch.cpu.get_capabilities)."""
    import warnings

    from eegpt.fast_path import cpu_matmul_instructions, native_cpu_matmul

    caps = {"architecture": "x86_64", "avx2": True, "avx512_f": True, "avx512_bw": True}
    monkeypatch.setattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda: True)
    monkeypatch.setattr(torch.cpu, "get_capabilities", lambda: {**caps, **flags})
    assert native_cpu_matmul(torch.bfloat16) is (native is not None)
    assert cpu_matmul_instructions(torch.bfloat16) == native
    enc = make_encoder(embed_dim=64, depth=2, num_heads=4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        InferenceEngine(enc, "cpu", precision="bfloat16")
    said = [str(w.message) for w in caught if "no native bfloat16" in str(w.message)]
    assert len(said) == (1 if native is None else 0)


@pytest.mark.parametrize("native", [False, True])
def test_fine_tuning_in_bfloat16_on_a_cpu_without_it_natively_warns(monkeypatch, native):
    """Fine-tuning's autocast (``finetune(precision="bfloat16")``) on a CPU that emulates
    bfloat16 (AVX2, AVX-512 without BF16) was not warned of, unlike the engine's embedding:
    it is warned of alike (and not where the CPU has it)."""
    import warnings

    import eegpt.engine as engine_module
    from eegpt.finetune import _resolve_precision

    monkeypatch.setattr(engine_module, "native_cpu_matmul", lambda dtype: native)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert _resolve_precision("bf16", torch.device("cpu")) == "bfloat16"
        assert _resolve_precision("auto", torch.device("cpu")) == "float32"
    said = [str(w.message) for w in caught if "no native bfloat16" in str(w.message)]
    assert len(said) == (0 if native else 1)


# Small encoders on the axes CASES leaves out: one head, one summary token, no block or one,
# one or two channels, patches short enough for the low-rank first block (2 * patch_size <=
# embed_dim), strides under and over the patch, tails, no qkv bias, a large LayerNorm eps, an
# MLP narrower than the width, a DC offset and a flat channel.
# (config kwargs, channels, samples, batch, amplitude, offset)
SMALL_CASES = [
    (dict(embed_dim=8, depth=1, num_heads=1, embed_num=1, patch_size=4), 1, 13, 3, 1.0, 0.0),
    (dict(embed_dim=16, depth=2, num_heads=1, embed_num=1, patch_size=8), 2, 37, 4, 30.0, 50.0),
    (dict(embed_dim=16, depth=0, num_heads=2, embed_num=1, patch_size=4), 2, 9, 2, 1.0, 0.0),
    (
        dict(embed_dim=32, depth=3, num_heads=4, embed_num=2, patch_size=8, patch_stride=3),
        5,
        50,
        3,
        1e4,
        -3000.0,
    ),  # fmt: skip
    (
        dict(embed_dim=32, depth=2, num_heads=8, embed_num=4, patch_size=16, patch_stride=19),
        3,
        70,
        5,
        1e-3,
        0.0,
    ),  # fmt: skip
    (
        dict(
            embed_dim=24,
            depth=2,
            num_heads=3,
            embed_num=2,
            patch_size=4,
            qkv_bias=False,
            layer_norm_eps=0.1,
            mlp_ratio=0.5,
        ),
        62,
        23,
        2,
        1.0,
        0.0,
    ),  # fmt: skip
    (
        dict(embed_dim=16, depth=3, num_heads=2, embed_num=1, patch_size=64, patch_stride=1),
        1,
        66,
        2,
        3.0,
        0.0,
    ),  # fmt: skip
]


@pytest.mark.parametrize(
    "case",
    SMALL_CASES,
    ids=lambda c: "D{embed_dim}h{num_heads}d{depth}S{embed_num}".format(**c[0]) + f"C{c[1]}",
)
def test_small_encoders_fast_paths_equal_the_reference(case):
    """Every fast-path form (the fused forward under each last_block, the engine in batches
    of 2) equals the reference path to 1e-5 on small encoders; a window embedded alone equals it in a batch
    to 1e-6; the same channels in another order (ids along) give the same summary tokens (the
    encoder attends over channels as a set, no position among them) to 1e-5."""
    cfg, c, t, b, scale, offset = case
    enc = make_encoder(**cfg)
    rng = np.random.default_rng(c * t)
    x = rng.standard_normal((b, c, t)).astype(np.float32) * scale + offset
    if c > 2:
        x[:, 1] = 0.0  # a flat channel
    ids = rng.permutation(62)[:c]
    ref = reference(enc, x, ids.tolist())
    assert ref.shape == (b, enc.config.n_patches(t), cfg["embed_num"], cfg["embed_dim"])
    for last_block in ("auto", "rows", "absorbed"):
        enc.last_block = last_block
        enc.fused = True
        with torch.no_grad():
            fused = enc(torch.from_numpy(x), torch.from_numpy(ids))
        assert rel_err(fused, ref) <= 1e-5, last_block
    enc.last_block = "auto"
    out = InferenceEngine(enc, "cpu", batch_size=2).encode(x, ids.tolist())
    assert rel_err(out, ref) <= 1e-5
    engine = InferenceEngine(enc, "cpu", batch_size=64)
    batch = engine.encode(x, ids.tolist())
    alone = engine.encode(x[-1:], ids.tolist())
    assert rel_err(alone, batch[-1:]) <= 1e-6
    perm = rng.permutation(c)
    permuted = engine.encode(np.ascontiguousarray(x[:, perm]), ids[perm].tolist())
    assert rel_err(permuted, batch) <= 1e-5


@pytest.mark.parametrize("precision", ["float32", "bfloat16"])
def test_an_autocast_the_caller_entered_does_not_change_the_fast_path(monkeypatch, precision):
    """`with torch.autocast("cpu", dtype=torch.bfloat16): model.embed(...)` ran the engine's
    fast path in bfloat16 (~4e-3 off) while the output recorded float32: the fast path runs
    as the engine's precision says, as the reference path does, with any autocast of the
    engine's device type turned off inside (CUDA's alike: the device type is the engine's)."""
    enc = make_encoder(embed_dim=64, depth=2, num_heads=4)
    enc.fused = True
    x = np.random.default_rng(2).standard_normal((3, 6, 512)).astype(np.float32) * 30
    ids = [0, 3, 9, 14, 27, 40]
    engine = InferenceEngine(enc, "cpu", precision=precision, batch_size=2)
    assert engine.runs_fast_path()
    plain = engine.encode(x, ids)
    entered = []
    autocast = torch.autocast

    def spy(device_type, *args, **kwargs):
        entered.append((device_type, kwargs.get("enabled", True)))
        return autocast(device_type, *args, **kwargs)

    with torch.autocast("cpu", dtype=torch.float16):
        monkeypatch.setattr(torch, "autocast", spy)
        under = engine.encode(x, ids)
    assert np.array_equal(under, plain)
    assert (engine.device.type, False) in entered
