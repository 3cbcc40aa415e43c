"""The embedding cache keeps one entry per window: the folds and grid-search candidates of a
cross-validation (subsets and reorderings of windows embedded before) run the encoder on new
windows only, and give exactly what the encoder gives without the cache."""

from __future__ import annotations

import copy
import threading

import numpy as np
import pytest
import torch
from sklearn.model_selection import StratifiedKFold

from eegpt import EEGPT, EEGPTConfig
from eegpt.embedding_cache import EmbeddingCache, embed_windows
from eegpt.engine import InferenceEngine
from eegpt.preprocessing import PreprocessingConfig
from eegpt.probe import synthetic_erp_epochs
from eegpt.sklearn import EEGPTEmbedder

SMALL = EEGPTConfig(embed_dim=64, depth=2, num_heads=4)
ONE_SECOND = PreprocessingConfig(window_seconds=1.0)
CHANNELS = list(range(22))


@pytest.fixture(scope="module")
def model() -> EEGPT:
    torch.manual_seed(0)
    return EEGPT(SMALL).eval()


@pytest.fixture(scope="module")
def windows() -> np.ndarray:
    """300 trials of 22 channels x 1 s at 256 Hz, float64 (mV)."""
    return np.random.default_rng(0).standard_normal((300, 22, 256)) * 0.02


@pytest.fixture(scope="module")
def uncached(model, windows) -> np.ndarray:
    return embed_windows(model, windows, CHANNELS, device="cpu", cache=False)


@pytest.fixture
def encoded(monkeypatch) -> list[int]:
    """The windows the encoder embeds (through the engine's public encode), as
    tests/test_probe.py's count_encoder_calls counts them."""
    calls = [0]
    original = InferenceEngine.encode

    def counting(self, x, *args, **kwargs):
        calls[0] += len(x)
        return original(self, x, *args, **kwargs)

    monkeypatch.setattr(InferenceEngine, "encode", counting)
    return calls


def embed(model, x, cache) -> np.ndarray:
    return embed_windows(model, x, CHANNELS, device="cpu", cache=cache, preprocessing=ONE_SECOND)


def test_a_subset_of_windows_embedded_before_encodes_nothing(model, windows, uncached, encoded):
    cache = EmbeddingCache()
    assert np.array_equal(embed(model, windows, cache), uncached)
    assert encoded[0] == 300 and cache.misses == 300 and cache.hits == 0

    encoded[0] = 0
    fold = windows[::-2]  # every other window, reversed
    out = embed(model, fold, cache)
    assert encoded[0] == 0 and cache.hits == 150
    assert np.array_equal(out, uncached[::-2])  # bit for bit, in the fold's order
    assert out.dtype == np.float32 and out.flags.writeable

    new = np.random.default_rng(1).standard_normal((5, 22, 256)) * 0.02
    mixed = np.concatenate([fold[:40], new[:2], fold[40:], new[2:]])
    out = embed(model, mixed, cache)
    assert encoded[0] == 5
    assert np.array_equal(out, embed(model, mixed, False))

    # other settings (channels, preprocessing, weights) are other entries
    encoded[0] = 0
    other = PreprocessingConfig(window_seconds=1.0, average_reference=False)
    embed_windows(model, fold[:3], CHANNELS, device="cpu", cache=cache, preprocessing=other)
    embed_windows(model, fold[:3], CHANNELS[::-1], device="cpu", cache=cache)
    changed = copy.deepcopy(model)
    with torch.no_grad():
        changed.target_encoder.norm.bias.add_(0.1)
    embed(changed, fold[:3], cache)
    assert encoded[0] == 9


def test_repeated_windows_are_encoded_once(model, windows, uncached, encoded):
    cache = EmbeddingCache()
    order = [4, 1, 4, 4, 2, 1]
    out = embed(model, windows[order], cache)
    assert encoded[0] == 3 and cache.misses == 3
    assert np.array_equal(out, uncached[order])


def test_the_memory_bound_is_per_window(model, windows, uncached, encoded):
    one = uncached[0].nbytes
    cache = EmbeddingCache(max_bytes=10 * one)
    embed(model, windows[:25], cache)
    assert cache.nbytes == 10 * one and len(cache._memory) == 10
    encoded[0] = 0
    assert np.array_equal(embed(model, windows[15:25], cache), uncached[15:25])  # the last 10
    assert encoded[0] == 0
    assert np.array_equal(embed(model, windows[:3], cache), uncached[:3])  # evicted
    assert encoded[0] == 3 and cache.nbytes == 10 * one
    cache.clear()
    assert cache.nbytes == 0


def test_a_folder_keeps_one_file_per_window(model, windows, uncached, encoded, tmp_path):
    embed(model, windows[:8], tmp_path)
    assert len(list(tmp_path.glob("*.npy"))) == 8
    encoded[0] = 0
    fresh = EmbeddingCache(tmp_path)  # another process
    assert np.array_equal(embed(model, windows[7::-3], fresh), uncached[7::-3])
    assert encoded[0] == 0 and fresh.hits == 3 and fresh.misses == 0


def test_threads_share_one_cache(model, windows, uncached):
    cache = EmbeddingCache(max_bytes=40 * uncached[0].nbytes)
    results: dict[int, np.ndarray] = {}

    def work(i: int) -> None:
        results[i] = embed(model, windows[i * 10 : i * 10 + 60], cache)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, out in results.items():
        assert np.array_equal(out, uncached[i * 10 : i * 10 + 60])
    assert cache.nbytes == sum(a.nbytes for a in cache._memory.values()) <= cache.max_bytes


def test_cross_validation_folds_of_an_embedder_encode_each_trial_once(encoded):
    """The user's case: cross-validating EEGPTEmbedder(cache=...) on arrays, each fold's
    train and test subsets come from the cache once every trial was embedded."""
    epochs = synthetic_erp_epochs(40, seed=2, seconds=1.0, tmin=0.0)
    x, y = epochs.get_data(), epochs.events[:, 2]
    torch.manual_seed(0)
    model = EEGPT(EEGPTConfig(embed_dim=32, depth=2, num_heads=2)).eval()
    kwargs = dict(ch_names=epochs.ch_names, sfreq=epochs.info["sfreq"], device="cpu")
    kwargs.update(preprocessing=PreprocessingConfig(window_seconds=1.0, sfreq=256.0))
    cached = EEGPTEmbedder(model, cache=EmbeddingCache(), **kwargs).fit(x)
    plain = EEGPTEmbedder(model, **kwargs).fit(x)
    cached.transform(x)
    assert encoded[0] == len(x)
    encoded[0] = 0
    for train, test in StratifiedKFold(4).split(x, y):
        for part in (train, test[::-1]):
            out = cached.transform(x[part])
            assert encoded[0] == 0
            assert np.array_equal(out, plain.transform(x[part]))
            encoded[0] = 0


def test_the_fast_and_reference_paths_and_devices_are_other_entries(model, windows, encoded):
    """The fast path (fused) and the reference path differ in the last bits, as CPUs and GPUs
    do: an entry of one is never served to the other (a disk cache may be shared)."""
    cache = EmbeddingCache()
    embed(model, windows[:4], cache)
    reference = copy.deepcopy(model)
    reference.target_encoder.fused = False
    encoded[0] = 0
    out = embed(reference, windows[:4], cache)
    assert encoded[0] == 4 and cache.hits == 0
    assert np.array_equal(out, embed(reference, windows[:4], False))
    keys = {
        EmbeddingCache.window_keys(fingerprint="w", windows=windows[:1], chan_ids=CHANNELS,
                                   precision="float32", fused=fused, device_type=device)[0]
        for fused in (True, False) for device in ("cpu", "cuda")
    }  # fmt: skip
    assert len(keys) == 4


def test_a_damaged_or_wrong_shape_file_is_a_miss_and_overwritten(
    model, windows, uncached, encoded, tmp_path
):
    """A cache file cut short (EOFError) or holding another shape (ValueError when stacked) is
    computed again and overwritten, with no crash."""
    embed(model, windows[:3], tmp_path)
    files = sorted(tmp_path.glob("*.npy"), key=lambda p: p.stat().st_mtime_ns)
    files[0].write_bytes(files[0].read_bytes()[:100])  # cut short
    np.save(files[1], np.zeros((2, 3), np.float32))  # another shape
    encoded[0] = 0
    fresh = EmbeddingCache(tmp_path)
    assert np.array_equal(embed(model, windows[:3], fresh), uncached[:3])
    assert encoded[0] == 2 and fresh.misses == 2 and fresh.hits == 1
    encoded[0] = 0
    again = EmbeddingCache(tmp_path)  # overwritten: found now
    assert np.array_equal(embed(model, windows[:3], again), uncached[:3])
    assert encoded[0] == 0 and again.hits == 3


def test_a_folder_cache_syncs_nothing_and_leaves_no_temporary_files(
    model, windows, uncached, monkeypatch, tmp_path
):
    """A cache file cut short by a crash is a miss, computed again: no fsync per window (10k
    windows were 10k fsyncs, slow on network storage); still written under a temporary name
    and renamed into place, so a concurrent reader never finds a partial file."""
    import os

    synced = [0]
    original = os.fsync

    def counting(fd):
        synced[0] += 1
        return original(fd)

    monkeypatch.setattr(os, "fsync", counting)
    folder = tmp_path / "made" / "once"
    out = embed(model, windows[:12], folder)
    assert synced[0] == 0
    assert np.array_equal(out, uncached[:12])
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []
    assert len(list(folder.glob("*.npy"))) == 12
    assert np.array_equal(embed(model, windows[:12], EmbeddingCache(folder)), uncached[:12])


def test_put_many_keeps_each_entry_as_put_does(tmp_path):
    cache = EmbeddingCache(tmp_path / "c", max_bytes=3 * 8 * 4)
    arrays = [np.full((2, 4), i, np.float32) for i in range(4)]
    cache.put_many(["a", "b", "c", "d"], arrays)
    assert list(cache._memory) == ["b", "c", "d"] and cache.nbytes == 3 * 8 * 4  # bounded
    assert not cache.get("b").flags.writeable
    assert np.array_equal(EmbeddingCache(tmp_path / "c").get("a"), arrays[0])
    with pytest.raises(ValueError, match="2 keys for 1 arrays"):
        cache.put_many(["x", "y"], arrays[:1])


def _changed(model: EEGPT, how: str) -> None:
    """Change a loaded model's encoder weights after loading, in one of several ways."""
    enc = model.target_encoder
    if how == "load_state_dict":
        torch.manual_seed(7)
        model.load_state_dict(EEGPT(SMALL).state_dict())
    elif how == "optimizer":
        opt = torch.optim.SGD(enc.parameters(), lr=0.1)
        enc(torch.randn(2, 3, 256), torch.arange(3)).square().sum().backward()
        opt.step()
        opt.zero_grad()
    elif how == "no_grad":
        with torch.no_grad():
            enc.norm.bias.add_(0.1)
    elif how == "data_then_clear":  # eval mode: p.data edits need clear_fast_cache
        enc.norm.bias.data.add_(0.1)
        model.clear_fast_cache()
    elif how == "data_in_training_mode":  # an EMA teacher's update
        model.train()
        enc.norm.bias.data.add_(0.1)


@pytest.mark.parametrize("loaded", [False, True])
@pytest.mark.parametrize("first_call", ["cache", "model"])
def test_a_stale_fast_path_files_nothing_under_the_new_weights(
    windows, tmp_path, loaded, first_call
):
    """Weights edited through ``p.data`` in eval mode: the fast path computes with its stale
    derived weights until ``clear_fast_cache()`` (documented); what it computes then must not
    be kept under the new weights' key, where the call after ``clear_fast_cache()`` would find
    it. Memory and folder caches; the derived weights made by the cache or by a call of the
    model itself before the edit."""
    import eegpt.checkpoints as checkpoints

    torch.manual_seed(0)
    model = EEGPT(SMALL).eval()
    if loaded:
        checkpoints.mark_loaded_weights(model)
    x = windows[:4]
    for cache in (EmbeddingCache(), EmbeddingCache(tmp_path / f"{loaded}{first_call}")):
        model.clear_fast_cache()
        if first_call == "cache":
            embed(model, x, cache)
        else:
            with torch.no_grad():
                model(torch.from_numpy(x).float(), torch.tensor(CHANNELS))
        with torch.no_grad():
            model.target_encoder.blocks[0].mlp.fc1.weight.data.mul_(1.5)
        embed(model, x, cache)  # stale or current: the documented gap
        model.clear_fast_cache()
        assert np.array_equal(embed(model, x, cache), embed(model, x, False))
        model.fused = False
        assert np.allclose(embed(model, x, cache), embed(model, x, False), rtol=0, atol=1e-5)
        model.fused = True
        with torch.no_grad():
            model.target_encoder.blocks[0].mlp.fc1.weight.data.div_(1.5)
        model.clear_fast_cache()


@pytest.mark.parametrize(
    "how", ["load_state_dict", "optimizer", "no_grad", "data_then_clear", "data_in_training_mode"]
)
def test_weights_changed_after_loading_are_new_entries(windows, encoded, monkeypatch, how):
    """A loaded model's fingerprint is the one noted when loaded (no hashing per call) while
    its weights are unchanged, and the new weights' own after any change."""
    import eegpt.checkpoints as checkpoints

    torch.manual_seed(0)
    model = EEGPT(SMALL).eval()
    checkpoints.mark_loaded_weights(model)
    noted = model._loaded_weights.fingerprint
    cache = EmbeddingCache()
    first = embed(model, windows[:4], cache)

    hashed = [0]
    original = checkpoints.encoder_fingerprint

    def counting(m):
        hashed[0] += 1
        return original(m)

    monkeypatch.setattr(checkpoints, "encoder_fingerprint", counting)
    encoded[0] = 0
    assert np.array_equal(embed(model, windows[:4], cache), first)
    assert hashed[0] == 0 and encoded[0] == 0  # unchanged: the noted fingerprint, all hits

    _changed(model, how)
    fingerprint = checkpoints.weights_fingerprint(model)
    assert fingerprint == original(model) != noted
    out = embed(model, windows[:4], cache)
    assert encoded[0] == 4  # the new weights' entries: none cached
    assert np.array_equal(out, embed(model, windows[:4], False))
    assert not np.array_equal(out, first)
