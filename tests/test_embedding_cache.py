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


def test_a_loaded_model_edited_after_an_uncached_call_files_nothing_under_its_checkpoint(
    windows, tmp_path
):
    """A loaded model (its fingerprint noted when loaded) whose fast path was filled by a call
    without the cache, then edited through ``p.data``: the first cached call must not keep the
    edited weights' embeddings under the checkpoint's fingerprint, where a fresh load of the
    same checkpoint sharing the folder would find them."""
    import eegpt.checkpoints as checkpoints

    torch.manual_seed(0)
    model = EEGPT(SMALL).eval()
    checkpoints.mark_loaded_weights(model)
    pristine = copy.deepcopy(model)
    checkpoints.mark_loaded_weights(pristine)
    x = windows[:4]
    embed(model, x, False)  # fills the fast path's derived weights
    with torch.no_grad():
        for p in model.target_encoder.parameters():
            p.data.mul_(1.5)
    folder = tmp_path / "shared"
    embed(model, x, EmbeddingCache(folder))
    assert np.array_equal(embed(pristine, x, EmbeddingCache(folder)), embed(pristine, x, False))


@pytest.mark.parametrize(
    "how", ["load_state_dict", "optimizer", "no_grad", "data_then_clear", "data_in_training_mode"]
)
def test_weights_changed_after_loading_are_new_entries(windows, encoded, monkeypatch, how):
    """A loaded model's fingerprint is the one noted when loaded (no hashing per call) while
    its weights are unchanged, and the new weights' own after any change."""
    import eegpt.checkpoints as checkpoints
    import eegpt.fingerprints as fingerprints

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

    monkeypatch.setattr(fingerprints, "encoder_fingerprint", counting)
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


# A bounded folder: max_disk_bytes, trim(), clear(disk=True), disk_usage.

ENTRY = np.zeros((2, 4, 8), np.float32)  # 256 bytes of data
FILE = 256 + 128  # and the .npy header


def _filled(folder, n: int, start: float | None = None) -> EmbeddingCache:
    """A cache (unbounded) that wrote ``k0`` ... ``k<n-1>``, each used one second after the
    one before, long ago (modification times set, as a clock would)."""
    import os
    import time

    cache = EmbeddingCache(folder)
    cache.put_many([f"k{i}" for i in range(n)], [ENTRY + i for i in range(n)])
    t0 = time.time() - 10_000 if start is None else start
    for i in range(n):
        os.utime(folder / f"k{i}.npy", (t0 + i, t0 + i))
    return cache


def _left(folder) -> set[str]:
    return {p.stem for p in folder.glob("*.npy") if not p.name.startswith(".")}


def test_a_bounded_folder_removes_the_least_recently_used_files_of_all_processes(tmp_path):
    """Use is what counts, not writing: an entry another cache object (another process) read
    from the folder, or this one found in memory, outlives entries written after it."""
    writer = _filled(tmp_path, 10)
    assert (tmp_path / "k0.npy").stat().st_size == FILE
    reader = EmbeddingCache(tmp_path)  # another process: reads k0 and k1 from disk
    assert np.array_equal(reader.get("k0"), ENTRY) and np.array_equal(reader.get("k1"), ENTRY + 1)
    assert np.array_equal(writer.get("k2"), ENTRY + 2)  # found in this one's memory: used too
    bounded = EmbeddingCache(tmp_path, max_disk_bytes=10 * FILE)  # a third, measures the folder
    bounded.put("new", ENTRY)  # 11 files: beyond the budget, trimmed to 90 % of it (9 files)
    assert _left(tmp_path) == {"k0", "k1", "k2", "new"} | {f"k{i}" for i in range(5, 10)}
    assert bounded.disk_usage == (9, 9 * FILE)
    assert reader.get("k3") is None and reader.get("k4") is None  # gone for everyone: misses


def test_the_disk_budget_holds_after_many_puts_from_threads_and_an_earlier_fill(tmp_path):
    _filled(tmp_path, 30)  # written before, by an unbounded cache
    budget = 10 * FILE + 100
    cache = EmbeddingCache(tmp_path, max_disk_bytes=budget, max_bytes=0)
    cache.put("first", ENTRY)  # measured when first written to: the 30 old files count
    assert sum(p.stat().st_size for p in tmp_path.glob("*.npy")) <= budget
    assert "first" in _left(tmp_path) and "k0" not in _left(tmp_path)

    seen: list[int] = []

    def work(t: int) -> None:
        for i in range(40):
            if i % 4:
                cache.put(f"t{t}-{i}", ENTRY)
            else:
                cache.put_many([f"t{t}-{i}-{j}" for j in range(3)], [ENTRY] * 3)
            seen.append(sum(size for _, size, _ in cache._list()))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 160  # no thread failed
    assert max(seen) <= budget + 3 * 3 * FILE  # other threads' writes not yet accounted
    left = _left(tmp_path)
    assert 9 <= len(left) <= 10 and not any(k.startswith("k") for k in left)
    assert sum(p.stat().st_size for p in tmp_path.glob("*.npy")) <= budget
    assert cache.disk_usage == (len(left), len(left) * FILE)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files


def test_files_removed_by_another_process_meanwhile_are_misses_not_errors(tmp_path, monkeypatch):
    """Another process may trim a file between this one's listing and its load (a miss),
    between its load and the touch recording the use (still a hit), or between a listing and
    the removal of a trim (skipped: it is gone all the same)."""
    import os

    _filled(tmp_path, 6)
    original = np.load

    def removed_first(path, *args, **kwargs):
        os.unlink(path)
        return original(path, *args, **kwargs)

    def removed_after(path, *args, **kwargs):
        out = original(path, *args, **kwargs)
        os.unlink(path)
        return out

    cache = EmbeddingCache(tmp_path)
    monkeypatch.setattr(np, "load", removed_first)
    assert cache.get("k0") is None and cache.misses == 1 and cache.hits == 0
    monkeypatch.setattr(np, "load", removed_after)
    assert np.array_equal(cache.get("k1"), ENTRY + 1) and cache.hits == 1
    monkeypatch.setattr(np, "load", original)

    listing = EmbeddingCache._list

    def listed_then_removed(self):
        out = listing(self)
        os.unlink(tmp_path / "k2.npy")  # the oldest left, trimmed by another process
        return out

    monkeypatch.setattr(EmbeddingCache, "_list", listed_then_removed)
    assert cache.trim(2 * FILE) == (1, FILE)  # k3 removed here; k2 by the other
    monkeypatch.setattr(EmbeddingCache, "_list", listing)
    assert _left(tmp_path) == {"k4", "k5"} and cache.disk_usage == (2, 2 * FILE)


def test_trim_and_clear_remove_files_explicitly_and_only_complete_entries(tmp_path):
    cache = _filled(tmp_path, 8)
    writing = tmp_path / ".k9.npy.host-id0123456789ab.4242.xyz.tmp"  # another's write
    writing.write_bytes(b"\x93NUMPY partial")
    (tmp_path / "notes.txt").write_text("not an entry")
    assert cache.disk_usage == (8, 8 * FILE)
    assert cache.trim(3 * FILE + 10) == (5, 5 * FILE)  # oldest first
    assert _left(tmp_path) == {"k5", "k6", "k7"}
    assert np.array_equal(cache.get("k0"), ENTRY)  # still in memory
    assert cache.trim(10 * FILE) == (0, 0) and len(_left(tmp_path)) == 3

    cache.clear()  # memory only, as before
    assert cache.nbytes == 0 and len(_left(tmp_path)) == 3
    assert cache.get("k0") is None and np.array_equal(cache.get("k6"), ENTRY + 6)
    cache.clear(disk=True)
    assert cache.nbytes == 0 and _left(tmp_path) == set() and cache.disk_usage == (0, 0)
    assert writing.exists() and (tmp_path / "notes.txt").exists()
    assert cache.get("k6") is None

    with pytest.raises(ValueError, match="trim.. needs a budget: pass max_disk_bytes"):
        cache.trim()
    with pytest.raises(ValueError, match="needs a folder"):
        EmbeddingCache().trim(0)
    with pytest.raises(ValueError, match="directory is None"):
        EmbeddingCache(max_disk_bytes=100)
    with pytest.raises(ValueError, match=">= 0 bytes, got -1"):
        EmbeddingCache(tmp_path, max_disk_bytes=-1)
    with pytest.raises(TypeError, match="number of bytes or None, got '1G'"):
        EmbeddingCache(tmp_path, max_disk_bytes="1G")
    assert EmbeddingCache(tmp_path, max_disk_bytes=5e9).max_disk_bytes == 5_000_000_000


def test_repr_shows_both_budgets_and_the_folder_count(tmp_path):
    import os
    import pickle

    assert repr(EmbeddingCache()) == (
        "EmbeddingCache(0 in memory, 0 B, max_bytes=1 GiB, hits=0, misses=0)"
    )
    cache = EmbeddingCache(tmp_path, max_bytes=2**20, max_disk_bytes=3 * FILE)
    assert repr(cache) == (
        f"EmbeddingCache(0 in memory, 0 B, max_bytes=1 MiB, directory={str(tmp_path)!r}, "
        "max_disk_bytes=1.1 KiB, hits=0, misses=0)"
    )
    cache.put_many(["a", "b", "c", "d"], [ENTRY] * 4)  # trimmed to 2 files (90 % of 3)
    assert repr(cache) == (
        f"EmbeddingCache(4 in memory, 1 KiB, max_bytes=1 MiB, directory={str(tmp_path)!r}"
        " (2 files, 768 B when last counted), max_disk_bytes=1.1 KiB, hits=0, misses=0)"
    )
    assert "max_disk_bytes=None" in repr(EmbeddingCache(tmp_path))
    for name in _left(tmp_path):  # used long ago
        os.utime(tmp_path / f"{name}.npy", (1e9, 1e9))
    copy_ = pickle.loads(pickle.dumps(cache))  # joblib's process workers: still bounded
    copy_.put_many(["e", "f"], [ENTRY] * 2)
    assert _left(tmp_path) == {"e", "f"}


def test_embed_windows_and_the_estimators_take_a_bounded_cache(model, windows, uncached, tmp_path):
    """docs/downstream.md's advice: cache=EmbeddingCache(folder, max_disk_bytes=...)."""
    one = uncached[0].nbytes + 128
    cache = EmbeddingCache(tmp_path, max_disk_bytes=4 * one - 1)
    assert np.array_equal(embed(model, windows[:8], cache), uncached[:8])
    assert len(_left(tmp_path)) == 3  # 90 % of a budget of just under 4 files
    assert sum(p.stat().st_size for p in tmp_path.glob("*.npy")) == 3 * one
