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


@pytest.mark.parametrize(
    ("changes", "error", "said"),
    [
        ({"mlp_ratio": -1}, ValueError, "mlp_ratio must be a finite number > 0, got -1"),
        ({"mlp_ratio": 0.001}, ValueError, "mlp_ratio=0.001 gives an MLP of"),
        ({"layer_norm_eps": -1.0}, ValueError, "layer_norm_eps must be a finite number > 0"),
        ({"layer_norm_eps": float("nan")}, ValueError, "layer_norm_eps must be a finite"),
        ({"n_chan_embeddings": 0}, ValueError, "n_chan_embeddings must be an integer >= 1"),
        ({"embed_dim": "a"}, TypeError, r"embed_dim must be an integer >= 1, got 'a' \(str\)"),
        ({"embed_dim": 64.0}, TypeError, "embed_dim must be an integer"),
        ({"depth": True}, TypeError, r"depth must be an integer >= 0, got True \(bool\)"),
        ({"depth": -1}, ValueError, "depth must be an integer >= 0"),
        ({"num_heads": 0}, ValueError, "num_heads must be an integer >= 1"),
        ({"num_heads": 3}, ValueError, "embed_dim=512 is not divisible by num_heads=3"),
        ({"embed_num": "4"}, TypeError, "embed_num must be an integer"),
        ({"patch_size": 0}, ValueError, "patch_size must be an integer >= 1"),
        ({"patch_stride": 0}, ValueError, r"patch_stride must be an integer >= 1 or None"),
        ({"patch_stride": 32.5}, TypeError, "patch_stride must be an integer"),
        ({"qkv_bias": 1}, TypeError, "qkv_bias must be True or False"),
    ],
)
def test_config_is_checked_when_made(changes, error, said) -> None:
    with pytest.raises(error, match=f"EEGPTConfig.{said}"):
        eegpt.EEGPTConfig(**changes)


def test_config_checks_accept_the_presets_and_numpy_integers() -> None:
    for config in eegpt.PRESETS.values():
        assert eegpt.EEGPTConfig.from_dict(config.to_dict()) == config
    assert eegpt.EEGPTConfig(embed_dim=np.int64(64), num_heads=4, depth=0).depth == 0


def test_a_checkpoint_with_a_bad_config_is_named(tmp_path) -> None:
    import json

    from eegpt.checkpoints import load_checkpoint, save_checkpoint
    from eegpt.errors import CheckpointError

    folder = save_checkpoint(eegpt.EEGPT("tiny1"), tmp_path / "w")
    meta = json.loads((folder / "config.json").read_text())
    meta["eegpt"]["config"]["layer_norm_eps"] = -1.0
    (folder / "config.json").write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match=r"w.*layer_norm_eps must be a finite number > 0"):
        load_checkpoint(folder, verbose=False)


def test_checkpoint_repr_is_short_and_names_what_matters(tmp_path) -> None:
    from eegpt.checkpoints import load_checkpoint, save_checkpoint

    folder = save_checkpoint(eegpt.EEGPT("tiny2"), tmp_path / "w")
    ckpt = load_checkpoint(folder, verbose=False)
    text = repr(ckpt)
    assert len(text) < 600, text  # was the whole state dict: 17 KB for tiny2
    assert "tensor(" not in text and "\n" not in text
    assert f"{len(ckpt.state_dict)} tensors" in text
    assert f"{ckpt.n_parameters:,} parameters" in text
    assert "embed_dim=64" in text and "format=" in text
    assert str(ckpt.path) in text and ckpt.sha256[:12] in text


def test_methods_show_their_real_parameters() -> None:
    """help(), inspect.signature and IPython show the keywords of model.embed and of the
    probe's prediction methods, which were ``**kwargs`` for type checkers; an unknown
    keyword is still refused at run time."""
    import inspect

    from eegpt.probe import _EPOCH_ONLY, _EVENT_ONLY, EEGPTProbe, _split_kwargs

    model = eegpt.EEGPT("tiny1")
    embed = inspect.signature(model.embed).parameters
    assert list(embed) == list(inspect.signature(eegpt.embed).parameters)[1:]
    assert eegpt.embed.__name__ == model.embed.__name__ == "embed"
    with pytest.raises(TypeError, match="sfrq"):
        model.embed(np.zeros((2, 512)), sfrq=256)
    for name in ("predict", "predict_proba", "decision_function", "evaluate"):
        params = inspect.signature(getattr(EEGPTProbe, name)).parameters
        keywords = [p for p, v in params.items() if v.kind is inspect.Parameter.KEYWORD_ONLY]
        assert "kwargs" not in params and "sfreq" in keywords and "batch_size" in keywords
        if name == "evaluate":  # its own, of a recording scored per scoring epoch or event
            own = {*_EPOCH_ONLY, *_EVENT_ONLY, "events"}
            assert own <= set(keywords)
            keywords = [k for k in keywords if k not in own]
        inputs, run = _split_kwargs(dict.fromkeys(keywords))  # every one is taken
        assert set(inputs) | set(run) == set(keywords)
        assert list(params)[:2] == ["self", "data"], name
    assert list(inspect.signature(EEGPTProbe.evaluate).parameters)[2] == "y"
    with pytest.raises(TypeError, match="batchsize"):
        _split_kwargs({"batchsize": 4})


def test_one_type_for_units_rename_and_verbose() -> None:
    """Every spelling the Units alias lists is taken at run time, and the ones the docs
    document are in it; rename and verbose parameters have one type each."""
    import inspect
    import typing

    from eegpt._logging import Verbose
    from eegpt.io import UNITS, Units, units_name
    from eegpt.probe import EEGPTProbe, load_probe, train_probe
    from eegpt.rename_tables import Rename

    spellings = typing.get_args(Units)
    assert {units_name(u) for u in spellings} == set(UNITS)
    assert {"V", "mV", "uV", "uv", "µV", "μV"} <= set(spellings)
    public = [
        eegpt.embed,
        eegpt.OnlineEmbedder,
        train_probe,
        load_probe,
        EEGPTProbe.load,
        EEGPTProbe.windows,
        EEGPTProbe.online,
        EEGPTProbe.predict,
        eegpt.finetune.finetune,
        eegpt.sklearn.EEGPTEmbedder,
        eegpt.sklearn.EEGPTClassifier,
        eegpt.embed_dataset,
        eegpt.load_model,
    ]
    hints = {"units": Units, "rename": Rename | None, "verbose": Verbose}
    for func in public:
        params = inspect.signature(func).parameters
        for name, wanted in hints.items():
            if name in params:
                module = inspect.getmodule(func) or eegpt
                got = params[name].annotation
                got = eval(got, vars(module)) if isinstance(got, str) else got  # noqa: S307
                assert got == wanted, (func, name, got)
    model_type = inspect.signature(eegpt.embed).parameters["model"].annotation
    assert "EEGPTEncoder" in str(model_type)  # as at run time (and in OnlineEmbedder)


def _documented(doc: str, name: str) -> bool:
    """Whether ``doc`` has a numpydoc entry for ``name`` (alone or among names joined by
    commas) followed by an indented description."""
    lines = doc.expandtabs().splitlines()
    for i, line in enumerate(lines[:-1]):
        head = line.strip().split(" : ")[0].rstrip("\\").rstrip(",")
        names = [n.strip() for n in head.split(",")]
        if name in names and line.strip() and not line.strip().startswith("``"):
            indent = len(line) - len(line.lstrip())
            # its text below, or below a list of names continued (the line ends with a comma);
            # not the next entry's (``model : EEGPT`` then ``data`` and data's text)
            below = lines[i + 1 : i + 3 if line.rstrip().endswith(",") else i + 2]
            for text in below:
                if text.strip() and len(text) - len(text.lstrip()) > indent:
                    return True
    return False


def test_public_parameters_are_documented() -> None:
    import inspect

    from eegpt.embedding_cache import embed_windows
    from eegpt.probe import EEGPTProbe

    for func, doc in [
        (eegpt.EEGPT.__init__, eegpt.EEGPT.__doc__),
        (eegpt.load_model, eegpt.load_model.__doc__),
        (EEGPTProbe.predict, EEGPTProbe.predict.__doc__),
        (EEGPTProbe.predict_proba, EEGPTProbe.predict_proba.__doc__),
        # embed's window and engine keywords, the embedder's mapping ones, encode's desc
        (eegpt.embed, eegpt.embed.__doc__),
        (eegpt.OnlineEmbedder.__init__, eegpt.OnlineEmbedder.__doc__),
        (eegpt.InferenceEngine.encode, eegpt.InferenceEngine.encode.__doc__),
        (eegpt.embed_to_file, eegpt.embed_to_file.__doc__),
        (eegpt.embed_dataset, eegpt.embed_dataset.__doc__),
        (embed_windows, embed_windows.__doc__),
    ]:
        for name, param in inspect.signature(func).parameters.items():
            if name != "self":
                stars = "**" if param.kind is inspect.Parameter.VAR_KEYWORD else ""
                assert _documented(doc or "", stars + name), (func.__qualname__, name)
    for method in (EEGPTProbe.predict, EEGPTProbe.predict_proba):
        assert "Returns\n        -------\n        ndarray, shape" in (method.__doc__ or "")


def test_a_methods_module_failing_with_attribute_error_is_named(monkeypatch) -> None:
    """An AttributeError raised while a method's module is imported (a user's ``pydoc.py``
    shadowing the standard library's, which ``eegpt.api`` imports via ``inspect``) came out
    of torch's ``Module.__getattr__`` as "'EEGPT' object has no attribute 'embed'"; it is an
    ImportError naming the module and the method, the real error chained."""
    import torch

    import eegpt._methods as methods

    class Net(torch.nn.Module):
        embed = methods.function_method("eegpt.api", "embed_method")

    def broken(name: str) -> object:
        raise AttributeError("module 'pydoc' has no attribute 'getdoc'")

    monkeypatch.setattr(methods.importlib, "import_module", broken)
    with pytest.raises(ImportError) as raised:
        Net().embed  # noqa: B018 - the look-up imports
    text = str(raised.value)
    assert text.startswith("importing eegpt.api (for Net.embed) failed: AttributeError: module")
    assert "named like a module of Python's standard library (pydoc.py" in text
    assert isinstance(raised.value.__cause__, AttributeError)


def test_load_model_documents_the_errors_it_raises(tmp_path) -> None:
    """What load_model raises for a missing path and for a file that holds no weights is
    named in its Raises section (it listed only DeviceUnavailableError)."""
    from eegpt.errors import CheckpointError, MissingFileError

    raises = (eegpt.load_model.__doc__ or "").split("Raises\n")[1]
    with pytest.raises(MissingFileError) as missing:
        eegpt.load_model(tmp_path / "none.ckpt", verbose=False)
    (tmp_path / "text.ckpt").write_text("garbage")
    with pytest.raises(CheckpointError) as unreadable:
        eegpt.load_model(tmp_path / "text.ckpt", verbose=False)
    for err in (missing.value, unreadable.value):
        assert f"    {type(err).__name__}\n" in raises, type(err).__name__


def test_public_docstrings_fit_a_terminal() -> None:
    """help() of the public API shows no docstring line over 100 characters (lines of 104 to
    192 ran past a terminal's width, wrapping mid-word in the middle of a paragraph)."""
    import inspect

    from eegpt import channels, export, finetune, probe, sklearn, streaming

    objects = {name: getattr(eegpt, name) for name in eegpt.__all__}
    objects.update(
        {
            "probe.train_probe": probe.train_probe,
            "probe.load_probe": probe.load_probe,
            "probe.ProbeConfig": probe.ProbeConfig,
            "finetune.finetune": finetune.finetune,
            "sklearn.EEGPTClassifier": sklearn.EEGPTClassifier,
            "sklearn.EEGPTEmbedder": sklearn.EEGPTEmbedder,
            "export.export_embeddings": export.export_embeddings,
            "channels.map_channels": channels.map_channels,
            "streaming.open_stream": streaming.open_stream,
        }
    )
    for cls in (eegpt.Embeddings, probe.EEGPTProbe, eegpt.OnlineEmbedder, eegpt.InferenceEngine):
        for attr, value in vars(cls).items():
            if not attr.startswith("_") and (
                inspect.isfunction(value) or isinstance(value, property)
            ):
                objects[f"{cls.__name__}.{attr}"] = value
    long = {
        name: max(len(line) for line in (obj.__doc__ or "").splitlines())
        for name, obj in objects.items()
        if callable(obj) or isinstance(obj, property)
        if any(len(line) > 100 for line in (obj.__doc__ or "").splitlines())
    }
    assert not long, f"docstring lines over 100 characters (the longest of each): {long}"


def _resolve(ref: str) -> object:
    """What a dotted ``eegpt....`` name refers to: a module, or an attribute of one (a
    dataclass field or an attribute an instance sets counts, as ``"attribute"``); None where
    nothing of that name exists."""
    import inspect
    import re

    parts = ref.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        rest = parts[i:]
        break
    for name in rest:
        if hasattr(obj, name):
            obj = getattr(obj, name)
            if obj is None:  # a field whose default is None
                return "attribute"
            continue
        if inspect.isclass(obj) and (
            name in getattr(obj, "__dataclass_fields__", {})
            or re.search(rf"self\.{name}\b", inspect.getsource(obj))
        ):
            return "attribute"
        return None
    return obj


def test_cross_references_name_what_they_say() -> None:
    """Every ``:func:``/``:meth:``/``:class:``/``:attr:``/``:data:``/``:mod:`` reference to an
    ``eegpt`` name in the docstrings and docs exists, and a function's is a function:
    ``:func:`eegpt.train_probe``` (it is ``eegpt.probe.train_probe``),
    ``:func:`eegpt.finetune``` (a module) and ``:meth:`eegpt.EEGPTProbe.evaluate``` named
    nothing help() or Sphinx could follow."""
    import re
    import types
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    files = [*sorted((root / "src" / "eegpt").glob("*.py")), root / "README.md"]
    files += sorted((root / "docs").glob("*.md"))
    wrong = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r":(func|meth|class|attr|data|mod):`~?(eegpt(?:\.\w+)+)`", text):
            role, ref = match.groups()
            obj = _resolve(ref)
            where = f"{path.name}:{text[: match.start()].count(chr(10)) + 1}"
            if obj is None:
                wrong.append(f"{where}: {ref} does not exist")
            elif role in ("func", "meth") and (
                isinstance(obj, types.ModuleType) or not callable(obj)
            ):
                wrong.append(f"{where}: :{role}:`{ref}` is a {type(obj).__name__}")
    assert not wrong, wrong


def test_load_embeddings_documents_the_errors_it_raises(tmp_path) -> None:
    """What load_embeddings raises for a missing path, an id a run lacks, a folder without an
    id and an id with a file is named in its Raises section (it had none)."""
    from eegpt.errors import MissingFileError

    raises = (eegpt.load_embeddings.__doc__ or "").split("Raises\n")[1]
    with pytest.raises(MissingFileError) as missing:
        eegpt.load_embeddings(tmp_path / "none.npz")
    errors = [missing.value]
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(ValueError) as no_id:
        eegpt.load_embeddings(folder)
    errors.append(no_id.value)
    for err in errors:
        assert f"    {type(err).__name__}\n" in raises, type(err).__name__
    assert "    KeyError\n" in raises and "    ValueError\n" in raises


def test_a_wrong_call_is_refused_in_python_s_words_naming_the_function() -> None:
    """eegpt.embed_dataset(model, "data", "out"), model first as embed_to_file takes it, was
    refused as 'too many positional arguments' naming no function (the verbose wrapper bound
    the arguments first); Python's own error names it and what it takes."""
    with pytest.raises(TypeError, match=r"embed_dataset\(\) takes 2 positional arguments but 3"):
        eegpt.embed_dataset(None, "data", "out")
    with pytest.raises(
        TypeError, match=r"embed_dataset\(\) got an unexpected keyword .*'pool_'"
    ) as err:
        eegpt.embed_dataset("data", "out", pool_="mean")
    # one traceback, not the wrapper's bind_partial error "during handling" of which it came
    assert err.value.__context__ is None
