"""Keywords of the public API renamed so that one concept has one name (eegpt._renamed): the
new name works, and the old one still does, with a FutureWarning naming the new, giving the
same result. Pooling is ``pooling`` everywhere (was ``how`` in ``Embeddings.pooled``, ``pool``
in ``embed_to_file``, ``embed_dataset`` and ``export_embeddings``); ``engine`` is an
InferenceEngine everywhere, so embed_dataset's choice of scheduler is ``backend``;
``read_embeddings`` takes files too, so its first parameter is ``path`` (was ``output_dir``);
``anonymize_embeddings`` reads ``source`` as ``export_embeddings`` does (was ``input``);
``prepare`` takes the PreprocessingConfig as ``preprocessing``, as embed and the others do
(was ``config``)."""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path

import numpy as np
import pytest

import eegpt
import eegpt.finetune
from eegpt._renamed import renamed_keywords
from eegpt.demo import synthetic_raw, write_edf
from eegpt.export import export_embeddings
from eegpt.io import as_recording
from eegpt.outputs import Embeddings
from eegpt.preprocessing import PreprocessingConfig, prepare


@renamed_keywords(old="new")
def _add(x: int, *, new: int = 1) -> int:
    return x + new


def test_an_old_keyword_warns_at_the_caller_and_names_the_new_one() -> None:
    assert _add(1, new=2) == 3
    with pytest.warns(FutureWarning, match=r"_add\(old=\.\.\.\) is renamed new=: pass new=") as w:
        assert _add(1, old=2) == 3
    assert w[0].filename == __file__  # the user's line, not the helper's
    with pytest.raises(TypeError, match=r"_add\(\) got both new= and old="):
        _add(1, old=2, new=2)
    assert list(inspect.signature(_add).parameters) == ["x", "new"]


@pytest.mark.parametrize(
    ("func", "old", "new"),
    [
        (Embeddings.pooled, "how", "pooling"),
        (eegpt.embed_to_file, "pool", "pooling"),
        (eegpt.embed_dataset, "pool", "pooling"),
        (eegpt.embed_dataset, "engine", "backend"),
        (export_embeddings, "pool", "pooling"),
        (eegpt.read_embeddings, "output_dir", "path"),
        (eegpt.anonymize_embeddings, "input", "source"),
        (prepare, "config", "preprocessing"),
        (eegpt.finetune.finetune, "head", "config"),
    ],
)
def test_signatures_and_docstrings_show_the_new_names(func, old, new) -> None:
    params = inspect.signature(func).parameters
    assert new in params and old not in params
    doc = " ".join((func.__doc__ or "").split())
    assert f"``{new}`` was ``{old}``" in doc or f"{new} : " in doc and f"Was ``{old}``" in doc


def test_pooled_takes_pooling_and_how_with_a_warning() -> None:
    data = np.random.default_rng(0).normal(size=(3, 2, 4, 5)).astype(np.float32)
    emb = Embeddings(data, np.arange(3.0), {})
    new = emb.pooled(pooling="mean_patches")
    with pytest.warns(FutureWarning, match=r"Embeddings\.pooled\(how=\.\.\.\) is renamed pooling="):
        old = emb.pooled(how="mean_patches")
    np.testing.assert_array_equal(new, old)
    np.testing.assert_array_equal(new, data.mean(1).reshape(3, -1))


def _signal() -> tuple[np.ndarray, list[str]]:
    names = ["Fz", "Cz", "Pz", "C3"]
    return np.random.default_rng(1).normal(0, 2e-5, (4, 256 * 12)), names


def test_embed_to_file_and_export_take_pooling_and_pool_with_a_warning(model, tmp_path) -> None:
    x, names = _signal()
    kw = dict(ch_names=names, sfreq=256.0, batch_size=2)
    new = eegpt.embed_to_file(model, x, tmp_path / "new.npz", pooling="mean", **kw)
    with pytest.warns(FutureWarning, match=r"embed_to_file\(pool=\.\.\.\) is renamed pooling="):
        old = eegpt.embed_to_file(model, x, tmp_path / "old.npz", pool="mean", **kw)
    a, b = eegpt.load_embeddings(new.path), eegpt.load_embeddings(old.path)
    assert a.data.shape == (3, 1, 1, 64) and a.metadata["pool"] == b.metadata["pool"] == "mean"
    np.testing.assert_array_equal(a.data, b.data)
    full = eegpt.embed_to_file(model, x, tmp_path / "full.npz", **kw)
    export_embeddings(full.path, tmp_path / "new.csv", pooling="mean_tokens")
    with pytest.warns(FutureWarning, match=r"export_embeddings\(pool=\.\.\.\) is renamed pooling="):
        export_embeddings(full.path, tmp_path / "old.csv", pool="mean_tokens")
    text = (tmp_path / "new.csv").read_text()
    assert "eegpt_" in text and text == (tmp_path / "old.csv").read_text()
    with pytest.raises(ValueError, match="pooling must be 'none' or 'mean', got 'max'"):
        eegpt.embed_to_file(model, x, tmp_path / "bad.npz", pooling="max", **kw)


@pytest.fixture(scope="module")
def two_files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    for i in range(2):
        raw, _ = synthetic_raw(minutes=0.25, seed=i)
        write_edf(raw, folder / f"rec{i}.edf")
    return folder


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_embed_dataset_takes_backend_and_pooling_and_the_old_names_with_a_warning(
    model, two_files, tmp_path
) -> None:
    settings = dict(model=model, workers=0, device="cpu", progress=False, batch_size=4)
    eegpt.embed_dataset(
        two_files, tmp_path / "new", backend="inprocess", pooling="mean", **settings
    )
    with pytest.warns(FutureWarning) as said:
        eegpt.embed_dataset(
            two_files, tmp_path / "old", engine="inprocess", pool="mean", **settings
        )
    texts = [str(w.message) for w in said if w.category is FutureWarning]
    assert any("embed_dataset(engine=...) is renamed backend=" in t for t in texts), texts
    assert any("embed_dataset(pool=...) is renamed pooling=" in t for t in texts), texts
    table, z = eegpt.read_embeddings(path=tmp_path / "new")
    with pytest.warns(
        FutureWarning, match=r"read_embeddings\(output_dir=\.\.\.\) is renamed path="
    ):
        old_table, old_z = eegpt.read_embeddings(output_dir=tmp_path / "old")
    assert z is not None and old_z is not None and z.shape == (len(table), 64)
    np.testing.assert_array_equal(z, old_z)
    assert list(table["recording_id"]) == list(old_table["recording_id"])
    with pytest.raises(ValueError, match=r"backend must be 'inprocess' or 'ray' \(--engine\)"):
        eegpt.embed_dataset(two_files, tmp_path / "x", backend="threads", **settings)


def test_anonymize_embeddings_takes_source_and_input_with_a_warning(model, tmp_path) -> None:
    x, names = _signal()
    made = eegpt.embed_to_file(model, x, tmp_path / "rec.npz", ch_names=names, sfreq=256.0)
    eegpt.anonymize_embeddings(source=made.path, output=tmp_path / "new.npz")
    with pytest.warns(
        FutureWarning, match=r"anonymize_embeddings\(input=\.\.\.\) is renamed source="
    ):
        eegpt.anonymize_embeddings(input=made.path, output=tmp_path / "old.npz")
    new, old = (
        eegpt.load_embeddings(tmp_path / "new.npz"),
        eegpt.load_embeddings(tmp_path / "old.npz"),
    )
    np.testing.assert_array_equal(new.data, old.data)
    assert new.metadata == old.metadata and "anonymized" in new.metadata


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_dataset_summary_says_backend_and_engine_with_a_warning(model, two_files, tmp_path) -> None:
    summary = eegpt.embed_dataset(
        two_files, tmp_path / "out", model=model, workers=0, progress=False, batch_size=4
    )
    fields = {f.name for f in dataclasses.fields(summary)}
    assert summary.backend == "inprocess" and "backend" in fields and "engine" not in fields
    with pytest.warns(FutureWarning, match=r"DatasetSummary\.engine is renamed backend"):
        assert summary.engine == "inprocess"
    assert "embed-dataset (inprocess" in str(summary)


def test_prepare_takes_preprocessing_and_config_with_a_warning() -> None:
    x, names = _signal()
    recording = as_recording(x, ch_names=names, sfreq=256.0)
    config = PreprocessingConfig(window_seconds=2.0, average_reference=False)
    new = prepare(recording, preprocessing=config)
    with pytest.warns(FutureWarning, match=r"prepare\(config=\.\.\.\) is renamed preprocessing="):
        old = prepare(recording, config=config)
    assert new.data.shape == (6, 4, 512)
    np.testing.assert_array_equal(new.data, old.data)
    with pytest.raises(TypeError, match="pass the preprocessing as preprocessing="):
        prepare(recording, config)


def test_device_has_one_type_across_the_entry_points_that_run_the_model() -> None:
    """embed annotated device as ``str | None`` though it takes a torch.device, as the probe's
    methods, InferenceEngine, embed_windows, train_probe and finetune say; one type now."""
    import torch

    from eegpt.embedding_cache import embed_windows
    from eegpt.finetune import finetune
    from eegpt.probe import EEGPTProbe, train_probe

    wanted = str | torch.device | None
    public = [
        eegpt.embed,
        eegpt.InferenceEngine,
        embed_windows,
        train_probe,
        finetune,
        EEGPTProbe.predict,
        EEGPTProbe.predict_proba,
        EEGPTProbe.logits_from_windows,
    ]
    for func in public:
        got = inspect.signature(func).parameters["device"].annotation
        module = inspect.getmodule(inspect.unwrap(func)) or eegpt
        got = eval(got, vars(module)) if isinstance(got, str) else got  # noqa: S307
        assert got == wanted, (func, got)


def test_embed_given_pooling_names_pooled_as_embed_to_file_takes_it() -> None:
    """embed_to_file, embed_dataset and export_embeddings take pooling= since the renames;
    embed, which returns every token, refused it with no hint while its old name pool= had
    one: both name the result's .pooled()."""
    from eegpt.api import check_embed_keywords

    for key in ("pool", "pooling"):
        with pytest.raises(TypeError, match=rf"'{key}' -> the result's \.pooled\('mean'\)"):
            check_embed_keywords([key])


def test_eegpt_embed_names_the_keyword_meant_as_model_embed_does(model) -> None:
    """eegpt.embed(model, data, ...) refused pooling=, pool= or window= in Python's words
    alone while model.embed named the one meant; both name it, and take model=/data=."""
    x = np.random.default_rng(0).normal(0, 2e-5, (4, 1024)).astype(np.float32)
    kw = {"ch_names": ["Fz", "Cz", "Pz", "Oz"], "sfreq": 256.0, "verbose": False}
    for call in (eegpt.embed, lambda m, d, **k: m.embed(d, **k)):
        for key, hint in (("pooling", r"\.pooled\('mean'\)"), ("window", "window_seconds=")):
            with pytest.raises(TypeError, match=rf"'{key}' -> .*{hint}"):
                call(model, x, **{key: "mean"}, **kw)
    assert eegpt.embed(model=model, data=x, **kw).data.shape[0] == 1
