"""Exactness of the EEGPT model against braindecode 1.8 and between our two execution paths."""

from __future__ import annotations

import contextlib
import copy

import pytest
import torch

from eegpt.config import PRESETS, EEGPTConfig, get_config
from eegpt.model import EEGPT, Conv1dWithConstraint, EEGPTEncoder, LinearWithConstraint

braindecode_models = pytest.importorskip("braindecode.models")
from braindecode.models.eegpt import EEGPT_CHANNELS  # noqa: E402


def rel_err(a: torch.Tensor, b: torch.Tensor) -> float:
    return ((a - b).abs().max() / b.abs().max()).item()


def braindecode_eegpt(
    n_chans, n_times, *, stride, depth, embed_dim=512, heads=8, embed_num=4, patch=64, **kw
):
    names = EEGPT_CHANNELS[:n_chans] if n_chans <= len(EEGPT_CHANNELS) else None
    chs_info = [{"ch_name": n} for n in names] if names else None
    return braindecode_models.EEGPT(
        n_chans=n_chans,
        n_times=n_times,
        chs_info=chs_info,
        patch_size=patch,
        patch_stride=stride,
        depth=depth,
        embed_dim=embed_dim,
        num_heads=heads,
        embed_num=embed_num,
        **kw,
    ).eval()


def encoder_state(bd_model) -> dict[str, torch.Tensor]:
    prefix = "target_encoder."
    return {k[len(prefix) :]: v for k, v in bd_model.state_dict().items() if k.startswith(prefix)}


def test_vocabulary_order_matches_braindecode():
    from eegpt.channels import VOCABULARY

    assert list(VOCABULARY) == EEGPT_CHANNELS


# (channels, samples, stride, depth, batch, embed_dim, heads, embed_num)
PARITY_CASES = [
    (4, 1000, 32, 2, 1, 512, 8, 4),
    (8, 1000, 32, 2, 3, 512, 8, 4),
    (22, 1024, 64, 8, 2, 512, 8, 4),
    (58, 1024, 64, 8, 1, 512, 8, 4),
    (64, 1000, 32, 1, 2, 512, 8, 4),
    (19, 2048, 64, 3, 4, 256, 4, 1),
    (32, 768, 32, 4, 2, 64, 4, 4),
]


@pytest.mark.parametrize("fused", [False, True], ids=["reference", "fused"])
@pytest.mark.parametrize(
    "case", PARITY_CASES, ids=lambda c: f"C{c[0]}xT{c[1]}s{c[2]}d{c[3]}b{c[4]}"
)
def test_encoder_matches_braindecode(case, fused):
    n_chans, n_times, stride, depth, batch, dim, heads, embed_num = case
    torch.manual_seed(hash(case) % 2**31)
    bd = braindecode_eegpt(
        n_chans,
        n_times,
        stride=stride,
        depth=depth,
        embed_dim=dim,
        heads=heads,
        embed_num=embed_num,
        return_encoder_output=True,
        chan_proj_type="none",
    )
    cfg = EEGPTConfig(
        embed_dim=dim,
        depth=depth,
        num_heads=heads,
        embed_num=embed_num,
        patch_stride=stride,
        n_chan_embeddings=max(62, n_chans),
    )
    assert_encoder_matches(bd, cfg, fused, torch.randn(batch, n_chans, n_times))


def assert_encoder_matches(bd, cfg: EEGPTConfig, fused: bool, x: torch.Tensor) -> None:
    """Our encoder of ``cfg`` (fused or reference) given braindecode ``bd``'s encoder weights
    gives its summary tokens of ``x`` [B, C, T] to 1e-5 relative."""
    ours = EEGPTEncoder(cfg, fused=fused).eval()
    ours.load_state_dict(encoder_state(bd), strict=True)
    with torch.no_grad():
        ref = bd(x)
        out = ours(x, bd.chans_id.reshape(-1))
    shape = (x.shape[0], cfg.n_patches(x.shape[-1]), cfg.embed_num, cfg.embed_dim)
    assert out.shape == ref.shape == shape
    assert rel_err(out, ref) <= 1e-5


# The axes PARITY_CASES leaves out: one head, one summary token, one block, one or two
# channels, patches other than 64 samples (short enough for the fast path's low-rank first
# block), strides over the patch and tails.
# (channels, samples, patch, stride, depth, batch, embed_dim, heads, embed_num)
SMALL_PARITY_CASES = [
    (1, 100, 16, 16, 1, 2, 16, 1, 1),
    (2, 77, 8, 4, 2, 3, 32, 1, 2),
    (5, 90, 16, 19, 3, 2, 32, 4, 1),
    (62, 40, 4, 4, 2, 1, 8, 2, 4),
]


@pytest.mark.parametrize("fused", [False, True], ids=["reference", "fused"])
@pytest.mark.parametrize(
    "case", SMALL_PARITY_CASES, ids=lambda c: f"C{c[0]}xT{c[1]}p{c[2]}s{c[3]}h{c[7]}S{c[8]}"
)
def test_small_encoders_match_braindecode(case, fused):
    n_chans, n_times, patch, stride, depth, batch, dim, heads, embed_num = case
    torch.manual_seed(n_chans * n_times)
    bd = braindecode_eegpt(
        n_chans,
        n_times,
        stride=stride,
        depth=depth,
        embed_dim=dim,
        heads=heads,
        embed_num=embed_num,
        patch=patch,
        return_encoder_output=True,
        chan_proj_type="none",
    )
    with torch.no_grad():  # non-zero biases, LayerNorm scales != 1
        for p in bd.parameters():
            p.add_(0.05 * torch.randn_like(p))
    cfg = EEGPTConfig(
        embed_dim=dim,
        depth=depth,
        num_heads=heads,
        embed_num=embed_num,
        patch_size=patch,
        patch_stride=stride,
    )
    assert_encoder_matches(bd, cfg, fused, torch.randn(batch, n_chans, n_times) * 3)


def test_full_model_with_channel_projection_and_probe_matches_braindecode():
    torch.manual_seed(0)
    n_chans, n_times, n_out = 22, 1024, 4
    bd = braindecode_eegpt(n_chans, n_times, stride=64, depth=2, n_outputs=n_out)
    bd.chan_proj.proj.weight.data.mul_(5.0)  # exceed max_norm so the constraint matters
    ours = EEGPT(
        EEGPTConfig(depth=2, patch_stride=64),
        chan_ids=bd.chans_id.reshape(-1).tolist(),
        n_outputs=n_out,
        n_times=n_times,
        chan_proj=(n_chans, 19),
    ).eval()
    state = {
        k.replace(".parametrizations.weight.original", ".weight"): v
        for k, v in bd.state_dict().items()
        if k != "chans_id"
    }
    before = {k: v.clone() for k, v in ours.state_dict().items()}
    ours.load_state_dict(state, strict=True)
    x = torch.randn(3, n_chans, n_times)
    with torch.no_grad():
        mine = ours(x)
        ref = bd(x)
    assert mine.shape == (3, n_out)
    assert rel_err(mine, ref) <= 1e-5
    # eval-mode inference never mutates the stored (unconstrained) weights
    assert torch.equal(ours.chan_proj.proj.weight, state["chan_proj.proj.weight"])
    assert not torch.equal(before["final_layer.probe2.weight"], ours.final_layer.probe2.weight)


def test_linear_with_constraint_renorms_in_training_only():
    torch.manual_seed(0)
    layer = LinearWithConstraint(8, 3, max_norm=0.25)
    with torch.no_grad():
        layer.weight.mul_(10)
    x = torch.randn(5, 8)
    layer.eval()
    y_eval = layer(x)
    assert layer.weight.norm(dim=1).min() > 0.25  # untouched in eval
    layer.train()
    y_train = layer(x)
    torch.testing.assert_close(y_eval, y_train)
    assert torch.all(layer.weight.norm(dim=1) <= 0.25 + 1e-6)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_fused_equals_reference_for_every_preset(name):
    torch.manual_seed(1)
    cfg = get_config(name)
    model = EEGPTEncoder(cfg, fused=False).eval()
    x = torch.randn(2, 7, 320)
    ids = torch.randperm(62)[:7]
    with torch.no_grad():
        ref = model(x, ids)
        model.fused = True
        out = model(x, ids)
    assert out.shape == (2, 5, cfg.embed_num, cfg.embed_dim)
    assert rel_err(out, ref) <= 1e-5


@pytest.mark.parametrize("n_times", [64, 100, 1000, 1024])
def test_patch_count_and_padding(n_times):
    cfg = EEGPTConfig(depth=1, embed_dim=64, num_heads=4, patch_stride=32)
    model = EEGPTEncoder(cfg).eval()
    with torch.no_grad():
        out = model(torch.randn(1, 3, n_times), torch.tensor([0, 1, 2]))
    expected = 1 + -(-(n_times - 64) // 32)
    assert out.shape[1] == cfg.n_patches(n_times) == expected


def test_patches_are_independent_in_time():
    """Attention mixes channels within a patch only: each patch's tokens depend on it alone."""
    torch.manual_seed(3)
    model = EEGPTEncoder(EEGPTConfig(depth=2, embed_dim=64, num_heads=4)).eval()
    x = torch.randn(1, 5, 256)
    ids = torch.arange(5)
    with torch.no_grad():
        whole = model(x, ids)
        second = model(x[..., 64:128], ids)
    torch.testing.assert_close(whole[:, 1:2], second, rtol=1e-5, atol=1e-6)


def test_input_validation_messages():
    model = EEGPTEncoder(EEGPTConfig(depth=1, embed_dim=64, num_heads=4))
    with pytest.raises(ValueError, match="channels, samples"):
        model(torch.randn(3, 256), torch.arange(3))
    with pytest.raises(ValueError, match="one vocabulary index per input channel"):
        model(torch.randn(1, 3, 256), torch.arange(4))
    with pytest.raises(ValueError, match="shorter than one patch"):
        model(torch.randn(1, 3, 32), torch.arange(3))
    with pytest.raises(ValueError, match="divisible"):
        EEGPTConfig(embed_dim=100, num_heads=8)
    with pytest.raises(ValueError, match="unknown EEGPT preset"):
        get_config("huge")
    with pytest.raises(ValueError, match="n_times"):
        EEGPT(EEGPTConfig(depth=1, embed_dim=64, num_heads=4), n_outputs=2)
    with pytest.raises(ValueError, match="chan_ids"):
        EEGPT(EEGPTConfig(depth=1, embed_dim=64, num_heads=4))(torch.randn(1, 3, 256))


def test_a_config_dict_with_an_unknown_key_is_refused_naming_the_field_meant():
    """A misspelt key used to be dropped, silently building the default architecture."""
    for make in (get_config, EEGPTConfig.from_dict, EEGPTEncoder):
        with pytest.raises(ValueError, match="unknown EEGPTConfig settings") as info:
            make({"embed_dimm": 128, "use_rope": True})
        message = str(info.value)
        assert "'embed_dimm': did you mean 'embed_dim'?" in message
        assert "use_rope" in message and "num_heads" in message  # the valid fields listed
    small = EEGPTConfig(embed_dim=64, depth=2, num_heads=4)
    assert get_config(small.to_dict()) == EEGPTConfig.from_dict(small.to_dict()) == small
    assert get_config({"embed_dim": 64, "num_heads": 4}).embed_dim == 64  # the rest: defaults


def test_a_window_shorter_than_a_patch_is_explained_in_python_terms():
    """The config says what to change in Python; the command line adds its option itself."""
    with pytest.raises(ValueError, match="shorter than one patch") as info:
        EEGPTConfig().n_patches(32)
    assert "window_seconds" in str(info.value) and "--" not in str(info.value)


def test_flops_of_the_pretrained_size():
    """About 51 GFLOP per 58 x 1024 window for the large encoder (the figure benchmarks use)."""
    flops = PRESETS["large"].flops_per_window(58, 1024)
    assert 50e9 < flops < 52e9


def test_a_move_that_changes_nothing_keeps_the_derived_weights(monkeypatch):
    """model.embed() builds an engine per call, which moves the model where it already is:
    that must not throw away the fast path's derived (and on CPU, pre-packed) weights; a real
    cast must."""
    import numpy as np

    import eegpt.fast_path as fast_path

    calls = []
    derive = fast_path._derive_weight_terms
    monkeypatch.setattr(
        fast_path, "_derive_weight_terms", lambda *a, **k: calls.append(1) or derive(*a, **k)
    )
    torch.manual_seed(0)
    model = EEGPT(EEGPTConfig(embed_dim=64, depth=2, num_heads=4, embed_num=2)).eval()
    x = np.random.default_rng(0).standard_normal((3, 2048)) * 2e-5
    first = model.embed(x, ch_names=["C3", "CZ", "C4"], sfreq=256.0)
    second = model.embed(x, ch_names=["C3", "CZ", "C4"], sfreq=256.0)
    assert len(calls) == 1
    np.testing.assert_array_equal(first.data, second.data)
    model.to(torch.float64).to(torch.float32)  # a real cast: derived again
    model.embed(x, ch_names=["C3", "CZ", "C4"], sfreq=256.0)
    assert len(calls) == 2


def test_encode_says_what_is_wrong_with_its_input():
    """EEGPT.encode/forward name the problem where torch's layers would fail in their words
    (or, for a channel row past the table, with an IndexError)."""
    import numpy as np

    model = EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2, embed_num=2)).eval()
    x, ids = torch.randn(2, 3, 256), torch.tensor([0, 1, 2])
    assert model(x, ids).shape == (2, 4, 2, 32)
    for bad, error, words in (
        (x.double(), TypeError, "x is torch.float64 but the model's weights are torch.float32"),
        (x.numpy(), TypeError, "model.embed"),
        (x[0], ValueError, r"\[batch, channels, samples\]"),
        (x[..., :10], ValueError, "fewer than one patch"),
    ):
        with pytest.raises(error, match=words):
            model(bad, ids)
    with pytest.raises(ValueError, match="one vocabulary index per channel of x: 3 channels"):
        model(x, torch.tensor([0, 1]))
    with pytest.raises(ValueError, match=r"chan_ids must be integers.*in 0\.\.61"):
        model(x, torch.tensor([0, 1, 62]))
    with pytest.raises(ValueError, match="no channel vocabulary indices"):
        model(x)
    from eegpt.io import Recording

    with pytest.raises(TypeError, match="channel names must be text"):
        Recording(np.zeros((2, 512)), ["Cz", None], 256.0)


def test_the_reference_path_exports():
    """torch.export traces the plain path (the input checks skip value checks while tracing)."""
    model = EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2), fused=False, chan_ids=[0, 1, 2])
    x = torch.randn(1, 3, 256)
    exported = torch.export.export(model.eval(), (x,))
    torch.testing.assert_close(exported.module()(x), model(x))


def test_a_model_cast_to_half_precision_runs_and_the_engine_says_how_instead():
    """model.to(torch.bfloat16) runs (the plain path: the fast one keeps LayerNorm in float32);
    an engine given such a model asks for float32 weights and precision= instead."""
    import numpy as np

    from eegpt.engine import InferenceEngine

    cfg = EEGPTConfig(embed_dim=32, depth=2, num_heads=2)
    model = EEGPT(cfg).eval()
    x, ids = torch.randn(2, 3, 1024), torch.tensor([0, 1, 2])
    want = model(x, ids)
    half = EEGPT(cfg).eval()
    half.load_state_dict(model.state_dict())
    half = half.to(torch.bfloat16)
    got = half(x.to(torch.bfloat16), ids).float()
    assert ((got - want).abs().max() / want.abs().max()) < 3e-2
    with pytest.raises(ValueError, match="keep the model in float32 and ask for the reduced"):
        InferenceEngine(half)
    with pytest.raises(ValueError, match="precision='bfloat16'"):
        half.embed(np.zeros((3, 1024)) + 1e-5, ch_names=["C3", "CZ", "C4"], sfreq=256.0)


def test_a_float64_model_is_refused_as_unsupported_not_as_reduced_precision():
    """model.to(torch.float64).embed(...) was refused with the advice for reduced precision
    (keep float32 and ask for precision='bfloat16'), which does not apply to a wider type:
    the refusal says float64 models are not supported, float32 being the model's precision,
    and to cast the model back."""
    import numpy as np

    from eegpt.engine import InferenceEngine

    model = EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2)).eval().double()
    data = np.random.default_rng(0).standard_normal((3, 1024)) * 2e-5
    kw = dict(ch_names=["C3", "CZ", "C4"], sfreq=256, verbose=False)
    for call in (lambda: InferenceEngine(model), lambda: model.embed(data, **kw)):
        with pytest.raises(ValueError) as err:
            call()
        said = str(err.value)
        assert "float64 models are not supported" in said and "model.float()" in said
        assert "reduced precision" not in said
    assert model.float().embed(data, **kw).metadata["precision"] == "float32"


def fast_vs_reference(model: EEGPT, x: torch.Tensor, ids: torch.Tensor) -> float:
    """Relative error of the fast path (as cached) against the reference path, no autograd."""
    with torch.no_grad():
        fast = model(x, ids)
        model.fused = False
        try:
            ref = model(x, ids)
        finally:
            model.fused = True
    return rel_err(fast, ref)


def tiny_model() -> tuple[EEGPT, torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    model = EEGPT(EEGPTConfig(embed_dim=32, depth=2, num_heads=2, embed_num=2))
    return model, torch.randn(3, 3, 256), torch.tensor([0, 1, 2])


def test_the_fast_path_sees_fused_optimizer_steps_on_a_model_in_eval_mode():
    """A fused AdamW step does not bump the parameters' versions: the optimizer step hook
    invalidates the derived weights, and has_random_weights turns False."""
    model, x, ids = tiny_model()
    model.eval()
    assert fast_vs_reference(model, x, ids) <= 1e-5  # derived weights cached
    assert model.has_random_weights
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2, fused=True)
    model(x, ids).square().mean().backward()
    opt.step()
    assert fast_vs_reference(model, x, ids) <= 1e-5
    assert not model.has_random_weights
    other, _, _ = tiny_model()  # an optimizer of another model stepped: still random
    assert other.has_random_weights


_HOOK_SCRIPT = """
import torch
import torch.optim.optimizer as optim_module
import eegpt, eegpt.checkpoints, eegpt.model
from eegpt.config import EEGPTConfig
from eegpt.model import EEGPTEncoder


def eegpt_hooks():
    hooks = getattr(optim_module, "_global_optimizer_post_hooks", None)
    assert hooks is not None, "this torch keeps its global step hooks elsewhere"
    return [h for h in hooks.values() if getattr(h, "__module__", "").startswith("eegpt")]


assert eegpt_hooks() == [], "importing eegpt registered an optimizer hook"
torch.manual_seed(0)
enc = EEGPTEncoder(EEGPTConfig(embed_dim=32, depth=2, num_heads=2, embed_num=2)).eval()
x, ids = torch.randn(2, 3, 256), torch.tensor([0, 1, 2])
opt = torch.optim.AdamW(enc.parameters(), lr=1e-2, fused=True)
enc(x, ids).square().mean().backward()
opt.step()  # before eegpt watches steps: nothing cached yet, nothing to drop
assert eegpt_hooks() == [], "an optimizer step registered a hook"
with torch.no_grad():
    enc(x, ids)  # fills the fast-path cache
assert len(eegpt_hooks()) == 1, "the first cached forward registered no optimizer hook"
opt.zero_grad()
enc(x, ids).square().mean().backward()
opt.step()  # fused: versions unchanged; the hook must drop the cache
with torch.no_grad():
    fast = enc(x, ids)
    enc.fused = False
    ref = enc(x, ids)
assert (fast - ref).abs().max() <= 1e-5 * ref.abs().max(), "stale cache after a step"
with torch.no_grad():
    enc(x, ids)
assert len(eegpt_hooks()) == 1, "the hook was registered twice"
"""


def test_importing_eegpt_leaves_optimizer_steps_alone_until_it_caches_weights():
    """Importing eegpt registers no global optimizer hook (every step of any model in the
    process would run eegpt code); the first cached fast-path forward registers it, and a
    fused step after that still drops the cache."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _HOOK_SCRIPT], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    # a model built first of all in a process: a fused step (no version bump) right after
    # it, before anything was cached, still tells its weights are no longer random
    script = (
        "import torch\n"
        "from eegpt.config import EEGPTConfig\n"
        "from eegpt.model import EEGPT\n"
        "model = EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2), chan_ids=[0, 1])\n"
        "opt = torch.optim.AdamW(model.parameters(), lr=1e-2, fused=True)\n"
        "model(torch.randn(1, 2, 128)).square().mean().backward()\n"
        "opt.step()\n"
        "assert not model.has_random_weights, 'a fused step before any cache was missed'\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_head_trained_on_a_frozen_encoder_leaves_its_derived_weights_cached():
    """A frozen feature extractor in eval mode beside a head whose optimizer steps: those steps
    hold none of the encoder's parameters, so its derived weights stay cached (no derivation
    per training step); a step of an optimizer holding its parameters drops them."""
    from eegpt._weights_watch import FAST_CACHES

    model, x, ids = tiny_model()
    model.eval()
    head = torch.nn.Linear(2 * 32, 2)
    opt = torch.optim.SGD(head.parameters(), lr=0.1)
    encoder = model.target_encoder
    derived = []
    for _ in range(3):
        with torch.no_grad():
            z = model(x, ids)
            derived.append(encoder.fast_plan(ids).patch_weight_t)
        head(z.mean(1).flatten(1)).square().mean().backward()
        opt.step()
    assert derived[0] is derived[1] is derived[2]  # derived once
    torch.optim.SGD(model.parameters(), lr=0.1).step()  # no gradients: holds them all the same
    assert encoder not in FAST_CACHES


def test_a_model_in_training_mode_never_uses_stale_derived_weights():
    """An EMA teacher updated through p.data (as EEGPT's pretraining does), kept in training
    mode and run under no_grad, is never served cached weights."""
    teacher, x, ids = tiny_model()
    student, _, _ = tiny_model()
    with torch.no_grad():
        for p in student.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    teacher.train()
    for _ in range(2):
        assert fast_vs_reference(teacher, x, ids) <= 1e-5
        for pt, ps in zip(teacher.parameters(), student.parameters(), strict=True):
            pt.data.mul_(0.5).add_(ps.data, alpha=0.5)
    assert fast_vs_reference(teacher, x, ids) <= 1e-5


def test_eval_after_training_drops_the_derived_weights():
    """train steps of any kind, then model.eval(): the fast path derives its weights again."""
    model, x, ids = tiny_model()
    model.eval()
    assert fast_vs_reference(model, x, ids) <= 1e-5
    model.train()
    for p in model.parameters():
        p.data.mul_(1.5)  # invisible to version counters and optimizer hooks
    model.eval()
    assert fast_vs_reference(model, x, ids) <= 1e-5


def test_clear_fast_cache_after_data_edits_in_eval_mode():
    """p.data edits of a model kept in eval mode are not seen (documented); clear_fast_cache
    drops the derived weights."""
    model, x, ids = tiny_model()
    model.eval()
    assert fast_vs_reference(model, x, ids) <= 1e-5
    for p in model.parameters():
        p.data.mul_(1.5)
    assert fast_vs_reference(model, x, ids) > 1e-3  # stale, as documented
    model.clear_fast_cache()
    assert fast_vs_reference(model, x, ids) <= 1e-5


@pytest.mark.parametrize("patch_size", [64, 8])  # 8: the low-rank first block too
def test_a_model_that_cached_its_fast_path_swaps_its_parameters(patch_size):
    """Under torch.__future__.set_swap_module_params_on_conversion(True) load_state_dict and
    .half()/.float() swap each parameter (torch.utils.swap_tensors), which refuses a
    parameter another tensor holds: the cached fast-path weights kept a view of the patch
    weight, so after one eval-mode inference both failed ("Expected use_count of t1 to be 1
    or 2 ..."). The cache holds no view of a parameter: both work, and are seen."""
    torch.manual_seed(0)
    config = EEGPTConfig(embed_dim=32, depth=3, num_heads=2, embed_num=2, patch_size=patch_size)
    model, x, ids = EEGPT(config).eval(), torch.randn(3, 3, 256), torch.tensor([0, 1, 2])
    assert fast_vs_reference(model, x, ids) <= 1e-5  # derived weights cached
    swapping = torch.__future__.get_swap_module_params_on_conversion()
    torch.__future__.set_swap_module_params_on_conversion(True)
    try:
        model.load_state_dict({k: v * 1.5 for k, v in model.state_dict().items()})
        assert fast_vs_reference(model, x, ids) <= 1e-5
        model.half().float()
        assert fast_vs_reference(model, x, ids) <= 1e-5
    finally:
        torch.__future__.set_swap_module_params_on_conversion(swapping)


@pytest.mark.parametrize("ids", [[0, 1, 62], [0, -1, 2]])
def test_a_bare_encoder_names_channel_ids_outside_the_vocabulary(ids):
    """model.target_encoder(x, ids) in one's own model (a head of one's own on the encoder)
    with an id outside 0..61 failed with torch's "index out of range in self"; both paths and
    forward_intermediates name the ids and the range, as EEGPT does."""
    model, x, _ = tiny_model()
    encoder = model.target_encoder
    match = r"chan_ids must be integers in 0\.\.61 .*got \[" + ", ".join(map(str, ids))
    for fused in (True, False):
        encoder.fused = fused
        with pytest.raises(ValueError, match=match):
            encoder(x, torch.tensor(ids))
    with pytest.raises(ValueError, match=match):
        encoder.forward_intermediates(x, torch.tensor(ids))


def test_torch_compile_of_the_model_traces_no_prepacked_weights():
    """torch.compile(model) under no_grad on CPU: the fast path packs no oneDNN weights (which
    Inductor cannot lower) and caches nothing while traced, and computes the reference output.
    A recording backend runs the traced graph eagerly (Inductor's C++ build takes ~40 s)."""
    import torch._dynamo

    model, x, ids = tiny_model()
    model.eval()
    targets = []

    def backend(gm: torch.fx.GraphModule, example_inputs):
        targets.extend(str(node.target) for node in gm.graph.nodes)
        return gm.forward

    torch._dynamo.reset()
    with torch.no_grad():
        out = torch.compile(model, backend=backend)(x, ids)
    assert targets and not [t for t in targets if "mkldnn" in t]
    model.fused = False
    with torch.no_grad():
        torch.testing.assert_close(out, model(x, ids), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("training", [True, False])
def test_torch_compile_of_the_fused_model_makes_one_graph(training):
    """torch.compile(model) on the default fused path broke its graph in three on the lock of
    the fast path's module-tree watch (`with _watch_lock:`, reached from has_hooks), which
    dynamo cannot enter: each call ran two resumes eagerly. Traced, the tree is walked without
    the lock, the global hook or the caches: one graph, no break, training and inference; the
    compiled model computes the eager model's output and its hooks still turn the fast path
    off (a recording backend: no Inductor build)."""
    import torch._dynamo

    torch.manual_seed(0)
    model = EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2, embed_num=1)).train(training)
    x, ids = torch.randn(2, 3, 256), torch.tensor([0, 4, 9])
    assert model.fused and model.target_encoder._takes_fast_path(x)
    torch._dynamo.reset()
    with torch.set_grad_enabled(training):
        explained = torch._dynamo.explain(model)(x, ids)
        assert (explained.graph_count, explained.graph_break_count) == (1, 0)
        torch._dynamo.reset()
        compiled = torch.compile(model, backend=lambda gm, _: gm.forward)
        torch.testing.assert_close(compiled(x, ids), model(x, ids), rtol=1e-5, atol=1e-6)
        calls = []
        model.target_encoder.blocks[0].register_forward_hook(lambda *_: calls.append(1))
        torch._dynamo.reset()  # hooks added after compiling are not guarded (torch's default)
        compiled = torch.compile(model, backend=lambda gm, _: gm.forward)
        torch.testing.assert_close(compiled(x, ids), model(x, ids), rtol=1e-5, atol=1e-6)
    assert len(calls) >= 2  # the hook ran in the compiled model too (the reference path)


@pytest.mark.parametrize("how", ["jit.trace", "export"])
def test_tracing_and_export_record_the_reference_path(how):
    """torch.jit.trace and torch.export of the default (fused) model record the reference
    path: the fast path's caches and oneDNN packing cannot be traced."""
    model, x, ids = tiny_model()
    model.eval()
    with torch.no_grad():
        want = model(x, ids)
        if how == "jit.trace":
            traced = torch.jit.trace(model, (x, ids))
        else:
            traced = torch.export.export(model, (x, ids)).module()
        assert model.fused
        torch.testing.assert_close(traced(x, ids), want, rtol=1e-5, atol=1e-6)
        x2, ids2 = torch.randn_like(x), torch.tensor([5, 9, 30])  # inputs, not constants
        torch.testing.assert_close(traced(x2, ids2), model(x2, ids2), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "reference"])
def test_an_empty_batch_gives_empty_summary_tokens(fused):
    model, x, ids = tiny_model()
    model.eval().fused = fused
    with torch.no_grad():
        out = model(x[:0], ids)
    assert out.shape == (0, model.config.n_patches(256), 2, 32)


def test_a_probe_head_says_which_window_length_it_takes():
    """A head built for 1024 samples (16 patches) takes 961..1024 samples (the tail padded to
    a patch, so 1000 works); other lengths get a ValueError naming both, not a matmul error."""
    cfg = EEGPTConfig(embed_dim=32, depth=1, num_heads=2, embed_num=2)
    model = EEGPT(cfg, chan_ids=[0, 1, 2], n_outputs=2, n_times=1024).eval()
    with torch.no_grad():
        for n_times in (961, 1000, 1024):
            assert model(torch.randn(2, 3, n_times)).shape == (2, 2)
        for n_times in (512, 960, 1025):
            with pytest.raises(ValueError, match=r"n_times=1024, 16 patches .* 961 to 1024"):
                model(torch.randn(2, 3, n_times))


def test_embed_leaves_a_model_in_training_mode_as_it_was(tmp_path):
    """model.embed() (and embed_to_file) run the encoder in eval mode, then give every module
    its training flag back."""
    import numpy as np

    from eegpt.api import embed_to_file

    model = EEGPT(
        EEGPTConfig(embed_dim=32, depth=2, num_heads=2, embed_num=2),
        chan_ids=[0, 1, 2], n_outputs=2, n_times=1024,
    ).train()  # fmt: skip
    model.final_layer.eval()  # a mixed state is restored as it was
    flags = [m.training for m in model.modules()]
    x = np.random.default_rng(0).standard_normal((3, 2048)) * 2e-5
    args = dict(ch_names=["C3", "CZ", "C4"], sfreq=256.0)
    first = model.embed(x, **args)
    assert [m.training for m in model.modules()] == flags
    embed_to_file(model, x, tmp_path / "e.npz", **args)
    assert [m.training for m in model.modules()] == flags
    np.testing.assert_array_equal(model.eval().embed(x, **args).data, first.data)


def test_two_training_forwards_before_one_backward_with_a_probe_head():
    """The max-norm renormalisation writes only when a row exceeds the norm, so a second
    training forward pass leaves the first one's graph valid; gradients equal those of a model
    whose weights were renormalised beforehand, and the constraint holds after steps."""
    cfg = EEGPTConfig(embed_dim=32, depth=1, num_heads=2, embed_num=2)
    torch.manual_seed(0)
    model = EEGPT(cfg, chan_ids=[0, 1, 2], n_outputs=2, n_times=256, chan_proj=(3, 3))
    model.final_layer.dropout.p = 0.0
    with torch.no_grad():
        for layer in (model.final_layer.probe1, model.final_layer.probe2, model.chan_proj.proj):
            layer.weight.mul_(50)  # far outside max_norm
    twin = copy.deepcopy(model)
    for layer in twin.modules():
        if isinstance(layer, (LinearWithConstraint, Conv1dWithConstraint)):
            assert layer.renorm_()
    x1, x2 = torch.randn(2, 3, 256), torch.randn(2, 3, 256)
    grads = []
    for m in (model.train(), twin.train()):
        (m(x1).square().sum() + m(x2).square().sum()).backward()
        grads.append([p.grad for p in m.parameters()])
    for a, b in zip(*grads, strict=True):
        torch.testing.assert_close(a, b)
    opt = torch.optim.SGD(model.parameters(), lr=10.0)
    for _ in range(3):
        opt.step()
        model(x1)
        for layer in (model.final_layer.probe1, model.final_layer.probe2):
            assert layer.weight.norm(dim=1).max() <= layer.max_norm * (1 + 1e-6)
            assert not layer.renorm_()  # renormalised already


def test_a_copy_of_a_random_model_is_random_and_one_of_a_trained_model_is_not():
    """copy.deepcopy and pickle (worker processes) keep has_random_weights: a copy of a model
    as built is still random, a copy of a changed one is not (its counters start anew)."""
    import copy
    import pickle

    model, _, _ = tiny_model()
    for twin in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        assert twin.has_random_weights
        with torch.no_grad():
            next(twin.parameters()).add_(1.0)
        assert not twin.has_random_weights
        assert not copy.deepcopy(twin).has_random_weights
        assert not pickle.loads(pickle.dumps(twin)).has_random_weights
    assert model.has_random_weights


@pytest.mark.parametrize("whole", [True, False], ids=["model", "encoder"])
def test_weights_loaded_under_inference_mode_are_not_random(whole):
    """Parameters made under torch.inference_mode (inference tensors) have no change counter:
    a load_state_dict into them under inference mode, of the whole model or of its encoder,
    left has_random_weights True."""
    trained, _, _ = tiny_model()
    with torch.no_grad():
        next(trained.parameters()).add_(1.0)
    with torch.inference_mode():
        model = EEGPT(EEGPTConfig(embed_dim=32, depth=2, num_heads=2, embed_num=2))
        assert model.has_random_weights
        if whole:
            model.load_state_dict(trained.state_dict())
        else:
            model.target_encoder.load_state_dict(trained.target_encoder.state_dict())
    assert not model.has_random_weights and "random weights" not in repr(model)


@pytest.mark.parametrize("inference", [False, True], ids=["grad", "inference_mode"])
def test_a_load_of_nothing_leaves_a_random_model_random(inference):
    """load_state_dict reaches every module whether or not the state dict holds its keys: a
    load of nothing (strict=False with keys of another prefix, the classic ``module.``
    mistake, or an empty dict) loaded no weight, so the model stays marked random (it was
    marked loaded, and saved without its NOT PRETRAINED note)."""
    trained, _, _ = tiny_model()
    state = {"module." + k: v for k, v in trained.state_dict().items()}
    context = torch.inference_mode() if inference else contextlib.nullcontext()
    with context:
        model = EEGPT(EEGPTConfig(embed_dim=32, depth=2, num_heads=2, embed_num=2))
        result = model.load_state_dict(state, strict=False)
        model.load_state_dict({}, strict=False)
    assert len(result.unexpected_keys) == len(state)
    assert model.has_random_weights and "random weights" in repr(model)
    with context:  # a load of one tensor is a load
        model.load_state_dict({"target_encoder.summary_token": trained.state_dict()[
            "target_encoder.summary_token"]}, strict=False)  # fmt: skip
    assert not model.has_random_weights


def test_a_channel_projection_given_other_channels_says_so():
    model = EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2, embed_num=2),
                  chan_ids=list(range(19)), chan_proj=(22, 19))  # fmt: skip
    with pytest.raises(ValueError, match=r"x has 19 channels, but the model's channel projection "
                       r"takes 22 .* to the encoder's 19"):  # fmt: skip
        model(torch.randn(1, 19, 256))
    assert model(torch.randn(1, 22, 256)).shape == (1, 4, 2, 32)


def _reference_outputs(model: EEGPT, x: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
    """``model(x, ids)`` on the reference path, no autograd."""
    with torch.no_grad():
        model.fused = False
        try:
            return model(x, ids)
        finally:
            model.fused = True


@pytest.mark.filterwarnings("ignore:There is a performance drop:UserWarning")
@pytest.mark.parametrize("autograd", [False, True])
def test_vmap_over_inputs_on_the_default_fast_path(autograd):
    """torch.func.vmap over windows: the fast path steps aside (its out= writes have no batching
    rule: 'Batching rule not implemented for aten::add.out') and the reference path runs."""
    from torch.func import vmap

    model, x, ids = tiny_model()
    model.eval()
    with torch.set_grad_enabled(autograd):
        out = vmap(lambda xi: model(xi[None], ids)[0])(x)
    assert rel_err(out.detach(), _reference_outputs(model, x, ids)) <= 1e-6


@pytest.mark.filterwarnings("ignore:There is a performance drop:UserWarning")
@pytest.mark.parametrize("autograd", [False, True])
def test_functional_call_ensemble_on_the_default_fast_path(autograd):
    """vmap(functional_call(...)) over the stacked parameters of several models (an ensemble)
    computes each model's output (it raised on the fast path)."""
    from torch.func import functional_call, stack_module_state, vmap

    models = []
    for seed in range(3):
        torch.manual_seed(seed)
        cfg = EEGPTConfig(embed_dim=32, depth=2, num_heads=2, embed_num=2)
        models.append(EEGPT(cfg, chan_ids=[0, 1, 2]).eval())
    x, ids = torch.randn(2, 3, 256), torch.tensor([0, 1, 2])
    params, buffers = stack_module_state(models)  # chan_ids too: checked without .item()
    base = copy.deepcopy(models[0]).to("meta")

    def run(p, b, xb):
        return functional_call(base, (p, b), (xb,))

    with torch.set_grad_enabled(autograd):
        out = vmap(run, in_dims=(0, 0, None))(params, buffers, x)
    for k, model in enumerate(models):
        assert rel_err(out[k].detach(), _reference_outputs(model, x, ids)) <= 1e-6


@pytest.mark.filterwarnings("ignore:There is a performance drop:UserWarning")
def test_per_sample_gradients_on_the_default_fast_path():
    """vmap(grad(loss)) per-sample gradients equal those of a loop over the samples."""
    from torch.func import functional_call, grad, vmap

    model, x, ids = tiny_model()
    model.eval()
    params = {k: v.detach() for k, v in model.named_parameters()}

    def loss(p, xi):
        return functional_call(model, (p,), (xi[None], ids)).square().mean()

    per_sample = vmap(grad(loss), in_dims=(None, 0))(params, x)
    for i in range(len(x)):
        model.zero_grad()
        model(x[i : i + 1], ids).square().mean().backward()
        for name, p in model.named_parameters():
            assert rel_err(per_sample[name][i], p.grad) <= 1e-4, name
