"""The Triton short-sequence attention kernel (``eegpt.short_attention``) against PyTorch's SDPA.

Without a GPU the kernel runs under Triton's CPU interpreter (see conftest.py) in float32 and
float16 (the interpreter's bfloat16 matmul is broken upstream); on CUDA in bfloat16 and float16,
inside the engine, compiled and in CUDA graphs.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

pytest.importorskip("triton")

from test_engine import make_encoder, reference, rel_err  # noqa: E402

from eegpt import short_attention as short_attn  # noqa: E402
from eegpt.engine import InferenceEngine, cast_matmuls  # noqa: E402
from eegpt.model import EEGPTEncoder  # noqa: E402

on_cuda = torch.cuda.is_available()
DEVICE = "cuda" if on_cuda else "cpu"
cuda = pytest.mark.skipif(not on_cuda, reason="needs a CUDA GPU")
DTYPES = [torch.bfloat16, torch.float16] if on_cuda else [torch.float32, torch.float16]
TOL = {torch.float32: 1e-5, torch.float16: 2e-3, torch.bfloat16: 1e-2}


def qkv_views(seqs, n_q, n_k, heads, hd, dtype, seed=0):
    """q, k, v as strided slices of one fused projection ``[L, n_k, 3D]`` (as the model has)."""
    g = torch.Generator().manual_seed(seed)
    qkv = torch.randn(seqs, n_k, 3 * heads * hd, generator=g).mul_(2).to(DEVICE, dtype)
    q, k, v = qkv.chunk(3, dim=-1)
    return q[:, n_k - n_q :], k, v


def sdpa(q, k, v, heads, dtype=torch.float64):
    def split(t):
        return t.to(dtype).unflatten(-1, (heads, -1)).transpose(1, 2)

    return F.scaled_dot_product_attention(split(q), split(k), split(v)).transpose(1, 2).flatten(2)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize(
    "n_q,n_k,heads,hd",
    [
        (62, 62, 8, 64),
        (4, 62, 8, 64),
        (7, 23, 4, 16),
        (128, 128, 2, 32),
        (128, 128, 2, 64),  # the pipelined head loop at its largest shared-memory footprint
        (100, 100, 2, 128),  # too wide to pipeline: unrolled
        (1, 1, 2, 16),
        (9, 9, 3, 32),
    ],
)
def test_matches_sdpa(dtype, n_q, n_k, heads, hd):
    q, k, v = qkv_views(5, n_q, n_k, heads, hd, dtype)
    out = short_attn.short_attention(q, k, v, heads)
    assert out.shape == q.shape and out.dtype == dtype and out.is_contiguous()
    ref = sdpa(q.cpu(), k.cpu(), v.cpu(), heads)
    assert rel_err(out.cpu(), ref) <= TOL[dtype]
    # no further from the truth than PyTorch's own kernels in the same dtype
    if dtype != torch.float32:
        own = sdpa(q, k, v, heads, dtype).cpu()
        assert rel_err(out.cpu(), ref) <= 2 * rel_err(own, ref) + 1e-3


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("n_own,n_tail,heads,hd", [(58, 4, 8, 64), (19, 4, 4, 32), (5, 1, 2, 16)])
def test_shared_tail_rows_equal_the_concatenation(dtype, n_own, n_tail, heads, hd):
    """Tail rows (the same q/k/v appended to every sequence, as the summary tokens of the
    first block) give exactly what the kernel gives on the materialised concatenation."""
    q, k, v = qkv_views(5, n_own, n_own, heads, hd, dtype)
    g = torch.Generator().manual_seed(1)
    tail = torch.randn(n_tail, 3 * heads * hd, generator=g).to(DEVICE, dtype)
    tq, tk, tv = tail.chunk(3, dim=-1)  # strided slices, like plan.summary_qkv's

    def cat(own, shared):
        return torch.cat([own, shared.expand(own.shape[0], *shared.shape)], dim=1)

    out = short_attn.short_attention(q, k, v, heads, tq, tk, tv)
    assert out.shape == (5, n_own + n_tail, heads * hd) and out.is_contiguous()
    joined = short_attn.short_attention(cat(q, tq), cat(k, tk), cat(v, tv), heads)
    assert torch.equal(out, joined)
    ref = sdpa(cat(q, tq).cpu(), cat(k, tk).cpu(), cat(v, tv).cpu(), heads)
    assert rel_err(out.cpu(), ref) <= TOL[dtype]
    with pytest.raises(ValueError, match="all three tails or none"):
        short_attn.short_attention(q, k, v, heads, tq, tk, None)


@pytest.mark.parametrize("stages", [2, 3])
@pytest.mark.parametrize("tail", [False, True])
def test_pipelined_head_loop_gives_the_same_result(monkeypatch, stages, tail):
    """HEAD_STAGES > 0 software-pipelines the loop over a program's heads instead of unrolling
    it: the same arithmetic per head, so the same output, bit for bit."""
    dtype = DTYPES[-1]
    q, k, v = qkv_views(3, 19, 19, 8, 32, dtype)
    tails = qkv_views(1, 4, 4, 8, 32, dtype, seed=2)
    tails = [t[0] for t in tails] if tail else []
    unrolled = short_attn.short_attention(q, k, v, 8, *tails)
    monkeypatch.setattr(short_attn, "HEAD_STAGES", stages)
    assert torch.equal(short_attn.short_attention(q, k, v, 8, *tails), unrolled)


def summary_reference(qk, h):
    scores = torch.einsum("hlsd,lnd->hlsn", qk.double().cpu(), h.double().cpu())
    return torch.einsum("hlsn,lnd->hlsd", scores.softmax(-1), h.double().cpu())


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize(
    "heads,seqs,rows,width,n_k", [(8, 3, 4, 512, 62), (5, 2, 3, 96, 23), (2, 4, 1, 64, 128)]
)
def test_summary_attention_matches_softmax_attention(dtype, heads, seqs, rows, width, n_k):
    """The last block's absorbed attention: queries [H, L, S, D] against the tokens
    themselves as keys and values; also from a strided (transposed) query layout."""
    g = torch.Generator().manual_seed(2)
    qk = (torch.randn(heads, seqs, rows, width, generator=g) * 0.1).to(DEVICE, dtype)
    h = torch.randn(seqs, n_k, width, generator=g).to(DEVICE, dtype)
    z = short_attn.summary_attention(qk, h)
    assert z.shape == qk.shape and z.dtype == dtype and z.is_contiguous()
    ref = summary_reference(qk, h)
    assert rel_err(z.cpu(), ref) <= TOL[dtype]
    strided = qk.transpose(0, 1).contiguous().transpose(0, 1)  # [H, L, ...] view of [L, H, ...]
    assert torch.equal(short_attn.summary_attention(strided, h), z)


def test_summary_attention_checks_shapes():
    h = torch.randn(2, 10, 64).to(DEVICE, torch.float16)
    with pytest.raises(ValueError, match="do not match"):
        short_attn.summary_attention(torch.randn(4, 3, 2, 64).to(DEVICE, torch.float16), h)
    with pytest.raises(ValueError, match="contiguous last dimension"):
        short_attn.summary_attention(torch.randn(4, 2, 64, 2).to(DEVICE, torch.float16).mT, h)
    qk = torch.randn(4, 2, 2, 64).to(DEVICE, torch.float16)
    torch.library.opcheck(short_attn.summary_attention, (qk, h))


def test_rows_are_independent_of_padding_keys():
    """Masked key slots (n_k < block) get no probability: doubling the last token's value
    elsewhere in memory, beyond n_k, changes nothing."""
    dtype = DTYPES[-1]
    q, k, v = qkv_views(3, 20, 20, 2, 16, dtype)
    full = torch.cat([v, v[:, :5] * 100], dim=1)
    a = short_attn.short_attention(q, k, v, 2)
    b = short_attn.short_attention(q, k, full[:, :20], 2)
    assert torch.equal(a, b)


@pytest.fixture
def fresh_first_run():
    short_attn._first_run_problem.cache_clear()
    yield
    short_attn._first_run_problem.cache_clear()


def test_usable_runs_the_kernel_once(fresh_first_run):
    dtype = DTYPES[-1]
    assert short_attn.usable(DEVICE, dtype)
    assert short_attn._first_run_problem.cache_info().currsize == 1
    assert short_attn.usable(DEVICE, dtype)  # cached: no second launch
    assert short_attn._first_run_problem.cache_info().hits == 1


def test_usable_falls_back_with_a_warning(monkeypatch, fresh_first_run):
    """Triton importable but unable to build kernels (e.g. no C compiler): ``usable`` says no,
    once, with the reason, so the engine's "auto" keeps SDPA instead of failing later."""

    def broken(*args):
        raise RuntimeError("Failed to find C compiler")

    monkeypatch.setattr(short_attn, "short_attention", broken)
    with pytest.warns(RuntimeWarning, match="C compiler.*SDPA"):
        assert not short_attn.usable(DEVICE, DTYPES[-1])


def test_supports():
    q, k, _ = qkv_views(2, 62, 62, 8, 64, torch.float16)
    assert short_attn.supports(q, k, 8)
    assert not short_attn.supports(q.float(), k.float(), 8)  # float32 stays on SDPA's kernels
    assert not short_attn.supports(q, k, 5)  # 512 is not 5 heads
    assert not short_attn.supports(q[..., :384], k[..., :384], 8)  # head dim 48
    long_q, long_k, _ = qkv_views(1, 129, 129, 2, 16, torch.float16)
    assert not short_attn.supports(long_q, long_k, 2)
    with pytest.raises(ValueError, match="contiguous last dimension"):
        short_attn.short_attention(q.transpose(1, 2)[:, :62, :64], k[..., :64], k[..., :64], 1)
    with pytest.raises(ValueError, match="powers of two"):
        short_attn.short_attention(q[..., :384], k[..., :384], k[..., :384], 8)


def test_operator_registration():
    """Fake-tensor and schema checks that torch.compile relies on."""
    q, k, v = qkv_views(2, 4, 62, 8, 64, torch.float16)
    torch.library.opcheck(short_attn.short_attention, (q, k, v, 8))
    tq, tk, tv = torch.randn(4, 3 * 512).to(DEVICE, torch.float16).chunk(3, dim=-1)
    torch.library.opcheck(short_attn.short_attention, (q[:, :2], k, v, 8, tq, tk, tv))


def _half_encoder(dtype) -> EEGPTEncoder:
    return _half_encoder_of(make_encoder(embed_dim=128, depth=3, num_heads=4), dtype)


def _half_encoder_of(enc: EEGPTEncoder, dtype) -> EEGPTEncoder:
    """A copy of ``enc`` on DEVICE with its blocks' linear layers in ``dtype``."""
    return cast_matmuls(enc, dtype).to(DEVICE).eval()


@pytest.mark.parametrize("last_block", ["rows", "absorbed"])
def test_encoder_fast_path_uses_the_kernel(monkeypatch, last_block):
    """The fast path routes every block's attention through the kernel when planned to (the
    last block only in "rows" mode: "absorbed" never forms keys/values), within the
    reduced-precision tolerance of the reference and close to the SDPA-planned fast path."""
    dtype = torch.float16
    enc = make_encoder(embed_dim=128, depth=3, num_heads=4)
    half = _half_encoder(dtype)
    half.last_block = last_block
    calls, summary_calls = [], []
    kernel, summary = short_attn.short_attention, short_attn.summary_attention
    monkeypatch.setattr(short_attn, "short_attention", lambda *a: calls.append(1) or kernel(*a))
    monkeypatch.setattr(
        short_attn, "summary_attention", lambda *a: summary_calls.append(1) or summary(*a)
    )
    x = torch.randn(3, 19, 512, generator=torch.Generator().manual_seed(3)) * 2
    ids = list(range(19))
    with torch.inference_mode():
        fast = half.forward_planned(x.to(DEVICE), half.fast_plan(ids, short_attention=True))
        plain = half.forward_planned(x.to(DEVICE), half.fast_plan(ids))
    assert len(calls) == (3 if last_block == "rows" else 2)
    assert len(summary_calls) == (0 if last_block == "rows" else 1)
    ref = reference(enc, x, ids)
    assert rel_err(fast.cpu(), ref) <= 1e-2
    assert rel_err(fast.cpu(), plain.cpu()) <= 2e-3


def test_first_block_counts_the_summary_rows_against_the_kernels_token_limit():
    """The first block's summary rows are the kernel's shared tail: 125 channels + 4 summary
    tokens are 129 tokens, more than the kernel takes (MAX_TOKENS = 128), so that block runs
    on SDPA (the kernel raised a ValueError on such input before)."""
    n_chans = short_attn.MAX_TOKENS - 3
    enc = make_encoder(embed_dim=128, depth=2, num_heads=8, n_chan_embeddings=n_chans)
    half = _half_encoder_of(enc, torch.float16)
    q, k, _ = qkv_views(1, n_chans, n_chans, 8, 16, torch.float16)
    assert short_attn.supports(q, k, 8) and not short_attn.supports(q, k, 8, n_tail=4)
    x = torch.randn(2, n_chans, 64, generator=torch.Generator().manual_seed(4))
    ids = list(range(n_chans))
    with torch.inference_mode():
        fast = half.forward_planned(x.to(DEVICE), half.fast_plan(ids, short_attention=True))
    assert rel_err(fast.cpu(), reference(enc, x, ids)) <= 1e-2


def test_engine_option_validation():
    enc = make_encoder(embed_dim=64, depth=2, num_heads=4)
    with pytest.raises(ValueError, match="short_attention"):
        InferenceEngine(enc, "cpu", precision="bfloat16", short_attention=True)
    with pytest.raises(ValueError, match="short_attention"):
        InferenceEngine(enc, "cpu", short_attention="yes")
    assert not InferenceEngine(enc, "cpu", precision="float16").use_short_attention
    with pytest.raises(ValueError, match="short_attention"):
        enc.fast_plan([0, 1], short_attention=True)  # float32 weights


@cuda
@pytest.mark.parametrize("precision", ["bfloat16", "float16"])
@pytest.mark.parametrize("compile_", [False, True])
def test_cuda_engine_with_kernel(precision, compile_):
    enc = make_encoder(embed_dim=128, depth=3, num_heads=4, perturb=precision == "float16")
    windows = np.random.default_rng(9).standard_normal((12, 19, 512)).astype(np.float32)
    ref = reference(enc, windows, range(19))
    fast = InferenceEngine(enc, "cuda", precision=precision, batch_size=8, compile=compile_)
    plain = InferenceEngine(
        enc, "cuda", precision=precision, batch_size=8, compile=compile_, short_attention=False
    )
    assert fast.use_short_attention and not plain.use_short_attention and fast.use_graphs
    a, b = fast.encode(windows, range(19)), plain.encode(windows, range(19))
    assert rel_err(a, ref) <= 1e-2 and rel_err(b, ref) <= 1e-2
    assert rel_err(a, b) <= 5e-3
    assert not InferenceEngine(enc, "cuda").use_short_attention  # float32 stays on SDPA


def test_encoders_the_kernel_cannot_run_are_left_to_sdpa():
    """Head widths that are not powers of two >= 16, or no blocks at all: "auto" must pick SDPA
    (asking for the kernel explicitly is an error)."""
    from eegpt.fast_path import can_fuse_gelu, can_short_attend

    for cfg in (dict(embed_dim=96, depth=2, num_heads=4), dict(embed_dim=64, depth=0)):
        enc = cast_matmuls(make_encoder(**cfg), torch.float16).to(DEVICE)
        assert not can_short_attend(enc)
        with pytest.raises(ValueError, match="short_attention"):
            enc.fast_plan([0, 1], short_attention=True)
    assert not can_fuse_gelu(cast_matmuls(make_encoder(embed_dim=64, depth=0), torch.float16))
    assert can_short_attend(_half_encoder(torch.float16))


@cuda
@pytest.mark.parametrize("cfg", [dict(embed_dim=96, depth=2, num_heads=4), dict(depth=0)])
def test_cuda_engine_auto_options_follow_the_encoder(cfg):
    enc = make_encoder(embed_dim=cfg.pop("embed_dim", 64), **cfg)
    windows = np.random.default_rng(2).standard_normal((3, 7, 256)).astype(np.float32)
    ref = reference(enc, windows, range(7))  # on CPU, before the engine moves the model
    engine = InferenceEngine(enc, "cuda", precision="bfloat16", batch_size=4)
    assert not engine.use_short_attention
    assert rel_err(engine.encode(windows, range(7)), ref) <= 1e-2
