"""Work that repeated calls on the same inputs no longer redo: the channel mapping of plain
names (kept, its messages given again) and the move of a model already on the device."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest

import eegpt
from eegpt import channels
from eegpt.channels import map_channels
from eegpt.engine import InferenceEngine
from eegpt.model import EEGPTEncoder

NAMES = ["Fp1", "Fp2", "F3", "F4", "C3", "C4", "P3", "P4", "O1", "O2", "Cz"]
CASES = [
    (NAMES, {}),
    ([*NAMES, "EKG", "XYZ1"], {}),
    (["E1", *NAMES], {"rename": {"E1": "Fz"}}),
    (NAMES, {"rename": {"Cz": None}, "keep": "10-20"}),
    (NAMES, {"keep": ["Fp1", "C3", "Pz"], "rename": {"Q": "Fz"}, "on_missing": "ignore"}),
    (["Fp1", "T1", "Cz"], {"used": ["Fp1"], "verbose": True}),
]


@pytest.fixture(autouse=True)
def _no_cached_mappings():
    getattr(channels, "_MAPPINGS", {}).clear()
    yield
    getattr(channels, "_MAPPINGS", {}).clear()


def _given(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    return result, [(w.category, str(w.message), getattr(w.message, "eegpt_kind", None))
                    for w in caught]  # fmt: skip


def _fields(mapping):
    return {f.name: getattr(mapping, f.name) for f in dataclasses.fields(mapping)}


@pytest.mark.parametrize(("names", "options"), CASES)
def test_mapping_again_is_the_same_with_the_same_warnings(names, options, caplog):
    caplog.set_level("DEBUG", logger="eegpt")
    uncached = getattr(map_channels, "__wrapped__", map_channels)
    reference, told = _given(lambda: uncached(names, **options))
    logged = [r.getMessage() for r in caplog.records]
    for _ in range(3):  # the first call maps, the others reuse: all alike
        caplog.clear()
        mapping, said = _given(lambda: map_channels(names, **options))
        assert _fields(mapping) == _fields(reference)
        assert said == told
        assert [r.getMessage() for r in caplog.records] == logged


def test_mapping_again_is_not_made_again(monkeypatch):
    calls = []
    real = channels.normalize_channel_name
    monkeypatch.setattr(channels, "normalize_channel_name", lambda n: calls.append(n) or real(n))
    map_channels(NAMES)
    first = len(calls)
    assert first > 0
    map_channels(list(NAMES))
    assert len(calls) == first  # unchanged inputs: not mapped again
    map_channels(NAMES, keep="10-20")  # other options: mapped
    assert len(calls) > first


def test_each_call_gets_its_own_mapping():
    one, two = (
        map_channels(["Fp1-Cz", "C3-Cz", "O1-Cz"]),
        map_channels(["Fp1-Cz", "C3-Cz", "O1-Cz"]),
    )
    assert one.referential == two.referential != {}
    assert one is not two and one.referential is not two.referential


def test_warnings_given_before_an_error_are_given_each_time():
    for _ in range(2):
        with pytest.raises(ValueError, match="not in the EEGPT vocabulary"):
            map_channels(["Fp1", "XYZ"], on_unknown="raise")
    assert not channels._MAPPINGS


def test_inputs_that_are_no_plain_values_are_not_kept():
    map_channels(NAMES, rename=channels.RenameTable({"Cz": "Cz"}))
    map_channels(np.array(NAMES).tolist()[:3] + [np.str_("Cz")])
    assert not channels._MAPPINGS


def test_engine_leaves_a_model_on_its_device_unmoved(monkeypatch):
    model = eegpt.EEGPT("tiny1").eval()
    x = np.random.default_rng(0).standard_normal((2, 19, 1024)).astype(np.float32) * 0.01
    ids = list(range(19))
    before = InferenceEngine(model.target_encoder, device="cpu").encode(x, ids)
    moves = []
    real = EEGPTEncoder._apply
    monkeypatch.setattr(
        EEGPTEncoder, "_apply", lambda self, *a, **k: moves.append(1) or real(self, *a, **k)
    )
    engine = InferenceEngine(model.target_encoder, device="cpu")
    assert moves == []  # already on the CPU: no walk over its tensors
    assert np.array_equal(engine.encode(x, ids), before)
    model.target_encoder.train()
    InferenceEngine(model.target_encoder, device="cpu")
    assert not model.target_encoder.training  # still put in eval mode


def test_engine_moves_a_model_that_is_elsewhere():
    from torch import nn

    from eegpt.engine import _moved

    class Spy(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("b", __import__("torch").zeros(2, device="meta"))
            self.moved = []

        def to(self, *args, **kwargs):
            self.moved.append(args)
            return self

    import torch

    spy = Spy()
    assert _moved(spy, torch.device("cpu")) is spy and spy.moved == [(torch.device("cpu"),)]
