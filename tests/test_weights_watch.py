"""Thread safety of eegpt._weights_watch's registries (weak-keyed dicts shared by threads)."""

from __future__ import annotations

import gc
import sys
import threading
import time
import weakref
from collections.abc import Callable

import torch
from torch import nn

from eegpt import _weights_watch
from eegpt.fast_path import fast_cache


def _race(workers: list[Callable[[], None]], seconds: float) -> list[BaseException]:
    """Run each worker in a loop on its own thread for ``seconds`` with a tiny switch
    interval (threads swap every microsecond); the errors they raised."""
    errors: list[BaseException] = []
    stop = threading.Event()

    def loop(work: Callable[[], None]) -> None:
        try:
            while not stop.is_set():
                work()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
            stop.set()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    threads = [threading.Thread(target=loop, args=(w,)) for w in workers]
    try:
        for t in threads:
            t.start()
        time.sleep(seconds)
    finally:
        stop.set()
        for t in threads:
            t.join()
        sys.setswitchinterval(interval)
    return errors


def test_live_items_is_a_snapshot_of_the_live_keys():
    """The snapshot holds the live pairs and is not changed by later inserts or keys
    collected afterwards."""
    mapping: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
    kept, dropped = nn.Linear(1, 1), nn.Linear(1, 1)
    mapping[kept], mapping[dropped] = "a", "b"
    del dropped
    gc.collect()
    items = _weights_watch.live_items(mapping)
    assert items == [(kept, "a")]
    mapping[nn.Linear(1, 1)] = "c"  # collected at once: the dict changes meanwhile
    later = nn.Linear(1, 1)
    mapping[later] = "d"
    assert items == [(kept, "a")] and len(_weights_watch.live_items(mapping)) == 2


def test_optimizer_steps_while_threads_fill_caches_of_new_encoders():
    """An optimizer step drops the caches of its encoders by iterating FAST_CACHES: threads
    filling caches of new encoders (and the collector dropping old ones) meanwhile used to
    raise "dictionary changed size during iteration" in the stepping thread."""
    _weights_watch.watch_optimizer_steps()
    weight = nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([weight], lr=0.1)
    held: list[nn.Module] = []

    def fill() -> None:
        held.append(nn.Linear(1, 1))
        fast_cache(held[-1])
        if len(held) > 50:
            held.clear()  # their keys go with the garbage collector

    assert _race([optimizer.step, optimizer.step, fill, fill], seconds=2.0) == []


def test_param_key_walks_the_parameters_without_torchs_generators(monkeypatch):
    """param_key (each push that embeds windows, each fast-path call, each fingerprint check)
    listed the parameters through ``module.parameters()``, whose nested generators build every
    submodule's dotted name: most of its cost. It walks the modules itself: the same
    parameters in the same order (shared modules and parameters once, ``None`` entries left
    out), and it still sees a parameter or a submodule replaced, a weight changed in place."""
    from eegpt import EEGPT, EEGPTConfig

    torch.manual_seed(0)
    model = EEGPT(EEGPTConfig(embed_dim=32, depth=2, num_heads=2, embed_num=2))
    shared = nn.Linear(3, 3)
    tree = nn.Sequential(nn.Sequential(shared, nn.ReLU()), shared, nn.Linear(3, 3), nn.Linear(3, 2))
    tree[2].weight = shared.weight  # one parameter in two modules
    tree[3].bias = None
    tree.add_module("nothing", None)
    for module in (model, model.target_encoder, tree):
        listed = list(module.parameters())
        assert [id(p) for p in _weights_watch.parameters_of(module)] == [id(p) for p in listed]
    keys = [_weights_watch.param_key(tree)]

    def refused(*args, **kwargs):
        raise AssertionError("param_key went through torch's named_modules")

    monkeypatch.setattr(nn.Module, "named_modules", refused)
    assert _weights_watch.param_key(tree) == keys[0]
    tree[3].weight = nn.Parameter(torch.zeros(2, 3))  # replaced
    keys.append(_weights_watch.param_key(tree))
    tree[0][0] = nn.Linear(3, 3)  # a submodule replaced
    keys.append(_weights_watch.param_key(tree))
    with torch.no_grad():
        tree[2].bias.add_(1.0)  # in place
    keys.append(_weights_watch.param_key(tree))
    assert len(set(keys)) == len(keys)
    monkeypatch.undo()
    assert len(_weights_watch.param_key(tree)) == len(list(tree.parameters()))
