"""Looking inside the model: hooks on either path, intermediate representations and attention
weights, and the messages of what cannot be done (fx symbolic tracing, embed with autograd)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from torch.nn.modules.module import register_module_forward_hook

from eegpt.config import EEGPTConfig
from eegpt.engine import InferenceEngine
from eegpt.model import EEGPT, Attention, EEGPTEncoder


def small_model(**kw) -> tuple[EEGPT, torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    model = EEGPT(EEGPTConfig(embed_dim=32, depth=3, num_heads=2, embed_num=2), **kw).eval()
    return model, torch.randn(2, 3, 512), torch.tensor([0, 1, 2])


def reference(model: EEGPT, x: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
    model.fused = False
    try:
        return model(x, ids)
    finally:
        model.fused = True


def zero_output(module: torch.nn.Module, args: tuple, out: torch.Tensor) -> torch.Tensor:
    return torch.zeros_like(out)


@torch.no_grad()
def test_hooks_on_every_submodule_run_on_the_fused_path_as_on_the_reference_path():
    model, x, ids = small_model()
    calls: list[str] = []
    for name, module in model.target_encoder.named_modules():
        module.register_forward_pre_hook(lambda m, a, name=name: calls.append("pre " + name))
        module.register_forward_hook(lambda m, a, o, name=name: calls.append(name))
    fast = model(x, ids)
    fired, calls[:] = list(calls), []
    torch.testing.assert_close(fast, reference(model, x, ids), rtol=0, atol=0)
    assert fired == calls
    called = {name for name in fired if not name.startswith("pre ")}
    assert {"blocks.0.norm1", "blocks.2.attn.qkv", "blocks.2.mlp.act", "patch_embed"} <= called


@torch.no_grad()
def test_an_ablation_by_forward_hook_takes_effect_on_the_fused_path():
    model, x, ids = small_model()
    intact = model(x, ids)
    handle = model.target_encoder.blocks[1].attn.register_forward_hook(zero_output)
    ablated = model(x, ids)
    assert not torch.allclose(ablated, intact, atol=1e-3)
    torch.testing.assert_close(ablated, reference(model, x, ids), rtol=0, atol=0)
    handle.remove()  # the fast path again, as before
    torch.testing.assert_close(model(x, ids), intact, rtol=0, atol=0)


@torch.no_grad()
def test_a_hook_on_a_replaced_submodule_and_a_global_hook_run():
    model, x, ids = small_model()
    intact = model(x, ids)
    blk = model.target_encoder.blocks[0]
    attn = Attention(32, 2, qkv_bias=True)
    attn.load_state_dict(blk.attn.state_dict())
    torch.testing.assert_close(model(x, ids), intact)
    attn.register_forward_hook(zero_output)
    blk.attn = attn  # after the first forward: the held list of hooks is renewed
    assert not torch.allclose(model(x, ids), intact, atol=1e-3)

    model, x, ids = small_model()
    seen: list[type] = []
    handle = register_module_forward_hook(lambda m, a, o: seen.append(type(m)))
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", ".*global module hook")
            model(x, ids)
    finally:
        handle.remove()
    assert seen.count(Attention) == 3


@torch.no_grad()
def test_global_hooks_say_once_that_the_reference_path_runs(monkeypatch):
    """A global module hook (FlopCounterMode, profilers) sends every batch down the slower
    reference path: one warning says so, not one per call; a hook on the encoder's own
    modules (deliberate) says nothing."""
    from eegpt import fast_path
    from eegpt.errors import EEGPTWarning

    monkeypatch.setattr(fast_path, "_WARNED_GLOBAL_KINDS", set())
    model, x, ids = small_model()
    engine = InferenceEngine(model.target_encoder, device="cpu", batch_size=2)
    handle = model.target_encoder.blocks[1].register_forward_hook(lambda m, a, o: None)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", EEGPTWarning)
            engine.encode(x.numpy(), ids)
            model(x, ids)
    finally:
        handle.remove()
    handle = register_module_forward_hook(lambda m, a, o: None)
    try:
        with pytest.warns(EEGPTWarning, match="1 global module hook is registered") as caught:
            engine.encode(x.numpy(), ids)
            engine.encode(x.numpy(), ids)
            model(x, ids)
    finally:
        handle.remove()
    texts = [str(w.message) for w in caught if "global module hook" in str(w.message)]
    assert len(texts) == 1, texts
    assert all(w.filename == __file__ for w in caught)  # the caller's line, not torch's
    assert "1 forward" in texts[0] and "reference path" in texts[0] and "fused" in texts[0]
    assert engine.runs_fast_path()  # hooks removed: the fast path again


def test_a_backward_hook_runs_on_the_fused_path():
    model, x, ids = small_model()
    grads: list[torch.Tensor] = []
    mlp = model.target_encoder.blocks[2].mlp
    mlp.register_full_backward_hook(lambda m, gin, gout: grads.append(gout[0]))
    model(x, ids).sum().backward()
    assert len(grads) == 1 and grads[0].shape == (2 * 8, 3 + 2, 32)


@torch.no_grad()
def test_the_engine_runs_the_reference_path_while_hooks_exist():
    model, x, ids = small_model()
    engine = InferenceEngine(model.target_encoder, device="cpu", batch_size=2)
    intact = engine.encode(x.numpy(), ids)
    assert engine.runs_fast_path()
    handle = model.target_encoder.blocks[2].mlp.register_forward_hook(zero_output)
    assert not engine.runs_fast_path()
    ablated = engine.encode(x.numpy(), ids)
    np.testing.assert_array_equal(ablated, reference(model, x, ids).numpy())
    handle.remove()
    np.testing.assert_array_equal(engine.encode(x.numpy(), ids), intact)


def test_embed_follows_the_models_fused_flag_and_records_the_path(monkeypatch):
    model, _, _ = small_model(fused=False)
    signal = np.random.default_rng(0).standard_normal((3, 1024)) * 2e-5
    args = dict(ch_names=["C3", "CZ", "C4"], sfreq=256.0)

    def no_fast_path(*args, **kwargs):
        raise AssertionError("the fast path ran")

    with monkeypatch.context() as m:
        m.setattr(EEGPTEncoder, "forward_planned", no_fast_path)
        assert model.embed(signal, **args).metadata["fused"] is False
    model.fused = True
    assert model.embed(signal, **args).metadata["fused"] is True
    model.target_encoder.norm.register_forward_hook(lambda m, a, o: None)
    assert model.embed(signal, **args).metadata["fused"] is False


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "reference"])
def test_forward_intermediates_shapes_and_output(fused):
    model, x, ids = small_model()
    model.fused = fused
    with torch.no_grad():
        out = model.forward_intermediates(x, ids, attention=True)
        want = model(x, ids)
    b, n, c, s, d, h = 2, 8, 3, 2, 32, 2
    assert out.embedded.shape == (b, n, c + s, d)
    assert [t.shape for t in out.blocks] == [(b, n, c + s, d)] * 3
    assert [a.shape for a in out.attention] == [(b, n, h, c + s, c + s)] * 3
    torch.testing.assert_close(out.output, want, rtol=1e-5, atol=1e-6)
    enc = model.target_encoder
    # the first block's input: patch + channel embedding, then the summary tokens
    torch.testing.assert_close(
        out.embedded[:, :, :c], enc.patch_embed(x) + enc.chan_embed(ids), rtol=0, atol=0
    )
    torch.testing.assert_close(out.embedded[0, 3, c:], enc.summary_token[0], rtol=0, atol=0)
    torch.testing.assert_close(enc.norm(out.blocks[-1][:, :, c:]), out.output, rtol=0, atol=0)
    for a in out.attention:
        torch.testing.assert_close(a.sum(-1), torch.ones(b, n, h, c + s))
    assert model.forward_intermediates(x, ids).attention is None


@torch.no_grad()
def test_attention_weights_times_values_are_the_attention_output():
    model, x, ids = small_model()
    enc = model.target_encoder
    mixed: list[torch.Tensor] = []  # the heads' weighted values, the input of attn.proj
    for blk in enc.blocks:
        blk.attn.proj.register_forward_pre_hook(lambda m, a: mixed.append(a[0]))
    out = model.forward_intermediates(x, ids, attention=True)
    inputs = (out.embedded, *out.blocks[:-1])
    for blk, weights, t, y in zip(enc.blocks, out.attention, inputs, mixed, strict=True):
        _, _, v = blk.attn.qkv(blk.norm1(t)).chunk(3, dim=-1)
        v = v.unflatten(-1, (2, 16)).transpose(2, 3)  # [B, N, H, C + S, hd]
        got = (weights @ v).transpose(2, 3).flatten(3)  # [B, N, C + S, D]
        torch.testing.assert_close(got, y.unflatten(0, (2, 8)), rtol=1e-5, atol=1e-6)


def test_forward_intermediates_of_a_model_with_a_channel_projection_and_gradients():
    model, x, ids = small_model(chan_ids=[4, 5], chan_proj=(3, 2))
    out = model.forward_intermediates(x, attention=True)
    torch.testing.assert_close(out.output, model.encode(x), rtol=1e-5, atol=1e-6)
    assert out.embedded.shape == (2, 8, 2 + 2, 32)
    out.attention[1][..., 0, 1].sum().backward()  # differentiable, e.g. for attribution
    assert model.target_encoder.blocks[1].attn.qkv.weight.grad.abs().sum() > 0


def test_fx_symbolic_trace_says_what_to_use_instead():
    model, x, ids = small_model(chan_ids=[0, 1, 2])
    for module in (model, model.target_encoder):
        with pytest.raises(TypeError, match=r"symbolic_trace cannot .* torch\.export\.export"):
            torch.fx.symbolic_trace(module)
    block = torch.fx.symbolic_trace(model.target_encoder.blocks[0])
    t = torch.randn(4, 5, 32)
    torch.testing.assert_close(block(t), model.target_encoder.blocks[0](t))


def test_embed_of_a_tensor_that_requires_grad_points_to_the_model_call():
    model, _, _ = small_model()
    signal = (torch.randn(3, 1024) * 2e-5).requires_grad_()
    with pytest.raises(TypeError, match=r"without autograd.*model\(x, chan_ids\)"):
        model.embed(signal, ch_names=["C3", "CZ", "C4"], sfreq=256.0)


def test_the_compiled_fast_path_compiles_once_for_repeated_batches():
    """A fast forward registers no module (it does not slice the ModuleList of blocks, which
    builds a new one each call): torch.compile's guards hold, so batches of one shape compile
    once (they recompiled every call, guarded on the count of module registrations)."""
    from torch._dynamo.testing import CompileCounter

    model, x, ids = small_model()
    engine = InferenceEngine(model, device="cpu", batch_size=2)
    counter = CompileCounter()
    engine._fn = torch.compile(engine._forward_planned, dynamic=False, backend=counter)
    torch._dynamo.reset()
    windows = torch.randn(8, 3, 512).numpy()
    for _ in range(3):
        engine.encode(windows, ids.tolist())
    assert counter.frame_count == 1


@torch.no_grad()
def test_a_hook_on_a_block_inserted_into_the_list_is_seen():
    """ModuleList.insert writes the list's modules directly (no registration hook runs): the
    hook check sees the new block by the list's length, so its hook runs."""
    import copy

    model, x, ids = small_model()
    model(x, ids)  # the hook check's lists held
    fired = []
    extra = copy.deepcopy(model.target_encoder.blocks[0])
    extra.register_forward_hook(lambda *a: fired.append(1))
    model.target_encoder.blocks.insert(1, extra)
    model(x, ids)
    assert fired == [1]


@torch.no_grad()
def test_a_reduced_precision_engine_keeps_none_of_the_callers_hooks():
    """The engine's bfloat16 copy of the encoder does not carry the hooks the caller had
    when it was made: a hook removed later no longer changes the engine's embeddings."""
    model, x, ids = small_model()
    windows = x.numpy()
    clean = InferenceEngine(model, device="cpu", precision="bfloat16").encode(windows, ids.tolist())
    handle = model.target_encoder.blocks[1].norm2.register_forward_hook(zero_output)
    engine = InferenceEngine(model, device="cpu", precision="bfloat16")
    handle.remove()
    np.testing.assert_array_equal(engine.encode(windows, ids.tolist()), clean)


def test_corpus_runs_probes_and_estimators_follow_the_models_fused_flag(monkeypatch, tmp_path):
    """embed_dataset, a probe's frozen-encoder embeddings and the scikit-learn embedder make
    their engines on the model's flag, as embed() does: fused=False runs no fast path."""
    import mne

    from eegpt.dataset import embed_dataset
    from eegpt.probe import embed_windows
    from eegpt.sklearn import EEGPTEmbedder

    model, _, _ = small_model(fused=False)
    names = ["C3", "CZ", "C4"]
    signal = np.random.default_rng(0).standard_normal((3, 2048)) * 2e-5
    raw = mne.io.RawArray(signal, mne.create_info(names, 256.0, "eeg"), verbose=False)
    raw.save(tmp_path / "a_raw.fif", verbose=False)

    def no_fast_path(*args, **kwargs):
        raise AssertionError("the fast path ran")

    monkeypatch.setattr(EEGPTEncoder, "forward_planned", no_fast_path)
    run = dict(model=model, workers=0, device="cpu", progress=False)
    assert embed_dataset(tmp_path, tmp_path / "out", **run).n_ok == 1  # (a failure is recorded)
    windows = torch.randn(2, 3, 512).numpy()
    embed_windows(model, windows, [0, 1, 2], device="cpu")
    embedder = EEGPTEmbedder(model=model, ch_names=names, sfreq=256.0, device="cpu")
    embedder.fit_transform(np.stack([signal[:, :1024], signal[:, 1024:]]))
