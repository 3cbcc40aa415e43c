"""The public API behaves as Python objects are expected to: selections share no state with
what they were selected from, ``==`` does not crash, configurations are checked when made,
and reprs stay short."""

from __future__ import annotations

import copy
import dataclasses
import importlib

import numpy as np
import pytest

import eegpt
from eegpt.outputs import Embeddings


def _emb(n: int = 4) -> Embeddings:
    data = np.random.default_rng(0).normal(size=(n, 2, 3, 4)).astype(np.float32)
    meta = {
        "source": "x.edf",
        "channels": {"names": ["Cz", "Pz"], "chan_ids": [1, 2]},
        "labels": [f"l{i}" for i in range(n)],
        "annotations": [[f"a{i}"] for i in range(n)],
        "epochs_metadata": {"columns": ["c"], "data": [[i] for i in range(n)]},
        "warnings": [],
    }
    return Embeddings(data, np.arange(n, dtype=float), meta)


@pytest.mark.parametrize("key", [slice(1, None), [0, 2], np.array([True, False, True, True]), 1])
def test_selected_embeddings_share_no_metadata_or_arrays(key) -> None:
    emb = _emb()
    before = copy.deepcopy(emb.metadata)
    part = emb[key]
    part.metadata["channels"]["names"].append("X")
    part.metadata["annotations"][0].append("new")
    part.metadata["epochs_metadata"]["data"][0].append(99)
    part.metadata["warnings"].append("changed")
    part.data[...] = 7.0
    part.onsets[...] = -1.0
    assert emb.metadata == before
    assert not (emb.data == 7.0).any() and not (emb.onsets == -1.0).any()


def test_concatenated_embeddings_share_no_metadata_with_the_parts() -> None:
    emb = _emb()
    first, second = emb[:2], emb[2:]
    before = copy.deepcopy(first.metadata)
    both = Embeddings.concatenate([first, second])
    both.metadata["channels"]["names"].append("X")
    both.metadata["annotations"][0].append("new")
    assert first.metadata == before
    assert second.metadata["annotations"][0] == ["a2"]


def test_embeddings_compare_by_identity_without_crashing() -> None:
    emb = _emb()
    assert emb == emb
    assert not (emb == copy.deepcopy(emb))  # was: "truth value of an array is ambiguous"
    assert emb != emb[:]


def _public_dataclasses() -> list[type]:
    found = []
    for name in sorted(eegpt._SUBMODULES):
        module = importlib.import_module(f"eegpt.{name}")
        for attr, obj in vars(module).items():
            public = not attr.startswith("_") and getattr(obj, "__module__", "") == module.__name__
            if public and isinstance(obj, type) and dataclasses.is_dataclass(obj):
                found.append(obj)
    return found


def test_public_dataclasses_holding_arrays_do_not_compare_them() -> None:
    """A dataclass's generated ``__eq__`` compares its fields as tuples, which raises for
    NumPy arrays and tensors of more than one element: such classes compare by identity."""
    holding = []
    for cls in _public_dataclasses():
        types = " ".join(str(f.type) for f in dataclasses.fields(cls) if f.compare)
        if "ndarray" in types or "Tensor" in types:
            holding.append(cls)
    assert eegpt.outputs.Embeddings in holding and eegpt.checkpoints.Checkpoint in holding
    compared = [cls.__qualname__ for cls in holding if cls.__dataclass_params__.eq]  # type: ignore[attr-defined]
    assert not compared, f"{compared} compare arrays field by field in =="


def test_checkpoint_compares_without_crashing() -> None:
    ckpt = eegpt.checkpoints.checkpoint_from_model(eegpt.EEGPT("tiny1"))
    assert ckpt == ckpt and not (ckpt == copy.deepcopy(ckpt))
