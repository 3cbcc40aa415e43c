"""Hostile and broken checkpoints, and downloads that go wrong.

Malicious pickles are real: each test first shows that unrestricted unpickling runs the payload,
then that eegpt refuses the file (or loads it with the payload left inert) without running it.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import resource
import shutil
import warnings

import pytest
import torch
from reliability_harness import R
from safetensors.torch import load_file, save_file

from eegpt.checkpoints import (
    build_model,
    describe,
    load_checkpoint,
    load_model,
    save_checkpoint,
)
from eegpt.errors import CheckpointError
from eegpt.hub import download
from eegpt.model import EEGPT, EEGPTEncoder


@pytest.mark.parametrize("name", ["checkpoint-malicious", "checkpoint-corrupt", "downloads"])
def test_class_has_no_bugs(name):
    tally = R.run_class(name, quick=True)
    assert tally.n > 0
    assert tally.n_bugs == 0, tally.bugs


def _state() -> dict[str, torch.Tensor]:
    torch.manual_seed(0)
    enc = EEGPTEncoder(R.small_config())
    return {f"target_encoder.{k}": v for k, v in enc.state_dict().items()}


@pytest.mark.parametrize("container", ["zip", "legacy"])
def test_real_payloads_run_unrestricted_but_never_in_eegpt(tmp_path, container):
    marker = tmp_path / "PWNED"
    wrap = R._torch_zip if container == "zip" else R._torch_legacy
    payloads = {
        "reduce": pickle.dumps(R._Payload(os.system, f"touch {marker}"), protocol=2),
        "inst": f"(S'touch {marker}'\nios\nsystem\n.".encode(),
        "computed name": R._codecs_payload(f"touch {marker}"),
    }
    for name, payload in payloads.items():
        path = tmp_path / f"{name}.pt"
        path.write_bytes(wrap(payload))
        try:  # unrestricted: runs the payload (torch may fail afterwards on what it returned)
            torch.load(path, weights_only=False)
        except Exception:
            pass
        assert marker.exists(), f"{name}: the payload is not real"
        marker.unlink()
        with pytest.raises(CheckpointError, match=str(path)):
            load_checkpoint(path)
        assert not marker.exists(), f"{name}: eegpt ran the payload"


def test_payload_in_lightning_metadata_stays_inert(tmp_path):
    marker = tmp_path / "PWNED"
    path = tmp_path / "evil.ckpt"
    evil = R._Payload(os.system, f"touch {marker}")
    torch.save({"state_dict": _state(), "hyper_parameters": {"args": evil}}, path)
    ckpt = load_checkpoint(path)
    assert not marker.exists()
    assert "posix.system" in ckpt.metadata["pickle_placeholders"] or any(
        p.endswith(".system") for p in ckpt.metadata["pickle_placeholders"]
    )


def test_bytearray_memory_bomb_is_refused_without_allocating(tmp_path):
    path = tmp_path / "bomb.pt"
    torch.save({"state_dict": {"x": R._Payload(bytearray, 4 * 10**9)}}, path)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(CheckpointError, match=r"refusing bytearray\(4000000000\)"):
        load_checkpoint(path)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 200 * 1024


def test_python2_names_in_protocol_2_pickles_are_understood(tmp_path):
    path = tmp_path / "w.pt"
    torch.save({**_state(), "extra": {1, 2}}, path)  # a set: '__builtin__.set' in protocol 2
    with pytest.raises(CheckpointError, match="'extra' is a set"):  # understood, not inert
        load_checkpoint(path)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"chans_id": torch.tensor([3, 999])}, r"channel ids \[999\] are outside .* 0\.\.61"),
        ({"chans_id": torch.tensor([-1, 2])}, r"channel ids \[-1\] are outside"),
        (
            {"target_encoder.norm.weight": torch.full((64,), 3e20)},
            r"'target_encoder.norm.weight' has a value of magnitude 3e\+20",
        ),
        (
            {"target_encoder.norm.bias": torch.full((64,), float("nan"))},
            r"'target_encoder.norm.bias' has 64 non-finite",
        ),
        (
            {"target_encoder.norm.bias": torch.zeros(64, dtype=torch.complex64)},
            r"'target_encoder.norm.bias' has dtype torch.complex64",
        ),
        ({"target_encoder.norm.bias": torch.zeros(63)}, r"norm\.bias.*\(63,\).*\(64,\)"),
    ],
)
def test_bad_weights_are_named(tmp_path, change, match):
    path = tmp_path / "w.safetensors"
    save_file({**_state(), **change}, path)
    with pytest.raises(CheckpointError, match=match) as err:
        load_model(path, verbose=False)
    assert str(path) in str(err.value)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("chs_info", [1, 2]),
        ("chan_conv_max_norm", "x"),
        ("eegpt.config.patch_stride", "q"),
        ("eegpt.chan_ids", "abc"),
        ("eegpt.chan_ids", [70]),
        ("eegpt.n_times", 3),
    ],
)
def test_malformed_config_json_is_a_checkpoint_error(tmp_path, key, value):
    torch.manual_seed(0)
    folder = save_checkpoint(EEGPT(R.small_config()), tmp_path / "ok")
    config = json.loads((folder / "config.json").read_text())
    R._set_json(config, key, value)
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(CheckpointError, match=str(folder)):
        load_model(folder, verbose=False)


def test_truncation_anywhere_is_refused(tmp_path):
    valid = R._valid_checkpoints(tmp_path / "valid")
    for path in valid.values():
        if not path.is_file():
            continue
        data = path.read_bytes()
        for fraction in (0.0, 0.01, 0.3, 0.7, 0.999):
            cut = tmp_path / f"cut{path.suffix}"
            cut.write_bytes(data[: int(len(data) * fraction)])
            with pytest.raises(CheckpointError, match=str(cut)):
                build_model(load_checkpoint(cut))


def test_download_without_any_checksum_is_logged(tmp_path, caplog):
    server = R._Server()
    try:
        server.routes["/x"] = (b"weights", {}, "ok")
        with caplog.at_level(logging.WARNING, logger="eegpt"):
            path = download(f"{server.url}/x", tmp_path / "x", progress=False)
        assert path.read_bytes() == b"weights"
        assert "unverified" in caplog.text
        # a corrupt body with a known hash leaves nothing, under any name
        server.routes["/y"] = (
            b"weights",
            {"ETag": f'"{R.hashlib.sha256(b"weights").hexdigest()}"'},
            "corrupt",
        )
        with pytest.raises(ValueError, match="checksum mismatch"):
            download(f"{server.url}/y", tmp_path / "y" / "w", progress=False)
        assert list((tmp_path / "y").iterdir()) == []
    finally:
        server.close()
    shutil.rmtree(tmp_path / "y")


def _tiny_folder(tmp_path, name="tiny"):
    """eegpt's own folder of random tiny weights (stride 64, the patch size, 4 heads)."""
    torch.manual_seed(1)
    return save_checkpoint(EEGPT("tiny2"), tmp_path / name, metadata={"run": "r1"})


def test_lone_weights_file_loads_with_the_config_in_its_header(tmp_path):
    """eegpt's model.safetensors copied alone (to a cluster) loaded as a bare braindecode
    state dict: patch stride 32 (braindecode's default) instead of the folder's 64, so 31
    patches for 16, silently. save_checkpoint keeps config.json in the file's header; the
    lone file loads as the folder does (config, channels, provenance, same SHA-256), also as
    a folder that lost its config.json, and without a warning."""
    folder = _tiny_folder(tmp_path)
    with_config = load_checkpoint(folder)
    lone = tmp_path / "cluster" / "w.safetensors"
    lone.parent.mkdir()
    shutil.copy(folder / "model.safetensors", lone)
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copy(folder / "model.safetensors", bare / "model.safetensors")
    for path in (lone, bare, bare / "model.safetensors"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            ckpt = load_checkpoint(path)
        assert ckpt.config == with_config.config and ckpt.config.stride == 64
        assert ckpt.format == "eegpt" and ckpt.sha256 == with_config.sha256
        assert ckpt.metadata["notes"] == {"pretrained": False, "run": "r1"}
        assert ckpt.chan_ids == with_config.chan_ids
        assert "config read from the weights file's header" in describe(ckpt)
        assert load_model(path).checkpoint_info["sha256"] == with_config.sha256
    assert "header" not in describe(with_config)


def test_folder_config_json_wins_over_the_header_with_a_warning(tmp_path):
    """A config.json that disagrees with the config kept in the weights' header (one of the
    two put there from another save) is used, as braindecode would, with a warning naming
    what differs; the weights file alone keeps its header's config."""
    folder = _tiny_folder(tmp_path)
    config = json.loads((folder / "config.json").read_text())
    config["num_heads"] = 2
    config["eegpt"]["config"]["num_heads"] = 2
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.warns(RuntimeWarning, match="disagrees with the config saved inside") as caught:
        ckpt = load_checkpoint(folder)
    assert ckpt.config.num_heads == 2
    assert "num_heads: 2 in config.json, 4 in the header" in str(caught[0].message)
    # a value given when loading is no disagreement of the two files; against config.json's
    # it is said as such (test_checkpoint_overrides.py)
    with pytest.warns(UserWarning) as caught:
        assert load_checkpoint(folder, num_heads=8).config.num_heads == 8
    assert [str(w.message).split(" records ")[1][:31] for w in caught] == [
        "num_heads=2, but num_heads=8 wa"
    ]
    lone = tmp_path / "w.safetensors"
    shutil.copy(folder / "model.safetensors", lone)
    assert load_checkpoint(lone).config.num_heads == 4


def test_old_lone_eegpt_weights_say_they_may_be_eegpt_own(tmp_path):
    """A lone file of braindecode's layout without any config (eegpt's model.safetensors
    before it kept its config in the header, or braindecode's) was said to be a braindecode
    model's, stride 32 'braindecode's default', and the fix offered was the assumed values
    again. The two layouts are the same: the warning and eegpt info say the file may be eegpt's
    own weights apart from their config.json, and name both strides to choose from."""
    folder = _tiny_folder(tmp_path)
    old = tmp_path / "old.safetensors"
    save_file(load_file(folder / "model.safetensors"), old, metadata={"format": "pt"})
    with pytest.warns(RuntimeWarning) as caught:
        ckpt = load_checkpoint(old)
    said = " ".join(str(w.message) for w in caught)
    assert ckpt.config.stride == 32  # still the guess, now said to be one
    assert "braindecode's default, a guess" in said
    assert "it may be eegpt's own model.safetensors (save_checkpoint, eegpt convert) " in said
    assert "put the two back in one folder and pass the folder" in said
    assert "load_model(path, num_heads=4, patch_stride=S)" in said
    assert "num_heads=4, patch_stride=32)" not in said
    assert "(S: 32, braindecode's default, or 64, the patch size" in said
    assert "eegpt's own model.safetensors apart from its config.json" in describe(ckpt)
    # given the stride, nothing is guessed or said
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        given = load_checkpoint(old, num_heads=4, patch_stride=64)
    assert "no config:" not in describe(given)
    # a pickled file of that layout is not eegpt's (it writes safetensors only): not said so
    pickled = tmp_path / "old.pt"
    torch.save(load_file(folder / "model.safetensors"), pickled)
    with pytest.warns(RuntimeWarning) as caught:
        load_checkpoint(pickled)
    assert "eegpt's own model.safetensors" not in " ".join(str(w.message) for w in caught)


def test_mistyped_weights_say_what_was_meant(tmp_path, monkeypatch):
    """A mistyped pretrained name or folder printed the 20-line how-to-get-weights text with
    no hint of the typo; now a close pretrained name or entry of the path's folder is named
    first, in a short message, and the long text is kept for paths with nothing close."""
    from eegpt.checkpoints import resolve_weights
    from eegpt.errors import MissingFileError
    from eegpt.hub import WEIGHTS_HELP, fetch_weights

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EEGPT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("EEGPT_OFFLINE", "1")
    _tiny_folder(tmp_path, "tiny-random")
    cases = {
        "eegpt-larg": "did you mean 'eegpt-large' (pretrained)?",
        "EEGPT_Larg": "did you mean 'eegpt-large' (pretrained)?",
        "tiny-randm": "did you mean 'tiny-random' (a folder)?",
        f"{tmp_path}/tiny-randm": f"did you mean '{tmp_path}/tiny-random' (a folder)?",
    }
    for typo, meant in cases.items():
        with pytest.raises(MissingFileError) as err:
            resolve_weights(typo)
        assert meant in str(err.value)
        assert WEIGHTS_HELP not in str(err.value)
    with pytest.raises(MissingFileError) as err:
        resolve_weights("nothing-like-it")
    assert "did you mean" not in str(err.value) and WEIGHTS_HELP in str(err.value)
    with pytest.raises(ValueError, match="did you mean 'eegpt-large'\\? Otherwise use one of"):
        fetch_weights("eegpt-larg", progress=False)
    with pytest.raises(ValueError, match="unknown pretrained weights 'zz': use one of"):
        fetch_weights("zz", progress=False)


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("notes.txt", b"hello notes\n", "it holds text, starting 'hello notes'"),
        ("notes.safetensors", b"hello notes\n", "it holds text, starting 'hello notes'"),
        ("w.pt", b"\x00\x01\x02\x03binary", "binary data starting with the bytes 00 01 02 03"),
        ("w.safetensors", b"<!DOCTYPE html><html><body>Sign in</body></html>", "a web page"),
    ],
)
def test_a_file_plainly_not_weights_is_said_to_be_none(tmp_path, name, content, said):
    """A text file given as weights was called truncated, corrupt or unsafe to unpickle, with
    advice to download it again and pickle's 'Memo value not found': now it is said to be no
    checkpoint file, with what its start holds; a cut-short checkpoint keeps the old advice."""
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CheckpointError) as err:
        load_checkpoint(path)
    message = str(err.value)
    assert f"{path} is not a checkpoint file" in message and said in message
    assert "truncated" not in message and "Memo" not in message
    cut = tmp_path / "cut.pt"
    torch.save(_state(), cut)
    cut.write_bytes(cut.read_bytes()[:100])
    with pytest.raises(CheckpointError, match="truncated, corrupt"):
        load_checkpoint(cut)
    # a safetensors file cut inside its header (a header longer than the file left) was said
    # to be no checkpoint, with "check the path" instead of "download it again"
    folder = tmp_path / "tiny"
    save_checkpoint(EEGPT("tiny2"), folder)
    lone = tmp_path / "cut.safetensors"
    lone.write_bytes((folder / "model.safetensors").read_bytes()[:1000])
    with pytest.raises(CheckpointError) as err:
        load_checkpoint(lone)
    assert "not a checkpoint file" not in str(err.value)
