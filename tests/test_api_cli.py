"""End to end: recordings on disk -> `eegpt embed` / `model.embed` -> embedding files."""

from __future__ import annotations

import ast
import json
import logging
import os
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

import mne
import numpy as np
import pandas as pd
import pytest
import torch

from eegpt.api import embed, embed_to_file
from eegpt.checkpoints import load_model, save_checkpoint
from eegpt.cli import main
from eegpt.config import EEGPTConfig
from eegpt.demo import TUH_NAMES, synthetic_raw, write_edf
from eegpt.engine import InferenceEngine
from eegpt.errors import EEGPTWarning, RecordingError
from eegpt.model import EEGPT
from eegpt.outputs import Embeddings, load_embeddings
from eegpt.preprocessing import PreprocessingConfig

SMALL = EEGPTConfig(embed_dim=64, depth=2, num_heads=4, embed_num=4)


@pytest.fixture(scope="module")
def edf(tmp_path_factory):
    raw, _ = synthetic_raw(minutes=0.5, seed=3)
    return write_edf(raw, tmp_path_factory.mktemp("rec") / "tuh_like.edf")


def test_cli_embed_edf_with_tuh_names(weights, edf, tmp_path, capsys):
    out = tmp_path / "emb.npz"
    code = main(
        ["embed", str(edf), "--weights", str(weights), "-o", str(out), "--batch-size", "3"]
        + ["--device", "cpu"]  # compared bit for bit with the Python API on CPU below
    )
    assert code == 0
    emb = load_embeddings(out)
    # 30 s at 4 s windows, tail dropped -> 7 windows of 16 patches
    assert emb.data.shape == (7, 16, 4, 64)
    np.testing.assert_allclose(emb.onsets, np.arange(7) * 4.0)
    mapping = emb.metadata["channels"]
    assert mapping["names"][:3] == ["FP1", "FP2", "F7"]
    assert "T7" in mapping["names"] and "EEG T3-REF" in mapping["input_names"]
    assert set(mapping["dropped"]) == {"EEG A1-REF", "EEG A2-REF", "EEG EKG1-REF"}
    assert emb.metadata["checkpoint"]["sha256"]
    assert emb.metadata["model"]["embed_dim"] == 64

    # The CLI output equals the Python API on the same file, bit for bit on CPU.
    model = load_model(weights)
    direct = model.embed(edf, device="cpu")
    np.testing.assert_array_equal(direct.data, emb.data)

    # ... and equals running the encoder by hand on the EDF data read back through MNE,
    # average-referenced over the channels used (the default, as in pretraining).
    assert emb.metadata["preprocessing"]["average_reference"] is True
    raw = mne.io.read_raw_edf(edf, preload=True, verbose=False)
    picks = [raw.ch_names.index(n) for n in mapping["input_names"]]
    from eegpt.resampling import resample

    used = raw.get_data()[picks]
    x = resample(used - used.mean(axis=0), raw.info["sfreq"], 256.0) * 1e3
    windows = np.stack([x[:, i * 1024 : (i + 1) * 1024] for i in range(7)]).astype(np.float32)
    with torch.no_grad():
        ref = model.target_encoder(torch.from_numpy(windows), torch.tensor(mapping["chan_ids"]))
    np.testing.assert_allclose(emb.data, ref.numpy(), rtol=1e-5, atol=1e-5)


def test_to_data_frame_is_the_parquet_table(weights, edf, tmp_path):
    """Embeddings.to_data_frame() gives the rows pandas reads from the saved Parquet file;
    with a pooling, one column per feature named as the scikit-learn embedder names them."""
    pd = pytest.importorskip("pandas")
    emb = load_model(weights).embed(edf, device="cpu", verbose="error")
    table = emb.to_data_frame()
    saved = pd.read_parquet(emb.save(tmp_path / "e.parquet"))
    assert table.columns.tolist() == saved.columns.tolist()
    assert table.drop(columns="embedding").equals(saved.drop(columns="embedding"))
    np.testing.assert_array_equal(np.stack(table["embedding"]), emb.data.reshape(len(emb), -1))
    wide = emb.to_data_frame("mean_patches")
    features = [c for c in wide.columns if c.startswith("eegpt_")]
    assert features[:2] == ["eegpt_s0_d0", "eegpt_s0_d1"] and len(features) == 4 * 64
    np.testing.assert_array_equal(wide[features].to_numpy(), emb.pooled("mean_patches"))
    assert wide[features].dtypes.eq(np.float32).all()
    custom = emb.to_data_frame(lambda z: z[:, 0, 0, :3])
    assert [c for c in custom.columns if c.startswith("eegpt_")] == [
        "eegpt_0",
        "eegpt_1",
        "eegpt_2",
    ]


@pytest.mark.parametrize(
    ("words", "usage"),
    [(["embed", "x.edf", "-o", "x.npz"], "eegpt embed"),
     (["probe", "predict", "probe", "x.edf"], "eegpt probe predict")],
)  # fmt: skip
def test_an_unknown_option_is_reported_with_the_subcommands_usage(words, usage, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*words, "--bogus"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: {usage} ")
    assert f"{usage}: error: unrecognized arguments: --bogus" in err


def test_top_level_help_lists_every_exit_status(capsys):
    """`eegpt --help` ends with the exit statuses, for whoever wires eegpt into alerting;
    75 (EX_TEMPFAIL) for "busy, try again later"."""
    from eegpt import cli_run

    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "exit status (of every command):" in out
    for code in (0, 1, 2, 3, 75, 130, 141, 143):
        assert f"\n  {code} " in out, code
    assert "EX_TEMPFAIL" in out and cli_run.EXIT_TEMPFAIL == 75


def test_a_busy_output_or_cache_exits_75_not_1(monkeypatch, capsys):
    """Another process holding what the run needs (OutputInUseError) is "try again later"
    (75, EX_TEMPFAIL), which alerting can tell from a broken configuration (1)."""
    import argparse

    from eegpt import cli_run
    from eegpt.errors import OutputInUseError

    def busy(args):
        raise OutputInUseError("out is in use by another embed_dataset run")

    assert cli_run.run_command(busy, argparse.Namespace()) == 75
    assert "eegpt: error: out is in use by another" in capsys.readouterr().err


def test_parquet_without_pyarrow_is_refused_before_any_recording_is_read(
    weights, edf, tmp_path, capsys, monkeypatch
):
    """embed --format parquet (or -o x.parquet) without pyarrow stops at once with the extra
    to install, not after embedding part of each recording."""
    import eegpt.api
    from eegpt.errors import MissingDependencyError

    read = []
    job = type("Job", (), {"create": staticmethod(lambda *args: read.append(args))})
    monkeypatch.setattr(eegpt.api, "_Job", job)  # records a recording being read
    for name in ("pyarrow", "pyarrow.parquet"):
        monkeypatch.setitem(sys.modules, name, None)  # `import pyarrow` raises ImportError
    other = tmp_path / "b.edf"
    other.write_bytes(edf.read_bytes())
    args = ["embed", str(edf), str(other), "--weights", str(weights)]
    assert main([*args, "--format", "parquet", "-o", str(tmp_path / "pq"), "-q"]) == 1
    assert "needs pyarrow: pip install pyarrow pandas (from a clone" in capsys.readouterr().err
    with pytest.raises(MissingDependencyError, match=r"pip install pyarrow pandas"):
        embed_to_file(load_model(weights), edf, tmp_path / "x.parquet")
    assert read == [] and sorted(p.name for p in tmp_path.iterdir()) == ["b.edf"]


def test_reading_parquet_without_pyarrow_says_reading(tmp_path, capsys, monkeypatch):
    """Without pyarrow, reading a .parquet embeddings file (load_embeddings, eegpt info) says
    that reading it needs pyarrow, naming the file: it said "writing Parquet (or use a .npz
    output)", advice for an output that a file already written cannot take."""
    from eegpt.errors import MissingDependencyError
    from eegpt.outputs import load_embeddings

    path = tmp_path / "sub-01.parquet"
    path.write_bytes(b"PAR1")  # not read: pyarrow is asked for first
    for name in ("pyarrow", "pyarrow.parquet"):
        monkeypatch.setitem(sys.modules, name, None)  # `import pyarrow` raises ImportError
    said = f"reading the .parquet embeddings file {path} needs pyarrow: pip install pyarrow pandas"
    with pytest.raises(MissingDependencyError, match="^" + re.escape(said)):
        load_embeddings(path)
    assert main(["info", str(path)]) == 1
    err = capsys.readouterr().err
    assert said in err and "writing" not in err and ".npz" not in err


def test_parquet_with_a_pyarrow_too_old_is_refused_before_any_recording_is_read(
    weights, edf, tmp_path, capsys, monkeypatch
):
    """pyarrow 14-16 import but lack the writer's add_key_value_metadata (17): a run failed at
    its end with an internal error. The version is said at once, with the upgrade."""
    import pyarrow

    import eegpt.api
    from eegpt.errors import MissingDependencyError

    read = []
    job = type("Job", (), {"create": staticmethod(lambda *args: read.append(args))})
    monkeypatch.setattr(eegpt.api, "_Job", job)  # records a recording being read
    monkeypatch.setattr(pyarrow, "__version__", "16.1.0")
    args = ["embed", str(edf), "--weights", str(weights), "-o", str(tmp_path / "x.parquet")]
    assert main([*args, "-q"]) == 1
    err = capsys.readouterr().err
    assert "needs pyarrow 17 or later" in err and "pyarrow 16.1.0 is installed" in err
    assert "pip install --upgrade 'pyarrow>=17'" in err and "internal error" not in err
    assert read == [] and not (tmp_path / "x.parquet").exists()
    # reading needs none of the writer's features: an older pyarrow still reads
    from eegpt.outputs import require_pyarrow

    assert require_pyarrow("read_embeddings")[0] is pyarrow
    with pytest.raises(MissingDependencyError, match="needs pyarrow 17 or later"):
        require_pyarrow("writing", writing=True)


def test_cli_refuses_to_overwrite_and_parquet_output(weights, edf, tmp_path, capsys):
    out = tmp_path / "emb.parquet"
    assert main(["embed", str(edf), "--weights", str(weights), "-o", str(out), "-q"]) == 0
    before = out.read_bytes()
    assert main(["embed", str(edf), "--weights", str(weights), "-o", str(out), "-q"]) == 1
    assert "--overwrite" in capsys.readouterr().err
    assert out.read_bytes() == before
    assert (
        main(["embed", str(edf), "--weights", str(weights), "-o", str(out), "-q", "--overwrite"])
        == 0
    )
    import pandas as pd

    table = pd.read_parquet(out)
    assert list(table.columns) == [
        "source", "window", "onset_s", "clock_s", "clock_time", "embedding", "annotations", "bad",
        "flat_channels", "clipped_channels", "flagged",
    ]  # fmt: skip
    assert len(table) == 7 and len(table["embedding"][0]) == 16 * 4 * 64


def test_cli_embed_pool_mean_stores_what_pooled_mean_gives(weights, edf, tmp_path, capsys):
    """eegpt embed --pool mean stores one vector per window, as embed-dataset --pool mean does:
    what .pooled("mean") of the unpooled output gives, marked pooled in the metadata."""
    args = ["embed", str(edf), "--weights", str(weights)]
    assert main([*args, "-o", str(tmp_path / "all.npz")]) == 0
    full = load_embeddings(tmp_path / "all.npz")
    n, patches, tokens, dims = full.data.shape
    said = f"embeddings [{n}, {patches}, {tokens}, {dims}] (windows, patches, summary tokens, dims)"
    assert said in capsys.readouterr().out
    for name in ("mean.npz", "mean.parquet"):
        assert main([*args, "--pool", "mean", "-o", str(tmp_path / name)]) == 0
        pooled = load_embeddings(tmp_path / name)
        assert pooled.data.shape == (len(full), 1, 1, full.data.shape[-1])
        out = capsys.readouterr().out  # the shape stored, its pooled axes said so
        assert (
            f"embeddings [{n}, 1, 1, {dims}] (windows, 1, 1, dims: the mean over patches and "
            "summary tokens)" in out
        )
        assert "patches, summary tokens, dims)" not in out
        assert pooled.metadata["pool"] == "mean" and "pool" not in full.metadata
        np.testing.assert_allclose(pooled.pooled("mean"), full.pooled("mean"), rtol=1e-6)
        np.testing.assert_array_equal(pooled.onsets, full.onsets)
    with pytest.raises(ValueError, match=r"stored pooled \('mean'"):
        pooled.pooled("flatten")
    assert main(["info", str(tmp_path / "mean.npz")]) == 0
    assert "embeddings [1, 1, 64] per window (stored mean-pooled: --pool mean)" in (
        capsys.readouterr().out
    )


def test_cli_directory_output_and_failed_file(weights, edf, tmp_path, capsys):
    bad = tmp_path / "broken.edf"
    bad.write_bytes(b"0       this is not an EDF header")
    outdir = tmp_path / "out"
    code = main(
        [
            "embed",
            str(edf),
            str(bad),
            "--weights",
            str(weights),
            "-o",
            str(outdir),
            "--format",
            "parquet",
        ]
    )
    err = capsys.readouterr().err
    assert code == 3  # finished, some files failed (as embed-dataset); 1 when none was embedded
    assert "broken.edf" in err and "1 ok (1 with warnings: " in err and "), 1 failed" in err
    assert (outdir / "tuh_like.parquet").exists()
    assert not (outdir / "broken.parquet").exists()
    assert main(["embed", str(bad), "--weights", str(weights), "-o", str(outdir), "-q"]) == 1


def test_cli_embed_skips_a_recording_shorter_than_a_window_among_several(
    weights, edf, tmp_path, capsys
):
    """As embed-dataset: of several recordings, one shorter than a window is skipped and said,
    not failed (exit 0 when the others are embedded); given alone it is an error."""
    raw = mne.io.read_raw_edf(edf, preload=True, verbose=False).crop(0, 3.0)
    short = tmp_path / "short.fif"
    raw.save(short, verbose=False)
    outdir = tmp_path / "out"
    args = ["--weights", str(weights), "-o", str(outdir)]
    assert main(["embed", str(edf), str(short), *args]) == 0
    err = capsys.readouterr().err
    assert "eegpt: skipped: " in err and "short.fif" in err
    assert "0 failed, 1 shorter than one window (skipped: --tail pad embeds them" in err
    assert (outdir / "tuh_like.npz").exists() and not (outdir / "short.npz").exists()
    assert main(["embed", str(short), *args, "-q"]) == 1  # alone: an error
    short.with_name("copy.fif").write_bytes(short.read_bytes())
    assert main(["embed", str(short), str(short.with_name("copy.fif")), *args, "-q"]) == 1
    assert "nothing embedded: every recording is shorter than one window" in (
        capsys.readouterr().err
    )


def test_cli_without_weights_explains_how_to_get_them(edf, tmp_path, capsys):
    code = main(["embed", str(edf), "-o", str(tmp_path / "x.npz")])
    err = capsys.readouterr().err
    assert code == 2
    assert "eegpt_mcae_58chs_4s_large4E.ckpt" in err and "--weights" in err


def test_cli_info_and_convert(weights, tmp_path, capsys):
    assert main(["info", str(weights)]) == 0
    info = capsys.readouterr().out
    assert "sha256" in info.lower() and "64" in info
    dst = tmp_path / "converted"
    assert main(["convert", str(weights), str(dst)]) == 0
    config = json.loads((dst / "config.json").read_text())
    assert config["embed_dim"] == 64
    assert main(["convert", str(weights), str(dst)]) == 1  # exists, no --overwrite


def test_cli_info_on_a_path_that_does_not_exist_says_so(tmp_path, capsys):
    """A mistyped path is not answered with the guide to getting the pretrained weights."""
    missing = tmp_path / "out" / "nonexistent"
    assert main(["info", str(missing)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"eegpt: error: {missing} does not exist; eegpt info describes a "
                          "checkpoint (a file or folder, a pretrained name such as eegpt-large "
                          "or a URL), an embeddings file (.npz/.parquet)")  # fmt: skip
    assert len(err.splitlines()) == 1 and "pretrained weights" not in err
    # a typo of a folder beside it, or of a pretrained name: what was meant
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "tiny-random").mkdir()
    assert main(["info", str(tmp_path / "out" / "tiny-randm")]) == 1
    meant = f"did you mean '{tmp_path / 'out' / 'tiny-random'}' (a folder)?"
    assert capsys.readouterr().err.strip().endswith(f"does not exist: {meant}")
    assert main(["info", str(tmp_path / "out" / "tiny-randm") + "/"]) == 1  # the folder kept
    assert capsys.readouterr().err.strip().endswith(f"does not exist: {meant}")
    assert main(["info", "eegpt-larg"]) == 1
    assert "did you mean 'eegpt-large' (pretrained)?" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["pred.csv", "metrics.json", "rec.edf", "sub-01_raw.fif"])
def test_cli_info_on_a_missing_table_or_recording_says_it_does_not_exist(name, tmp_path, capsys):
    """A missing file named as a table, JSON or recording is said to be missing, with every
    kind eegpt info describes; it was said to be "a csv file, not a checkpoint" (or "an EEG
    recording"), as if it were there."""
    missing = tmp_path / name
    assert main(["info", str(missing)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"eegpt: error: {missing} does not exist; eegpt info describes a ")
    assert "the predictions of eegpt probe predict" in err and "probe evaluate --json" in err


@pytest.mark.parametrize("name", ["metrics.json", "pred.csv"])
def test_cli_info_on_an_empty_json_or_table_says_it_is_empty(name, tmp_path, capsys):
    """An empty file (0 bytes, as a shell redirect of a command that failed leaves) is said to
    be empty, with what to do, in text and with --json (no JSON written); it was said to be
    "a json file, not a checkpoint" as if it held another JSON."""
    empty = tmp_path / name
    empty.write_bytes(b"")
    for json_flag in ([], ["--json"]):
        assert main(["info", *json_flag, str(empty)]) == 1
        out, err = capsys.readouterr()
        assert out == ""
        assert err.startswith(f"eegpt: error: {empty} is an empty file (0 bytes): nothing ")
        assert "run the command that writes it again" in err and "not a checkpoint" not in err
    if name.endswith(".json"):  # what leaves one: evaluate's JSON redirected
        assert "(`eegpt probe evaluate ... --json > metrics.json`)" in err


def test_cli_info_writes_starts_and_onsets_exactly(tmp_path, capsys):
    """Where eegpt info says a start or an onset (one to give --start again), it writes it as
    the windows hold it, as the rest of eegpt does (seconds_text): a start moved onto a 256 Hz
    sample past 100 s, 3600.30078125, was written 3600.3 (:g), which is not on a sample."""
    import json

    from eegpt.dataset_report import _own_starts_line
    from eegpt.outputs import Embeddings
    from eegpt.probe_folder import PROBE_FORMAT

    start = 3600.30078125  # 3600.3 moved onto the 256 Hz grid
    meta = {
        "source": "rec.edf",
        "preprocessing": {"sfreq": 256.0, "window_seconds": 4.0, "overlap": 0.0},
        "channels": {"names": ["FP1", "T7"]},
        "rejected_by_annotation": [start + 12],
        "padded_tail": {"onset_s": start + 8, "recorded_s": 1.5},
    }
    path = tmp_path / "e.npz"
    Embeddings(np.zeros((3, 2, 4, 8), np.float32), start + np.arange(3.0) * 4, meta).save(path)
    assert main(["info", str(path)]) == 0
    said = capsys.readouterr().out
    assert ", onsets 3600.30078125-3608.30078125 s\n" in said
    assert "overlapping BAD_ annotations; onsets 3612.30078125 s)" in said
    assert "last window (onset 3608.30078125 s) zero-padded: 1.5 s recorded" in said
    probe = {"format": PROBE_FORMAT, "classes": ["a", "b"], "channels": {"input_names": ["Cz"]}}
    for how, line in [
        ({"start_seconds": start}, "starting at 3600.30078125 s (--start 3600.30078125)"),
        (
            {"starts": {"/d/a.edf": start, "/d/b.edf": 17.30078125}},
            "a.edf 3600.30078125 s, b.edf 17.30078125 s",
        ),
    ]:
        probe["training"] = {"window_labels": {"match": None, **how}}
        (tmp_path / "probe.json").write_text(json.dumps(probe))
        assert main(["info", str(tmp_path)]) == 0
        assert line in capsys.readouterr().out
    spec = {
        "inputs": {"metadata_columns": ["start_seconds"]},
        "preprocessing": {"start_seconds": start},
    }
    assert "; 3600.30078125 s (--start) for the files" in _own_starts_line(spec)[0]


def test_cli_info_on_an_eeglab_data_file_says_what_it_is(tmp_path, capsys):
    """EEGLAB's .fdt is named as a recording's data file (not a corrupt checkpoint to download
    again), with what eegpt info describes and what describes the recording."""
    fdt = tmp_path / "sub-02.fdt"
    fdt.write_bytes(b"\0" * 64)
    assert main(["info", str(fdt)]) == 1
    err = capsys.readouterr().err
    assert f"{fdt} is the data file of an EEGLAB recording (its samples alone" in err
    assert "eegpt info describes checkpoints, embeddings files (.npz/.parquet)" in err
    assert f"`eegpt channels {tmp_path / 'sub-02.set'}` shows how its channels map" in err
    assert "corrupt" not in err and "Download" not in err


def test_cli_info_describes_embeddings_files_and_names_other_folders(
    weights, edf, tmp_path, capsys
):
    for suffix in (".npz", ".parquet"):
        out = tmp_path / f"rec{suffix}"
        assert main(["embed", str(edf), "--weights", str(weights), "-o", str(out), "-q"]) == 0
        capsys.readouterr()
        assert main(["info", str(out)]) == 0
        text = capsys.readouterr().out
        assert f"{out}: EEGPT embeddings of {edf}" in text and "7 windows of 4.0 s" in text
        assert "preprocessing: sfreq 256.0, window_seconds 4.0, overlap 0.0" in text
    other = tmp_path / "other.npz"
    np.savez(other, X=np.zeros(3))
    assert main(["info", str(other)]) == 1
    assert "holds ['X'], not eegpt embeddings" in capsys.readouterr().err
    (tmp_path / "garbage.npz").write_text("not an archive")
    assert main(["info", str(tmp_path / "garbage.npz")]) == 1
    assert "is not an .npz archive eegpt wrote (not a zip archive)" in capsys.readouterr().err
    assert main(["info", str(tmp_path / "absent.parquet")]) == 1
    assert "no such file" in capsys.readouterr().err
    for absent in ("absent.npz", "absent.parquet"):  # missing: FileNotFoundError, as for any file
        with pytest.raises(FileNotFoundError, match="no embeddings file"):
            load_embeddings(tmp_path / absent)
    cut = tmp_path / "sub" / "cut.parquet"
    cut.parent.mkdir()
    cut.write_bytes((tmp_path / "rec.parquet").read_bytes()[:-100])
    with pytest.raises(ValueError, match="cut.parquet is not a Parquet file eegpt wrote"):
        load_embeddings(cut)
    assert main(["info", str(tmp_path)]) == 1  # a folder of embeddings files
    assert "holds embeddings files (garbage.npz, other.npz, rec.npz and 1 more)" in (
        capsys.readouterr().err
    )
    assert main(["info", str(edf.parent)]) == 1  # a folder of recordings
    assert "is neither model weights" in capsys.readouterr().err
    # a recording or a table given for a checkpoint: named as such, nothing unpickled
    assert main(["info", str(edf)]) == 1
    assert f"{edf} is an EEG recording, not a checkpoint: `eegpt channels" in (
        capsys.readouterr().err
    )
    table = tmp_path / "labels.csv"
    table.write_text("onset,label\n1,a\n")
    assert main(["info", str(table)]) == 1
    assert "is a csv file, not a checkpoint" in capsys.readouterr().err
    from eegpt.cli_info import _INFO_RECORDING_SUFFIXES
    from eegpt.io import EEG_SUFFIXES

    assert set(EEG_SUFFIXES) <= set(_INFO_RECORDING_SUFFIXES)


def test_cli_overlap_and_pad_options(weights, edf, tmp_path):
    out = tmp_path / "o.npz"
    args = ["embed", str(edf), "--weights", str(weights), "-o", str(out), "-q"]
    assert main([*args, "--overlap", "2", "--average-reference"]) == 0
    emb = load_embeddings(out)
    # 30 s, 4 s windows every 2 s: starts 0..26 s cover the recording exactly
    np.testing.assert_allclose(emb.onsets, np.arange(14) * 2.0)
    assert main([*args, "--tail", "pad", "--overwrite"]) == 0
    padded = load_embeddings(out)
    # 30 s in 4 s windows: 7 full windows and a zero-padded one at 28 s
    np.testing.assert_allclose(padded.onsets, np.arange(8) * 4.0)
    assert padded.metadata["preprocessing"]["average_reference"] is True  # the default
    assert main([*args, "--average-reference", "--overlap", "2", "--overwrite"]) == 0
    emb = load_embeddings(out)
    assert emb.metadata["preprocessing"]["average_reference"] is True
    assert main([*args, "--no-average-reference", "--overwrite"]) == 0
    kept = load_embeddings(out)
    assert kept.metadata["preprocessing"]["average_reference"] is False
    assert not np.allclose(kept.data, padded.data[:7], atol=1e-3)  # the reference differs


def test_cli_embed_single_channel_needs_no_average_reference(weights, tmp_path, capsys):
    """One channel has no average to subtract: the default refuses it, saying how to turn
    average referencing off; --no-average-reference embeds it as recorded."""
    x = np.random.default_rng(0).normal(0, 2e-5, (1, 256 * 8))
    raw = mne.io.RawArray(x, mne.create_info(["Cz"], 256.0, "eeg"), verbose=False)
    path = tmp_path / "one_raw.fif"
    raw.save(path, verbose=False)
    out = tmp_path / "one.npz"
    args = ["embed", str(path), "--weights", str(weights), "-o", str(out), "-q"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "needs at least 2; got 1" in err and "--no-average-reference" in err, err
    assert not out.exists()
    assert main([*args, "--no-average-reference"]) == 0
    assert load_embeddings(out).metadata["preprocessing"]["average_reference"] is False
    model = load_model(weights)
    with pytest.raises(
        RecordingError, match="embed and embed_dataset also take average_reference=False"
    ):
        model.embed(x, ch_names=["Cz"], sfreq=256.0)
    assert len(model.embed(x, ch_names=["Cz"], sfreq=256.0, average_reference=False)) == 2


def test_api_array_input_units_and_engine_reuse(weights):
    model = load_model(weights)
    rng = np.random.default_rng(0)
    x_uv = rng.standard_normal((3, 2048)) * 20  # microvolts
    names = ["Fp1", "Cz", "O2"]
    a = embed(model, x_uv, ch_names=names, sfreq=256, units="uV")
    b = model.embed(x_uv * 1e-6, ch_names=names, sfreq=256, units="V")
    np.testing.assert_allclose(a.data, b.data, rtol=1e-5, atol=1e-6)
    engine = InferenceEngine(model, batch_size=1)
    c = embed(model, x_uv, ch_names=names, sfreq=256, units="uV", engine=engine)
    # another batch size: on a GPU other GEMM kernels, equal to float32 rounding
    np.testing.assert_allclose(a.data, c.data, rtol=1e-5, atol=1e-5)
    # an engine of another model is refused (it would run its own weights under this model's
    # provenance); one of another copy of the same weights is fine
    same = load_model(weights)
    embed(same, x_uv, ch_names=names, sfreq=256, units="uV", engine=engine)
    with torch.no_grad():
        next(same.parameters()).add_(1.0)
    with pytest.raises(ValueError, match="engine was built on another model than the one"):
        embed(same, x_uv, ch_names=names, sfreq=256, units="uV", engine=engine)
    assert a.metadata["channels"]["chan_ids"] == [0, 29, 61]
    assert isinstance(a, Embeddings) and a.pooled("mean").shape == (2, 64)
    # the same named poolings as the scikit-learn estimator: [n, S*D] and [n, N*D]
    assert a.pooled("mean_patches").shape == (2, 4 * 64) and a.pooled("mean_tokens").shape == (
        2,
        16 * 64,
    )
    np.testing.assert_allclose(a.pooled("mean"), a.data.mean(axis=(1, 2)), rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match="mean_patches"):
        a.pooled("max")


def test_api_epochs_input(weights):
    model = load_model(weights)
    raw, _ = synthetic_raw(minutes=0.5, seed=1)
    events = mne.make_fixed_length_events(raw, duration=5.0)
    epochs = mne.Epochs(
        raw, events, tmin=0, tmax=4 - 1 / 250, baseline=None, preload=True, verbose=False
    )
    emb = model.embed(epochs)
    assert emb.data.shape[0] == len(epochs)
    assert emb.data.shape[1:] == (16, 4, 64)
    assert emb.metadata["labels"] == ["1"] * len(epochs)  # the default event name


def test_epoch_event_names_travel_with_the_embeddings(weights, tmp_path):
    """Embeddings of mne.Epochs keep each epoch's event name: metadata and a Parquet column."""
    pd = pytest.importorskip("pandas")
    model = load_model(weights)
    raw, _ = synthetic_raw(minutes=0.5, seed=1)
    events = mne.make_fixed_length_events(raw, duration=5.0)
    events[1::2, 2] = 2
    epochs = mne.Epochs(raw, events, {"rest": 1, "task": 2}, tmin=0, tmax=4 - 1 / 250,
                        baseline=None, preload=True, verbose=False)  # fmt: skip
    emb = model.embed(epochs)
    expected = ["rest", "task"] * (len(epochs) // 2) + ["rest"] * (len(epochs) % 2)
    assert emb.metadata["labels"] == expected
    for suffix in (".npz", ".parquet"):
        path = emb.save(tmp_path / f"e{suffix}")
        assert load_embeddings(path).metadata["labels"] == expected
    frame = pd.read_parquet(tmp_path / "e.parquet")
    assert frame["label"].tolist() == expected
    assert list(frame.columns)[3:7] == ["clock_s", "clock_time", "embedding", "label"]
    assert "label" not in pd.read_parquet(model.embed(raw).save(tmp_path / "raw.parquet")).columns


def test_demo_runs_end_to_end(tmp_path, monkeypatch):
    from eegpt import demo

    monkeypatch.setattr(demo, "random_checkpoint", _small_checkpoint)
    paths = demo.run_demo(tmp_path / "demo", minutes=0.5)
    emb = load_embeddings(paths["embeddings"])
    assert emb.metadata["checkpoint"]["pretrained"] is False
    assert paths["figure"].stat().st_size > 10_000
    raw = mne.io.read_raw_edf(paths["edf"], verbose=False)
    assert raw.ch_names == TUH_NAMES


def test_demo_quiet_says_warnings_and_errors_only(tmp_path, monkeypatch, capsys):
    """eegpt demo -q, as every command's -q: no note, progress bar, mapping report or list of
    files (warnings and errors only)."""
    from eegpt import demo

    monkeypatch.setattr(demo, "random_checkpoint", _small_checkpoint)
    assert main(["demo", "-o", str(tmp_path / "loud"), "--minutes", "0.5"]) == 0
    loud = capsys.readouterr()
    assert "NOT PRETRAINED" in loud.out and "embeddings:" in loud.out
    assert "ChannelMapping" in loud.err and "streaming" in loud.err
    assert main(["demo", "-o", str(tmp_path / "quiet"), "--minutes", "0.5", "-q"]) == 0
    quiet = capsys.readouterr()
    assert quiet.out == ""
    assert "ChannelMapping" not in quiet.err and "streaming" not in quiet.err
    assert "win/s" not in quiet.err  # no progress bar
    assert (tmp_path / "quiet" / "synthetic_tuh.npz").is_file()


def _small_checkpoint(directory, *, seed=0, overwrite=False):
    from eegpt.demo import NOT_PRETRAINED

    torch.manual_seed(seed)
    return save_checkpoint(
        EEGPT(SMALL),
        directory,
        overwrite=overwrite,
        metadata={"pretrained": False, "note": NOT_PRETRAINED},
    )


def test_embed_ignores_the_channel_projection_of_a_probe_model():
    """A model with a 1x1 channel projection (a downstream head) embeds the recording's own
    channels through the encoder alone, exactly as the bare encoder does."""
    torch.manual_seed(0)
    cfg = EEGPTConfig(embed_dim=64, depth=2, num_heads=4, embed_num=2)
    full = EEGPT(cfg, chan_proj=(6, 4), n_outputs=3, n_times=1024).eval()
    x = np.random.default_rng(0).standard_normal((6, 1024)) * 20e-6
    names = ["FP1", "FP2", "C3", "C4", "O1", "O2"]
    a = embed(full, x, ch_names=names, sfreq=256.0)
    b = embed(full.target_encoder, x, ch_names=names, sfreq=256.0)
    assert a.data.shape == (1, 16, 2, 64)
    np.testing.assert_array_equal(a.data, b.data)
    with pytest.raises(ValueError, match="channel projection"):
        embed(full, x, ch_names=names, sfreq=256.0, engine=InferenceEngine(full, "cpu"))


def test_cli_embeds_with_a_fine_tuned_model_that_has_a_channel_projection(edf, tmp_path):
    """eegpt embed and embed-dataset given a fine-tuned model with a channel projection (most
    braindecode fine-tunes) embed through its encoder, as eegpt.embed does: before, one
    refused with Python-only advice and the other applied the projection and failed."""
    from eegpt.dataset import read_embeddings

    torch.manual_seed(0)
    cfg = EEGPTConfig(embed_dim=64, depth=2, num_heads=4, embed_num=2)
    full = EEGPT(cfg, chan_proj=(22, 19), n_outputs=3, n_times=1024).eval()
    weights = save_checkpoint(full, tmp_path / "tuned")
    out = tmp_path / "rec.npz"
    assert main(["embed", str(edf), "--weights", str(weights), "-o", str(out), "-q"]) == 0
    want = embed(full.target_encoder, edf)
    np.testing.assert_array_equal(load_embeddings(out).data, want.data)
    folder = tmp_path / "corpus"
    assert main(["embed-dataset", str(edf.parent), "--weights", str(weights), "-o", str(folder),
                 "-q", "--workers", "0"]) == 0  # fmt: skip
    _, data = read_embeddings(folder)
    np.testing.assert_allclose(data, want.data, rtol=0, atol=1e-6)


def test_run_command_reports_user_errors_bugs_and_memory(capsys):
    import argparse

    from eegpt.cli_run import run_command
    from eegpt.errors import RecordingError

    args = argparse.Namespace(debug=False)

    def raising(exc):
        def func(_):
            raise exc

        return func

    assert run_command(raising(RecordingError("rec.edf: no EEG channels")), args) == 1
    assert capsys.readouterr().err.strip() == "eegpt: error: rec.edf: no EEG channels"
    assert run_command(raising(KeyError("x")), args) == 1
    err = capsys.readouterr().err
    assert "internal error: KeyError" in err and "bug" in err
    assert run_command(raising(torch.OutOfMemoryError("CUDA out of memory")), args) == 1
    assert "--batch-size" in capsys.readouterr().err
    assert run_command(raising(KeyboardInterrupt()), args) == 130
    with pytest.raises(KeyError):
        run_command(raising(KeyError("x")), argparse.Namespace(debug=True))


def test_sigterm_unwinds_cleanly_with_status_143(capsys):
    """SIGTERM raises SystemExit(143) inside the command, so ``finally`` blocks (temporary
    outputs) run; the previous handler is restored afterwards."""
    import argparse
    import os
    import signal

    from eegpt.cli_run import run_command

    cleaned = []

    def func(_):
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the handler interrupts this
            return 0
        finally:
            cleaned.append(True)

    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    with pytest.raises(SystemExit) as exit_info:
        run_command(func, argparse.Namespace(debug=False))
    assert exit_info.value.code == 128 + signal.SIGTERM == 143
    assert capsys.readouterr().err == (
        "eegpt: SIGTERM: stopping after the current batch\neegpt: interrupted (SIGTERM)\n"
    )
    assert cleaned == [True]
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before


def _write_montage(path, names):
    rng = np.random.default_rng(len(names))
    info = mne.create_info(names, 256.0, "eeg")
    raw = mne.io.RawArray(rng.standard_normal((len(names), 256 * 10)) * 2e-5, info, verbose=False)
    return write_edf(raw, path)


def test_cli_drop_and_rename_across_recordings(weights, tmp_path, capsys):
    """--drop leaves a channel out; with several recordings --rename applies where it fits."""
    a = _write_montage(tmp_path / "a.edf", ["EEG Fp1-REF", "FP1", "Cz", "Ch1"])
    b = _write_montage(tmp_path / "b.edf", ["Fp1", "Cz", "Pz"])
    base = ["embed", "--weights", str(weights), "-q"]
    assert main([*base, str(a), "-o", str(tmp_path / "a0.npz")]) == 1
    assert "--drop FP1" in capsys.readouterr().err  # the duplicate FP1, with the CLI fix

    out = tmp_path / "both"
    rename = ["--rename", "Ch1=C3", "--drop", "FP1"]
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        assert main([*base, str(a), str(b), "-o", str(out), *rename]) == 0
    said = [str(w.message) for w in record if issubclass(w.category, RuntimeWarning)]
    assert not any("matched no channel" in text for text in said)  # every key matched one
    # b's Fp1 is no label FP1: kept, with a word on how to leave the electrode out everywhere
    (other,) = [text for text in said if "matched no label" in text]
    assert other.startswith(f"{b}: --drop FP1") and "'Fp1' maps to FP1 and is kept" in other
    ma = load_embeddings(out / "a.npz").metadata["channels"]
    mb = load_embeddings(out / "b.npz").metadata["channels"]
    assert ma["input_names"] == ["EEG Fp1-REF", "Cz", "Ch1"] and ma["names"][-1] == "C3"
    assert "FP1" in ma["dropped"] and mb["names"] == ["FP1", "CZ", "PZ"]

    typo = ["--rename", "Chl=C3", "--drop", "FP1"]  # l for 1: no recording has it
    with pytest.warns(
        RuntimeWarning, match=r"\['Chl'\] matched no channel of the 2 recording"
    ) as got:
        assert main([*base, str(a), str(b), "-o", str(out), "--overwrite", *typo]) == 0
    assert "Did you mean: 'Chl' -> 'Ch1'?" in str(got[-1].message)

    # One recording: a rename key it lacks is a mistake (typo), and says so.
    assert main([*base, str(b), "-o", str(tmp_path / "b.npz"), *rename]) == 1
    assert "not among the channel names" in capsys.readouterr().err
    assert main([*base, str(b), "-o", str(tmp_path / "b.npz"), "--drop", "Pzz"]) == 1
    assert "Did you mean: 'Pzz' -> 'Pz'?" in capsys.readouterr().err
    assert main([*base, str(b), "-o", str(tmp_path / "b.npz"), "--drop", "pz"]) == 1
    assert "Did you mean: 'pz' -> 'Pz'? Letter case counts" in capsys.readouterr().err

    both = ["--rename", "Cz=C4", "--drop", "Cz"]
    assert main([*base, str(b), "-o", str(tmp_path / "b.npz"), *both]) == 1
    assert "both --rename and --drop" in capsys.readouterr().err


def test_cli_a_derivation_renamed_to_one_electrode_is_noted_and_shown(weights, tmp_path, capsys):
    """--rename 'EEG Fpz-Cz=Fpz' on a Sleep-EDF-like PSG: one note (not one per window) says
    the channel stays the bipolar difference, and eegpt info shows it beside the name."""
    psg = _write_montage(tmp_path / "psg.edf", ["EEG Fpz-Cz", "EEG Pz-Oz"])
    out = tmp_path / "psg.npz"
    rename = ["--rename", "EEG Fpz-Cz=Fpz", "--rename", "EEG Pz-Oz=Pz"]
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        assert main(["embed", str(psg), "--weights", str(weights), "-o", str(out), "-q",
                     *rename]) == 0  # fmt: skip
    notes = [str(w.message) for w in record if "bipolar difference" in str(w.message)]
    assert len(notes) == 1 and "'EEG Fpz-Cz' (renamed Fpz) is Fpz minus Cz" in notes[0]
    assert load_embeddings(out).metadata["channels"]["bipolar"] == ["EEG Fpz-Cz", "EEG Pz-Oz"]
    capsys.readouterr()
    assert main(["info", str(out)]) == 0
    shown = capsys.readouterr().out
    assert "2 channels: FPZ (bipolar: EEG Fpz-Cz), PZ (bipolar: EEG Pz-Oz)" in shown


def test_cli_stdout_carries_only_results(weights, edf, tmp_path, capfd):
    """MNE's reader messages are left out (kept with --debug, on stderr with eegpt's own), never
    between the result lines."""
    out = tmp_path / "e.npz"
    result = [
        f"{edf} -> {out}: 7 windows, embeddings [7, 16, 4, 64] (windows, patches, summary tokens, "
        "dims)"
    ]
    assert main(["embed", str(edf), "--weights", str(weights), "-o", str(out)]) == 0
    captured = capfd.readouterr()
    assert captured.out.strip().splitlines() == result
    assert "Extracting EDF parameters" not in captured.err and "channel(s) kept" in captured.err
    args = ["--debug", "embed", str(edf), "--weights", str(weights), "-o", str(out), "--overwrite"]
    assert main(args) == 0
    captured = capfd.readouterr()
    assert captured.out.strip().splitlines() == result
    assert "Extracting EDF parameters" in captured.err


def test_cli_rejects_an_unsupported_output_file_type(weights, edf, tmp_path, capsys):
    out = tmp_path / "result.csv"
    assert main(["embed", str(edf), "--weights", str(weights), "-o", str(out), "-q"]) == 1
    err = capsys.readouterr().err
    assert "unsupported file type '.csv'" in err and not out.exists()
    assert f"then convert it: eegpt export {out.with_suffix('.npz')} -o {out}" in err
    # --format names the type of files in a folder; a file named otherwise is a contradiction
    npz = tmp_path / "result.npz"
    args = ["embed", str(edf), "--weights", str(weights), "-o", str(npz), "-q"]
    assert main([*args, "--format", "parquet"]) == 1
    assert "is a .npz file but --format parquet" in capsys.readouterr().err and not npz.exists()
    assert main([*args, "--format", "npz"]) == 0 and npz.exists()
    folder = tmp_path / "run.v2"
    folder.mkdir()  # an existing folder with a dot in its name is a folder
    assert main(["embed", str(edf), "--weights", str(weights), "-o", str(folder), "-q"]) == 0
    assert (folder / "tuh_like.npz").exists()
    # so is any name ending in a slash, made as needed (even one ending like a file type)
    for name in ("new.dir/", "out.npz/"):
        assert main(["embed", str(edf), "--weights", str(weights), "-o", f"{tmp_path}/{name}", "-q"]) == 0  # fmt: skip
        assert (tmp_path / name / "tuh_like.npz").is_file()
    assert main(["embed", str(edf), "--weights", str(weights), "-o", f"{npz}/", "-q"]) == 1
    assert f"--output {npz}/ names a folder, but {npz} is a file" in capsys.readouterr().err
    for upper in ("RESULT.NPZ", "Result.Parquet"):  # the type is read in any case
        assert main(["embed", str(edf), "--weights", str(weights), "-o", str(tmp_path / upper), "-q"]) == 0  # fmt: skip
        again = load_embeddings(tmp_path / upper)
        np.testing.assert_array_equal(again.data, load_embeddings(npz).data)
    assert main([*args[:-3], "-o", str(tmp_path / "R.NPZ"), "-q", "--format", "npz"]) == 0


def test_a_window_shorter_than_a_patch_fails_once_before_any_file(weights, edf, tmp_path, capsys):
    out, other = tmp_path / "short", tmp_path / "other.edf"
    other.write_bytes(edf.read_bytes())
    args = ["embed", str(edf), str(other), "--weights", str(weights), "-o", str(out), "-q"]
    assert main([*args, "--window", "0.125"]) == 1
    err = capsys.readouterr().err
    assert err.count("shorter than one patch of 64 samples") == 1 and "--window" in err
    assert "done:" not in err and not out.exists()


def test_an_interrupted_run_leaves_no_empty_output_folder(weights, edf, tmp_path, monkeypatch):
    """Folders made for the outputs are removed again if the run ends (Ctrl-C) before a file
    was written into them; existing folders and finished files stay."""
    import eegpt.api

    def interrupted(model, data, output, **kwargs):
        Path(output).parent.mkdir(parents=True, exist_ok=True)  # as the writer's temporary file
        raise KeyboardInterrupt

    monkeypatch.setattr(eegpt.api, "embed_to_file", interrupted)
    out = tmp_path / "new" / "run"
    args = ["embed", str(edf), str(edf.with_name("other.edf")), "--weights", str(weights), "-q"]
    assert main([*args, "-o", str(out)]) == 130
    assert list(tmp_path.iterdir()) == []
    kept = tmp_path / "kept"
    (kept / "old.txt").parent.mkdir()
    (kept / "old.txt").write_text("x")
    assert main([*args, "-o", str(kept / "run")]) == 130
    assert [p.name for p in kept.iterdir()] == ["old.txt"]


def test_cli_embed_stopped_by_a_full_disk_or_ctrl_c_says_how_to_go_on(
    weights, edf, tmp_path, monkeypatch, capsys
):
    """A full disk (or a file-size limit) stops `eegpt embed`, naming the output being written
    (not the recording) and --skip-existing; so does a Ctrl-C. Either way the outputs present are complete (each
    written whole under a temporary name, then renamed into place), and --skip-existing
    embeds the rest."""
    import errno
    import shutil

    import eegpt.output_files

    finish = eegpt.output_files._finish

    def stopped_at_second_file(stop: BaseException) -> None:
        calls = []

        def flush(fh):
            calls.append(fh)
            if len(calls) == 2:  # as the disk fills, or Ctrl-C comes, writing the second output
                raise stop
            finish(fh)

        monkeypatch.setattr(eegpt.output_files, "_finish", flush)

    recordings = [str(tmp_path / f"{name}.edf") for name in ("first", "other", "third")]
    for copy in recordings:
        shutil.copy(edf, copy)
    out = tmp_path / "out"
    args = ["embed", *recordings, "--weights", str(weights), "-q", "-o", f"{out}/"]
    first = "first.npz"
    stopped_at_second_file(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    assert main(args) == 1
    err = capsys.readouterr().err
    assert f"no space left on the device of {out} while writing {out / 'other.npz'}" in err
    assert "run the same command with --skip-existing to embed the rest" in err
    assert "third" not in err  # stopped there
    assert [p.name for p in out.iterdir()] == [first]  # whole files only

    stopped_at_second_file(OSError(errno.EFBIG, os.strerror(errno.EFBIG)))  # ulimit -f
    assert main([*args, "--overwrite"]) == 1  # the first written again, the second stopped
    err = capsys.readouterr().err
    assert f"file-size limit reached in {out} while writing {out / 'other.npz'}" in err
    assert "`ulimit -f`" in err and "Raise the limit" in err
    assert "--skip-existing in place of --overwrite to embed the rest" in err  # not both
    assert [p.name for p in out.iterdir()] == [first]

    stopped_at_second_file(KeyboardInterrupt())
    assert main([*args, "--skip-existing"]) == 130
    third = recordings[2]
    n = len(load_embeddings(out / first))
    assert capsys.readouterr().err == (  # stopped as the third output was renamed into place
        f"eegpt: interrupted while embedding {third}: {n} of its {n} windows are kept beside "
        f"{out / 'third.npz'} (hidden .eegpt-partial files) and the output files written so "
        "far are complete: run the same command with --skip-existing to resume it from "
        f"window {n} and embed the rest (windows kept by a run of other settings, weights or "
        "before the recording changed are not used: it is then embedded from its start)\n"
    )
    assert sorted(p.name for p in out.iterdir() if p.name[0] != ".") == [first, "other.npz"]
    monkeypatch.setattr(eegpt.output_files, "_finish", finish)
    assert main([*args, "--skip-existing"]) == 0
    assert len(list(out.iterdir())) == 3  # the windows kept are removed


def _read_only(monkeypatch, folder):
    """Make ``folder`` refuse new files as a read-only file system does (a chmod does not stop
    root, who runs the tests here)."""
    import errno
    import tempfile

    real = tempfile.TemporaryFile

    def temporary_file(*args, dir=None, **kwargs):  # noqa: A002
        if dir is not None and Path(dir).absolute() == Path(folder).absolute():
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(dir))
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "TemporaryFile", temporary_file)


def test_an_output_that_cannot_be_written_is_refused_before_any_work(
    weights, edf, tmp_path, monkeypatch, capsys
):
    """An output below a file, or on a read-only file system, is one error before the model is
    loaded or a recording read, not one per file (naming a temporary file) after embedding."""
    import eegpt.checkpoints

    def not_loaded(*args, **kwargs):
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(eegpt.checkpoints, "load_model", not_loaded)
    other = edf.with_name("other.edf")
    other.write_bytes(edf.read_bytes())
    base = ["embed", str(edf), str(other), "--weights", str(weights), "-q"]
    a_file = tmp_path / "notes"
    a_file.write_text("x")
    for output in (a_file / "x", a_file / "deeper" / "run"):
        assert main([*base, "-o", str(output)]) == 1
        assert capsys.readouterr().err == (
            f"eegpt: error: cannot write the output to {output}: {a_file} is a file, not a "
            "folder; choose another output path\n"
        )
    read_only = tmp_path / "read_only"
    read_only.mkdir()
    _read_only(monkeypatch, read_only)
    assert main([*base, "-o", str(read_only)]) == 1
    assert capsys.readouterr().err == (
        f"eegpt: error: cannot write the output to {read_only}: read-only file system; choose "
        "another output folder\n"
    )
    assert main(["embed", str(edf), "--weights", str(weights), "-o", str(read_only / "new" / "x.npz")]) == 1  # fmt: skip
    assert capsys.readouterr().err == (
        f"eegpt: error: cannot write the output to {read_only / 'new' / 'x.npz'}: read-only file "
        f"system (in {read_only}, where its folder would be made); choose another output folder\n"
    )
    assert list(read_only.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes anyway")
def test_an_output_folder_without_write_permission_is_refused(weights, edf, tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        assert main(["embed", str(edf), "--weights", str(weights), "-o", str(locked / "run")]) == 1
    finally:
        locked.chmod(0o755)
    assert "cannot write the output to" in capsys.readouterr().err
    assert list(locked.iterdir()) == []


@pytest.mark.parametrize("suffix", [".npz", ".parquet"])
def test_outputs_get_the_usual_file_mode(weights, edf, tmp_path, suffix):
    """Outputs are written to a temporary file and renamed: they must not keep mkstemp's 0600."""
    import os

    old = os.umask(0o022)
    try:
        out = tmp_path / f"emb{suffix}"
        assert main(["embed", str(edf), "--weights", str(weights), "-o", str(out), "-q"]) == 0
        converted = tmp_path / "converted"
        save_checkpoint(load_model(weights), converted)
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644
    assert all(p.stat().st_mode & 0o777 == 0o644 for p in converted.iterdir())


def test_device_errors_are_user_errors(weights, edf, tmp_path, capsys):
    from eegpt.engine import resolve_device
    from eegpt.errors import USER_ERRORS, DeviceUnavailableError

    with pytest.raises(ValueError, match="unknown device 'gpux'"):
        resolve_device("gpux")
    for other in ("mps", "xpu", "meta", "hip:0"):  # real torch devices eegpt does not run on
        with pytest.raises(DeviceUnavailableError, match="not supported"):
            resolve_device(other)
    code = main(["embed", str(edf), "--weights", str(weights), "-o", str(tmp_path / "m.npz"), "--device", "mps"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1 and "not supported" in err and "bug" not in err
    from eegpt.cli_options import parse_rename

    with pytest.raises(ValueError, match="not an EEGPT vocabulary name"):
        parse_rename(["EEG A1-REF=NOPE"])
    assert parse_rename(["EEG T3-REF=t3"]) == {"EEG T3-REF": "t3"}  # old 10-20 names map
    if not torch.cuda.is_available():
        with pytest.raises(DeviceUnavailableError, match="--device cpu"):
            resolve_device("cuda")
        out = tmp_path / "e.npz"
        code = main(["embed", str(edf), "--weights", str(weights), "-o", str(out), "--device", "cuda"])  # fmt: skip
        err = capsys.readouterr().err
        assert code == 1 and "no CUDA GPU" in err and "bug" not in err
    else:
        with pytest.raises(DeviceUnavailableError, match="CUDA GPU"):
            resolve_device(f"cuda:{torch.cuda.device_count()}")
    assert issubclass(DeviceUnavailableError, USER_ERRORS)


def test_a_path_or_none_given_as_the_model_says_to_load_it(tmp_path):
    """Every function taking a model refuses a path, a name or None with a TypeError that
    says to load it with eegpt.load_model first (rather than an AttributeError from inside)."""
    from eegpt.finetune import finetune
    from eegpt.online import OnlineEmbedder
    from eegpt.probe import synthetic_erp_epochs, train_probe

    x, names = np.zeros((2, 2000)), ["Fp1", "Cz"]
    epochs = synthetic_erp_epochs(4, seed=0, seconds=1.0)
    calls = {
        "embed": lambda m: embed(m, x, ch_names=names, sfreq=250),
        "embed_to_file": lambda m: embed_to_file(
            m, x, tmp_path / "e.npz", ch_names=names, sfreq=250
        ),
        "OnlineEmbedder": lambda m: OnlineEmbedder(m, names, sfreq=250),
        "train_probe": lambda m: train_probe(m, epochs, epochs=1),
        "finetune": lambda m: finetune(m, epochs, epochs=1),
    }
    for call in calls.values():
        with pytest.raises(TypeError, match=r"got str 'tiny': load the weights first, "
                           r"model = eegpt\.load_model\('tiny'\)"):  # fmt: skip
            call("tiny")
        with pytest.raises(TypeError, match=r"got PosixPath '.*w': .*load_model\('.*w'\)"):
            call(tmp_path / "w")
        with pytest.raises(TypeError, match=r"got None: .*eegpt\.load_model\('eegpt-large'\)"):
            call(None)
    assert not (tmp_path / "e.npz").exists()


def test_batch_size_is_checked_where_it_is_given(model, tmp_path):
    """batch_size is a positive int wherever the public API takes it, checked on entry with
    one check (engine.check_batch_size): a float (even 2.0), a bool or text is a TypeError
    naming batch_size, not one from deep inside the engine; 0 a ValueError."""
    from eegpt.dataset import embed_dataset
    from eegpt.engine import check_batch_size
    from eegpt.finetune import finetune
    from eegpt.online import OnlineEmbedder
    from eegpt.probe import ProbeConfig, synthetic_erp_epochs, train_probe
    from eegpt.sklearn import EEGPTEmbedder

    assert check_batch_size(None) is None and check_batch_size(np.int64(8)) == 8
    with pytest.raises(ValueError, match="batch_size must be a positive int, got 0"):
        check_batch_size(0)
    with pytest.raises(TypeError, match=r"batch_size must be an int .*, got None"):
        check_batch_size(None, optional=False)
    x, names = np.zeros((3, 1100)), ["Fp1", "Cz", "Pz"]
    epochs = synthetic_erp_epochs(4, seed=0, seconds=1.0)
    calls = [
        lambda b: embed(model, x, ch_names=names, sfreq=250, batch_size=b),
        lambda b: embed_to_file(
            model, x, tmp_path / "e.npz", ch_names=names, sfreq=250, batch_size=b
        ),  # fmt: skip
        lambda b: OnlineEmbedder(model, names, sfreq=250, batch_size=b),
        lambda b: InferenceEngine(model, "cpu", batch_size=b),
        lambda b: ProbeConfig(batch_size=b),
        lambda b: train_probe(model, epochs, epochs=1, batch_size=b),
        lambda b: finetune(model, epochs, epochs=1, batch_size=b),
        lambda b: EEGPTEmbedder(model, ch_names=names, sfreq=250, batch_size=b).fit(x[None]),
        lambda b: embed_dataset(tmp_path, tmp_path / "out", model=model, batch_size=b),
    ]
    for call in calls:
        for wrong in (2.5, 2.0, True, "8"):
            with pytest.raises(TypeError, match=rf"batch_size must be an int .*got {wrong!r}"):
                call(wrong)
    assert not (tmp_path / "e.npz").exists() and not (tmp_path / "out").exists()


def test_load_model_resolves_the_device_as_embed(weights, monkeypatch):
    """load_model's device goes through embed's resolve_device: DeviceUnavailableError (not
    torch's AssertionError) for a GPU PyTorch does not see, "auto", any letter case and "gpu"
    for "cuda", as the command line's --device."""
    from eegpt.errors import DeviceUnavailableError

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    for device in ("cuda", "GPU", "gpu:1"):
        with pytest.raises(DeviceUnavailableError, match="PyTorch sees no CUDA GPU"):
            load_model(weights, device=device)
    for device in ("auto", "CPU", None):
        loaded = load_model(weights, device=device)
        assert next(loaded.parameters()).device.type == "cpu"
    with pytest.raises(ValueError, match="unknown device 'gpux'"):
        load_model(weights, device="gpux")


def test_cli_rescale_fixes_a_file_in_the_wrong_unit(weights, tmp_path, capsys):
    """A file whose samples are microvolts while its header says volts: the amplitude check
    names the fix, and --rescale 1e-6 gives the embeddings of the correctly scaled file."""
    import edfio

    raw, _ = synthetic_raw(minutes=0.2, seed=4)
    uv = raw.get_data() * 1e6

    def edf(path, unit):  # the same numbers (microvolts), the header's unit as given
        signals = [
            edfio.EdfSignal(row, raw.info["sfreq"], label=name, physical_dimension=unit)
            for name, row in zip(raw.ch_names, uv, strict=True)
        ]
        edfio.Edf(signals).write(path)
        return path

    right, wrong = edf(tmp_path / "right.edf", "uV"), edf(tmp_path / "wrong.edf", "V")
    base = ["embed", "--weights", str(weights), "-q", "--device", "cpu"]
    with pytest.warns(RuntimeWarning, match=r"amplitude check.*microvolts.*--rescale 1e-06 "):
        assert main([*base, str(wrong), "-o", str(tmp_path / "wrong.npz")]) == 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert (
            main([*base, str(wrong), "-o", str(tmp_path / "fixed.npz"), "--rescale", "1e-6"]) == 0
        )
    assert not [w for w in caught if "amplitude check" in str(w.message)]
    assert main([*base, str(right), "-o", str(tmp_path / "right.npz")]) == 0
    fixed, ref = (load_embeddings(tmp_path / f"{n}.npz") for n in ("fixed", "right"))
    np.testing.assert_allclose(fixed.data, ref.data, rtol=1e-4, atol=1e-5)
    assert fixed.metadata["preprocessing"]["scale"] == pytest.approx(1e-3)  # provenance
    loaded = load_model(weights).embed(  # the CLI streamed the file; loaded whole, the same
        wrong, preprocessing=PreprocessingConfig(scale=1e-3), stream=False, device="cpu"
    )
    np.testing.assert_allclose(loaded.data, fixed.data, rtol=1e-6, atol=1e-6)
    assert not np.allclose(load_embeddings(tmp_path / "wrong.npz").data, ref.data, atol=1e-2)

    assert main([*base, str(right), "-o", str(tmp_path / "zero.npz"), "--rescale", "0"]) == 1
    assert "--rescale must be a positive number, got 0" in capsys.readouterr().err
    # a negative value with an exponent reaches the check (argparse took it for an option)
    assert main([*base, str(right), "-o", str(tmp_path / "neg.npz"), "--rescale", "-1e-6"]) == 1
    assert "--rescale must be a positive number, got -1e-06" in capsys.readouterr().err
    for value in ("-inf", "-Infinity", "nan"):
        assert main([*base, str(right), "-o", str(tmp_path / "neg.npz"), "--rescale", value]) == 1
        assert "--rescale must be a positive number, got" in capsys.readouterr().err


def _edf_in_microvolts(path: Path, unit: str, seed: int = 4) -> Path:
    """An EDF file of microvolt numbers whose header says ``unit`` ("V": 1e6 too large), of
    the scalp channels only (no warning about channels dropped)."""
    import edfio

    raw, _ = synthetic_raw(minutes=0.2, seed=seed)
    raw.drop_channels(["EEG A1-REF", "EEG A2-REF", "EEG EKG1-REF"])
    signals = [
        edfio.EdfSignal(row * 1e6, raw.info["sfreq"], label=name, physical_dimension=unit)
        for name, row in zip(raw.ch_names, raw.get_data(), strict=True)
    ]
    edfio.Edf(signals).write(path)
    return path


@pytest.mark.parametrize("fmt", ["npz", "parquet"])
def test_cli_embed_records_each_files_warnings_in_its_output(weights, tmp_path, fmt, capsys):
    """A file 1e6 too large among good ones: its amplitude warning is in its output's
    metadata (also for the second such file, whose warning the terminal holds back as said
    before), `eegpt info` shows it, and the run's summary counts the files with warnings."""
    good = _edf_in_microvolts(tmp_path / "good.edf", "uV")
    wrong = [_edf_in_microvolts(tmp_path / f"wrong{k}.edf", "V", seed=k) for k in (1, 2)]
    out = tmp_path / "out"
    args = ["embed", str(good), *map(str, wrong), "--weights", str(weights), "-o", f"{out}/"]
    with pytest.warns(RuntimeWarning, match="amplitude check"):
        assert main([*args, "--format", fmt, "--device", "cpu"]) == 0
    assert "done: 3 ok (2 with warnings" in capsys.readouterr().err
    assert load_embeddings(out / f"good.{fmt}").metadata["warnings"] == []
    for path in wrong:
        (said,) = load_embeddings(out / f"{path.stem}.{fmt}").metadata["warnings"]
        assert said.startswith(f"{path}: amplitude check: the typical deviation is")
        assert "--rescale 1e-06" in said
    assert main(["info", str(out / f"wrong2.{fmt}")]) == 0
    lines = capsys.readouterr().out.splitlines()
    at = lines.index("  WARNINGS when embedded (1; metadata['warnings'] has them in full):")
    assert lines[at + 1].startswith(f"    - {wrong[1]}: amplitude check: ")
    assert len(lines[at + 1]) <= 6 + 150 and lines[at + 1].endswith("...")


def test_embed_keeps_its_warnings_in_the_embeddings_metadata(model, tmp_path):
    """The Python API records what it warned about the recording, read whole or streamed,
    also where the warning was silenced (verbose="error"); a selection keeps the record."""
    wrong = _edf_in_microvolts(tmp_path / "wrong.edf", "V")
    for stream in (True, False):
        with pytest.warns(RuntimeWarning, match="amplitude check"):
            emb = model.embed(wrong, device="cpu", stream=stream)
        (said,) = emb.metadata["warnings"]
        assert "amplitude check" in said and said == emb[:2].metadata["warnings"][0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # none is shown
        quiet = model.embed(wrong, device="cpu", verbose="error")
    assert quiet.metadata["warnings"] == emb.metadata["warnings"]


def test_embedding_two_referenced_channels_records_the_warning_once(model, tmp_path):
    """Two channels (as Sleep-EDF's) under the default average reference: a warning that
    each becomes minus the other, kept in the provenance once, read whole or streamed;
    --no-average-reference keeps them as recorded, without it."""
    x = np.random.default_rng(0).normal(0, 20e-6, (2, 256 * 12))
    raw = mne.io.RawArray(x, mne.create_info(["Fpz", "Pz"], 256.0, "eeg"), verbose=False)
    path = tmp_path / "two_raw.fif"
    raw.save(path, verbose=False)
    for stream in (True, False):
        with pytest.warns(RuntimeWarning, match="of 2 channels"):
            emb = model.embed(path, device="cpu", stream=stream)
        said = [t for t in emb.metadata["warnings"] if "of 2 channels" in t]
        assert len(said) == 1 and "--no-average-reference" in said[0], said
        kept = model.embed(path, device="cpu", stream=stream, average_reference=False)
        assert not any("of 2 channels" in t for t in kept.metadata["warnings"])


def test_an_egi_nets_flat_reference_is_kept_read_whole_or_streamed(model, tmp_path):
    """An EGI net's 'Cz' (its reference, stored as zeros) beside E-numbered electrodes, some
    of them left unnamed: under the default average reference the flat-channel warning says
    to keep it, not to drop it, read whole or streamed."""
    x = np.random.default_rng(0).normal(0, 20e-6, (10, 256 * 8))
    x[-1] = 0.0
    names = [f"E{i}" for i in range(1, 10)] + ["Cz"]
    raw = mne.io.RawArray(x, mne.create_info(names, 256.0, "eeg"), verbose=False)
    path = tmp_path / "egi_raw.fif"
    raw.save(path, verbose=False)
    rename = {"E1": "Fp1", "E2": "C3", "E3": "O2"}  # E4 .. E9 left out
    for stream in (True, False):
        with pytest.warns(RuntimeWarning, match="flat channel"):
            emb = model.embed(path, device="cpu", stream=stream, rename=rename)
        (said,) = [t for t in emb.metadata["warnings"] if "flat channel" in t]
        assert "reference electrode (VREF)" in said and "--drop" not in said, said


def test_embedding_picked_seeg_channels_records_the_warning(model, tmp_path):
    """A recording's sEEG contacts picked on purpose are embedded with a warning, kept in the
    provenance once, read whole or streamed."""
    names = ["F1", "F2", "C3", "C4", "O1", "O2"]
    rng = np.random.default_rng(0)
    raw = mne.io.RawArray(rng.normal(0, 20e-6, (6, 1024)), mne.create_info(names, 256.0, "seeg"))
    path = tmp_path / "seeg_raw.fif"
    raw.save(path, verbose="error")
    for stream in (True, False):
        with pytest.warns(RuntimeWarning, match="not scalp EEG"):
            emb = model.embed(path, picks="seeg", device="cpu", stream=stream)
        said = [t for t in emb.metadata["warnings"] if "not scalp EEG" in t]
        assert len(said) == 1 and "outside what it learned" in said[0]


def test_selecting_by_name_without_labels_says_how_to_label_windows():
    """``emb["seizure"]`` on a continuous recording's windows (no event names) points to
    window_labels and a boolean mask."""
    emb = Embeddings(np.zeros((2, 1, 1, 3), np.float32), np.arange(2.0), {"source": "rec.vhdr"})
    with pytest.raises(KeyError, match="have no labels") as err:
        emb["seizure"]
    assert "emb.window_labels(raw_or_path, match='seizure'); emb[labels != None]" in str(err.value)


def test_parquet_writer_keeps_provenance_updated_after_its_schema(tmp_path):
    """Warnings given while a long recording is embedded come after the Parquet schema was
    written: the writer's update reaches load_embeddings."""
    from eegpt.outputs import EmbeddingsWriter

    path = tmp_path / "late.parquet"
    meta = {"source": "x.edf", "warnings": []}
    with EmbeddingsWriter(path, (2, 1, 1, 3), np.arange(2.0), meta) as writer:
        writer.write(np.zeros((2, 1, 1, 3), np.float32))
        writer.update_metadata(warnings=["x.edf: said late"])
    assert load_embeddings(path).metadata["warnings"] == ["x.edf: said late"]
    assert load_embeddings(path).metadata["source"] == "x.edf"


def test_debug_shows_the_traceback_of_each_file_that_failed(weights, edf, tmp_path, capsys):
    """--debug shows tracebacks, also of the errors a command reports for one file and goes on
    after (`eegpt channels`, `eegpt embed` over several files), with MNE's exception chained."""
    bad = tmp_path / "bad.txt"  # MNE's BOXY reader fails on an assert
    bad.write_text("Fp1,Fp2\n1.0,2.0\n")
    assert main(["channels", str(bad)]) == 1
    assert "Traceback" not in capsys.readouterr().err
    assert main(["--debug", "channels", str(bad), str(edf)]) == 3  # one of two failed
    captured = capsys.readouterr()
    assert "22 channels typed EEG" in captured.out  # the next file was still read
    err = captured.err
    assert err.count("Traceback (most recent call last)") == 2  # MNE's error and eegpt's
    assert "AssertionError" in err and "The above exception was the direct cause" in err
    assert "eegpt.errors.RecordingError: could not read EEG file" in err
    assert err.rstrip().endswith(f"eegpt: error: could not read EEG file {bad}: a .txt file "
                                 "of samples (a device's export, such as OpenBCI's or Mind "
                                 "Monitor's) is a text table, not an EEG file format eegpt "
                                 "reads. Load its EEG columns in Python (their names and units "
                                 "depend on the device and app) and embed the array: model.embed"
                                 "(x, ch_names=[...], sfreq=..., units='uV'), x channels x "
                                 "samples; or build mne.io.RawArray(x * 1e-6, mne.create_info("
                                 "names, sfreq, 'eeg')) and save it (raw.save('rec_raw.fif')) "
                                 "for the command line. See docs/montages.md, 'From a device's CSV'")  # fmt: skip
    out = tmp_path / "out"
    args = ["--debug", "embed", str(bad), str(edf), "--weights", str(weights), "-o", str(out), "-q"]
    assert main(args) == 3  # some failed
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "AssertionError" in err
    assert (out / "tuh_like.npz").exists()


def test_cli_channels_shows_and_draws_the_mapping(edf, tmp_path, capsys):
    """`eegpt channels` reads headers only: the mapping table, the figure with --plot."""
    png = tmp_path / "map.png"
    assert main(["channels", str(edf), "--drop", "EEG A1-REF", "--plot", str(png)]) == 0
    out = capsys.readouterr().out
    assert "22 channels typed EEG at 250 Hz, 30.0 s" in out and "EEG T3-REF   ->  T7 (25)" in out
    assert "dropped: EEG A1-REF, EEG A2-REF, EEG EKG1-REF" in out
    assert png.stat().st_size > 10_000 and png.read_bytes()[:4] == b"\x89PNG"

    folder = tmp_path / "maps"
    missing = tmp_path / "missing.edf"
    assert main(["channels", str(edf), str(missing), "--plot", str(folder)]) == 3  # some failed
    assert sorted(p.name for p in folder.iterdir()) == ["tuh_like_channels.png"]
    assert "eegpt: error:" in capsys.readouterr().err
    twin = tmp_path / "twin.edf"  # another recording (the same file twice is read once)
    twin.write_bytes(edf.read_bytes())
    assert main(["channels", str(edf), str(twin), "--plot", str(png)]) == 1
    assert (
        "give a .png, .pdf, .svg, .eps, .jpg or .tif file for one recording"
        in capsys.readouterr().err
    )
    # several recordings: a --drop name that is in none of them is named once, at the end
    with pytest.warns(RuntimeWarning, match=r"name\(s\) \['EEG A1 REF'\] matched no channel of "
                      r"the 2 recording\(s\).*'EEG A1 REF' -> 'EEG A1-REF'"):  # fmt: skip
        assert main(["channels", str(edf), str(twin), "--drop", "EEG A1 REF"]) == 0
    svg = tmp_path / "map.SVG"
    assert main(["channels", str(edf), "--plot", str(svg)]) == 0
    assert b"<svg" in svg.read_bytes()[:1000]
    # --dpi sets a raster figure's resolution (it was 150, fixed); .tif is written too
    from PIL import Image

    tif = tmp_path / "map.tif"
    assert main(["channels", str(edf), "--plot", str(tif), "--dpi", "50"]) == 0
    with Image.open(tif) as im:
        assert im.format == "TIFF" and im.info["dpi"] == pytest.approx((50, 50), abs=0.5)

    # channels of other types, and bad ones, are named too (they are never used)
    info = mne.create_info(["Fz", "Cz", "Pz", "HEOG", "STI 014"], 250.0,
                           ["eeg", "eeg", "eeg", "eog", "stim"])  # fmt: skip
    info["bads"] = ["Pz"]
    fif = tmp_path / "typed_raw.fif"
    mne.io.RawArray(np.random.default_rng(0).normal(0, 2e-5, (5, 2500)), info, verbose=False).save(
        fif
    )
    drawn = tmp_path / "typed.png"
    with pytest.warns(RuntimeWarning, match="marked bad"):
        assert main(["channels", str(fif), "--plot", str(drawn)]) == 0
    assert drawn.read_bytes()[:4] == b"\x89PNG"  # Pz drawn as bad (tests/test_viz.py)
    out = capsys.readouterr().out
    assert "3 channels typed EEG (1 marked bad) at 250 Hz" in out  # Pz counted: typed EEG
    assert "not EEG by type or marked bad, not used: Pz (bad), HEOG (eog), STI 014 (stim)" in out
    # picked by name: names are not types, the others not picked (Fz: EEG, not bad), and
    # Pz, bad but named, is used (as MNE picks it), with a warning
    with pytest.warns(RuntimeWarning, match=r"Pz are marked bad .* picked by name, so they"):
        assert main(["channels", str(fif), "--picks", "Cz", "--picks", "Pz"]) == 0
    out = capsys.readouterr().out
    assert "2 channels picked by name (1 marked bad, used as named) at 250 Hz" in out
    assert "Pz     ->  PZ (47)" in out and "typed Cz" not in out
    assert "not picked, not used: Fz (eeg), HEOG (eog), STI 014 (stim)" in out

    # a net numbered E1..E129 (EGI): no channel maps, but all of them are listed, for --rename
    names = [f"E{i}" for i in range(1, 129)] + ["VREF"]
    info = mne.create_info(names, 250.0, "eeg")
    info["bads"] = ["E7"]
    egi = tmp_path / "egi_raw.fif"
    data = np.random.default_rng(1).normal(0, 2e-5, (len(names), 2500))
    mne.io.RawArray(data, info, verbose=False).save(egi)
    with pytest.warns(RuntimeWarning, match="marked bad"):
        assert main(["channels", str(egi)]) == 1
    captured = capsys.readouterr()
    out = "129 channels typed EEG (1 marked bad), none named like an EEGPT electrode:"
    assert out in captured.out
    assert "E127, E128, VREF" in captured.out and "E6, E8" in captured.out
    assert "electrode numbers of an EGI (Geodesic) net" in captured.err
    assert "--nearest GSN-HydroCel-129 --write-rename egi.tsv" in captured.err
    assert "BioSemi" not in captured.err


def test_cli_nearest_writes_a_table_that_embed_takes(weights, tmp_path, capsys):
    """`eegpt channels FILE --nearest [MONTAGE] --write-rename PATH` prints each electrode's
    site and distance and writes the table, which `eegpt embed --rename PATH` then maps by."""
    montage = mne.channels.make_standard_montage("GSN-HydroCel-129")
    info = mne.create_info(montage.ch_names, 256.0, "eeg")
    data = np.random.default_rng(3).normal(0, 2e-5, (len(info.ch_names), 256 * 5))
    raw = mne.io.RawArray(data, info, verbose=False)
    bare = tmp_path / "bare_raw.fif"
    raw.save(bare)
    fif = tmp_path / "egi_raw.fif"
    raw.set_montage(montage).save(fif)
    table = tmp_path / "egi.tsv"

    with pytest.warns(RuntimeWarning, match="untrained"):
        assert main(["channels", str(fif), "--nearest", "--write-rename", str(table)]) == 0
    out = capsys.readouterr().out
    assert f"nearest 10-10 sites to {fif} (≤ 20 mm): 58 of 129 electrodes named" in out
    assert "  E36  -> C3     9.9 mm" in out and "without an electrode: FT7, FT8, PO5, PO6" in out
    assert "E36    ->  C3 (27)" in out  # then the mapping, by the table
    assert f"wrote {table}: review it, then pass it on: --rename {table}" in out
    assert "E36\tC3\t# 9.9 mm" in table.read_text(encoding="utf-8")

    # the montage's name for a file without positions, several files alike
    with pytest.warns(RuntimeWarning) as record:
        assert main(["channels", str(bare), str(fif), "--nearest", "GSN-HydroCel-129"]) == 0
    assert any("untrained" in str(w.message) for w in record)
    out = capsys.readouterr().out
    assert out.count("nearest 10-10 sites to GSN-HydroCel-129 (≤ 20 mm)") == 1
    assert main(["channels", str(bare), "--nearest"]) == 1
    err = capsys.readouterr().err
    assert "0 of its 129 EEG channels have a position" in err
    assert "command line: --nearest GSN-HydroCel-129" in err
    assert main(["channels", str(bare), str(fif), "--nearest"]) == 1
    assert "these 2 files' positions may differ" in capsys.readouterr().err
    assert main(["channels", str(fif), "--write-rename", str(tmp_path / "x.tsv")]) == 1
    assert "add --nearest" in capsys.readouterr().err
    assert main(["channels", str(fif), "--nearest", "--rename", "E1=Fp1"]) == 1
    assert "it takes no --rename: to change the table, write it" in capsys.readouterr().err
    with pytest.warns(RuntimeWarning, match="untrained"):
        assert main(["channels", str(fif), "--nearest", "--drop", "E36"]) == 0
    assert "E36    ->" not in capsys.readouterr().out  # --drop wins over the table

    npz = tmp_path / "egi.npz"
    with pytest.warns(RuntimeWarning, match="untrained"):
        args = ["embed", str(bare), "--weights", str(weights), "-q", "--rename", str(table)]
        assert main([*args, "-o", str(npz)]) == 0
    channels = load_embeddings(npz).metadata["channels"]
    named = dict(zip(channels["input_names"], channels["names"], strict=True))
    assert len(named) == 58 and (named["E36"], named["Cz"]) == ("C3", "CZ")


def test_cli_nearest_with_a_montage_shows_the_rows_of_the_recordings_channels(tmp_path, capsys):
    """`eegpt channels muse.fif --nearest standard_1005` prints the montage table's rows of the
    recording's 4 channels, not all of the montage's 343 electrodes."""
    info = mne.create_info(["TP9", "AF7", "AF8", "TP10"], 256.0, "eeg")
    data = np.random.default_rng(3).normal(0, 2e-5, (4, 256 * 5))
    muse = tmp_path / "muse_raw.fif"
    mne.io.RawArray(data, info, verbose=False).save(muse)
    with pytest.warns(RuntimeWarning, match="trained embedding"):
        assert main(["channels", str(muse), "--nearest", "standard_1005"]) == 0
    out = capsys.readouterr().out
    assert "standard_1005's table names 62 of its 343 electrodes; the rows of the 4 channels" in out
    assert "2 of 4 electrodes named" in out and "AF7 -> AF7" in out
    assert "no site within reach (left out): ['TP9', 'TP10']" in out
    assert "Fpz" not in out.split("vocabulary sites without")[0]  # no other montage rows


def test_cli_nearest_montage_matches_labels_with_a_prefix_or_reference(tmp_path, capsys):
    """`--nearest standard_1005` for a file labelled as Emotiv (``EEG.AF3``) and TUH
    (``EEG FP1-REF``) label channels: the montage's rows match them by their electrode, so the
    table is shown for them and a table written from it renames them, instead of "none of the
    343 labels of the rename table names a channel"."""
    from eegpt.channels import map_channels
    from eegpt.rename_tables import read_rename_table

    names = ["EEG.AF3", "EEG.F7", "EEG FP1-REF", "EEG.O1"]
    info = mne.create_info(names, 256.0, "eeg")
    data = np.random.default_rng(3).normal(0, 2e-5, (4, 256 * 5))
    fif = tmp_path / "emotiv_raw.fif"
    mne.io.RawArray(data, info, verbose=False).save(fif)
    table = tmp_path / "nearest.tsv"
    args = ["channels", str(fif), "--nearest", "standard_1005", "--write-rename", str(table)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "standard_1005's table names 62 of its 343 electrodes; the rows of the 4 channels" in out
    assert re.search(r"EEG\.AF3 +-> AF3 ", out) and re.search(r"EEG FP1-REF -> Fp1 ", out)
    assert main(["channels", str(fif), "--rename", str(table)]) == 0
    mapping = map_channels(names, rename=read_rename_table(table))
    assert mapping.names == ("AF3", "F7", "FP1", "O1")


def test_cli_nearest_refuses_the_table_of_another_net(tmp_path, capsys):
    """`--nearest GSN-HydroCel-65_1.0` for a file labelled E2..E120 (a 129 net's): refused
    before the table is written."""
    info = mne.create_info([f"E{i}" for i in range(2, 121)], 256.0, "eeg")
    fif = tmp_path / "egisub_raw.fif"
    mne.io.RawArray(np.zeros((len(info.ch_names), 256)), info, verbose=False).save(fif)
    table = tmp_path / "egi65.tsv"
    args = ["channels", str(fif), "--nearest", "GSN-HydroCel-65_1.0", "--write-rename"]
    assert main([*args, str(table)]) == 1
    err = capsys.readouterr().err
    assert "lists every electrode of its net, but not ['E66', 'E67'" in err
    assert "(--nearest GSN-HydroCel-129;" in err and not table.exists()


def _sfp_text(montage: mne.channels.DigMontage) -> str:
    """``montage`` as an EGI/BESA ``.sfp`` file: ``label x y z`` lines in cm, its nasion and
    ear points first as EGI's files name them (FidNz, FidT9, FidT10)."""
    pos = montage.get_positions()
    points = {"FidNz": pos["nasion"], "FidT9": pos["lpa"], "FidT10": pos["rpa"], **pos["ch_pos"]}
    return "".join(f"{n}\t{x * 100:.4f}\t{y * 100:.4f}\t{z * 100:.4f}\n"
                   for n, (x, y, z) in points.items())  # fmt: skip


def test_cli_nearest_takes_a_montage_file(tmp_path, capsys):
    """`--nearest net-dig.fif` (a digitisation MNE saved) or `--nearest net.sfp` (EGI's
    positions file) gives the table the montage's name gives; a file that is no montage, or
    none at all, is refused with what to give instead."""
    montage = mne.channels.make_standard_montage("GSN-HydroCel-129")
    info = mne.create_info(montage.ch_names, 256.0, "eeg")
    fif = tmp_path / "bare_raw.fif"
    mne.io.RawArray(np.zeros((len(info.ch_names), 256)), info, verbose=False).save(fif)
    dig, sfp = tmp_path / "net-dig.fif", tmp_path / "net.sfp"
    montage.save(dig, verbose=False)
    sfp.write_text(_sfp_text(montage), encoding="utf-8")
    tables = {}
    for given in ("GSN-HydroCel-129", str(dig), str(sfp)):
        table = tmp_path / f"{Path(given).name}.tsv"
        with pytest.warns(RuntimeWarning, match="untrained"):
            args = ["channels", str(fif), "--nearest", given, "--write-rename", str(table)]
            assert main(args) == 0
        assert f"nearest 10-10 sites to {given} (≤ 20 mm): 58 of 129" in capsys.readouterr().out
        tables[given] = [line.split("#")[0] for line in table.read_text().splitlines()[1:]]
    assert tables[str(dig)] == tables["GSN-HydroCel-129"] == tables[str(sfp)]
    (tmp_path / "broken.elc").write_text("no positions here\n", encoding="utf-8")
    for given, said in [
        (str(tmp_path / "broken.elc"), "broken.elc is no montage file MNE reads"),
        (str(fif), "bare_raw.fif is no montage file MNE reads"),
        (str(tmp_path / "none.sfp"), "no montage file"),
    ]:
        assert main(["channels", str(fif), "--nearest", given]) == 1
        assert said in capsys.readouterr().err


def test_cli_nearest_drop_leaves_the_electrode_out_of_the_table(tmp_path, capsys):
    """--drop with --nearest --write-rename: the dropped electrode has no site in the written
    table, and its site goes to another electrode."""
    montage = mne.channels.make_standard_montage("GSN-HydroCel-129")
    info = mne.create_info(montage.ch_names, 256.0, "eeg")
    fif = tmp_path / "egi_raw.fif"
    raw = mne.io.RawArray(np.zeros((len(info.ch_names), 256)), info, verbose=False)
    raw.set_montage(montage).save(fif)
    table = tmp_path / "egi.tsv"
    args = ["channels", str(fif), "--nearest", "--drop", "E36", "--write-rename", str(table)]
    with pytest.warns(RuntimeWarning, match="untrained"):
        assert main(args) == 0
    assert "E36  -> C3" not in capsys.readouterr().out
    from eegpt.channels import read_rename_table

    written = read_rename_table(table)
    assert written["E36"] is None and "C3" in written.values()


def test_cli_biosemi_socket_labels_through_a_cap(weights, tmp_path, capsys):
    """A BDF labelled by BioSemi sockets (A1..B32, EXG1..8, Status), DC-coupled (offsets of
    tens of mV), is named by --rename biosemi64 (single sockets can still be dropped or
    renamed); the offsets are warned about, and --detrend linear takes them out."""
    sockets = [f"{bank}{i}" for bank in "AB" for i in range(1, 33)]
    names = [*sockets, *(f"EXG{i}" for i in range(1, 9)), "Status"]
    info = mne.create_info(names, 512.0, ["eeg"] * 72 + ["stim"])
    rng = np.random.default_rng(5)
    data = rng.normal(0, 2e-5, (73, 512 * 9)) + rng.uniform(-0.03, 0.03, (73, 1))
    data[-1] = 0
    bdf = tmp_path / "sub-01_task-rest.bdf"
    mne.export.export_raw(bdf, mne.io.RawArray(data, info, verbose=False), verbose=False)

    assert main(["channels", str(bdf)]) == 1
    assert "look like BioSemi socket labels" in capsys.readouterr().err
    assert main(["channels", str(bdf), "--rename", "biosemi64", "--drop", "A2"]) == 0
    out = capsys.readouterr().out
    assert "A1     ->  FP1 (0)" in out and "B32    ->  O2 (61)" in out and "AF7" not in out

    args = ["embed", str(bdf), "--weights", str(weights), "-q", "--rename", "BIOSEMI64",
            "--rename", "B16=C4", "--rename", "B18=Cz", "--drop", "B23"]  # fmt: skip
    with pytest.warns(RuntimeWarning) as record:
        assert main([*args, "-o", str(tmp_path / "dc.npz")]) == 0
    offsets = next(str(w.message) for w in record if "offset check: 59 channels" in str(w.message))
    # probe predict cannot take --detrend: the probe's own detrend, set when it is trained
    assert "a trained probe predicts and evaluates with the detrend it was trained" in offsets
    npz = tmp_path / "e.npz"
    with pytest.warns(RuntimeWarning, match="EXG1") as record:
        assert main([*args, "-o", str(npz), "--detrend", "linear"]) == 0
    assert not any("offset check" in str(w.message) for w in record)
    emb = load_embeddings(npz)
    assert emb.metadata["preprocessing"]["detrend"] == "linear"
    channels = emb.metadata["channels"]
    assert len(channels["names"]) == 59 and "B23" in channels["dropped"]
    named = dict(zip(channels["input_names"], channels["names"], strict=True))
    assert (named["A1"], named["B16"], named["B18"], named["B32"]) == ("FP1", "C4", "CZ", "O2")

    from eegpt.cli_options import parse_rename

    with pytest.raises(ValueError, match="more than one cap"):
        parse_rename(["biosemi32", "biosemi64"])
    with pytest.raises(ValueError, match="is no built-in table .* and no IN=VOCAB pair"):
        parse_rename(["biosemi"])


def test_epochs_files_and_unloaded_raw(weights, tmp_path, capsys):
    """A *-epo.fif path is read as epochs (embed, the CLI, `eegpt channels`); an mne.io.Raw
    opened with preload=False is streamed like its file, never loaded whole."""
    model = load_model(weights)
    raw, _ = synthetic_raw(minutes=0.5, seed=2)
    events = mne.make_fixed_length_events(raw, duration=5.0)
    epochs = mne.Epochs(raw, events, {"rest": 1}, tmin=0, tmax=4 - 1 / 250, baseline=None,
                        preload=True, verbose=False)  # fmt: skip
    path = tmp_path / "sub-01-epo.fif"
    epochs.save(path, verbose=False)
    direct = model.embed(epochs, device="cpu")
    from_path = model.embed(path, device="cpu")
    np.testing.assert_allclose(from_path.data, direct.data, rtol=1e-5, atol=1e-5)  # float32 FIF
    assert from_path.metadata["labels"] == ["rest"] * len(epochs)
    assert from_path.metadata["source"] == str(path)
    plain = tmp_path / "epochs.fif"  # epochs in a file not named *-epo.fif
    epochs.save(plain, verbose=False, overwrite=True)
    np.testing.assert_array_equal(model.embed(plain, device="cpu").data, from_path.data)
    out = tmp_path / "ep.npz"
    assert main(["embed", str(path), "--weights", str(weights), "-o", str(out), "-q",
                 "--device", "cpu"]) == 0  # fmt: skip
    np.testing.assert_array_equal(load_embeddings(out).data, from_path.data)
    assert main(["channels", str(path)]) == 0
    assert "EEG T3-REF   ->  T7 (25)" in capsys.readouterr().out

    fif = tmp_path / "sub-01_raw.fif"
    raw.save(fif, verbose=False)
    lazy = mne.io.read_raw_fif(fif, preload=False, verbose=False)
    streamed = model.embed(lazy, device="cpu")
    assert not lazy.preload  # read block by block, not loaded
    np.testing.assert_allclose(streamed.data, model.embed(fif, device="cpu").data, rtol=0, atol=0)
    loaded = model.embed(mne.io.read_raw_fif(fif, preload=True, verbose=False), device="cpu")
    np.testing.assert_allclose(streamed.data, loaded.data, rtol=1e-5, atol=1e-6)
    assert streamed.metadata["source"] == str(fif)


def test_demo_output_that_exists_needs_overwrite(tmp_path):
    from eegpt.demo import synthetic_raw, write_edf
    from eegpt.errors import OutputExistsError

    raw, _ = synthetic_raw(minutes=0.1, seed=0)
    path = write_edf(raw, tmp_path / "x.edf")
    with pytest.raises(
        OutputExistsError, match=r"x.edf exists; pass overwrite=True \(--overwrite\)"
    ):
        write_edf(raw, path)
    assert write_edf(raw, path, overwrite=True) == path


def test_import_is_light_and_submodules_are_attributes():
    """``import eegpt`` loads no torch (fast CLI start); public names and submodules load on
    first use, so ``eegpt.probe.train_probe`` works after a bare ``import eegpt``."""
    import subprocess
    import sys

    code = (
        "import sys, eegpt; assert 'torch' not in sys.modules, 'torch imported'; "
        "assert callable(eegpt.probe.train_probe) and callable(eegpt.checkpoints.save_checkpoint); "
        "assert eegpt.load_model is eegpt.checkpoints.load_model; "
        "assert 'probe' in dir(eegpt)\n"
        "try:\n    eegpt.nothing\nexcept AttributeError as e:\n    print(e)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "has no attribute 'nothing'" in done.stdout


def test_help_of_the_package_imports_no_submodule_it_does_not_show():
    """help(eegpt), pydoc and inspect.getmembers get every name dir(eegpt) lists: it listed
    each submodule, so they imported all of them and, without an extra, stopped at the first
    that needs it ("eegpt.probe_events needs pandas") with no documentation. Without the
    extras they now show the docstring and the public names; using a submodule that needs a
    missing extra still says what to install."""
    import subprocess
    import sys

    code = (
        "import sys, inspect, pydoc\n"
        "for name in ('sklearn', 'pandas', 'pyarrow', 'pyarrow.parquet'):\n"
        "    sys.modules[name] = None\n"
        "import eegpt\n"
        "names = dict(inspect.getmembers(eegpt))\n"
        "assert 'load_model' in names and 'Embeddings' in names, sorted(names)\n"
        "text = pydoc.plain(pydoc.render_doc(eegpt))\n"
        "assert 'exact, fast EEGPT inference' in text and 'load_model(' in text\n"
        "assert 'sklearn' in text.split('PACKAGE CONTENTS')[1]  # listed, not imported\n"
        "loaded = {m for m in sys.modules if m.startswith('eegpt.')}\n"
        "assert not loaded & {'eegpt.sklearn', 'eegpt.probe_events', 'eegpt.cli'}, loaded\n"
        "for use in ('eegpt.sklearn.EEGPTEmbedder', 'from eegpt import sklearn'):\n"
        "    try:\n"
        "        exec(use)\n"
        "    except eegpt.errors.MissingDependencyError as e:\n"
        "        print(e)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("eegpt.sklearn needs scikit-learn: pip install scikit-learn") == 2


def test_picks_of_every_accepted_kind_are_recorded_and_saved(weights, edf, tmp_path):
    """picks=None (all channels), indices as a NumPy array and channel names are recorded as
    JSON holds them, and the output saves; arrays, where picks do nothing, record none."""
    model = load_model(weights)
    raw = mne.io.read_raw_edf(edf, preload=True, verbose="error")
    for i, (picks, recorded) in enumerate(
        (
            (None, ["all"]),
            (np.arange(4), [0, 1, 2, 3]),
            (raw.ch_names[:3], raw.ch_names[:3]),
        )
    ):
        emb = model.embed(raw, picks=picks, device="cpu", verbose=False)
        assert emb.metadata["picks"] == recorded
        emb.save(tmp_path / f"{i}.npz")
        assert load_embeddings(tmp_path / f"{i}.npz").metadata["picks"] == recorded
    data = raw.get_data()
    emb = model.embed(data, ch_names=raw.ch_names, sfreq=raw.info["sfreq"], device="cpu")
    assert "picks" not in emb.metadata


def test_every_public_module_is_a_submodule_attribute():
    """Each module of the package without a leading underscore is reachable as an attribute
    after a bare ``import eegpt`` (a new module added to the package is not forgotten)."""
    from pathlib import Path

    import eegpt

    modules = {p.stem for p in Path(eegpt.__file__).parent.glob("*.py")}
    public = {m for m in modules if not m.startswith("_")}
    assert public <= eegpt._SUBMODULES, sorted(public - eegpt._SUBMODULES)


def test_python_dash_m_runs_the_command_and_output_name_clashes_say_what_to_do(
    weights, edf, tmp_path, capsys
):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "eegpt", "--version"], capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0 and done.stdout.startswith("eegpt ")
    (tmp_path / "a").mkdir()
    twin = tmp_path / "a" / edf.name
    twin.write_bytes(edf.read_bytes())
    args = ["embed", str(edf), str(twin), "--weights", str(weights), "-o", str(tmp_path / "o")]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "would both be written to" in err and "separate runs" in err and "embed-dataset" in err


def _raw_and_epochs_files(stem, names, sfreq, types="eeg", bads=()):
    """10 s of noise on ``names`` saved as ``<stem>_raw.fif`` and as 2 s epochs in
    ``<stem>-epo.fif``: ``(raw, raw file, epochs file)``."""
    info = mne.create_info(names, sfreq, types)
    info["bads"] = list(bads)
    x = np.random.default_rng(0).normal(0, 2e-5, (len(names), int(10 * sfreq)))
    raw = mne.io.RawArray(x, info, verbose=False)
    fif, epo = stem.with_name(f"{stem.name}_raw.fif"), stem.with_name(f"{stem.name}-epo.fif")
    raw.save(fif, verbose=False)
    mne.make_fixed_length_epochs(raw, duration=2.0, verbose=False).save(epo, verbose=False)
    return raw, fif, epo


def test_cli_channels_lists_a_file_whose_eeg_channels_are_all_bad(tmp_path, capsys):
    """Every EEG channel marked bad: `eegpt channels` still shows (and draws) their mapping,
    then fails with the reason, for continuous files and files of epochs alike."""
    types = ["eeg", "eeg", "eeg", "eog"]
    _, fif, epo = _raw_and_epochs_files(
        tmp_path / "allbad", ["Fz", "Cz", "Pz", "HEOG"], 250.0, types, bads=["Fz", "Cz", "Pz"]
    )
    drawn = tmp_path / "allbad.png"
    assert main(["channels", str(fif), "--plot", str(drawn)]) == 1
    captured = capsys.readouterr()
    assert (
        "3 channels typed EEG (3 marked bad) at 250 Hz, 10.0 s" in captured.out
        and "Cz" in captured.out
    )
    assert "not EEG by type or marked bad, not used: HEOG (eog)" in captured.out
    assert "all 3 channel(s) of the type picked ('eeg') are marked bad" in captured.err
    assert drawn.read_bytes()[:4] == b"\x89PNG"
    assert main(["channels", str(epo), str(fif)]) == 1
    captured = capsys.readouterr()
    assert "5 epochs of 2 s" in captured.out and captured.err.count("are marked bad") == 2


def test_cli_channels_shows_a_file_whose_channels_name_one_electrode_twice(tmp_path, capsys):
    """Two channels for one electrode ('Fp1' and 'FP1'): `eegpt channels` is where one looks
    to decide which to keep, so it shows the mapping the error's advice gives (the later ones
    dropped), then fails with the error; an epochs file and other files are still listed."""
    names = ["Fp1", "FP1", "EEG Cz-REF", "Cz", "O2"]
    raw, twice, epo = _raw_and_epochs_files(tmp_path / "twice", names, 256.0)
    fine = tmp_path / "fine_raw.fif"
    raw.copy().drop_channels(["FP1", "Cz"]).save(fine)
    assert main(["channels", str(twice), str(epo), str(fine)]) == 3  # one listed, two failed
    captured = capsys.readouterr()
    assert captured.out.count("Fp1         ->  FP1 (0)") == 2  # the epochs: "as for" the raw
    assert captured.out.count("EEG Cz-REF  ->  CZ (29)") == 2
    assert captured.out.count("dropped: FP1, Cz\n  (shown with FP1, Cz dropped, as the error") == 1
    assert f"  channels as for {twice} (3 channel(s) kept, 2 dropped)\n  (shown with" in (
        captured.out
    )
    assert captured.err.count("['Fp1', 'FP1'] -> FP1; ['EEG Cz-REF', 'Cz'] -> CZ") == 2
    assert captured.err.count("--drop FP1 --drop Cz") == 2
    assert main(["channels", str(twice), "--drop", "FP1", "--drop", "Cz"]) == 0
    # a rename onto a site the file has: shown, and advised, without the renamed channel
    _, cap, _ = _raw_and_epochs_files(tmp_path / "cap", ["Fp1", "TP9", "TP7", "Cz"], 256.0)
    capsys.readouterr()
    assert main(["channels", str(cap), "--rename", "TP9=TP7"]) == 1
    captured = capsys.readouterr()
    assert (
        "  TP7    ->  TP7 (34)\n  Cz     ->  CZ (29)\n  dropped: TP9\n  (shown with TP9"
        in captured.out
    )
    assert "(shown with TP9 dropped, as the error below advises)" in captured.out
    assert "maps 'TP9' to 'TP7', a site the recording already has: channel 'TP7'" in captured.err
    assert "--drop TP9" in captured.err and "--drop TP7" not in captured.err


def test_cli_channels_says_the_channels_of_an_electrode_twice_are_left_out_as_duplicates(
    tmp_path,
):
    """The mapping `eegpt channels` shows for a file that names an electrode twice leaves the
    later channels out, as the error's advice says: the count of the channels used says so,
    not that a rename (there was none) left them out; a rename's own drops are counted apart."""
    names = ["Fp1", "EEG Cz-REF", "Cz", "FP1", "Pz", "EKG", "EMG", "X1", "X2", "X3"]
    _, fif, _ = _raw_and_epochs_files(tmp_path / "twice", names, 256.0)

    def said(*args: str) -> str:
        with pytest.warns(RuntimeWarning) as caught:
            assert main(["channels", str(fif), *args]) == 1  # the duplicates' error
        (text,) = [str(w.message) for w in caught if "channels are used" in str(w.message)]
        return text

    text = said()
    assert (
        "Only 3 of the 10 channels are used: 2 left out as duplicates of electrodes used "
        "(Cz, FP1), 5 with names outside the vocabulary." in text
    ), text
    assert "left out by the rename" not in text
    assert (
        "Only 2 of the 10 channels are used: 2 left out as duplicates of electrodes used "
        "(Cz, FP1), 1 left out by the rename, 5 with names outside the vocabulary."
    ) in said("--drop", "Pz")


def test_cli_channels_says_a_recording_is_shorter_than_one_window(tmp_path, capsys):
    info = mne.create_info(["Fz", "Cz", "Pz"], 250.0, "eeg")
    short = tmp_path / "short_raw.fif"
    mne.io.RawArray(np.random.default_rng(0).normal(0, 2e-5, (3, 500)), info, verbose=False).save(
        short
    )
    assert main(["channels", str(short)]) == 0
    out = capsys.readouterr().out
    assert "at 250 Hz, 2 s, shorter than one 4 s window (`eegpt embed` needs --tail pad" in out


def test_embed_names_the_keyword_meant():
    """A command-line option's name or a typo as a keyword of model.embed names the keyword
    it takes; array input without sfreq says how to give it."""
    from eegpt.config import EEGPTConfig
    from eegpt.errors import RecordingError
    from eegpt.model import EEGPT

    model = EEGPT(EEGPTConfig(embed_dim=16, depth=1, num_heads=2, embed_num=2))
    x, names = np.zeros((3, 2048)), ["Cz", "Pz", "Fz"]
    with pytest.raises(TypeError, match=r"\['window'\] \(did you mean: 'window' -> window_s"):
        model.embed(x, ch_names=names, sfreq=256, window=4)
    with pytest.raises(TypeError, match=r"'batch' -> batch_size=\.\.\.\?\); it takes ch_names"):
        model.embed(x, ch_names=names, sfreq=256, batch=4)
    with pytest.raises(TypeError, match=r"'rescale' -> preprocessing=PreprocessingConfig"):
        model.embed(x, ch_names=names, sfreq=256, rescale=1e-6)
    # a preprocessing setting embed takes inside preprocessing= only: not 'resample' alike
    with pytest.raises(TypeError) as err:
        model.embed(x, ch_names=names, sfreq=256, scale=1e-3)
    assert "'scale' -> preprocessing=eegpt.preprocessing.PreprocessingConfig(scale=...)?" in str(
        err.value
    )
    assert "resample=" not in str(err.value).split("; it takes")[0]
    # command-line options with no keyword of that name: not the look-alike precision=
    with pytest.raises(TypeError, match=r"'stream_precision' -> engine=eegpt.InferenceEngine\("):
        model.embed(x, ch_names=names, sfreq=256, stream_precision="float16")
    with pytest.raises(TypeError, match=r"'start' -> preprocessing=PreprocessingConfig\(start_s"):
        model.embed(x, ch_names=names, sfreq=256, start=4)
    with pytest.raises(RecordingError, match=r"needs sfreq: .*embed\(x, ch_names=\["):
        model.embed(x, ch_names=names, units="uV")


def test_electrodes_typed_misc_are_read_with_picks(weights, tmp_path, capsys):
    """A file that types some electrodes 'misc' (MNE does so for BrainVision channels in units
    it does not know): the warning's advice, picks=['eeg', 'misc'] / --picks eeg --picks misc,
    works in Python, on the command line, for `eegpt channels` and for corpus runs."""
    from eegpt.dataset import embed_dataset

    names = ["Fp1", "Fp2", "C3", "C4", "O1", "O2"]
    info = mne.create_info(names, 256.0, ["eeg"] * 4 + ["misc"] * 2)
    data = np.random.default_rng(2).normal(0, 2e-5, (6, 256 * 8))
    fif = tmp_path / "typed_raw.fif"
    mne.io.RawArray(data, info, verbose=False).save(fif)
    model = load_model(weights, verbose=False)
    with pytest.warns(RuntimeWarning, match=r"O1 \(misc\), O2 \(misc\) have EEG electrode names"):
        four = model.embed(fif, device="cpu")
    assert four.metadata["channels"]["input_names"] == names[:4]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        six = model.embed(fif, picks=["eeg", "misc"], device="cpu")
        whole = model.embed(fif, picks=["eeg", "misc"], device="cpu", stream=False)
    assert six.metadata["channels"]["input_names"] == names
    np.testing.assert_array_equal(six.data, whole.data)
    same = model.embed(data, ch_names=names, sfreq=256.0, device="cpu")
    np.testing.assert_allclose(six.data, same.data, rtol=1e-5, atol=1e-6)

    out = tmp_path / "six.npz"
    args = ["embed", str(fif), "--weights", str(weights), "-o", str(out), "-q"]
    assert main([*args, "--picks", "eeg", "--picks", "misc", "--device", "cpu"]) == 0
    np.testing.assert_array_equal(load_embeddings(out).data, six.data)
    assert main(["channels", str(fif), "--picks", "eeg", "--picks", "misc"]) == 0
    printed = capsys.readouterr().out
    assert "6 channels typed EEG or misc at 256 Hz" in printed and "O2     ->  O2 (61)" in printed

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "typed_raw.fif").write_bytes(fif.read_bytes())
    summary = embed_dataset(corpus, tmp_path / "emb", model=model, picks=["eeg", "misc"],
                            device="cpu", workers=0, progress=False)  # fmt: skip
    assert summary.n_ok == 1
    table = pd.read_parquet(tmp_path / "emb")
    assert list(table["input_channels"][0]) == names


def test_progress_bars_redraw_often_in_a_notebook_and_rarely_in_logs(monkeypatch):
    """A log file gets a progress line every 30 s; a Jupyter kernel, whose stderr is no
    terminal either, draws tqdm's widget at its usual rate (it looked frozen for 30 s)."""
    import io
    import sys
    import types

    from eegpt._logging import progress_interval

    log = io.StringIO()
    monkeypatch.setattr(sys, "stderr", log)
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    assert progress_interval() == 30.0
    # in a log, each redraw is a line of its own (tqdm's carriage returns piled them on one)
    from tqdm import tqdm

    from eegpt._logging import progress_options

    with tqdm(total=3, desc="files", **{**progress_options(), "mininterval": 0}) as bar:
        for _ in range(3):
            bar.update()
    lines = log.getvalue().splitlines()
    assert "\r" not in log.getvalue() and len(lines) >= 2 and lines[-1].startswith("files: 100%")
    shell = types.SimpleNamespace(config={"IPKernelApp": {"connection_file": "k.json"}})
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    assert progress_interval() == 0.1
    terminal = types.SimpleNamespace(config={"TerminalInteractiveShell": {}})  # plain IPython
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: terminal))
    assert progress_interval() == 30.0


def _progress_log(monkeypatch, total: int, seconds: int) -> list[str]:
    """The lines a bar of ``total`` steps, one step a second for ``seconds`` s, writes where
    stderr is a log, on a clock made here (tqdm's and the log writer's both), with the redraws
    of tqdm's monitor thread made where it would make them (``tqdm/_monitor.py``: a bar with
    ``miniters > 1`` not drawn for ``maxinterval`` s gets ``miniters = 1`` and a redraw)."""
    import io

    import tqdm.std as tqdm_std
    from tqdm import tqdm

    from eegpt._logging import progress_options

    clock = [time.time()]  # now: a monitor thread of an earlier test sees the bar just drawn
    monkeypatch.setattr(tqdm_std, "time", lambda: clock[0])  # what tqdm's bars read
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])  # what the log writer reads
    monkeypatch.setattr(tqdm, "monitor_interval", 0)  # no thread of its own: made below
    monkeypatch.delenv("TQDM_MININTERVAL", raising=False)
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    log = io.StringIO()
    monkeypatch.setattr(sys, "stderr", log)
    bar = tqdm(total=total, desc="rec", unit="win", **progress_options())
    for _ in range(seconds):
        clock[0] += 1.0
        bar.update(1)
        if bar.miniters > 1 and clock[0] - bar.last_print_t >= bar.maxinterval:
            bar.miniters = 1  # as tqdm's monitor thread does
            bar.refresh(nolock=True)
    bar.close()
    return log.getvalue().splitlines()


def test_a_log_gets_a_progress_line_every_30_s_and_one_at_the_end(monkeypatch):
    """Where stderr is a log, a bar writes a line at its start, one every 30 s and one at its
    end: tqdm's monitor thread redraws it 10 s after a line (it came every 10 to 20 s)."""
    lines = _progress_log(monkeypatch, total=100, seconds=100)
    elapsed = [re.search(r"\[(\d\d:\d\d)", line).group(1) for line in lines]
    assert elapsed == ["00:00", "00:30", "01:00", "01:30", "01:40"], lines
    assert lines[-1].startswith("rec: 100%|") and "100/100" in lines[-1]


def test_a_log_gets_one_final_progress_line(monkeypatch):
    """A bar whose last update is drawn (30 s after the line before) ends with that line, not
    with a second 100% line that its close() draws."""
    lines = _progress_log(monkeypatch, total=30, seconds=30)
    assert [line.split(" [")[0].split("| ")[-1] for line in lines] == ["0/30", "30/30"], lines


def test_methods_show_the_keywords_of_the_functions_they_are():
    """model.embed, emb.plot and friends are the functions of eegpt.api and eegpt.viz bound
    to the object: help() and IPython show their keywords, not **kwargs."""
    import inspect

    from eegpt.channels import map_channels
    from eegpt.viz import plot_channel_mapping

    model = EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2))
    params = inspect.signature(model.embed).parameters
    assert list(params)[:2] == ["data", "ch_names"] and "window_seconds" in params
    assert model.embed.__doc__ == embed.__doc__
    emb = Embeddings(np.zeros((3, 2, 4, 8), np.float32), np.arange(3.0), {})
    assert "spans" in inspect.signature(emb.plot).parameters
    assert emb.plot_channels.__func__ is plot_channel_mapping
    assert "bads" in inspect.signature(map_channels(["Cz"]).plot).parameters
    with pytest.raises(TypeError, match=r"'window' -> window_seconds="):
        model.embed(np.zeros((1, 512)), ch_names=["Cz"], sfreq=256.0, window=2)


def test_rename_keys_naming_channels_left_out_are_no_misspellings(model, weights, tmp_path, capsys):
    """Keys of rename/--rename/--drop (or a cap's socket table) that name a channel marked bad
    or of another type are skipped, not reported as misspelt (a BioSemi recording with one bad
    electrode and rename="biosemi64" is the usual case); renaming a channel of another type to
    an electrode says how to use it; the bads left out are in the provenance."""
    from eegpt.dataset import read_embeddings
    from eegpt.errors import RecordingError

    info = mne.create_info(["Fz", "Cz", "Pz", "HEOG", "X1"], 256.0, ["eeg"] * 3 + ["eog", "eeg"])
    info["bads"] = ["X1"]
    raw = mne.io.RawArray(np.random.default_rng(0).normal(0, 2e-5, (5, 2560)), info, verbose=False)
    with pytest.warns(RuntimeWarning, match="marked bad were left out"):
        out = embed(model, raw, rename={"X1": "Oz", "HEOG": None, "Pz": "Oz"})
    assert out.metadata["bads"] == ["X1"]
    assert out.metadata["left_out"] == {"HEOG": "eog", "X1": "bad"}
    assert out.metadata["channels"]["input_names"] == ["Fz", "Cz", "Pz"]
    with pytest.raises(RecordingError, match=r"HEOG \(eog\) named in rename .*set_channel_types"):
        embed(model, raw, rename={"HEOG": "Oz"})
    with pytest.raises(RecordingError, match=r"\['Pz'\] named in rename .* not among the channels "
                       r"picked"):  # fmt: skip
        embed(model, raw, picks=["Fz", "Cz"], rename={"Pz": "Oz"})

    # a BioSemi cap with one bad socket
    sockets = [f"A{i}" for i in range(1, 33)] + [f"B{i}" for i in range(1, 33)]
    cap_info = mne.create_info(sockets, 256.0, "eeg")
    cap_info["bads"] = ["A10"]
    cap = mne.io.RawArray(np.random.default_rng(1).normal(0, 2e-5, (64, 1024)), cap_info,
                          verbose=False)  # fmt: skip
    with pytest.warns(RuntimeWarning, match="marked bad were left out: \\['A10'\\]"):
        emb = embed(model, cap, rename="biosemi64")
    assert "A10" not in emb.metadata["channels"]["input_names"]
    assert len(emb.metadata["channels"]["input_names"]) > 55

    fif = tmp_path / "bad_raw.fif"
    raw.save(fif)
    npz = tmp_path / "bad.npz"
    common = ["embed", str(fif), "--weights", str(weights), "-o", str(npz), "--overwrite"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main([*common, "--drop", "X1", "--drop", "HEOG", "--quiet"]) == 0
    assert not [w for w in caught if "matched no channel" in str(w.message)]
    assert load_embeddings(npz).metadata["bads"] == ["X1"]  # streamed: the same record
    with pytest.warns(RuntimeWarning, match="marked bad were left out"):
        assert main([*common, "--rename", "X1=Oz", "--quiet"]) == 0
    capsys.readouterr()
    # an .npz of eegpt embed: read_embeddings reads it as one table, as load_embeddings does
    table, z = read_embeddings(npz)
    np.testing.assert_array_equal(z, load_embeddings(npz).data)
    assert set(table["recording_id"]) == {str(npz)}
    with pytest.raises(FileNotFoundError, match="no folder"):
        read_embeddings(tmp_path / "nothing")


def test_cli_embed_skip_existing_finishes_an_interrupted_run(weights, edf, tmp_path, capsys):
    """--skip-existing embeds only the recordings without an output file; the others keep
    theirs untouched; a run with every output present does nothing."""
    import shutil

    copies = []
    for name in ("a", "b", "c"):
        copies.append(tmp_path / f"{name}.edf")
        shutil.copy(edf, copies[-1])
    out = tmp_path / "out"
    args = ["embed", *map(str, copies), "--weights", str(weights), "-o", f"{out}/", "-q"]
    assert main(args[:2] + args[4:]) == 0  # the first recording only (an interrupted run)
    first = (out / "a.npz").stat().st_mtime_ns
    assert main(args) == 1
    assert "--skip-existing to embed only the others" in capsys.readouterr().err
    assert main([*args[:-1], "--skip-existing"]) == 0
    printed = capsys.readouterr().out
    assert "1 of 3 recordings already have their output file; embedding the other 2" in printed
    assert sorted(p.name for p in out.iterdir()) == ["a.npz", "b.npz", "c.npz"]
    assert (out / "a.npz").stat().st_mtime_ns == first
    np.testing.assert_array_equal(load_embeddings(out / "a.npz").data,
                                  load_embeddings(out / "c.npz").data)  # fmt: skip
    assert main([*args, "--skip-existing"]) == 0
    assert "all 3 outputs exist; nothing to do" in capsys.readouterr().out
    assert main([*args, "--skip-existing", "--overwrite"]) == 1
    assert "--skip-existing or --overwrite, not both" in capsys.readouterr().err


def test_cli_embed_of_many_files_says_a_repeated_warning_and_channel_table_once(
    weights, edf, tmp_path, capsys, recwarn
):
    """`eegpt embed` of a folder of same-montage files: the dropped-channels warning and the
    channel table are shown for the first file; the later ones get one line each in the log and
    one warning at the end naming them. A file whose channels differ is still warned about."""
    copies = []
    for k in range(3):
        copies.append(tmp_path / f"night{k}.edf")
        copies[-1].write_bytes(edf.read_bytes())
    raw, _ = synthetic_raw(minutes=0.5, seed=4)
    other = write_edf(raw.drop_channels(["EEG EKG1-REF"]), tmp_path / "other.edf")
    files = [str(copies[0]), str(copies[1]), str(other), str(copies[2])]
    code = main(["embed", *files, "--weights", str(weights), "-o", str(tmp_path / "out")])
    assert code == 0
    err = capsys.readouterr().err
    warned = [str(w.message) for w in recwarn]
    (summary,) = [line for line in warned if "holds for" in line]
    dropped = [w for w in warned if "do not match the EEGPT vocabulary" in w and w != summary]
    assert len(dropped) == 2, warned  # night0, and other.edf (which lacks EKG1)
    assert str(copies[0]) in dropped[0] and str(other) in dropped[1]
    assert "'EEG EKG1-REF'" not in dropped[1]
    tables = [line for line in err.splitlines() if line.startswith("ChannelMapping:")]
    assert len(tables) == 2, err  # the table of night0 and of other.edf
    for later in copies[1:]:
        assert f"{later}: channels as for {copies[0]} (" in err
    assert f"the warning given for {copies[0]} (" in summary
    assert f"holds for 2 later files too: {copies[1]}, {copies[2]}" in summary
    assert all((tmp_path / "out" / f"{Path(f).stem}.npz").exists() for f in files)


def test_cli_channels_of_a_folder_shows_each_montage_once(tmp_path, capsys, recwarn):
    """`eegpt channels FOLDER` lists the recordings in it as embed-dataset would; files of
    one montage get one table and one warning, the later ones a line naming the first."""
    from eegpt.demo import synthetic_raw, write_edf

    folder = tmp_path / "archive"
    (folder / "sub-02").mkdir(parents=True)
    raw, _ = synthetic_raw(minutes=0.1, seed=0)
    for name in ("sub-01.edf", "sub-02/a.edf", "sub-02/b.edf"):
        write_edf(raw, folder / name)
    write_edf(raw.copy().drop_channels(["EEG EKG1-REF"]), folder / "z_other.edf")
    (folder / "notes.txt").write_text("not a recording")
    assert main(["channels", str(folder)]) == 0
    out = capsys.readouterr().out
    first = folder / "sub-01.edf"
    assert [line.split(":")[0] for line in out.splitlines() if line.startswith(str(folder))] == [
        str(first), str(folder / "sub-02/a.edf"), str(folder / "sub-02/b.edf"),
        str(folder / "z_other.edf"),
    ]  # fmt: skip
    assert out.count("ChannelMapping:") == 2 and out.count(f"  channels as for {first} (") == 2
    dropped = [str(w.message) for w in recwarn if "do not match" in str(w.message)]
    assert len(dropped) == 3, dropped  # sub-01, z_other, and the summary of the two held back
    assert "holds for 2 later files too" in dropped[-1]


def test_cli_reads_a_file_given_twice_once(weights, edf, tmp_path, capsys, monkeypatch):
    """The same file given twice (another spelling of its path, a link to it, its folder
    too) is read once by `eegpt embed` and `eegpt channels`, with a warning naming it, not
    refused as two files with one output name nor listed twice."""
    folder = tmp_path / "rec"
    folder.mkdir()
    rec = folder / "a.edf"
    rec.write_bytes(edf.read_bytes())
    (folder / "link.edf").symlink_to(rec)
    os.link(rec, folder / "hard.edf")  # a hard link: the same file too
    monkeypatch.chdir(folder)
    with pytest.warns(
        RuntimeWarning, match=r"given more than once .*read once: a\.edf \(2 times\)"
    ):
        code = main(["embed", "a.edf", "./a.edf", "--weights", str(weights), "-o", "out"])
    assert code == 0
    assert sorted(p.name for p in (folder / "out").iterdir()) == ["a.npz"]
    capsys.readouterr()
    with pytest.warns(RuntimeWarning, match=r"read once: a\.edf \(4 times: as a\.edf, link\.edf, "
                      r"hard\.edf\)"):  # fmt: skip
        assert main(["channels", "a.edf", "link.edf", "./a.edf", "hard.edf"]) == 0
    assert capsys.readouterr().out.count("ChannelMapping:") == 1
    # the same recording with two annotation files is two inputs (and two outputs named alike)
    (folder / "x.csv").write_text("onset,duration,description\n1,1,x\n")
    (folder / "y.csv").write_text("onset,duration,description\n2,1,y\n")
    capsys.readouterr()
    assert main(["embed", "a.edf", "a.edf", "--annotations", "x.csv", "y.csv", "--weights",
                 str(weights), "-o", "out2"]) == 1  # fmt: skip
    assert "would both be written to out2/a.npz" in capsys.readouterr().err


def test_debug_is_taken_after_the_command_too(tmp_path, capsys):
    """``--debug`` works where users type it, before or after the command (and a probe's)."""
    from eegpt.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["--debug", "info", "x"]).debug is True
    assert parser.parse_args(["info", "x"]).debug is False
    assert parser.parse_args(["info", "x", "--debug"]).debug is True
    assert parser.parse_args(["embed-dataset", "d", "-o", "o", "--debug"]).debug is True
    assert parser.parse_args(["probe", "train", "d", "--weights", "w", "-o", "o", "--debug"]).debug
    with pytest.raises(FileNotFoundError):  # --debug: the error itself, with its traceback
        main(["info", str(tmp_path / "missing.safetensors"), "--debug"])


@pytest.mark.parametrize("stream", [True, False])
def test_the_recording_end_and_a_truncation_are_in_the_provenance(tmp_path, stream, caplog):
    """What was not embedded is recorded: the seconds after the last window (tail="drop"),
    the zero-padded last window (tail="pad"), and a file shorter than its header says; read
    whole or streamed alike, and shown by `eegpt info`. The log says what tail='pad' would do
    (not as if it were in effect)."""
    model = EEGPT("tiny2")
    raw, _ = synthetic_raw(minutes=0.5, seed=2)  # 30 s at 250 Hz: 7 windows and 2 s
    good = write_edf(raw, tmp_path / "good.edf")
    with caplog.at_level(logging.DEBUG, logger="eegpt"):
        emb = model.embed(good, stream=stream, verbose="error")
    assert emb.metadata["tail_left_out_s"] == pytest.approx(2.0, abs=0.01)
    assert (
        "shorter than a window, are not embedded (with tail='pad', --tail pad on the command "
        "line, they would be, zero-padded into a last window)"
    ) in caplog.text
    assert "padded_tail" not in emb.metadata and "truncated" not in emb.metadata
    padded = model.embed(good, stream=stream, tail="pad", verbose="error")
    assert padded.metadata["padded_tail"] == pytest.approx({"onset_s": 28.0, "recorded_s": 2.0},
                                                           abs=0.01)  # fmt: skip
    assert "tail_left_out_s" not in padded.metadata
    cut = tmp_path / "cut.edf"
    cut.write_bytes(good.read_bytes()[: len(good.read_bytes()) * 2 // 3])
    with pytest.warns(RuntimeWarning, match="the file is truncated"):
        short = embed_to_file(model, cut, tmp_path / "cut.npz", stream=stream)
    read_s = short.metadata["truncated"]["read_s"]
    assert short.metadata["truncated"]["announced_s"] == 30 and 15 < read_s < 25
    assert main(["info", str(tmp_path / "cut.npz")]) == 0
    assert emb.metadata["recording_filters"] == {"highpass_hz": 0.0, "lowpass_hz": 125.0}
    band = raw.copy().load_data().filter(0.5, 40.0, verbose=False)  # filtered in MNE: recorded
    got = model.embed(band, stream=stream, verbose="error").metadata["recording_filters"]
    assert got == {"highpass_hz": 0.5, "lowpass_hz": 40.0}
    epochs = mne.make_fixed_length_epochs(raw.copy().pick("eeg"), 4.0, verbose=False)
    assert not {"tail_left_out_s", "padded_tail"} & set(
        model.embed(epochs, verbose="error").metadata
    )


@pytest.mark.parametrize("stream", [True, False])
def test_ssp_projectors_of_the_recording_are_in_the_provenance(tmp_path, stream, capsys):
    """A FIF saved after raw.apply_proj() (an average reference) with another projector
    stored but not applied: both recorded (metadata["projections"], whether applied), read
    whole or streamed alike, and shown by `eegpt info`; the unapplied one is still warned of."""
    model = EEGPT("tiny2")
    raw, _ = synthetic_raw(minutes=0.5, seed=2)
    raw.set_eeg_reference("average", projection=True, verbose=False).apply_proj(verbose=False)
    names = raw.copy().pick("eeg").ch_names
    data = {"nrow": 1, "ncol": len(names), "row_names": None, "col_names": names,
            "data": np.ones((1, len(names))) / np.sqrt(len(names))}  # fmt: skip
    raw.add_proj(mne.Projection(data=data, kind=1, desc="ECG-eeg-1", active=False))
    raw.save(tmp_path / "ssp_raw.fif", verbose=False)
    with pytest.warns(RuntimeWarning, match=r"stored but not applied \(\['ECG-eeg-1'\]\)"):
        emb = embed_to_file(model, tmp_path / "ssp_raw.fif", tmp_path / "ssp.npz", stream=stream)
    assert emb.metadata["projections"] == [
        {"desc": "Average EEG reference", "applied": True},
        {"desc": "ECG-eeg-1", "applied": False},
    ]
    assert main(["info", str(tmp_path / "ssp.npz")]) == 0
    text = capsys.readouterr().out
    assert (
        "SSP projectors applied to the recording before eegpt (1): 'Average EEG reference'" in text
    )
    assert (
        "stored with the recording, not applied (1; eegpt does not apply them): 'ECG-eeg-1'" in text
    )
    plain, _ = synthetic_raw(minutes=0.5, seed=2)
    assert "projections" not in model.embed(plain, verbose="error").metadata


def test_info_shows_the_recording_end_and_a_truncation(tmp_path, capsys):
    model = EEGPT("tiny2")
    raw, _ = synthetic_raw(minutes=0.5, seed=2)
    good = write_edf(raw, tmp_path / "good.edf")
    cut = tmp_path / "cut.edf"
    cut.write_bytes(good.read_bytes()[: len(good.read_bytes()) * 2 // 3])
    with pytest.warns(RuntimeWarning, match="the file is truncated"):
        embed_to_file(model, cut, tmp_path / "cut.npz", tail="pad")
    assert main(["info", str(tmp_path / "cut.npz")]) == 0
    out = capsys.readouterr().out
    assert "TRUNCATED file: " in out and "of the 30 s its header announces" in out
    assert "zero-padded: " in out
    assert "recording filtered to" not in out  # 0-125 Hz at 250 Hz: MNE's default, no filter
    assert (
        "recorded at 250 Hz, resampled to 256 Hz (polyphase): the windows hold nothing above "
        "125 Hz (the recording's Nyquist)" in out
    )


def test_epochs_as_an_array_have_no_padded_tail():
    """Epochs given as an array [n_epochs, C, T] (no onsets) are epochs: each is padded, not
    a continuous recording's last window."""
    x = np.random.default_rng(0).standard_normal((3, 3, 256)) * 1e-5
    emb = EEGPT("tiny2").embed(x, ch_names=["Fz", "Cz", "Pz"], sfreq=256, tail="pad",
                               verbose="error")  # fmt: skip
    assert "padded_tail" not in emb.metadata and "tail_left_out_s" not in emb.metadata


def _short_epochs(n_times: int) -> mne.EpochsArray:
    """Three epochs of ``n_times`` samples at 256 Hz (the model's rate: no resampling)."""
    x = np.random.default_rng(1).standard_normal((3, 3, n_times)) * 1e-5
    info = mne.create_info(["Fz", "Cz", "Pz"], 256.0, "eeg")
    return mne.EpochsArray(x, info, tmin=0.0, verbose=False)


@pytest.mark.parametrize(("n_times", "kept"), [(256, 4), (282, 5)])  # 1 s; 1.1 s: 5th part zeros
def test_epochs_padded_into_their_windows_are_recorded_and_their_patches_equal_a_short_window(
    n_times, kept, tmp_path, caplog, capsys
):
    """Epochs shorter than the window (tail="pad"): the provenance records the padding, the
    log says how many patches are zeros and that window_seconds=epoch length embeds the rest
    alone; and it does: those first patches equal the patches of windows as long as the epochs
    (the encoder embeds each patch with the others of its time step only), detrend off."""
    model, epochs = EEGPT("tiny2"), _short_epochs(n_times)
    with caplog.at_level(logging.INFO, logger="eegpt"):
        padded = model.embed(epochs, tail="pad")
    seconds = n_times / 256
    assert padded.metadata["padded_epochs"] == {
        "recorded_s": seconds,
        "padded_s": 4.0 - seconds,
        "recorded_samples": n_times,
        "window_samples": 1024,
        "patches": 16,
        "padding_patches": 16 - kept,
        "partly_padded_patches": int(n_times % 64 != 0),
    }
    assert caplog.text.count("zero-padded into windows of 4 s") == 1
    zeros = f"the last {16 - kept} of each window's 16 patches are wholly padding (zeros)"
    assert zeros in caplog.text
    alone = kept / 4  # the whole patches holding the epochs' samples: 1 s or 1.25 s
    assert f"window_seconds={alone:.10g} (--window {alone:.10g}) embeds" in caplog.text
    partial = "patch 5, with 26 of their samples, is mostly zeros: cropped to 4 whole patches"
    assert (partial in caplog.text) == (n_times == 282)  # 4 x 64 + 26: crop to 1 s
    short = model.embed(epochs, window_seconds=seconds, verbose="error")  # as long as the epochs
    assert short.data.shape[1] == kept and "padded_epochs" not in short.metadata
    np.testing.assert_allclose(padded.data[:, :kept], short.data, rtol=1e-5, atol=1e-6)

    padded.save(tmp_path / "erp.npz")
    assert main(["info", str(tmp_path / "erp.npz")]) == 0
    out = capsys.readouterr().out
    assert (
        f"epochs zero-padded: {seconds:.10g} s recorded and {4 - seconds:.10g} s of zeros per "
        f"window ({zeros}"
        + (
            " and patch 5 is partly padded: 26 of the epochs' samples and 38 zeros"
            if kept == 5
            else ""
        )
        + f"); --window {alone:.10g} embeds"
        in out
    )
    assert (partial in out) == (n_times == 282)


def _edf_named(path: Path, names: list[str]) -> Path:
    """A 20 s EDF of noise at 256 Hz whose EEG channels bear ``names``."""
    data = np.random.default_rng(0).standard_normal((len(names), 256 * 20)) * 20e-6
    raw = mne.io.RawArray(data, mne.create_info(names, 256.0, "eeg"), verbose=False)
    mne.export.export_raw(path, raw, verbose="error")
    return path


def test_references_named_by_the_labels_reach_the_output_and_eegpt_channels(
    model, tmp_path, capsys
):
    """Channels against several references (Ref, Avg, LE, A2) are warned about, and the
    warning is kept with the embeddings; a montage against Cz is used, said by `eegpt
    channels` and recorded in the mapping of the output."""
    mixed = ["Fp1-Ref", "Fp2-Avg", "C3-LE", "C4-A2", "Cz-Ref", "O1-Ref", "O2-Ref"]
    mixref = _edf_named(tmp_path / "mixref.edf", mixed)
    with pytest.warns(RuntimeWarning, match="referenced to different sites"):
        emb = model.embed(mixref, device="cpu")
    (said,) = emb.metadata["warnings"]
    assert "(Fp1-Ref, Cz-Ref, O1-Ref and 1 more against REF; Fp2-Avg against AVG" in said

    czref = _edf_named(
        tmp_path / "czref.edf", [f"{e}-Cz" for e in "Fp1 Fp2 C3 C4 T3 T4 O1 O2".split()]
    )
    with pytest.warns(RuntimeWarning, match="are read as referential to Cz") as record:
        assert main(["channels", str(czref)]) == 0
    out = capsys.readouterr().out
    assert "  T3-Cz   ->  T7 (25)" in out and "read as referential to Cz" in out
    assert not [w for w in record if "look like bipolar derivations" in str(w.message)]
    with pytest.warns(RuntimeWarning, match="are read as referential to Cz"):
        emb = model.embed(czref, device="cpu")
    assert emb.metadata["channels"]["referential"]["Fp1-Cz"] == "CZ"
    assert "read as referential to Cz" in emb.metadata["warnings"][0]


@pytest.mark.parametrize("drop", [[], ["--drop", "Cz-Cz"]])
def test_embed_a_montage_against_cz_that_exports_cz_against_itself(weights, tmp_path, drop):
    """`eegpt embed` of an EDF against Cz that also holds Cz-Cz (its flat reference channel),
    with or without --drop Cz-Cz: the montage is read as referential, Cz-Cz left out."""
    names = [f"{e}-Cz" for e in "Fp1 Fp2 C3 C4 T3 T4 O1 O2".split()] + ["Cz-Cz"]
    czcz = _edf_named(tmp_path / "czcz.edf", names)
    out = tmp_path / "x.npz"
    with pytest.warns(RuntimeWarning, match="are read as referential to Cz") as record:
        assert main(["embed", str(czcz), "--weights", str(weights), "-o", str(out), *drop]) == 0
    texts = [str(w.message) for w in record]
    assert not [text for text in texts if "look like bipolar derivations" in text]
    assert bool(drop) != any("['Cz-Cz'] is Cz against itself" in text for text in texts)
    channels = load_embeddings(out).metadata["channels"]
    assert channels["names"] == ["FP1", "FP2", "C3", "C4", "T7", "T8", "O1", "O2"]
    assert channels["dropped"] == ["Cz-Cz"]


def test_outputs_record_where_a_rename_table_came_from(model, weights, tmp_path, capsys):
    """A table of nearest_rename in Python, or a table file on the command line: the outputs'
    channel metadata keep its source (and the call and distances of a nearest table), through
    .npz and .parquet, and `eegpt info` names it in one line."""
    from eegpt.channels import nearest_rename, write_rename_table

    montage = mne.channels.make_standard_montage("GSN-HydroCel-129")
    info = mne.create_info(montage.ch_names, 256.0, "eeg")
    data = np.random.default_rng(3).normal(0, 2e-5, (len(info.ch_names), 256 * 4))
    raw = mne.io.RawArray(data, info, verbose=False)
    table = nearest_rename("GSN-HydroCel-129")
    with pytest.warns(RuntimeWarning, match="untrained"):
        result = model.embed(raw, rename=table)
    source = "nearest 10-10 sites to GSN-HydroCel-129 (≤ 20 mm)"
    for path in (tmp_path / "py.npz", tmp_path / "py.parquet"):
        result.save(path)
        channels = load_embeddings(path).metadata["channels"]
        assert channels["rename_source"] == source
        assert channels["rename_call"] == "eegpt.channels.nearest_rename('GSN-HydroCel-129')"
        assert channels["rename_distances_mm"]["E36"] == table.distances_mm["E36"]
        assert set(channels["rename_distances_mm"]) == set(channels["input_names"])
        capsys.readouterr()
        assert main(["info", str(path)]) == 0
        (line,) = [x for x in capsys.readouterr().out.splitlines() if "renamed by" in x]
        assert line.startswith(f"  channels renamed by: {source}, eegpt.channels.nearest_")
        assert "; 58 channels " in line and " mm from their sites" in line

    fif = tmp_path / "egi_raw.fif"
    raw.save(fif)
    tsv = write_rename_table(table, tmp_path / "egi.tsv")
    out = tmp_path / "cli.npz"
    with pytest.warns(RuntimeWarning, match="untrained"):
        args = ["embed", str(fif), "--weights", str(weights), "-q", "--rename", str(tsv)]
        assert main([*args, "--drop", "E36", "-o", str(out)]) == 0
    channels = load_embeddings(out).metadata["channels"]
    # the table's path with the own entries, and the distances its file notes (# 9.9 mm)
    assert channels["rename_source"] == f"{tsv} (with own entries: E36 left out)"
    assert set(channels["rename_distances_mm"]) == set(channels["input_names"])
    assert channels["rename_distances_mm"]["E24"] == table.distances_mm["E24"]
    capsys.readouterr()
    assert main(["info", str(out)]) == 0
    text = f"  channels renamed by: {tsv} (with own entries: E36 left out); 57 channels "
    assert text in capsys.readouterr().out
    # a dict of one's own records nothing
    with pytest.warns(RuntimeWarning):
        plain = model.embed(raw, rename={"E36": "C3"}).metadata["channels"]
    assert "rename_source" not in plain


def test_info_preprocessing_line_always_shows_average_reference():
    """A stored preprocessing without average_reference (written before it was recorded)
    reads as off; `eegpt info` says so rather than leaving it out."""
    from eegpt.preprocessing import PreprocessingConfig

    old = {k: v for k, v in PreprocessingConfig().to_dict().items() if k != "average_reference"}
    assert "average_reference False (not recorded: an older file)" in (
        PreprocessingConfig.describe(old)
    )
    new = PreprocessingConfig(average_reference=False).to_dict()
    line = PreprocessingConfig.describe(new)
    assert "average_reference False" in line and "not recorded" not in line


def test_cli_drop_beside_a_cap_table_names_the_electrode(tmp_path, capsys):
    """`eegpt channels B01.bdf --rename biosemi64 --drop C1` on a recording of sockets A1..B32
    is not refused as a table of bank C: C1 is the electrode the cap's table gives socket
    A12, which is dropped."""
    sockets = [f"{bank}{i}" for bank in "AB" for i in range(1, 33)]
    info = mne.create_info(sockets, 256.0, "eeg")
    data = np.random.default_rng(0).normal(0, 2e-5, (64, 256 * 2))
    bdf = tmp_path / "B01.bdf"
    mne.export.export_raw(bdf, mne.io.RawArray(data, info, verbose=False), verbose=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # P9, Iz ... outside the vocabulary; untrained AF7
        assert main(["channels", str(bdf), "--rename", "biosemi64", "--drop", "C1"]) == 0
    out = capsys.readouterr().out
    assert "A11    ->  FC1" in out and "A13    ->  C3" in out and "->  C1 " not in out
    assert "A12" in out.split("dropped:")[1]


def test_keep_gives_the_embeddings_of_the_kept_channels_alone(model):
    """keep= is applied before the average reference: a recording of 10-10 channels embedded
    with keep='10-20' gives the embeddings of its 19 10-20 channels picked beforehand (the
    reference over those alone), and records the set and the channels not kept."""
    from eegpt.channels import CHANNEL_SETS

    names = ["Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T7", "C3", "Cz", "C4", "T8", "P7",
             "P3", "Pz", "P4", "P8", "O1", "O2", "FC1", "FC2", "CP1", "CP2", "Oz"]  # fmt: skip
    info = mne.create_info(names, 256.0, "eeg")
    data = np.random.default_rng(1).normal(0, 2e-5, (len(names), 256 * 8))
    data[-5:] *= 4  # the channels not kept would change an average reference over all
    raw = mne.io.RawArray(data, info, verbose=False)
    kept = embed(model, raw, keep="10-20")
    picked = embed(model, raw.copy().pick(names[:19]))
    np.testing.assert_allclose(kept.data, picked.data, atol=1e-5)
    assert not np.allclose(kept.data, embed(model, raw).data, atol=1e-3)
    assert kept.metadata["channels"]["keep"] == list(CHANNEL_SETS["10-20"])
    assert kept.metadata["left_out"] == dict.fromkeys(names[19:], "not kept")


def test_cli_keep_channels(weights, tmp_path, capsys):
    """--keep-channels on eegpt channels and eegpt embed: 10-20 or comma-separated names, a
    name outside the vocabulary refused with the one meant."""
    raw, _ = synthetic_raw(minutes=0.2)
    edf = tmp_path / "tuh.edf"
    write_edf(raw, edf)
    assert main(["channels", str(edf), "--keep-channels", "Fp1, Fp2,Cz"]) == 0
    out = capsys.readouterr().out
    assert (
        "3 channel(s) kept" in out and "not kept (outside the 3 channels kept): EEG F7-REF" in out
    )
    with pytest.raises(SystemExit):
        main(["channels", str(edf), "--keep-channels", "Fp1,Czz"])
    assert "'Czz' -> 'CZ'" in capsys.readouterr().err
    assert main(["channels", str(edf)]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert main(["channels", str(edf), "--keep-channels", "Fp1,Cz"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == header  # the file's EEG channels, whatever is kept
    assert "not EEG by type" not in out and "EEG F7-REF" in out.split("not kept")[1]
    assert "and 5 more" in out.split("not kept")[1]  # named in short
    assert main(["channels", str(edf), "--keep-channels", "10-20,-C3,Oz"]) == 0  # a set, edited
    out = capsys.readouterr().out
    assert "18 channel(s) kept" in out and "EEG C3-REF" in out.split("not kept")[1]
    out = tmp_path / "e.npz"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["embed", str(edf), "--weights", str(weights), "-q", "-o", str(out),
                     "--keep-channels", "10-20"]) == 0  # fmt: skip
    emb = load_embeddings(out)
    assert len(emb.metadata["channels"]["keep"]) == 19
    assert (
        len(emb.metadata["channels"]["names"]) == 19
        and "EEG A1-REF" in emb.metadata["channels"]["dropped"]
    )


def test_cli_a_cap_table_is_not_applied_to_a_bdf_of_10_10_names(tmp_path, capsys):
    """`eegpt channels b3.bdf --rename biosemi64` on a BDF saved with 10-10 names maps it by
    its names with the 'not applied' warning, alone as in a folder beside a socket-labelled
    file (no refusal as another cap's table)."""
    rng = np.random.default_rng(0)
    labels = {
        "b3.bdf": mne.channels.make_standard_montage("biosemi64").ch_names,
        "b1.bdf": [f"{bank}{i}" for bank in "AB" for i in range(1, 33)],
    }
    for name, names in labels.items():
        raw = mne.io.RawArray(rng.normal(0, 2e-5, (64, 512)), mne.create_info(names, 256.0, "eeg"))
        mne.export.export_raw(tmp_path / name, raw, verbose=False)
    for args in ([str(tmp_path / "b3.bdf")], [str(tmp_path)]):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            assert main(["channels", *args, "--rename", "biosemi64"]) == 0
        said = " ".join(str(w.message) for w in record)
        assert "b3.bdf: the rename table 'biosemi64' names amplifier sockets" in said
        assert "not applied" in said and "none of the 64 labels" not in said
        assert "Fp1    ->  FP1" in capsys.readouterr().out


def test_cli_channels_says_a_later_split_fif_part_continues_its_first(tmp_path, capsys):
    """`eegpt channels s_raw-1.fif` (a later part of a split FIF recording, alone) still shows
    its channels, with a warning naming the first part (embed refuses the part alone) and
    that the duration is the part's; the first part given gets no such warning."""
    data = np.random.default_rng(0).normal(0, 2e-5, (6, 256 * 400))
    names = ["Fp1", "Fp2", "C3", "C4", "O1", "O2"]
    raw = mne.io.RawArray(data, mne.create_info(names, 256.0, "eeg"), verbose=False)
    raw.save(tmp_path / "s_raw.fif", split_size="2MB", buffer_size_sec=1.0, verbose=False)
    part = tmp_path / "s_raw-1.fif"
    for given, warned in ((part, True), (tmp_path / "s_raw.fif", False)):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            assert main(["channels", str(given)]) == 0
        said = " ".join(str(w.message) for w in record)
        assert ("later part of a split FIF recording" in said) is warned, said
        if warned:
            assert f"given without its first part {tmp_path / 's_raw.fif'}" in said
            assert "the duration is only this part's" in said
        assert "Fp1" in capsys.readouterr().out


def _eegpt_process(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """``python -m eegpt ARGS`` in a process of its own, with this checkout's eegpt and the
    environment changed by ``env`` (PYTHONIOENCODING and PYTHONUTF8 left out unless given)."""
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING", "PYTHONUTF8")}
    src = str(Path(__file__).resolve().parents[1] / "src")
    environ["PYTHONPATH"] = os.pathsep.join([src, environ.get("PYTHONPATH", "")])
    command = args if args[:1] == ["-c"] else ["-m", "eegpt", *args]  # -c: _eegpt_commands
    return subprocess.run(
        [sys.executable, *command],
        cwd=cwd, env={**environ, **env}, capture_output=True, timeout=300,
    )  # fmt: skip


def _eegpt_commands(
    commands: list[list[str]], cwd: Path, **env: str
) -> subprocess.CompletedProcess:
    """The ``eegpt`` commands ``commands``, one after the other, in ONE process of their own
    (:func:`eegpt.cli.main` as ``python -m eegpt`` calls it, without a start-up per command),
    environment as :func:`_eegpt_process`; it stops at the first that fails, exiting non-zero
    with that command. The arguments reach the process as a command line's do (decoded in its
    locale): JSON of the real text, not ASCII escapes."""
    driver = (
        "import json, sys\n"
        "from eegpt.cli import main\n"
        "for args in json.loads(sys.argv[1]):\n"
        "    try:\n"
        "        code = main(args)\n"
        "    except SystemExit as stop:\n"
        "        code = stop.code\n"
        "    if code:\n"
        "        sys.exit(f'eegpt {args!r} exited with {code!r}')\n"
    )
    return _eegpt_process(["-c", driver, json.dumps(commands, ensure_ascii=False)], cwd, **env)


def test_names_an_ascii_terminal_cannot_show_stop_no_run(weights, edf, tmp_path):
    """stdout that cannot encode a file name (an ASCII terminal) shows it as escapes, as
    stderr does, instead of failing the run after its first file."""
    folder = tmp_path / "Patientin_Müller"
    folder.mkdir()
    first, second = folder / "Ruhe-EEG ä.edf", folder / "静息态.edf"
    first.write_bytes(edf.read_bytes())
    second.write_bytes(edf.read_bytes())
    args = ["embed", str(first), str(second), "--weights", str(weights), "-o", "out/"]
    done = _eegpt_process(args, tmp_path, PYTHONIOENCODING="ascii")
    assert done.returncode == 0, done.stderr.decode("ascii", "replace")
    out = done.stdout.decode("ascii")
    assert "Ruhe-EEG \\xe4.npz: " in out and "\\u9759\\u606f\\u6001.npz: " in out
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["Ruhe-EEG ä.npz", "静息态.npz"]


def test_the_command_s_stdout_shows_control_characters_as_escapes(edf, tmp_path):
    """What eegpt prints on a terminal's stdout (eegpt channels' first line names the file)
    shows a file name's escape sequences as escapes: printed raw they coloured, cleared or
    retitled the terminal. Non-ASCII names stay readable; a pipe gets the text as it is."""
    import pty

    evil = tmp_path / "rec_\x1b[31mred_\x1b]0;TITLE\x07_Müller.edf"
    evil.write_bytes(edf.read_bytes())
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING", "PYTHONUTF8")}
    src = str(Path(__file__).resolve().parents[1] / "src")
    environ["PYTHONPATH"] = os.pathsep.join([src, environ.get("PYTHONPATH", "")])
    environ["PYTHONIOENCODING"] = "utf-8"
    leader, follower = pty.openpty()
    with subprocess.Popen([sys.executable, "-m", "eegpt", "channels", str(evil)], cwd=tmp_path,
                          env=environ, stdout=follower, stderr=subprocess.DEVNULL) as proc:  # fmt: skip
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal's other end closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.wait(timeout=300) == 0
    os.close(leader)
    out = b"".join(chunks).decode("utf-8")
    assert "\x1b" not in out and "\x07" not in out
    assert "rec_\\x1b[31mred_\\x1b]0;TITLE\\x07_Müller.edf" in out
    piped = _eegpt_process(["channels", str(evil)], tmp_path, PYTHONIOENCODING="utf-8")
    assert piped.returncode == 0 and str(evil).encode("utf-8") in piped.stdout


def test_outputs_record_real_names_where_the_locale_cannot_decode_them(weights, edf, tmp_path):
    """Under LC_ALL=C without UTF-8 mode, Python gives non-ASCII names as surrogate escapes;
    the outputs still record the real (UTF-8) names: an .npz's and a .parquet's source, and
    an embed-dataset run's ids, paths and reports, which a rerun in that locale reads back."""
    folder = tmp_path / "data" / "São Paulo"
    folder.mkdir(parents=True)
    recording = folder / "Müller.edf"
    recording.write_bytes(edf.read_bytes())
    c_locale = {"LC_ALL": "C", "PYTHONUTF8": "0"}
    embeds = [
        ["embed", "data/São Paulo/Müller.edf", "--weights", str(weights), "-o", out, "-q"]
        for out in ("x.npz", "x.parquet")
    ]
    run = ["embed-dataset", "data", "--weights", str(weights), "-o", "run", "-q"]
    # the report as a list of files, read back in that locale, names the file on disk
    again = ["embed-dataset", "run/_files.csv", "--weights", str(weights), "-o", "again", "-q"]
    done = _eegpt_commands([*embeds, run, again], tmp_path, **c_locale)  # one start-up
    assert done.returncode == 0, done.stderr.decode("ascii", "replace")
    for out in ("x.npz", "x.parquet"):
        assert load_embeddings(tmp_path / out).metadata["source"] == "data/São Paulo/Müller.edf"
    assert pd.read_parquet(tmp_path / "x.parquet")["source"].unique().tolist() == [
        "data/São Paulo/Müller.edf"
    ]

    rows = pd.read_parquet(tmp_path / "run")
    assert rows["recording_id"].unique().tolist() == ["São Paulo/Müller.edf"]
    assert rows["path"].unique().tolist() == [str(recording.resolve())]
    files = pd.read_csv(tmp_path / "run" / "_files.csv")
    assert files["recording_id"].tolist() == ["São Paulo/Müller.edf"]
    assert files["path"].tolist() == [str(recording.resolve())]
    assert "São Paulo/Müller.edf: " in files["warnings"][0]  # channels outside the vocabulary
    assert pd.read_parquet(tmp_path / "again")["path"].unique().tolist() == [
        str(recording.resolve())
    ]


def test_recorded_names_of_bytes_that_are_no_utf8_show_the_bytes():
    """A name whose bytes are no UTF-8 (Latin-1 ``São``) is recorded with ``\\xNN`` escapes,
    so the file is still embedded; real text is recorded as it is."""
    from eegpt._filenames import path_text

    assert path_text(os.fsdecode(b"S\xe3o Paulo/a.edf")) == "S\\xe3o Paulo/a.edf"
    assert path_text(os.fsdecode("São/静.edf".encode())) == "São/静.edf"
    assert path_text(Path("São/a.edf")) == "São/a.edf"


def test_recorded_names_of_bytes_that_are_no_utf8_name_the_file_again(tmp_path):
    """os_path is path_text's inverse for a name of bytes that are no UTF-8: its ``\\xNN``
    escapes are read back as those bytes; a file named with the escape's characters
    themselves is taken as written."""
    from eegpt._filenames import os_path, path_text

    latin = os.fsdecode(os.fsencode(tmp_path) + b"/S\xe3o.edf")
    Path(latin).write_bytes(b"")
    assert os_path(path_text(latin)) == latin
    assert os_path(str(tmp_path / "S\\xe3o_missing.edf")) == str(tmp_path / "S\\xe3o_missing.edf")
    (tmp_path / "S\\xe3o.edf").write_bytes(b"")
    assert os_path(path_text(latin)) == str(tmp_path / "S\\xe3o.edf")


def test_embeddings_of_weights_changed_after_loading_do_not_claim_the_file(
    weights, edf, tmp_path, capsys
):
    """A data steward's find: after load_state_dict (or training) the record named the file's
    sha256 for embeddings made with other weights."""
    from eegpt.checkpoints import encoder_fingerprint

    model = load_model(weights, verbose=False)
    as_loaded = model.embed(edf, device="cpu", verbose=False).metadata["checkpoint"]
    assert as_loaded["path"] == str(weights) and len(as_loaded["sha256"]) == 64
    assert "weights_modified" not in as_loaded and "loaded_from" not in as_loaded

    model.load_state_dict(EEGPT(SMALL).state_dict())
    out = tmp_path / "other.npz"
    model.embed(edf, device="cpu", verbose=False).save(out)
    record = load_embeddings(out).metadata["checkpoint"]
    assert record["weights_modified"] is True
    assert record["sha256"] is None and record["path"] is None  # old readers: no file claimed
    assert record["loaded_from"] == {
        "path": str(weights),
        "format": as_loaded["format"],
        "sha256": as_loaded["sha256"],
    }
    assert record["weights_sha256"] == encoder_fingerprint(model)
    assert record["weights_sha256"] != encoder_fingerprint(load_model(weights, verbose=False))
    assert main(["info", str(out)]) == 0
    text = capsys.readouterr().out
    assert f"weights MODIFIED after loading {weights}" in text
    assert f"encoder fingerprint {record['weights_sha256'][:12]}" in text


def test_embeddings_after_an_optimizer_step_are_marked_modified(weights, edf):
    model = load_model(weights, verbose=False)
    opt = torch.optim.SGD(model.target_encoder.parameters(), lr=0.1)
    model.train()
    model.target_encoder(torch.randn(2, 3, 1024), torch.arange(3)).square().sum().backward()
    opt.step()
    model.eval()
    record = model.embed(edf, device="cpu", verbose=False).metadata["checkpoint"]
    assert record["weights_modified"] is True and record["loaded_from"]["path"] == str(weights)


def test_embeddings_record_stream_precision_batch_size_and_software(model):
    """Everything that changes the numbers is in the metadata: the residual stream's dtype
    (only when not float32), the windows per forward pass and the software versions; the
    Python API records no command line, and an array no channel types read."""
    import platform

    import scipy

    x = np.random.default_rng(3).standard_normal((3, 2048)) * 20e-6
    names = ["Fp1", "Cz", "O2"]
    plain = embed(model, x, ch_names=names, sfreq=256.0,
                  engine=InferenceEngine(model.target_encoder, "cpu", batch_size=2))  # fmt: skip
    meta = plain.metadata
    assert "stream_precision" not in meta and meta["batch_size"] == 2
    assert meta["software"] == {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "mne": mne.__version__,
    }
    assert meta["eegpt_version"]  # still where readers look for it
    assert "command" not in meta and "picks" not in meta
    assert meta["preprocessing"]["detrend"] == "none"  # recorded also at its default
    default = embed(model, x, ch_names=names, sfreq=256.0, device="cpu")
    assert default.metadata["batch_size"] == 32  # the CPU default for 3 channels of 4 s
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # bfloat16 emulated on this CPU: said, and fine here
        engine = InferenceEngine(
            model.target_encoder, "cpu", precision="bfloat16", batch_size=2,
            stream_precision="float16",
        )  # fmt: skip
        streamed = embed(model, x, ch_names=names, sfreq=256.0, engine=engine)
    assert streamed.metadata["stream_precision"] == "float16"
    assert streamed.metadata["precision"] == "bfloat16"


def test_embeddings_record_the_changes_their_eegpt_includes(model, tmp_path, capsys):
    """Outputs record ``eegpt_version`` 0.1.0 while eegpt's numbers change (CHANGELOG.md, by
    date), and no date: a copied output (its modification time lost) did not tell which
    changes it was made with. ``eegpt_changes`` is the newest CHANGELOG.md section this eegpt
    includes (the same for every run of it, so reruns' metadata still agree), shown by
    ``eegpt info`` and kept by ``eegpt anonymize`` (it dates eegpt, not the recording)."""
    from eegpt import anonymize_embeddings
    from eegpt.api import CHANGES_DATE

    x = np.random.default_rng(4).standard_normal((3, 2048)) * 20e-6
    emb = embed(model, x, ch_names=["Fp1", "Cz", "O2"], sfreq=256.0, device="cpu")
    assert emb.metadata["eegpt_changes"] == CHANGES_DATE
    emb.save(tmp_path / "e.npz")
    assert main(["info", str(tmp_path / "e.npz")]) == 0
    assert f"; with the changes to {CHANGES_DATE} (CHANGELOG.md)" in capsys.readouterr().out
    copy = anonymize_embeddings(tmp_path / "e.npz", tmp_path / "copy.npz")
    assert load_embeddings(copy).metadata["eegpt_changes"] == CHANGES_DATE


def test_recorded_command_strips_credentials_and_query_strings_of_urls():
    """A command's recorded arguments keep no secret a URL may carry: credentials (userinfo)
    and the query string and fragment (a signed URL's signature) are left out, whether the
    URL is an argument of its own or an option's ``=`` value; other arguments stay as typed."""
    from eegpt._logging import command_recorded, recorded_command

    words = ["embed", "rec.edf?.edf", "--weights", "https://user:tok@en@host.org:8443/w/a.pt",
             "--weights=https://host.org/b.pt?X-Amz-Signature=abc&X-Amz-Credential=k#part",
             "--out", "s3://bucket/key?versionId=1", "eegpt-large"]  # fmt: skip
    with command_recorded(words):
        recorded = recorded_command()
    assert recorded == ["embed", "rec.edf?.edf", "--weights", "https://host.org:8443/w/a.pt",
                        "--weights=https://host.org/b.pt", "--out", "s3://bucket/key",
                        "eegpt-large"]  # fmt: skip
    assert recorded_command() is None


def test_cli_embed_records_no_secret_of_a_weights_url(weights, edf, tmp_path, monkeypatch):
    """`eegpt embed --weights URL` records the URL in its output without its credentials and
    signature (the weights are fetched as given)."""
    from eegpt import hub

    asked = []
    monkeypatch.setattr(hub, "fetch_weights", lambda url, **_: asked.append(url) or weights)
    url = "https://user:secret-token@example.org/w.safetensors?X-Amz-Signature=deadbeef"
    out = tmp_path / "rec.npz"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["embed", str(edf), "--weights", url, "-o", str(out), "-q"]) == 0
    assert asked == [url]
    meta = load_embeddings(out).metadata
    assert "https://example.org/w.safetensors" in meta["command"]
    assert "secret-token" not in json.dumps(meta) and "deadbeef" not in json.dumps(meta)


def test_cli_embed_records_its_command_and_picks_and_info_shows_them(
    weights, edf, tmp_path, capsys
):
    """`eegpt embed` records its arguments and the channel types read (--picks); `eegpt info`
    shows the stream precision, batch size, software versions and the command."""
    out = tmp_path / "rec.parquet"
    args = ["embed", str(edf), "--weights", str(weights), "-o", str(out), "-q", "--device",
            "cpu", "--batch-size", "3", "--precision", "bfloat16", "--stream-precision",
            "float16", "--picks", "eeg", "--picks", "misc"]  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(args) == 0
    meta = load_embeddings(out).metadata
    assert meta["command"] == args
    assert meta["cwd"] == os.getcwd()  # where its relative paths are read from
    assert meta["picks"] == ["eeg", "misc"]
    assert meta["stream_precision"] == "float16" and meta["batch_size"] == 3
    capsys.readouterr()
    assert main(["info", str(out)]) == 0
    text = capsys.readouterr().out
    assert "bfloat16, stream float16 on cpu, batches of 3" in text
    assert f"(python {sys.version.split()[0]}, torch {torch.__version__}," in text
    assert f"  made by: eegpt embed {edf} --weights {weights}" in text


def test_control_characters_in_names_and_ids_are_printed_escaped(weights, tmp_path, capsys):
    """A file name or recording id holding terminal controls (colour, erase line, window
    title, a line break forging a line of output) is printed with them escaped, as repr
    writes them, in log lines, progress bars, result lines, warnings, errors and the
    failure summary of embed-dataset; the outputs keep the names and ids as they are."""
    import csv

    from eegpt.cli_run import _format_warning
    from eegpt.dataset import ERRORS_REPORT

    name = "evil\x1b[31mRED\x1b[0m\nFAKE: all good"
    (tmp_path / "in").mkdir()
    evil = _edf_named(tmp_path / "in" / f"{name}.edf", ["Fp1", "Cz", "O1"])
    assert main(["embed", str(evil), "--weights", str(weights), "-o", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / f"{name}.npz").is_file()  # stored as named
    gone = tmp_path / "in" / "gone\x1b]0;TITLE\x07.edf"
    assert main(["embed", str(gone), "--weights", str(weights), "-o", str(tmp_path / "o2")]) == 1
    bad = tmp_path / "in" / "bad.edf"
    bad.write_bytes(b"not an EDF file at all" * 20)
    manifest = tmp_path / "manifest.csv"
    spoof = "id\x1b]0;TITLE\x07\x1b[2Kspoof"
    with open(manifest, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["path", "recording_id"], [str(bad), spoof]])
    run = ["embed-dataset", str(manifest), "-o", str(tmp_path / "ds"), "--weights", str(weights)]
    assert main(run) != 0
    out = capsys.readouterr()
    shown = out.out + out.err
    assert r"evil\x1b[31mRED\x1b[0m\nFAKE: all good.edf" in shown  # log, bar, result line
    assert r"gone\x1b]0;TITLE\x07.edf" in shown  # an error
    assert r"  id\x1b]0;TITLE\x07\x1b[2Kspoof: " in shown  # the failure summary
    assert not any(c in shown for c in "\x1b\x07\r")
    assert not any(line.startswith("FAKE") for line in shown.splitlines())
    with open(tmp_path / "ds" / ERRORS_REPORT, newline="", encoding="utf-8") as f:
        assert [row["recording_id"] for row in csv.DictReader(f)] == [spoof]  # as given
    shown = _format_warning(f"{name}: flat", UserWarning, "x.py", 1)
    assert shown == "eegpt: warning: evil\\x1b[31mRED\\x1b[0m\\nFAKE: all good: flat\n"


def _two_recordings(edf: Path, folder: Path) -> tuple[Path, Path]:
    """Two copies of the recording ``edf``: ``a.edf`` and ``b.edf`` in ``folder``."""
    import shutil

    a, b = folder / "a.edf", folder / "b.edf"
    shutil.copy(edf, a), shutil.copy(edf, b)
    return a, b


def _epochs_file(edf: Path, folder: Path) -> Path:
    """The recording ``edf`` cut into 4 s epochs, saved as ``trials-epo.fif`` in ``folder``."""
    raw = mne.io.read_raw_edf(edf, preload=True, verbose=False)
    epochs = folder / "trials-epo.fif"
    mne.make_fixed_length_epochs(raw, duration=4.0, verbose=False).save(epochs, verbose=False)
    return epochs


def test_cli_embed_moves_a_start_between_two_samples_once_for_all_recordings(
    weights, edf, tmp_path
):
    """--start 3.01 (770.56 samples at 256 Hz) for two recordings and an epochs file: the
    recordings' windows start at 3.01171875 s, recorded so, with one note that the start moved
    (made where each recording's windows are cut, said once for the run, recorded in each
    output: the second one's metadata["warnings"] lacked it); the epochs file gets only the
    note that the start does not apply to it, naming 3.01."""
    a, b = _two_recordings(edf, tmp_path)
    epochs = _epochs_file(edf, tmp_path)
    out = tmp_path / "out"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["embed", str(a), str(epochs), str(b), "--weights", str(weights), "-o",
                     f"{out}/", "-q", "--start", "3.01"]) == 0  # fmt: skip
    texts = [str(w.message) for w in caught]
    moved = [t for t in texts if "where windows are cut" in t]
    assert len(moved) == 1 and moved[0].startswith("start_seconds = 3.01 s is 770.56"), moved
    ignored = [t for t in texts if "does not apply to epochs" in t and "start_seconds" in t]
    assert len(ignored) == 1 and "start_seconds=3.01 s (" in ignored[0], ignored
    for name in ("a.npz", "b.npz"):  # each output records the note (said once for all)
        emb = load_embeddings(out / name)
        assert emb.onsets[0] == 3.01171875
        assert emb.metadata["preprocessing"]["start_seconds"] == 3.01171875
        recorded = emb.metadata["warnings"]
        assert [t for t in recorded if "where windows are cut" in t] == moved, name
    # the epochs file alone: it was told the start moved, then that it does not apply
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["embed", str(epochs), "--weights", str(weights), "-o", f"{out}/", "-q",
                     "--overwrite", "--start", "3.01"]) == 0  # fmt: skip
    said = [str(w.message) for w in caught if "start_seconds" in str(w.message)]
    assert len(said) == 1 and "does not apply to epochs" in said[0], said


def test_cli_embed_takes_one_start_per_continuous_recording(weights, edf, tmp_path, capsys):
    """Lights-off differs per night: --start 17 73 was a usage error for several recordings.
    One value per continuous recording (epochs files take none), in the order given, starts
    each one's windows there, recorded in its output; one value is for all; another number
    of values, --start before the recordings, and --start annotations are refused saying
    what to give."""
    a, b = _two_recordings(edf, tmp_path)
    epochs = _epochs_file(edf, tmp_path)
    out = tmp_path / "out"
    args = ["--weights", str(weights), "-o", f"{out}/"]
    assert main(["embed", str(a), str(epochs), str(b), *args, "--start", "2", "8.5"]) == 0
    assert f"{a} -> {out / 'a.npz'}: 7 windows from 2 s" in capsys.readouterr().out
    # a start between two 256 Hz samples: said where the windows start, as their onsets
    moved = tmp_path / "moved"
    with pytest.warns(EEGPTWarning, match="start_seconds = 2.3 s is 588.8 samples"):
        assert main(["embed", str(a), str(b), "--weights", str(weights), "-o", f"{moved}/",
                     "--start", "2.3", "8.5"]) == 0  # fmt: skip
    assert f"{a} -> {moved / 'a.npz'}: 6 windows from 2.30078125 s" in capsys.readouterr().out
    assert load_embeddings(moved / "a.npz").onsets[0] == 2.30078125
    first, second = load_embeddings(out / "a.npz"), load_embeddings(out / "b.npz")
    np.testing.assert_allclose(first.onsets, 2.0 + 4.0 * np.arange(7))
    np.testing.assert_allclose(second.onsets, 8.5 + 4.0 * np.arange(5))
    assert first.metadata["preprocessing"]["start_seconds"] == 2.0
    assert second.metadata["preprocessing"]["start_seconds"] == 8.5
    assert load_embeddings(out / "trials-epo.npz").metadata["preprocessing"]["start_seconds"] == 0
    assert main(["embed", str(a), str(b), *args, "--overwrite", "-q", "--start", "8.5"]) == 0
    assert (
        load_embeddings(out / "a.npz").onsets[0] == 8.5 == load_embeddings(out / "b.npz").onsets[0]
    )
    assert main(["embed", str(a), str(b), *args, "--overwrite", "--start", "1", "2", "3"]) == 1
    assert "--start: 3 values for 2 continuous recording(s) (" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # before the recordings, --start took them as its values
        main(["embed", "--start", "3", str(a), str(b), *args])
    assert (
        "is a file, not a start in seconds: --start takes one value per recording, so give "
        "it after the recordings (eegpt embed A.edf B.edf ... --start 17 73)"
        in capsys.readouterr().err
    )
    with pytest.raises(SystemExit):
        main(["embed", str(a), *args, "--start", "annotations"])
    assert "--start annotations is for the probe commands" in capsys.readouterr().err


def test_cli_embed_refuses_a_start_past_the_recordings_end(weights, edf, tmp_path, capsys):
    """--start 100 on a 30 s recording is no recording too short (which several recordings
    skip, exiting 0): it fails, alone or among others, saying the start is past the end."""
    a, b = _two_recordings(edf, tmp_path)
    args = ["--weights", str(weights), "-o", f"{tmp_path / 'out'}/", "-q"]
    for given in ([str(a)], [str(a), str(b)]):
        assert main(["embed", *given, *args, "--start", "100"]) == 1
        said = capsys.readouterr().err
        assert "ends at or before the first window's start (start_seconds=100; command line: " \
            "--start 100)" in said  # fmt: skip
        assert "--tail pad" not in said


def test_a_start_past_the_end_from_python_names_start_seconds(weights, edf):
    """A start past the recording's end given in Python (PreprocessingConfig(start_seconds=))
    was refused "from --start", which the caller never gave: the error names start_seconds=
    as given, and --start as the command line's word for it."""
    model = load_model(weights, verbose=False)
    config = PreprocessingConfig(start_seconds=100)
    for data in (edf, mne.io.read_raw_edf(edf, preload=True, verbose="error")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the channels outside the vocabulary
            with pytest.raises(RecordingError) as caught:
                embed(model, data, preprocessing=config)
        said = str(caught.value)
        assert "(start_seconds=100; command line: --start 100)" in said, said
        assert "from --start" not in said


def test_cli_embed_refuses_two_starts_for_one_file(weights, edf, tmp_path, capsys):
    """A file given twice (read once) with two --start values kept the first, the second
    dropped silently: refused, naming the file and both values; the same value twice is
    fine."""
    from eegpt.cli_options import recording_starts

    a, b = _two_recordings(edf, tmp_path)
    args = ["--weights", str(weights), "-o", f"{tmp_path / 'out'}/", "-q"]
    assert main(["embed", str(a), str(b), str(a), *args, "--start", "2", "4", "8"]) == 1
    err = capsys.readouterr().err
    assert f"--start: {a} is given twice, with 2 s and 8 s" in err
    assert not (tmp_path / "out").exists()  # refused before anything was embedded
    link = tmp_path / "link.edf"
    link.symlink_to(a)
    with pytest.raises(ValueError, match=rf"{link} \(given first as {a}\) is given twice"):
        recording_starts([2.0, 3.0], [a, link])
    assert recording_starts([2.0, 4.0, 2.0], [a, b, a]) == {a: 2.0, b: 4.0}


def test_epochs_baseline_is_recorded_and_online_windows_equal_epochs_without_one(
    tmp_path, capsys, caplog
):
    """mne.Epochs' default baseline (None, 0) subtracts each channel's pre-stimulus mean,
    which EEGPT's preprocessing does not: the embeddings record the interval
    (metadata["epochs_baseline"]), the log and `eegpt info` say it, and OnlineEmbedder's
    windows equal the epochs made with baseline=None only."""
    from eegpt.online import OnlineEmbedder

    model = EEGPT("tiny2")
    names = ["C3", "Cz", "C4", "FC3", "FCz", "FC4", "CP3", "CPz", "CP4"]
    sfreq = 256.0
    rng = np.random.default_rng(4)
    x = np.cumsum(rng.standard_normal((len(names), int(sfreq * 12))), axis=1) * 2e-6
    raw = mne.io.RawArray(x, mne.create_info(names, sfreq, "eeg"), verbose=False)
    events = np.array([[int((0.5 + k) * sfreq), 0, 1] for k in range(4)])  # cues at 0.5, 1.5 ...
    cut = {"tmin": -0.5, "tmax": 3.5 - 1 / sfreq, "verbose": False}
    corrected = mne.Epochs(raw, events, **cut)  # MNE's default baseline=(None, 0)
    plain = mne.Epochs(raw, events, baseline=None, **cut)
    online = OnlineEmbedder(model, names, sfreq, overlap=3.0)  # a window every 1 s, from 0 s
    pushed = online.push(x[:, : int(sfreq * 7)])
    assert len(pushed) == 4
    with caplog.at_level(logging.INFO, logger="eegpt"):
        emb = model.embed(corrected, verbose=True)
    assert emb.metadata["epochs_baseline"] == [-0.5, 0.0]
    assert "baseline-corrected by MNE (-0.5 s to 0 s: each channel's mean" in caplog.text
    same = model.embed(plain, verbose="error")
    assert same.metadata["epochs_baseline"] is None  # known to be none (MNE epochs record it)
    np.testing.assert_allclose(same.data, pushed.data, rtol=1e-5, atol=1e-6)
    assert not np.allclose(emb.data, pushed.data, rtol=1e-3, atol=1e-4)
    # each window's own mean removed (detrend="constant"): the baseline no longer matters
    own = model.embed(corrected, detrend="constant", verbose="error")
    np.testing.assert_allclose(
        own.data, model.embed(plain, detrend="constant", verbose="error").data, rtol=1e-4, atol=1e-5
    )
    emb.save(tmp_path / "corrected.npz")
    same.save(tmp_path / "plain.npz")
    assert main(["info", str(tmp_path / "corrected.npz")]) == 0
    out = capsys.readouterr().out
    assert "epochs baseline-corrected by MNE (-0.5 s to 0 s: each channel's mean" in out
    assert main(["info", str(tmp_path / "plain.npz")]) == 0
    assert "baseline-corrected" not in capsys.readouterr().out


def test_skip_existing_skips_outputs_another_run_writes_meanwhile(
    weights, edf, tmp_path, monkeypatch, capsys
):
    """Overlapping `eegpt embed --skip-existing` runs (cron): an output that appears after the
    run's start, before its recording is read or while it is embedded, is skipped (counted,
    with a note), not a failure (OutputExistsError) that makes the run exit 1 or 3."""
    import shutil

    import eegpt.output_files

    recordings = [str(tmp_path / f"{name}.edf") for name in ("a", "b", "c")]
    for copy in recordings:
        shutil.copy(edf, copy)
    out = tmp_path / "out"
    finish = eegpt.output_files._finish
    calls = []

    def other_run_writes(fh):
        calls.append(fh)
        if len(calls) == 1:  # writing a.npz: the other run finishes b.npz, not yet read here
            (out / "b.npz").write_bytes(b"the other run's")
        else:  # writing c.npz: the other run renames its c.npz into place first
            (out / "c.npz").write_bytes(b"the other run's")
        finish(fh)

    monkeypatch.setattr(eegpt.output_files, "_finish", other_run_writes)
    args = ["embed", *recordings, "--weights", str(weights), "-o", f"{out}/", "--skip-existing"]
    assert main([*args, "-q"]) == 0
    err = capsys.readouterr().err
    assert "error" not in err and "failed" not in err
    assert len(calls) == 2  # b was not embedded again
    assert (out / "b.npz").read_bytes() == (out / "c.npz").read_bytes() == b"the other run's"
    assert len(load_embeddings(out / "a.npz")) > 0
    for name in ("a", "b", "c"):
        (out / f"{name}.npz").unlink()
    calls.clear()
    assert main(args) == 0  # not quiet: each one said, and counted
    err = capsys.readouterr().err
    for name in ("b", "c"):
        assert f"{name}.edf: skipped, {out / f'{name}.npz'} written meanwhile by another" in err
    assert re.search(r"done: 1 ok.*, 0 failed, 2 skipped \(written meanwhile by another", err)


def test_embed_removes_the_temporary_files_of_its_outputs_left_by_killed_runs(
    weights, edf, tmp_path, monkeypatch
):
    """`kill -9` during `eegpt embed` leaves `.<output>.<host>.<pid>.XXXX.tmp`; the next embed
    of that output (with or without --skip-existing) removes those of this host whose process
    is gone, but never a live process's, another host's (a shared disk) or another output's."""
    import shutil

    import eegpt.output_files
    from eegpt._tempfiles import host_tag

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # its PID is now no process's
    host = host_tag()
    out = tmp_path / "out"
    out.mkdir()
    rec = tmp_path / "r01.edf"
    shutil.copy(edf, rec)
    dead = out / f".r01.npz.{host}.{gone.pid}.ab12cd34.tmp"
    live = out / f".r01.npz.{host}.{os.getpid()}.ef56gh78.tmp"
    other_host = out / f".r01.npz.another-host.{gone.pid}.ij90kl12.tmp"
    other_output = out / f".r02.npz.{host}.{gone.pid}.mn34op56.tmp"
    for tmp in (dead, live, other_host, other_output):
        tmp.write_bytes(b"x")
    finish, seen = eegpt.output_files._finish, []

    def listed(fh):  # the output's own temporary file names its writer
        seen.extend(p.name for p in out.iterdir())
        finish(fh)

    monkeypatch.setattr(eegpt.output_files, "_finish", listed)
    args = ["embed", str(rec), "--weights", str(weights), "-q", "-o", f"{out}/"]
    assert main([*args, "--skip-existing"]) == 0
    assert not dead.exists()
    assert live.exists() and other_host.exists() and other_output.exists()
    mine = [n for n in seen if n.startswith(f".r01.npz.{host}.{os.getpid()}.") and n != live.name]
    assert len(mine) == 1 and mine[0].endswith(".tmp")
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["r01.npz"]
    dead.write_bytes(b"x")
    assert main([*args, "--overwrite"]) == 0  # without --skip-existing too
    assert not dead.exists() and live.exists()


def test_threads_over_the_usable_cpus_is_a_note_not_an_error(monkeypatch, capsys):
    """``--threads`` above the CPUs the process may use runs as asked, with a note (the
    threads share the CPUs); within them, or with -q, nothing is said."""
    import argparse

    from eegpt import _runtime, cli_run

    monkeypatch.setattr(_runtime, "usable_cpus", lambda: 2)
    assert cli_run.run_command(lambda a: 0, argparse.Namespace(command="info", threads=8)) == 0
    said = capsys.readouterr().err
    assert "note: --threads 8 is more than the 2 CPUs this process may use" in said, said
    assert "error" not in said
    assert cli_run.run_command(lambda a: 0, argparse.Namespace(command="info", threads=2)) == 0
    quiet = argparse.Namespace(command="info", threads=8, quiet=True)
    assert cli_run.run_command(lambda a: 0, quiet) == 0
    assert capsys.readouterr().err == ""


def test_cli_channels_plot_counts_what_emb_plot_channels_counts(model, tmp_path, monkeypatch):
    """`eegpt channels --plot` passed the bad channels but not those left out for their type
    (EOG, ECG, stim, misc): its title counted fewer channels left out, of fewer in the
    recording, than emb.plot_channels() of the same file."""
    import eegpt.cli_channels

    names = ["Fz", "Cz", "Pz", "Oz", "C3", "HEOG", "ECG", "STI 014", "MISC1"]
    types = ["eeg"] * 5 + ["eog", "ecg", "stim", "misc"]
    info = mne.create_info(names, 256.0, types)
    info["bads"] = ["Oz"]
    fif = tmp_path / "typed_raw.fif"
    raw = mne.io.RawArray(np.random.default_rng(0).normal(0, 2e-5, (9, 2560)), info, verbose=False)
    raw.save(fif)
    drawn = []
    monkeypatch.setattr(
        eegpt.cli_channels, "save_figure_lazily", lambda fig, *a, **kw: drawn.append(fig)
    )
    with pytest.warns(RuntimeWarning, match="marked bad"):
        assert main(["channels", str(fif), "--plot", str(tmp_path / "map.png")]) == 0
    with pytest.warns(RuntimeWarning, match="marked bad"):
        emb = embed(model, mne.io.read_raw_fif(fif, verbose=False))
    cli_title = drawn[0].axes[0].get_title()
    py_title = emb.plot_channels().axes[0].get_title()
    assert cli_title.split("\n")[1:] == py_title.split("\n")[1:]
    assert cli_title.endswith("5 of the recording's 9 channels left out")


def _saved_embeddings(tmp_path, suffix, **meta):
    """A small embeddings file with bad windows and an EDF+D clock, written by eegpt."""
    from eegpt.outputs import Embeddings

    n = 6
    metadata = {
        "source": "rec.edf",
        "preprocessing": {"window_seconds": 4.0, "overlap": 0.0},
        "annotations": [[], ["BAD_artifact"], [], ["seiz"], ["BAD boundary"], []],
        "meas_date": "2024-01-01T23:55:00+00:00",
        "first_time": 0.0,
        "record_clock": {"sample_starts": [0.0, 10.0, 18.0], "clock_starts": [0.0, 40.0, 60.0]},
        "tail_left_out_s": 2.0,
        **meta,
    }
    data = np.random.default_rng(0).normal(size=(n, 2, 4, 8)).astype(np.float32)
    return Embeddings(data, np.arange(n) * 4.0, metadata).save(tmp_path / f"rec{suffix}")


@pytest.mark.parametrize("suffix", [".npz", ".parquet"])
def test_info_describes_embeddings_without_reading_them(tmp_path, monkeypatch, capsys, suffix):
    """eegpt info reads an embeddings file's provenance and onsets, never its embeddings (a
    24 h recording's are gigabytes), and says of it what it said when it read them all."""
    import pyarrow.parquet as pq

    import eegpt.embeddings_loading
    import eegpt.outputs
    from eegpt import cli_info
    from eegpt.outputs import load_embeddings

    path = _saved_embeddings(tmp_path, suffix)
    assert main(["info", str(path)]) == 0
    before = capsys.readouterr().out
    asked: list = []
    read_table = pq.read_table

    def recorded_read_table(source, *args, columns=None, **kwargs):
        asked.append(columns)
        return read_table(source, *args, columns=columns, **kwargs)

    def refused(*args, **kwargs):
        raise AssertionError("eegpt info loaded the embeddings")

    getitem = np.lib.npyio.NpzFile.__getitem__

    def recorded_getitem(self, key):
        asked.append([key])
        return getitem(self, key)

    monkeypatch.setattr(pq, "read_table", recorded_read_table)
    monkeypatch.setattr(eegpt.outputs, "load_embeddings", refused)
    monkeypatch.setattr(eegpt.embeddings_loading, "load_embeddings", refused)  # its own calls
    monkeypatch.setattr(np.lib.npyio.NpzFile, "__getitem__", recorded_getitem)
    assert main(["info", str(path)]) == 0
    assert capsys.readouterr().out == before
    assert asked and all(c is not None and "embedding" not in c for c in asked)
    assert not any("embeddings" in c for c in asked)
    monkeypatch.undo()
    monkeypatch.setattr(eegpt.embeddings_loading, "_load_outline", load_embeddings)  # read in full
    whole, _ = cli_info._describe_embeddings(path)
    assert before == whole + "\n"
    assert "6 windows of 4.0 s (overlap 0.0 s), embeddings [2, 4, 8] per window" in whole
    assert "bad windows: 2" in whole


@pytest.mark.parametrize("suffix", [".npz", ".parquet"])
def test_load_outline_is_the_file_without_its_embeddings(tmp_path, suffix):
    """What eegpt info reads: an Embeddings with the file's onsets and provenance, and zeros of
    the stored shape that take no memory; what load_embeddings refuses, it refuses alike."""
    from eegpt.outputs import _load_outline, load_embeddings

    path = _saved_embeddings(tmp_path, suffix)
    full, outline = load_embeddings(path), _load_outline(path)
    assert isinstance(outline, Embeddings)
    assert outline.data.shape == full.data.shape and not outline.data.any()
    assert outline.data.strides == (0, 0, 0, 0)  # np.broadcast_to: nothing allocated
    assert outline.metadata == full.metadata
    np.testing.assert_array_equal(outline.onsets, full.onsets)
    np.testing.assert_array_equal(outline.bad, full.bad)
    broken = tmp_path / f"broken{suffix}"
    broken.write_bytes(b"not an eegpt file")
    with pytest.raises(ValueError) as whole:
        load_embeddings(broken)
    with pytest.raises(ValueError) as outlined:
        _load_outline(broken)
    said = str(whole.value).split(" (")[0]  # pyarrow's own words, after it, may differ
    assert said.endswith("eegpt wrote") and str(outlined.value).startswith(said + " (")


def test_info_shows_the_recording_clock_and_its_gaps(tmp_path, capsys):
    """An EDF+D output: its start on the recording's clock (no UTC claimed), the clock time
    it spans, its stretches and gaps."""
    path = _saved_embeddings(tmp_path, ".npz")
    assert main(["info", str(path)]) == 0
    text = capsys.readouterr().out
    # 26 s recorded (6 windows of 4 s, 2 s left out) in stretches at 0, 40 and 60 s on the clock
    assert (
        "  recording clock: 2024-01-01 23:55:00 to 2024-01-01 23:56:08 (68 s; as the header "
        "states its start, zone not recorded)"
    ) in text
    assert (
        "  discontinuous: 26 s recorded over 68 s of clock time in 3 stretches, 2 gaps "
        "totalling 42 s"
    ) in text
    assert "UTC" not in text and "+00:00" not in text
    plain = _saved_embeddings(tmp_path / "plain", ".npz", record_clock=None, meas_date=None)
    assert main(["info", str(plain)]) == 0
    text = capsys.readouterr().out
    assert "recording clock" not in text and "discontinuous" not in text
    assert "  no measurement date: clock_time empty" in text


def test_info_counts_the_channels_left_out_grouping_meg(tmp_path, capsys):
    """A MEG+EEG recording's output: `eegpt info` counts the channels left out before mapping
    (metadata["left_out"]) by why, MEG sensors together with their types; none: no line."""
    left_out = {
        **{f"MEG{i:03d}1": "grad" for i in range(20)},
        **{f"MEG{i:03d}3": "mag" for i in range(10)},
        "EOG061": "eog", "EOG062": "eog", "ECG063": "ecg", "STI101": "stim", "EEG005": "bad",
    }  # fmt: skip
    path = _saved_embeddings(tmp_path, ".npz", left_out=left_out)
    assert main(["info", str(path)]) == 0
    text = capsys.readouterr().out
    want = "  35 channels left out: 30 MEG (grad, mag), 2 eog, 1 ecg, 1 stim, 1 bad\n"
    assert want in text, text
    plain = _saved_embeddings(tmp_path / "plain", ".npz")
    assert main(["info", str(plain)]) == 0
    assert "left out:" not in capsys.readouterr().out


def test_info_lists_the_gaps_the_first_sample_and_the_clock_of_epochs(tmp_path, capsys):
    """eegpt info lists each gap of an EDF+D file as HH:MM:SS-HH:MM:SS (N s), ten at most;
    names the first sample where a cropped file starts after its header's start; gives dated
    epochs' clock; says an undated recording's clock_time is empty."""
    path = _saved_embeddings(tmp_path, ".npz", clock="local")
    assert main(["info", str(path)]) == 0
    text = capsys.readouterr().out
    assert "  gaps: 23:55:10-23:55:40 (30 s), 23:55:48-23:56:00 (12 s)\n" in text
    many = {"sample_starts": [float(k) for k in range(13)],
            "clock_starts": [float(10 * k) for k in range(13)]}  # fmt: skip
    (tmp_path / "many").mkdir()
    path = _saved_embeddings(tmp_path / "many", ".npz", record_clock=many)
    assert main(["info", str(path)]) == 0
    text = capsys.readouterr().out
    gaps = next(line for line in text.splitlines() if line.startswith("  gaps: "))
    assert gaps.startswith("  gaps: 23:55:01-23:55:10 (9 s), 23:55:11-23:55:20 (9 s), ")
    assert gaps.count(" s)") == 10 and gaps.endswith(", and 2 more")
    (tmp_path / "crop").mkdir()
    path = _saved_embeddings(tmp_path / "crop", ".npz", record_clock=None, first_time=10.0,
                             clock="utc")  # fmt: skip
    assert main(["info", str(path)]) == 0
    text = capsys.readouterr().out
    assert (
        "  recording clock: first sample 2024-01-01 23:55:10 (10 s after the header's start "
        "2024-01-01 23:55:00) to 2024-01-01 23:55:36 (26 s; UTC, as the FIF/.mff format stores it "
    ) in text
    (tmp_path / "epochs").mkdir()
    path = _saved_embeddings(tmp_path / "epochs", ".npz", record_clock=None, first_time=None,
                             tail_left_out_s=None, labels=["a"] * 6, clock="utc")  # fmt: skip
    assert main(["info", str(path)]) == 0
    text = capsys.readouterr().out
    assert (
        "  recording clock: epochs from 2024-01-01 23:55:00 to 2024-01-01 23:55:24 (first "
        "onset to last end; UTC, as the FIF/.mff format stores it "
    ) in text
    (tmp_path / "undated").mkdir()
    path = _saved_embeddings(tmp_path / "undated", ".npz", record_clock=None, meas_date=None,
                             labels=["a"] * 6)  # fmt: skip
    assert main(["info", str(path)]) == 0
    assert "  no measurement date: clock_time empty" in capsys.readouterr().out


def test_info_gives_a_long_recording_clock_span_as_a_duration(tmp_path, capsys):
    """A day's span reads as 24:00:00, not 86400 s, as eegpt's other durations; short ones
    (a half-second gap) stay in seconds, to the digit, not rounded to 0 s."""
    (tmp_path / "day").mkdir()
    day = _saved_embeddings(
        tmp_path / "day",
        ".npz",
        preprocessing={"window_seconds": 86380.0, "overlap": 0.0},  # to 86400 s
        tail_left_out_s=0.0,
        record_clock={"sample_starts": [0.0, 40000.0], "clock_starts": [0.0, 40000.5]},
    )
    assert main(["info", str(day)]) == 0
    text = capsys.readouterr().out
    assert (
        "  recording clock: 2024-01-01 23:55:00.000 to 2024-01-02 23:55:00.500 (24:00:00; " in text
    )
    assert "  discontinuous: 24:00:00 recorded over 24:00:00 of clock time in 2 stretches, " in text
    assert "1 gap totalling 0.5 s" in text


def test_tilde_expanded_in_every_output_path(weights, edf, tmp_path, monkeypatch, capsys):
    """``~`` names the home folder in outputs as in inputs: ``-o '~/x.parquet'`` (quoted, so no
    shell expanded it) and ``Embeddings.save('~/e.parquet')`` write under HOME, and no folder
    named ``~`` appears in the working directory."""
    home, cwd = tmp_path / "home", tmp_path / "cwd"
    home.mkdir(), cwd.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(cwd)
    words = ["embed", str(edf), "--weights", str(weights), "-q", "--device", "cpu"]
    assert main([*words, "-o", "~/x.parquet"]) == 0
    assert main([*words, "--output=~/y.npz"]) == 0
    emb = load_embeddings(home / "x.parquet")
    assert emb.save("~/e.parquet") == home / "e.parquet"
    assert load_embeddings("~/y.npz").data.shape == emb.data.shape
    assert sorted(p.name for p in home.iterdir()) == ["e.parquet", "x.parquet", "y.npz"]
    assert not (cwd / "~").exists()


def test_info_on_an_embeddings_file_imports_no_torch(tmp_path):
    """`eegpt info` on an .npz/.parquet output reads its provenance only: no torch (it took
    ~3 s to import through eegpt.api for two of info's helpers)."""
    from eegpt.outputs import Embeddings

    def info(*words: str) -> tuple[str, list[str]]:
        """What `eegpt info WORDS` prints in a fresh process, and which of torch, MNE and
        SciPy it imported."""
        script = (
            "import sys\nfrom eegpt.cli import main\n"
            f"main(['info', *{list(words)!r}])\n"
            "print(sorted(m for m in ('torch', 'mne', 'scipy') if m in sys.modules))"
        )
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        *said, imported = done.stdout.strip().splitlines()
        return "\n".join(said), ast.literal_eval(imported)

    meta = {"source": "<array>", "sfreq_in": 256.0, "input": {"object": "numpy.ndarray"}}
    Embeddings(np.zeros((3, 2, 4, 8), np.float32), np.arange(3.0), meta).save(tmp_path / "e.npz")
    said, imported = info(str(tmp_path / "e.npz"))
    assert "an in-memory numpy.ndarray" in said and "torch" not in imported, said
    # --json reads the same provenance: neither torch nor MNE nor SciPy
    said, imported = info("--json", str(tmp_path / "e.npz"))
    assert json.loads(said)["n_windows"] == 3 and imported == [], said
    # windows over annotations, one bad: counted without MNE, as JSON and as text (of windows
    # not padded)
    meta["annotations"] = [[], ["BAD_muscle"], ["eyes closed"]]
    Embeddings(np.zeros((3, 2, 4, 8), np.float32), np.arange(3.0), meta).save(tmp_path / "a.npz")
    said, imported = info("--json", str(tmp_path / "a.npz"))
    assert json.loads(said)["bad_windows"] == 1 and imported == [], said
    said, imported = info(str(tmp_path / "a.npz"))
    assert "bad windows: 1" in said and imported == [], said
    # epochs zero-padded into a longer window: the padding's text needs no MNE either
    meta = {"source": "<array>", "sfreq_in": 256.0, "input": {"object": "numpy.ndarray"}}
    meta["padded_epochs"] = {
        "recorded_s": 1.0,
        "padded_s": 3.0,
        "recorded_samples": 256,
        "window_samples": 1024,
        "patches": 16,
        "padding_patches": 12,
        "partly_padded_patches": 0,
    }
    Embeddings(np.zeros((3, 16, 4, 8), np.float32), np.arange(3.0), meta).save(tmp_path / "p.npz")
    said, imported = info(str(tmp_path / "p.npz"))
    assert "epochs zero-padded: 1 s recorded and 3 s of zeros" in said and imported == [], said


def test_info_shows_picks_that_are_not_the_default_and_labels_renamed(tmp_path, capsys):
    """`eegpt info` lists each channel by its vocabulary name, with the file's label where
    that label does not hold the name (T3 read as T7, sEEG contacts picked), and the picks
    where they are not the default EEG (`--picks seeg` embedded intracranial contacts)."""
    channels = {
        "input_names": ["EEG FP1-REF", "T3", "Fz", "E36"],
        "names": ["FP1", "T7", "FZ", "C3"],
        "picks": [0, 1, 2, 3],
        "chan_ids": [0, 25, 11, 27],
        "dropped": [],
    }
    path = _saved_embeddings(tmp_path, ".npz", channels=channels, picks=["eeg", "seeg"])
    assert main(["info", str(path)]) == 0
    text = capsys.readouterr().out
    assert "  4 channels: FP1, T7 (from T3), FZ, C3 (from E36)\n" in text, text
    assert (
        "  picks: eeg, seeg (not the default eeg; seeg: not scalp EEG, outside what EEGPT was "
        "pretrained on)\n" in text
    ), text
    plain = _saved_embeddings(tmp_path / "plain", ".npz", channels=channels, picks=["eeg"])
    assert main(["info", str(plain)]) == 0
    assert "picks:" not in capsys.readouterr().out
    from eegpt import io, vocabulary  # one table of the types, in the module without mne

    assert io.NOT_SCALP_TYPES is vocabulary.NOT_SCALP_TYPES


def test_info_shows_the_labels_of_one_participant_of_a_hyperscanning_file(tmp_path, capsys):
    """Two outputs of one hyperscanning recording, one per participant (labels A-Fp1 ... and
    B-Fp1 ...), are told apart by `eegpt info`: a participant's tag is no decoration of the
    name, so each channel shows its label, where `EEG FP1-REF` still shows as FP1 alone."""
    for tag in ("A-", "B-"):
        channels = {
            "input_names": [f"{tag}Fp1", f"{tag}Cz", f"{tag}O2", f"{tag}C3"],
            "names": ["FP1", "CZ", "O2", "C3"],
            "picks": [0, 1, 2, 3],
            "chan_ids": [0, 27, 57, 26],
            "dropped": [],
        }
        path = _saved_embeddings(tmp_path / tag, ".npz", channels=channels, picks=["eeg"])
        assert main(["info", str(path)]) == 0
        text = capsys.readouterr().out
        shown = f"FP1 (from {tag}Fp1), CZ (from {tag}Cz), O2 (from {tag}O2), C3 (from {tag}C3)"
        assert f"  4 channels: {shown}\n" in text, text


def test_epochs_without_times_are_marked_separate_not_contiguous(model, tmp_path, capsys):
    """Epochs of an array (or mne.EpochsArray without events) get onsets numbered end to end:
    the metadata and eegpt info say they are separate epochs, not contiguous windows."""
    names = ["FP1", "CZ", "O2"]
    x = np.random.default_rng(0).standard_normal((30, 3, 800)) * 2e-5
    picked = model.embed(x[[0, 10, 20]], ch_names=names, sfreq=200)
    np.testing.assert_allclose(picked.onsets, [0, 4, 8])
    assert picked.metadata["epoch_onsets"] == "end_to_end"
    continuous = model.embed(x[0].repeat(3, axis=-1), ch_names=names, sfreq=200)
    assert "epoch_onsets" not in continuous.metadata
    info = mne.create_info(names, 200.0, "eeg")
    placeholder = model.embed(mne.EpochsArray(x[:3], info, verbose=False))
    assert placeholder.metadata["epoch_onsets"] == "end_to_end"
    events = np.c_[np.arange(3) * 2000 + 100, np.zeros(3, int), np.ones(3, int)]
    timed = model.embed(mne.EpochsArray(x[:3], info, events=events, verbose=False))
    assert timed.metadata["epoch_onsets"] == "events" and timed.onsets[1] == 10.5
    picked.save(tmp_path / "picked.npz")
    continuous.save(tmp_path / "continuous.npz")
    capsys.readouterr()
    assert main(["info", str(tmp_path / "picked.npz")]) == 0
    assert "  3 epochs (separate, onsets numbered end to end) of 4.0 s" in capsys.readouterr().out
    assert main(["info", str(tmp_path / "continuous.npz")]) == 0
    assert "  3 windows of 4.0 s (overlap 0.0 s)" in capsys.readouterr().out


def test_cli_embed_npz_of_epochs_arrays(weights, tmp_path, capsys):
    """`eegpt embed` reads an .npz of epochs arrays (X, ch_names, sfreq, units, y) as the probe
    commands do: one window per epoch, y kept as the labels, the file recorded as the source;
    `model.embed(path)` too, alike the arrays given themselves; `eegpt channels` lists its
    channels; --picks, for typed channels, is refused (its channels are the rows of X)."""
    rng = np.random.default_rng(5)
    x = rng.normal(0, 20, (3, 4, 1024))  # microvolts
    names = np.array(["Fz", "Cz", "Pz", "Oz"])
    arrays = tmp_path / "trials.npz"
    np.savez(arrays, X=x, ch_names=names, sfreq=256.0, units="uV", y=np.array([1, 0, 1]))
    out = tmp_path / "trials_emb.npz"
    assert main(["embed", str(arrays), "--weights", str(weights), "-o", str(out), "-q"]) == 0
    emb = load_embeddings(out)
    assert emb.data.shape == (3, 16, 4, 64)
    assert emb.metadata["labels"] == ["1", "0", "1"]
    assert emb.metadata["source_files"]["files"] == ["trials.npz"]
    model = load_model(weights)
    same = embed(model, arrays, device="cpu")  # Python too, alike the array itself
    alike = embed(model, x, ch_names=list(names), sfreq=256.0, units="uV", device="cpu")
    np.testing.assert_allclose(same.data, alike.data, rtol=1e-5, atol=1e-6)
    capsys.readouterr()
    assert main(["channels", str(arrays)]) == 0  # its channels, as embed maps them
    assert "trials.npz: 4 channels typed EEG at 256 Hz, 3 epochs of 4 s" in capsys.readouterr().out
    assert main(["embed", str(arrays), "--picks", "misc", "--weights", str(weights), "-o",
                 str(tmp_path / "misc.npz"), "-q"]) == 1  # fmt: skip
    assert "picks='misc' applies to files and MNE objects only" in capsys.readouterr().err


def test_cli_embed_npz_names_the_file_and_numbers_its_epochs_end_to_end(weights, tmp_path, capsys):
    """The INFO line on an .npz of epochs arrays names the file, not '<array>' (the name of
    arrays given in Python); its epochs, without times, are numbered end to end, as an
    array's are (metadata['epoch_onsets'])."""
    rng = np.random.default_rng(6)
    arrays = tmp_path / "trials.npz"
    np.savez(arrays, X=rng.normal(0, 20, (2, 3, 1024)), ch_names=np.array(["Fz", "Cz", "Pz"]),
             sfreq=256.0, units="uV")  # fmt: skip
    out = tmp_path / "trials_emb.npz"
    capsys.readouterr()
    assert main(["embed", str(arrays), "--weights", str(weights), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"Recording {arrays}: epochs 2x3x1024 samples" in err and "<array>" not in err
    emb = load_embeddings(out)
    assert emb.metadata["epoch_onsets"] == "end_to_end"
    model = load_model(weights)
    alike = embed(model, rng.normal(0, 20, (2, 3, 1024)), ch_names=["Fz", "Cz", "Pz"],
                  sfreq=256.0, units="uV", device="cpu")  # fmt: skip
    assert alike.metadata["epoch_onsets"] == "end_to_end"
    np.testing.assert_array_equal(emb.onsets, alike.onsets)


def test_cli_embed_refuses_an_output_named_as_its_npz_input(weights, tmp_path, capsys):
    """An .npz of epochs arrays embedded into its own folder would be written over itself
    (the output is named after the input): refused before anything is embedded, plain, with
    --skip-existing (which replaces a file it cannot read as an output) and --overwrite; the
    input is left byte-identical and the error names it and says what to give instead. So is
    an output that is another input of the run (here an --annotations file)."""
    x = np.random.default_rng(5).normal(0, 20, (3, 4, 1024))
    sub = tmp_path / "sub"
    sub.mkdir()
    arrays = sub / "trials.npz"
    np.savez(arrays, X=x, ch_names=np.array(["Fz", "Cz", "Pz", "Oz"]), sfreq=256.0, units="uV")
    before = arrays.read_bytes()
    for extra in (["--skip-existing"], ["--overwrite"], []):
        for output in (str(sub), str(arrays), f"{sub}/"):
            code = main(["embed", str(arrays), "--weights", str(weights), "-o", output, *extra])
            assert code == 1 and arrays.read_bytes() == before, (extra, output)
            err = capsys.readouterr().err
            assert f"the output of {arrays} would be {arrays}, which is itself" in err
            assert "Give -o another folder" in err
            assert arrays.read_bytes() == before, (extra, output)
    other = tmp_path / "notes.npz"
    other.write_bytes(b"not embeddings")
    args = ["embed", str(arrays), "--annotations", str(other), "--weights", str(weights)]
    assert main([*args, "-o", str(other), "--overwrite"]) == 1
    assert f"which is another input, {other}" in capsys.readouterr().err
    assert other.read_bytes() == b"not embeddings"


def test_cli_embed_refuses_an_embeddings_npz_saying_it_is_an_output(weights, tmp_path, capsys):
    """An embeddings .npz written by eegpt embed, given to embed again (an .npz, as epochs
    arrays are): refused as an output, not a recording, saying how to load it and what an
    .npz to embed holds; nothing written."""
    model = load_model(weights)
    x = np.random.default_rng(5).normal(0, 20, (2, 4, 1024))
    out = tmp_path / "trials_emb.npz"
    embed_to_file(model, x, out, ch_names=["Fz", "Cz", "Pz", "Oz"], sfreq=256.0, units="uV")
    again = tmp_path / "again.npz"
    assert main(["embed", str(out), "--weights", str(weights), "-o", str(again), "-q"]) == 1
    err = capsys.readouterr().err
    assert "trials_emb.npz is an embeddings file written by eegpt embed" in err
    assert "not a recording to embed. Load it with eegpt.load_embeddings(path)" in err
    assert "give an .npz with X [n_epochs, n_channels, n_times], ch_names, sfreq" in err
    assert "model.embed(X, ch_names=..., sfreq=..., units='uV')" in err
    assert not again.exists()
    with pytest.raises(RecordingError, match="is an embeddings file written by eegpt embed"):
        embed(model, out)


def _no_weights_loaded(monkeypatch):
    """Make loading the weights fail loudly: a refusal must come before it."""
    import eegpt.checkpoints

    def refused(*args, **kwargs):
        raise AssertionError("the weights were loaded before the inputs were checked")

    monkeypatch.setattr(eegpt.checkpoints, "load_model", refused)


def test_embed_of_a_brainvision_folder_star_reads_each_recording_through_its_header(
    weights, tmp_path, capsys
):
    """`eegpt embed folder/*` of a BrainVision recording gives its .vhdr, .eeg and .vmrk: the
    .eeg and .vmrk are read through the .vhdr, so they are left out with a note, not refused as
    a second recording written to the same output; likewise an EEGLAB .fdt beside its .set."""
    from test_annotations import _write_brainvision

    folder = tmp_path / "mr"
    folder.mkdir()
    vhdr = _write_brainvision(folder)
    given = sorted(str(p) for p in folder.iterdir())  # rec.eeg, rec.vhdr, rec.vmrk
    out = tmp_path / "out"
    assert main(["embed", *given, "--weights", str(weights), "-o", f"{out}/"]) == 0
    err = capsys.readouterr().err
    assert f"eegpt: {folder / 'rec.eeg'} and {folder / 'rec.vmrk'}: read through their header " \
           f"{vhdr}, given too: not read on their own" in err  # fmt: skip
    assert "would both be written" not in err
    assert sorted(p.name for p in out.iterdir()) == ["rec.npz"]
    # -q: the note unsaid (it printed whatever -q)
    assert main(["embed", *given, "--weights", str(weights), "-o", f"{out}/", "-q",
                 "--overwrite"]) == 0  # fmt: skip
    assert "read through their header" not in capsys.readouterr().err
    from eegpt.cli_inputs import _without_companion_files

    (tmp_path / "sub.set").touch()  # names alone: the .fdt of the .set's name is its own
    (tmp_path / "sub.fdt").touch()
    eeglab = [tmp_path / "sub.fdt", tmp_path / "sub.set"]
    assert _without_companion_files(eeglab) == [tmp_path / "sub.set"]
    assert f"sub.fdt: read through its header {tmp_path / 'sub.set'}" in capsys.readouterr().err
    assert _without_companion_files(eeglab[:1]) == eeglab[:1]  # refused later, naming the .set
    other = folder / "rec_data.eeg"  # the data file the header names, of another name
    (folder / "rec.eeg").rename(other)
    vhdr.write_text(vhdr.read_text().replace("DataFile=rec.eeg", "DataFile=rec_data.eeg"))
    (folder / "rec.eeg").touch()  # not the header's: a recording of its own (Nihon Kohden?)
    given = [vhdr, folder / "rec.eeg", other]
    assert _without_companion_files(given) == given[:2]


def test_embed_of_a_brainvision_folder_star_takes_one_start_per_recording(weights, tmp_path):
    """`eegpt embed folder/* --start A B`: the .eeg and .vmrk read through their .vhdr are left
    out before the --start values are counted (they were counted as recordings, and the
    command refused 2 values for 4 recordings)."""
    import mne
    from test_annotations import _write_brainvision

    import eegpt

    folder = tmp_path / "mr"
    folder.mkdir()
    _write_brainvision(folder)
    info = mne.create_info(["Fp1", "Cz", "O1"], 256.0, "eeg")
    raw = mne.io.RawArray(np.random.default_rng(0).normal(0, 2e-5, (3, 256 * 30)), info,
                          verbose=False)  # fmt: skip
    raw.save(folder / "other_raw.fif", verbose=False)
    given = sorted(str(p) for p in folder.iterdir())  # other_raw.fif, rec.eeg, .vhdr, .vmrk
    out = tmp_path / "out"
    assert main(["embed", *given, "--start", "2", "4", "--weights", str(weights), "-o",
                 f"{out}/", "-q"]) == 0  # fmt: skip
    starts = {
        p.name: eegpt.load_embeddings(p).metadata["preprocessing"]["start_seconds"]
        for p in out.iterdir()
    }
    assert starts == {"other_raw.npz": 2.0, "rec.npz": 4.0}


def test_every_command_reads_a_brainvision_folder_star_through_its_header(
    weights, tmp_path, capsys
):
    """`folder/*` of a BrainVision recording (.eeg, .vhdr, .vmrk) is cleaned up by the probe
    commands and `eegpt channels` as embed cleans it: the .eeg and .vmrk left out with a note
    (unsaid with -q), not refused as 'the data file of a BrainVision recording'."""
    import csv

    from test_annotations import _write_brainvision

    from eegpt.probe_cli import main as probe_main

    folder = tmp_path / "mr"
    folder.mkdir()
    _write_brainvision(folder)
    given = sorted(str(p) for p in folder.iterdir())
    assert main(["channels", *given]) == 0
    assert "read through their header" in capsys.readouterr().err
    probe = tmp_path / "probe"
    labelling = ["--window-labels", "seizure", "--unlabelled", "background", "--window", "4"]
    assert probe_main(["train", *given, "--weights", str(weights), "-o", str(probe), "-q",
                       "--passes", "1", *labelling]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert "read through their header" not in err and "data file" not in err
    pred = tmp_path / "pred.csv"
    assert probe_main(["predict", str(probe), *given, "-o", str(pred)]) == 0
    assert "given too: not read on their own" in capsys.readouterr().err
    assert {r["file"] for r in csv.DictReader(pred.open())} == {str(folder / "rec.vhdr")}
    assert probe_main(["evaluate", str(probe), *given, "-q"]) == 0


def test_embed_refuses_a_lone_companion_file_or_a_folder_before_loading_the_weights(
    weights, tmp_path, capsys, monkeypatch
):
    """A BrainVision .eeg or .vmrk given without its .vhdr is refused naming the .vhdr to give;
    a folder is refused pointing to embed-dataset; both before the weights load (they did
    after: minutes for a large checkpoint)."""
    from test_annotations import _write_brainvision

    vhdr = _write_brainvision(tmp_path)
    _no_weights_loaded(monkeypatch)
    for lone in ("rec.eeg", "rec.vmrk"):
        code = main(["embed", str(tmp_path / lone), "--weights", str(weights), "-o",
                     str(tmp_path / "out.npz")])  # fmt: skip
        assert code != 0
        err = capsys.readouterr().err
        assert f"give {vhdr} instead" in err
    assert main(["embed", str(tmp_path), "--weights", str(weights), "-o", f"{tmp_path}/o/"]) != 0
    assert f"{tmp_path} is a folder, not a recording" in capsys.readouterr().err


def test_embed_given_the_model_second_says_the_arguments_are_swapped(tmp_path):
    """eegpt.embed(path, model) was told to load the path as a model
    (eegpt.load_model('rec.edf')): a model given second says the arguments are swapped."""
    import eegpt
    from eegpt.config import EEGPTConfig
    from eegpt.model import EEGPT

    model = EEGPT(EEGPTConfig(embed_dim=64, depth=1, num_heads=4, embed_num=1))
    with pytest.raises(TypeError) as caught:
        eegpt.embed(tmp_path / "rec.edf", model)
    said = str(caught.value)
    assert "the arguments are swapped" in said and "load_model(" not in said
    assert f"{type(tmp_path).__name__} '{tmp_path / 'rec.edf'}' first and the model second" in said
    with pytest.raises(TypeError, match="arguments are swapped.*embed_to_file\\(model, raw"):
        eegpt.embed_to_file(np.zeros((2, 1000)), model, tmp_path / "o.npz")


def test_embed_given_the_data_first_says_the_signature_and_the_call(tmp_path):
    """eegpt.embed(raw) took the Raw for the model: Python said "embed() missing 1 required
    positional argument: 'data'". The data given first (a Raw, Epochs, array, or a path with
    nothing after it) is refused saying embed takes the model first, and how to load one;
    embed_to_file alike. A checkpoint's path with the data after it is still told to load."""
    import eegpt

    raw = mne.io.RawArray(np.zeros((2, 1000)), mne.create_info(["Cz", "Pz"], 250.0, "eeg"))
    epochs = mne.make_fixed_length_epochs(raw, duration=1.0, verbose=False)
    load = "model = eegpt.load_model('eegpt-large')"
    for data, given in ((raw, "an mne.io.Raw (RawArray)"), (epochs, "an mne.Epochs (Epochs)"),
                        (np.zeros((2, 1000)), "a NumPy array"), ("rec.vhdr", "str 'rec.vhdr'"),
                        (tmp_path / "rec.vhdr", type(tmp_path).__name__)):  # fmt: skip
        with pytest.raises(TypeError) as caught:
            eegpt.embed(data)
        said = str(caught.value)
        assert "embed() takes the model first, then the data (embed(model, data, ...)), and " \
               f"got {given}" in said  # fmt: skip
        assert f"{load} (or a checkpoint's path), then eegpt.embed(model, raw), or " \
               "model.embed(raw)" in said  # fmt: skip
    with pytest.raises(TypeError, match=r"embed_to_file\(\) takes the model first.*got an mne\.io"
                       r"\.Raw .*eegpt\.embed_to_file\(model, raw, 'out\.npz'\)"):  # fmt: skip
        embed_to_file(raw, tmp_path / "out.npz")
    with pytest.raises(TypeError, match=r"load the weights first, model = eegpt\.load_model\("):
        embed("weights.ckpt", raw)  # a model's path, then the data: encoder_of's words
    # a model's path and the data, the output missing: not a call with the data first
    with pytest.raises(TypeError) as caught:
        embed_to_file("ck", raw)
    assert "as the model" not in str(caught.value) and "output" in str(caught.value)


def test_embed_to_file_given_two_paths_says_which_is_missing(tmp_path):
    """eegpt.embed_to_file('ck', 'rec.edf') said 'ck' was not a model, as if the recording had
    been given first. Two paths are a model's path (or name) and the recording with the output
    missing, or the recording and the output with the model missing: the refusal says the
    signature and the call meant, with the paths given."""
    start = "embed_to_file() takes the model, the data and the output (embed_to_file(model, "
    for call in (lambda: embed_to_file("ck", "rec.edf"),
                 lambda: embed_to_file(model="ck", data=tmp_path / "rec.edf")):  # fmt: skip
        with pytest.raises(TypeError) as caught:
            call()
        said = str(caught.value)
        assert said.startswith(start) and "as the model" not in said
        assert "the output is missing; if 'ck' is a model's name or checkpoint, load it first, " \
               "model = eegpt.load_model('ck'), then eegpt.embed_to_file(model, " in said  # fmt: skip
        assert "'out.npz') (the output: a .npz or .parquet file)" in said
    with pytest.raises(TypeError) as caught:
        embed_to_file("rec.edf", "out.npz")
    said = str(caught.value)
    assert said.startswith(start) and "recording and the output, with the model missing" in said
    assert said.endswith("then eegpt.embed_to_file(model, 'rec.edf', 'out.npz')")


def test_cli_quiet_still_warns_once_of_a_100_hz_recording_upsampled(weights, tmp_path):
    """A 100 Hz recording was upsampled to 256 Hz with only an INFO line, which -q hides,
    though its empty band above 50 Hz is outside EEGPT's pretraining data: one warning."""
    names = ["Fp1", "Fp2", "C3", "C4", "Cz", "O1", "O2", "Pz"]
    data = np.random.default_rng(3).standard_normal((8, 100 * 12)) * 20e-6
    raw = mne.io.RawArray(data, mne.create_info(names, 100.0, "eeg"), verbose=False)
    path = tmp_path / "slow_raw.fif"
    raw.save(path, verbose=False)
    out = tmp_path / "slow.npz"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["embed", str(path), "--weights", str(weights), "-o", str(out), "-q"]) == 0
    said = [str(w.message) for w in caught if "the sampling rate is 100 Hz" in str(w.message)]
    assert len(said) == 1 and "the band from 50 to 128 Hz is empty" in said[0]


def test_a_npy_recording_is_refused_with_the_npz_that_eegpt_reads(weights, tmp_path, capsys):
    """A .npy given as a recording got MNE's "unsupported file type '.npy'" and its list of
    formats: the refusal now says the .npz keys eegpt reads and the np.savez line making one."""
    npy = tmp_path / "trials.npy"
    np.save(npy, np.zeros((2, 1024)))
    with pytest.raises(RecordingError) as caught:
        embed(load_model(weights), npy)
    text = str(caught.value)
    assert "unsupported file type '.npy'" in text
    assert "X [n_epochs, n_channels, n_times]" in text and "ch_names" in text and "sfreq" in text
    assert f"np.savez({str(tmp_path / 'trials.npz')!r}, X=np.load({str(npy)!r}), " in text
    out = tmp_path / "out.npz"
    assert main(["embed", str(npy), "--weights", str(weights), "-o", str(out), "-q"]) == 1
    assert "np.savez(" in capsys.readouterr().err


def test_a_mat_recording_is_refused_saying_how_to_embed_its_samples(weights, tmp_path, capsys):
    """A .mat given as a recording failed with MNE's "TypeError: read_raw_fieldtrip() got an
    unexpected keyword argument 'verbose'": the refusal says it holds MATLAB variables and how
    to embed them in their unit (FieldTrip's samples are not converted to volts by MNE)."""
    from scipy.io import savemat

    mat = tmp_path / "rec.mat"
    savemat(mat, {"data": np.zeros((3, 1024)), "srate": 256})
    with pytest.raises(RecordingError) as caught:
        embed(load_model(weights), mat)
    text = str(caught.value)
    assert "unsupported file type '.mat'" in text and "TypeError" not in text
    assert "units='uV'" in text and "read_raw_fieldtrip" in text
    assert f".save({str(tmp_path / 'rec_raw.fif')!r})" in text
    out = tmp_path / "out.npz"
    assert main(["embed", str(mat), "--weights", str(weights), "-o", str(out), "-q"]) == 1
    assert "a .mat file holds MATLAB variables" in capsys.readouterr().err


def test_embed_takes_window_seconds_as_the_cli_writes_them(model):
    """eegpt.embed(..., window_seconds='2s') was refused though --window 2s is accepted."""
    x = np.random.default_rng(0).standard_normal((3, 256 * 8)) * 1e-5
    names = ["C3", "Cz", "C4"]
    text = embed(model, x, ch_names=names, sfreq=256.0, window_seconds="2s", verbose="error")  # type: ignore[arg-type]
    number = embed(model, x, ch_names=names, sfreq=256.0, window_seconds=2, verbose="error")
    np.testing.assert_array_equal(text.data, number.data)
    assert text.onsets.tolist() == number.onsets.tolist() == [0.0, 2.0, 4.0, 6.0]


def test_embed_given_the_data_first_and_the_model_by_keyword_says_the_signature(model, tmp_path):
    """eegpt.embed('f.edf', model=m) got Python's "multiple values for argument 'model'": it
    is refused saying embed takes the model first and the call meant; embed_to_file alike."""
    import eegpt

    with pytest.raises(TypeError) as caught:
        eegpt.embed("f.edf", model=model)
    said = str(caught.value)
    assert "embed() takes the model first, then the data (embed(model, data, ...)), and got " \
           "str 'f.edf' first, where the model goes, and model= as well" in said  # fmt: skip
    assert said.endswith("call eegpt.embed(model, raw), or model.embed(raw)")
    with pytest.raises(TypeError, match=r"embed_to_file\(\) takes the model first.*model= as "
                       r"well: call eegpt\.embed_to_file\(model, raw, 'out\.npz'\)"):  # fmt: skip
        embed_to_file("f.edf", tmp_path / "out.npz", model=model)


@pytest.mark.parametrize("word", ["csv", "MAT"])
def test_embed_format_csv_or_mat_points_to_eegpt_export(weights, edf, tmp_path, capsys, word):
    """--format csv was refused as an invalid choice only: the refusal now says to embed to
    .npz and convert with eegpt export, which writes CSV and MATLAB files."""
    args = ["embed", str(edf), "--weights", str(weights), "-o", str(tmp_path / "out")]
    with pytest.raises(SystemExit):
        main([*args, "--format", word])
    err = capsys.readouterr().err
    assert "eegpt embed writes npz or parquet" in err
    assert f"eegpt export OUT.npz -o OUT.{word.lower()}" in err
    assert not (tmp_path / "out").exists()


def test_epochs_detrend_is_recorded_and_shown(tmp_path, capsys, caplog):
    """mne.Epochs(..., baseline=None, detrend=1) removes a line from each epoch: recorded
    (metadata["epochs_detrend"]) next to epochs_baseline (None), logged and shown by
    `eegpt info`; epochs made without it record None and show nothing."""
    model = EEGPT("tiny2")
    names = ["C3", "Cz", "C4", "FC3", "FCz", "FC4", "CP3", "CPz", "CP4"]
    sfreq = 256.0
    x = np.random.default_rng(5).standard_normal((len(names), int(sfreq * 12))) * 1e-5
    raw = mne.io.RawArray(x, mne.create_info(names, sfreq, "eeg"), verbose=False)
    events = np.array([[int((0.5 + 4 * k) * sfreq), 0, 1] for k in range(2)])
    cut = {"tmin": 0.0, "tmax": 4.0 - 1 / sfreq, "baseline": None, "verbose": False}
    with caplog.at_level(logging.INFO, logger="eegpt"):
        emb = model.embed(mne.Epochs(raw, events, detrend=1, **cut), verbose=True)
    assert emb.metadata["epochs_baseline"] is None
    assert emb.metadata["epochs_detrend"] == 1
    assert "detrended by MNE (a least-squares line" in caplog.text
    plain = model.embed(mne.Epochs(raw, events, **cut), verbose="error")
    assert "epochs_detrend" in plain.metadata and plain.metadata["epochs_detrend"] is None
    assert "epochs_detrend" not in model.embed(raw, verbose="error").metadata
    emb.save(tmp_path / "detrended.npz")
    plain.save(tmp_path / "plain.npz")
    assert main(["info", str(tmp_path / "detrended.npz")]) == 0
    assert "epochs detrended by MNE (detrend=1: a least-squares line" in capsys.readouterr().out
    assert main(["info", str(tmp_path / "plain.npz")]) == 0
    assert "detrended" not in capsys.readouterr().out


def test_numbered_channels_with_positions_get_the_positions_hint_in_python_too(tmp_path):
    """A Raw (or its epochs) of channels E1..E15 with a digitised montage of their real
    sites, given to embed in Python, is refused with the hint to name them by those
    positions (nearest_rename(raw)), as the same Raw saved to FIF and embedded by path is,
    not with the standard net's layout alone."""
    from eegpt.errors import NoChannelMappedError

    sites = ["Fp1", "Fp2", "F3", "F4", "C3", "C4", "P3", "P4", "O1", "O2", "Fz", "Cz", "Pz"]
    sites += ["T7", "T8"]
    x = np.random.default_rng(0).standard_normal((len(sites), 2560)) * 1e-5
    raw = mne.io.RawArray(x, mne.create_info(sites, 256.0, "eeg"), verbose=False)
    raw.set_montage("standard_1005")
    raw.rename_channels({site: f"E{k + 1}" for k, site in enumerate(sites)})
    raw.save(tmp_path / "e_raw.fif", verbose=False)
    model = EEGPT("tiny2")
    hint = r"15 of them have positions .*rename=eegpt\.channels\.nearest_rename\(raw\)"
    epochs = mne.make_fixed_length_epochs(raw, duration=4.0, preload=True, verbose=False)
    for obj in (tmp_path / "e_raw.fif", raw, epochs):
        with pytest.raises(NoChannelMappedError, match=hint):
            embed(model, obj, verbose="error")


def test_crops_of_one_recording_joined_with_a_pause_warn_of_the_clock(tmp_path):
    """mne.concatenate_raws of two crops of one Raw (in memory or of one FIF file) with 10 s
    left out between them: clock times after the join run 10 s early, which a warning says;
    crops that follow each other, and separate Raws each from sample 0, are not warned of."""
    x = np.random.default_rng(0).standard_normal((len(TUH_NAMES[:8]), 256 * 60)) * 1e-5
    names = [n.replace("EEG ", "").replace("-REF", "") for n in TUH_NAMES[:8]]
    raw = mne.io.RawArray(x, mne.create_info(names, 256.0, "eeg"), verbose=False)
    raw.save(tmp_path / "r_raw.fif", verbose=False)
    on_file = lambda: mne.io.read_raw_fif(tmp_path / "r_raw.fif", verbose=False)  # noqa: E731
    model = EEGPT("tiny2")
    said = r"pieces of one recording with a pause.*10\.000 s of it were left out.*20\.000 s"
    for pieces in (
        [raw.copy().crop(0, 20, include_tmax=False), raw.copy().crop(30, 50)],
        [on_file().crop(0, 20, include_tmax=False), on_file().crop(30, 50)],
    ):
        joined = mne.concatenate_raws(pieces, verbose=False)
        with pytest.warns(RuntimeWarning, match=said):
            embed(model, joined)
    for pieces in (
        [raw.copy().crop(0, 20, include_tmax=False), raw.copy().crop(20, 40)],
        [raw.copy().crop(0, 20), raw.copy().crop(0, 20)],  # two Raws from their sample 0
    ):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            embed(model, mne.concatenate_raws(pieces, verbose=False))
        assert not any("pieces of one recording" in str(w.message) for w in caught)


def test_a_reference_applied_in_mne_is_recorded_and_its_replacement_logged(tmp_path, caplog):
    """A Raw re-referenced in MNE (set_eeg_reference(['C3', 'C4'])): eegpt's default average
    reference replaces that reference, which an INFO line says (verbose), in memory and from
    a saved FIF file, and the output records (metadata["custom_ref_applied"]); neither for a
    Raw left as recorded, nor where the average reference is turned off."""
    names = ["Fp1", "Fp2", "F3", "F4", "C3", "C4", "P3", "P4", "O1", "O2"]
    x = np.random.default_rng(0).standard_normal((len(names), 256 * 8)) * 1e-5
    raw = mne.io.RawArray(x, mne.create_info(names, 256.0, "eeg"), verbose=False)
    model = EEGPT("tiny2")
    plain = embed(model, raw, verbose="error")
    assert "custom_ref_applied" not in plain.metadata
    raw.set_eeg_reference(["C3", "C4"], verbose=False)
    raw.save(tmp_path / "ref_raw.fif", verbose=False)
    said = "the recording was re-referenced in MNE (info['custom_ref_applied']"
    for obj in (raw, tmp_path / "ref_raw.fif"):
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="eegpt"):
            emb = embed(model, obj, verbose=True)
        assert said in caplog.text and "average_reference=False" in caplog.text
        assert emb.metadata["custom_ref_applied"] is True
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="eegpt"):
        embed(model, raw, average_reference=False, verbose=True)
    assert said not in caplog.text


def test_tqdm_environment_variables_are_honoured_and_eegpts_options_win(
    weights, tmp_path, monkeypatch, capsys
):
    """``TQDM_DISABLE=1`` turns eegpt's progress bars off and ``TQDM_MININTERVAL`` sets their
    interval, as for tqdm's own defaults; eegpt's own word (``-q``, ``progress=False``) wins."""
    from eegpt._logging import progress_options

    raw, _ = synthetic_raw(minutes=0.25, seed=2)
    edf = write_edf(raw, tmp_path / "rec.edf")
    args = ["embed", str(edf), "--weights", str(weights), "-o", str(tmp_path / "o.npz")]
    assert main(args) == 0
    assert "win/s" in capsys.readouterr().err  # the bar, by default
    monkeypatch.setenv("TQDM_DISABLE", "1")
    assert main([*args, "--overwrite"]) == 0
    assert "win/s" not in capsys.readouterr().err
    assert progress_options()["disable"] is True
    monkeypatch.setenv("TQDM_DISABLE", "0")
    assert progress_options()["disable"] is False
    assert progress_options(disable=True)["disable"] is True  # -q wins
    monkeypatch.setenv("TQDM_MININTERVAL", "5")
    assert progress_options()["mininterval"] == 5.0


def test_importing_eegpt_in_a_notebook_without_ipywidgets_is_quiet():
    """In a Jupyter kernel without ipywidgets, importing tqdm.auto warns ("IProgress not
    found"): eegpt imports it where a bar is made, so that its import (and its functions'
    modules, loaded on first use) says nothing."""
    code = (
        "import sys, types, warnings\n"
        "warnings.simplefilter('always')\n"
        "shell = types.SimpleNamespace(config={'IPKernelApp': {}})\n"
        "sys.modules['IPython'] = types.SimpleNamespace(get_ipython=lambda: shell)\n"
        "sys.modules['ipykernel.zmqshell'] = types.ModuleType('ipykernel.zmqshell')\n"
        "sys.modules['ipywidgets'] = None  # not installed\n"
        "import eegpt\n"
        "eegpt.load_model, eegpt.embed, eegpt.embed_dataset\n"
        "import eegpt.engine, eegpt.dataset_summary, eegpt.api, eegpt.probe, eegpt.sklearn\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "IProgress" not in done.stderr and "Warning" not in done.stderr, done.stderr
