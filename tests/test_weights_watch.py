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
