"""Command-line outputs never written over the command's inputs, nor over an existing file
without ``--overwrite``: ``probe evaluate --json/--plot``, ``channels --write-rename``,
``embed -o -``; and options that do not apply refused rather than ignored."""

import argparse
import json
import os
import warnings

import mne
import numpy as np
import pytest

from eegpt.cli import build_parser, main
from eegpt.probe_cli import main as probe_main

NAMES = ["Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T7", "C3", "Cz", "C4", "T8", "P7", "P3",
         "Pz", "P4", "P8", "O1", "O2"]  # fmt: skip
SFREQ = 256.0


def _epochs(path, kind="eeg"):
    """Six 4 s epochs of ``NAMES`` (channel type ``kind``), events A and B in turn."""
    rng = np.random.default_rng(0)
    info = mne.create_info(list(NAMES), SFREQ, kind)
    events = np.c_[np.arange(6) * 1024, np.zeros(6, int), [1, 2] * 3]
    epochs = mne.EpochsArray(rng.normal(0, 20e-6, (6, 19, 1024)), info, events=events,
                             event_id={"A": 1, "B": 2}, verbose=False)  # fmt: skip
    epochs.save(path, verbose=False, overwrite=True)
    return path


@pytest.fixture(scope="module")
def probe(tmp_path_factory, weights):
    """A probe trained on one epochs file (classes A, B)."""
    folder = tmp_path_factory.mktemp("probe")
    out = folder / "probe"
    data = _epochs(folder / "train-epo.fif")
    assert probe_main(["train", str(data), "--weights", str(weights), "-o", str(out),
                       "--passes", "1", "-q"]) == 0  # fmt: skip
    return out


def test_evaluate_json_refuses_an_input_recording(tmp_path, probe, capsys):
    """``--json a-epo.fif b-epo.fif`` (--json taken for a switch, as in info) would have
    replaced a-epo.fif with the metrics: refused (not a .json file), the recording untouched."""
    a, b = _epochs(tmp_path / "a-epo.fif"), _epochs(tmp_path / "b-epo.fif")
    before = a.read_bytes()
    with pytest.raises(SystemExit):
        probe_main(["evaluate", str(probe), "--json", str(a), str(b), "-q"])
    err = capsys.readouterr().err
    assert f"--json: took '{a}' for its FILE: give a .json file" in err
    assert "put --json after the data files, or give --json -" in err
    assert a.read_bytes() == before


def test_evaluate_json_before_the_only_recording_says_it_took_it(tmp_path, probe, capsys):
    """``evaluate PROBE --json a-epo.fif`` (--json written as the switch it is in channels and
    info, before the data): --json [FILE] takes the recording for its FILE, and argparse then
    said only that data are required, the recording given; the refusal names the word --json
    took and where to put it."""
    a = _epochs(tmp_path / "a-epo.fif")
    with pytest.raises(SystemExit):
        probe_main(["evaluate", str(probe), "--json", str(a)])
    err = capsys.readouterr().err
    assert f"took '{a}' for its FILE" in err
    assert "put --json after the data files, or give --json -" in err
    assert "the following arguments are required" not in err


def test_evaluate_json_alone_prints_the_metrics_as_channels_and_info_json_do(
    tmp_path, probe, capsys, monkeypatch
):
    """``--json`` is a switch of channels and info (JSON on standard output) but took a FILE
    in probe evaluate (``--json`` alone: 'expected one argument'); alone it prints the metrics
    to standard output as ``--json -`` does, the report going to standard error, and writes
    no file."""
    a = _epochs(tmp_path / "a-epo.fif")
    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.iterdir())
    assert probe_main(["evaluate", str(probe), str(a), "--json"]) == 0
    printed = capsys.readouterr()
    assert json.loads(printed.out)["format"].startswith("eegpt-probe-evaluation")
    assert printed.err.startswith("BAC ")
    assert sorted(tmp_path.iterdir()) == before


def test_evaluate_json_needs_a_json_suffix_and_overwrite(tmp_path, probe, capsys):
    """--json writes a .json file only, and an existing one only with --overwrite; then
    whole."""
    a = _epochs(tmp_path / "a-epo.fif")
    other = tmp_path / "notes.txt"
    other.write_text("mine")
    with pytest.raises(SystemExit):
        probe_main(["evaluate", str(probe), str(a), "--json", str(other), "-q"])
    assert "give a .json file" in capsys.readouterr().err
    assert other.read_text() == "mine"
    out = tmp_path / "m.json"
    out.write_text("{}")
    assert probe_main(["evaluate", str(probe), str(a), "--json", str(out), "-q"]) != 0
    assert "exists; pass --overwrite" in capsys.readouterr().err
    assert out.read_text() == "{}"
    assert probe_main(["evaluate", str(probe), str(a), "--json", str(out), "-q",
                       "--overwrite"]) == 0  # fmt: skip
    assert json.loads(out.read_text())["format"].startswith("eegpt-probe-evaluation")


def test_evaluate_json_refuses_a_file_inside_the_probe_folder(tmp_path, probe, capsys):
    """The probe folder's files are read: ``--json probe/probe.json --overwrite`` replaced
    the probe's own settings with the metrics; refused, the probe left whole."""
    a = _epochs(tmp_path / "a-epo.fif")
    settings = probe / "probe.json"
    before = settings.read_bytes()
    args = ["evaluate", str(probe), str(a), "--json", str(settings), "-q", "--overwrite"]
    assert probe_main(args) != 0
    assert f"--json {settings} is inside {probe}, one of the command's inputs" in (
        capsys.readouterr().err
    )
    assert settings.read_bytes() == before


def test_evaluate_plot_refuses_an_existing_file(tmp_path, probe, capsys):
    """--plot does not replace an existing figure silently."""
    a = _epochs(tmp_path / "a-epo.fif")
    fig = tmp_path / "cm.png"
    fig.write_bytes(b"mine")
    assert probe_main(["evaluate", str(probe), str(a), "--plot", str(fig), "-q"]) != 0
    assert "exists; pass --overwrite" in capsys.readouterr().err
    assert fig.read_bytes() == b"mine"


def _emotiv(tmp_path):
    """A FIF file of 4 channels with electrode labels (``EEG.AF3`` ...)."""
    names = ["EEG.AF3", "EEG.F7", "EEG.FP1", "EEG.O1"]
    data = np.random.default_rng(3).normal(0, 2e-5, (4, 256 * 5))
    fif = tmp_path / "emotiv_raw.fif"
    mne.io.RawArray(data, mne.create_info(names, 256.0, "eeg"), verbose=False).save(fif)
    return fif


def test_write_rename_refuses_the_recording_read(tmp_path, capsys):
    """``--write-rename`` naming the recording itself destroyed it: refused, untouched."""
    fif = _emotiv(tmp_path)
    before = fif.read_bytes()
    args = ["channels", str(fif), "--nearest", "standard_1005", "--write-rename", str(fif)]
    assert main(args) == 1
    assert "one of the command's inputs" in capsys.readouterr().err
    assert fif.read_bytes() == before


def test_write_rename_keeps_an_edited_table_and_needs_a_table_suffix(tmp_path, capsys):
    """The README's workflow (write, edit, pass to --rename): writing again does not replace
    the edited table without --overwrite; a file other than .tsv/.csv/.txt is refused."""
    fif = _emotiv(tmp_path)
    table = tmp_path / "nearest.tsv"
    args = ["channels", str(fif), "--nearest", "standard_1005", "--write-rename"]
    assert main([*args, str(table)]) == 0
    table.write_text("EEG.AF3\tAF3\n", encoding="utf-8")  # edited by hand
    capsys.readouterr()
    assert main([*args, str(table)]) == 1
    assert "exists; pass --overwrite" in capsys.readouterr().err
    assert table.read_text(encoding="utf-8") == "EEG.AF3\tAF3\n"
    assert main([*args, str(table), "--overwrite"]) == 0
    assert "# nearest 10-10 sites to standard_1005" in table.read_text(encoding="utf-8")
    assert main([*args, str(tmp_path / "table.edf")]) == 1
    assert "give a .tsv or .csv or .txt file" in capsys.readouterr().err
    assert not (tmp_path / "table.edf").exists()


def test_embed_output_dash_is_refused_not_a_folder(tmp_path, weights, capsys, monkeypatch):
    """``embed REC -o -`` made a folder named ``-``: refused as ``export -o -`` is."""
    fif = _emotiv(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["embed", str(fif), "--weights", str(weights), "-o", "-", "-q"]) == 1
    assert "--output -: eegpt embed writes .npz or .parquet files" in capsys.readouterr().err
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        (["--ray-address", "auto"], "--ray-address applies to Ray runs: give --engine ray"),
        (["--files-per-batch", "9", "--ray-address", "auto"], "--ray-address and --files-per"),
    ],
)
def test_embed_dataset_refuses_ray_options_without_ray(tmp_path, weights, capsys, extra, said):
    """Ray's options on a run on this machine were ignored (exit 0): refused before any
    recording is read."""
    _emotiv(tmp_path)
    out = tmp_path / "out"
    args = ["embed-dataset", str(tmp_path), "-o", str(out), "--weights", str(weights), *extra]
    assert main(args) == 1
    assert said in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(
    ("option", "value"),
    [("--shard-size", "0"), ("--workers", "-2"), ("--replicas", "0"), ("--files-per-batch", "0")],
)
def test_embed_dataset_counts_are_checked_by_the_parser(tmp_path, capsys, option, value):
    """A count out of range is a usage error (exit 2) naming the option, before any work."""
    with pytest.raises(SystemExit) as stop:
        main(["embed-dataset", str(tmp_path), "-o", str(tmp_path / "o"), f"{option}={value}"])
    assert stop.value.code == 2
    assert f"argument {option}: must be a whole number" in capsys.readouterr().err


def test_channels_refuses_dpi_without_plot(tmp_path, capsys):
    """``channels --dpi 300`` without --plot drew nothing, silently: refused."""
    fif = _emotiv(tmp_path)
    assert main(["channels", str(fif), "--dpi", "300"]) == 1
    assert "--dpi sets the resolution of the figure: give --plot" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [
        ("--batch-size", "0", "argument --batch-size: must be a whole number more than 0"),
        (
            "--window",
            "1e309",
            "argument --window: '1e309': give a window length in seconds, finite",
        ),
        ("--window", "nan", "argument --window: 'nan': give a window length"),
        ("--window", "0", "argument --window: '0': give a window length"),
    ],
)
def test_embed_values_are_checked_by_the_parser(tmp_path, capsys, option, value, said):
    """A value wrong by itself is a usage error naming the option (exit 2), before the
    weights are loaded (it was exit 1 after loading them, naming a Python argument)."""
    fif = _emotiv(tmp_path)
    with pytest.raises(SystemExit) as stop:
        main(["embed", str(fif), "--weights", "none", "-o", str(tmp_path / "o"),
              f"{option}={value}"])  # fmt: skip
    assert stop.value.code == 2
    assert said in capsys.readouterr().err


@pytest.mark.parametrize("command", ["embed", "probe"])
def test_stream_precision_alone_is_refused_before_the_weights(tmp_path, capsys, command):
    """--stream-precision float16 needs a reduced --precision: said naming the options, before
    the weights (here none) are looked for."""
    fif = _emotiv(tmp_path)
    if command == "embed":
        args = ["embed", str(fif), "--weights", str(tmp_path / "none"), "-o", str(tmp_path / "o")]
    else:
        args = ["probe", "predict", str(tmp_path / "no-probe"), str(fif)]
    assert main([*args, "--stream-precision", "float16"]) == 1
    err = capsys.readouterr().err
    assert "--stream-precision float16 stores the residual stream of a reduced --precision" in err


def test_info_names_its_argument_path(capsys):
    """``eegpt info`` takes embeddings, runs, probes and tables, not only weights: its usage
    names the argument PATH."""
    with pytest.raises(SystemExit):
        main(["info", "--help"])
    out = capsys.readouterr().out
    assert "usage: eegpt info" in out and " PATH" in out and "weights\n" not in out


def test_log_file_refuses_an_input_recording(tmp_path, capsys):
    """``--log-file`` appended to any file, the recording read included: refused (exit 1)
    before anything runs, the recording untouched."""
    fif = _emotiv(tmp_path)
    before = fif.read_bytes()
    args = ["embed", str(fif), "--weights", "none", "-o", str(tmp_path / "o")]
    assert main([*args, "--log-file", str(fif)]) == 1
    assert f"--log-file {fif} is {fif}, one of the command's inputs" in capsys.readouterr().err
    assert fif.read_bytes() == before


def test_log_file_refuses_a_file_a_recording_is_read_from_and_the_output(tmp_path, capsys):
    """An input recording's other files (an EEGLAB .set's .fdt, a BrainVision header's .eeg)
    are inputs too: a --log-file there appended the log to the data (which then read as cut
    short, every window NaN); and a --log-file at the output's path is refused as well."""
    from test_input_links import _write_eeglab

    _write_eeglab(tmp_path, "rec")
    fdt = tmp_path / "rec.fdt"
    before = fdt.read_bytes()
    out = tmp_path / "o.npz"
    args = ["embed", str(tmp_path / "rec.set"), "--weights", "none", "-o", str(out)]
    assert main([*args, "--log-file", str(fdt)]) == 1
    assert f"--log-file {fdt} is {fdt}, one of the command's inputs" in capsys.readouterr().err
    assert fdt.read_bytes() == before
    assert main([*args, "--log-file", str(out)]) == 1
    assert f"--log-file {out} is {out}, one of the files the command writes" in (
        capsys.readouterr().err
    )
    assert not out.exists()


def test_probe_train_cache_dir_help_says_it_holds_no_weights(capsys):
    """probe train's --cache-dir (embeddings) is not fetch's (weights): its help says so and
    names where weights are."""
    with pytest.raises(SystemExit):
        main(["probe", "train", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "Not where weights are looked for" in out and "$EEGPT_CACHE" in out


@pytest.mark.parametrize("command", ["embed", "embed-dataset"])
def test_weights_help_matches_the_usage_line(capsys, command):
    """The usage line showed [--weights WEIGHTS], optional, though the command stops without
    it: the usage shows it unbracketed, as argparse a required option, and the error (the
    command's own) says how to get weights, and random ones to try every command offline."""
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert " --weights WEIGHTS " in out.split("options:")[0] and "[--weights" not in out
    assert "there is no default: without it the command stops, saying how to get weights" in out
    assert main([command, "x", "-o", "out"]) == 2
    err = capsys.readouterr().err
    assert "eegpt: error: no --weights given." in err
    assert "download config.json and model.safetensors" in err  # the pretrained ones
    assert "`--weights eegpt-demo/random-weights`" in err
    assert "save_checkpoint(EEGPT('tiny2'), 'tiny-random')" in err


@pytest.mark.parametrize(
    ("words", "said"),
    [
        (["probe", "train"], "-q, --quiet no progress bars"),
        (["probe", "predict"], "-q, --quiet no notes"),
        (["probe", "evaluate"], "-q, --quiet no confusion matrix printed"),
        (["embed-dataset"], "-q, --quiet no progress bar and no first line naming the run"),
    ],
)
def test_quiet_help_says_what_it_leaves_out(capsys, words, said):
    """-q differs by command: each help says what it leaves out (it said "less output")."""
    with pytest.raises(SystemExit):
        main([*words, "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert said in out and "still printed" in out


def test_every_command_takes_quiet_channels_and_info_too(tmp_path, capsys, monkeypatch):
    """eegpt channels and eegpt info lacked the -q/--quiet every other command takes:
    channels -q leaves out its 'drew ...' line (the mapping still printed), info -q the
    download progress bar and notes."""
    import eegpt.checkpoints
    import eegpt.errors
    from eegpt.demo import synthetic_raw, write_edf

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in commands.choices.items():
        if name == "probe":
            continue  # its own commands each take it (tests above)
        assert "--quiet" in sub._option_string_actions, name
    edf = write_edf(synthetic_raw(minutes=0.2)[0], tmp_path / "rec.edf")
    assert main(["channels", str(edf), "--plot", str(tmp_path / "c.png"), "-q"]) == 0
    out = capsys.readouterr().out
    assert "FP1" in out and "drew" not in out and (tmp_path / "c.png").is_file()
    asked = []

    def resolve(weights, **kwargs):
        asked.append(kwargs)
        raise eegpt.errors.MissingFileError("stop here")

    monkeypatch.setattr(eegpt.checkpoints, "resolve_weights", resolve)
    main(["info", "eegpt-large", "-q"])
    main(["info", "eegpt-large", "-q", "--json"])
    assert asked == [{"progress": False, "verbose": False}] * 2


def test_log_file_refuses_the_weights_and_info_s_file(tmp_path, capsys):
    """A checkpoint (--weights), or the file eegpt info describes (given before the command),
    is an input too: not appended to."""
    fif = _emotiv(tmp_path)
    ckpt = tmp_path / "w.ckpt"
    ckpt.write_bytes(b"weights")
    args = ["embed", str(fif), "--weights", str(ckpt), "-o", str(tmp_path / "o")]
    assert main([*args, "--log-file", str(ckpt)]) == 1
    assert "one of the command's inputs" in capsys.readouterr().err
    assert main(["--log-file", str(ckpt), "info", str(ckpt)]) == 1
    assert "one of the command's inputs" in capsys.readouterr().err
    assert ckpt.read_bytes() == b"weights"


def test_log_file_refuses_the_data_file_a_set_names_by_another_name(tmp_path, capsys):
    """A ``.set`` whose ``EEG.data`` names a ``.fdt`` of another name is read from that file:
    a --log-file there is refused as one of the command's inputs, the data left whole."""
    from test_input_links import _set_naming_another_fdt

    rec, fdt = _set_naming_another_fdt(tmp_path)
    before = fdt.read_bytes()
    args = ["embed", str(rec), "--weights", "none", "-o", str(tmp_path / "o.npz")]
    assert main([*args, "--log-file", str(fdt)]) == 1
    assert f"--log-file {fdt} is {fdt}, one of the command's inputs" in capsys.readouterr().err
    assert fdt.read_bytes() == before


@pytest.mark.parametrize("name", ["config.json", "model.safetensors"])
def test_log_file_refuses_a_file_inside_the_weights_folder(tmp_path, capsys, name):
    """A --weights checkpoint folder's files are read: a --log-file there appended the log to
    config.json (that run and every later one with those weights failed, "Extra data");
    refused, the checkpoint left whole."""
    fif = _emotiv(tmp_path)
    weights = tmp_path / "w"
    weights.mkdir()
    (weights / "config.json").write_text("{}")
    (weights / "model.safetensors").write_bytes(b"weights")
    args = ["embed", str(fif), "--weights", str(weights), "-o", str(tmp_path / "o.npz")]
    log = weights / name
    assert main([*args, "--log-file", str(log)]) == 1
    assert f"--log-file {log} is inside {weights}, one of the command's inputs" in (
        capsys.readouterr().err
    )
    assert (weights / "config.json").read_text() == "{}"
    assert (weights / "model.safetensors").read_bytes() == b"weights"


def test_log_file_refuses_a_file_inside_a_recording_folder(tmp_path, capsys):
    """A recording that is a folder (EGI .mff, CTF .ds) is read from the files inside: a
    --log-file among them is refused before anything runs, and not made."""
    mff = tmp_path / "rec.mff"
    mff.mkdir()
    log = mff / "run.log"
    args = ["embed", str(mff), "--weights", "none", "-o", str(tmp_path / "o.npz")]
    assert main([*args, "--log-file", str(log)]) == 1
    assert f"--log-file {log} is inside {mff}, one of the command's inputs" in (
        capsys.readouterr().err
    )
    assert not log.exists()


def test_log_file_refuses_an_output_the_command_writes_in_its_folder(tmp_path, capsys):
    """eegpt embed -o FOLDER/ writes FOLDER/<recording>.npz: a --log-file of that name was
    made, then the run stopped on it as an existing output after the weights loaded (with
    --overwrite the output replaced the log); refused before anything runs."""
    fif = _emotiv(tmp_path)
    out = tmp_path / "o"
    out.mkdir()
    log = out / f"{fif.stem}.npz"
    args = ["embed", str(fif), "--weights", "none", "-o", f"{out}/"]
    assert main([*args, "--log-file", str(log)]) == 1
    assert f"--log-file {log} is {log}, one of the files the command writes" in (
        capsys.readouterr().err
    )
    assert not log.exists()


def test_log_file_refuses_the_checkpoint_convert_writes(tmp_path, capsys):
    """eegpt convert SOURCE DESTINATION writes DESTINATION/config.json and
    model.safetensors: a --log-file at either is refused."""
    source = tmp_path / "w.ckpt"
    source.write_bytes(b"weights")
    dest = tmp_path / "converted"
    dest.mkdir()
    log = dest / "config.json"
    assert main(["convert", str(source), str(dest), "--log-file", str(log)]) == 1
    assert f"--log-file {log} is {log}, one of the files the command writes" in (
        capsys.readouterr().err
    )
    assert not log.exists()


@pytest.mark.parametrize(
    ("name", "pattern", "said"),
    [
        ("new.edf", None, "named as a recording"),
        ("sub-01/eeg/sub-01_task-rest_events.tsv", None, "a BIDS sidecar (.tsv)"),
        ("sub-01/eeg/sub-01_task-rest_eeg.json", "**/*.edf", "a BIDS sidecar (.json)"),
        ("rec.mff/run.log", None, "inside the recording folder"),
        ("notes.rec", "*.rec", "matching --pattern *.rec"),
    ],
)
def test_log_file_refuses_a_file_a_corpus_run_may_read(tmp_path, capsys, name, pattern, said):
    """Inside embed-dataset's dataset folder (a BIDS dataset here), a --log-file named as a
    file the run would read (a recording, a BIDS sidecar, one matching --pattern, one inside
    a recording folder) is refused before anything runs; a run.log there is not (see the
    next tests)."""
    ds = tmp_path / "ds"
    (ds / "rec.mff").mkdir(parents=True)
    (ds / "sub-01" / "eeg").mkdir(parents=True)
    (ds / "dataset_description.json").write_text('{"Name": "x", "BIDSVersion": "1.8.0"}')
    log = ds / name
    args = ["embed-dataset", str(ds), "-o", str(tmp_path / "out"), "--weights", "none"]
    given = [] if pattern is None else ["--pattern", pattern]
    assert main([*args, *given, "--log-file", str(log)]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert f"--log-file {log} is inside the dataset folder {ds}" in err and said in err
    assert not log.exists()


def test_a_corpus_run_reads_no_run_log_in_its_dataset_folder(tmp_path):
    """A log beside the recordings of a dataset folder is common and harmless: not refused
    (:func:`eegpt.cli_options.dataset_may_read` says None), nor one outside the folder."""
    from eegpt.cli_options import dataset_may_read, refuse_input_path

    ds = tmp_path / "ds"
    ds.mkdir()
    assert dataset_may_read(ds / "run.log", ds, "**/*.edf") is None
    assert dataset_may_read(tmp_path / "x.edf", ds) is None
    refuse_input_path("--log-file", ds / "run.log", [], datasets=[ds], pattern="**/*.edf")


def _corpus_args(source, tmp_path, pattern=None):
    """The parsed arguments of ``eegpt embed-dataset SOURCE`` that the --log-file check reads."""
    import argparse

    return argparse.Namespace(
        command="embed-dataset", input=str(source), more_inputs=None, pattern=pattern,
        output=str(tmp_path / "out"), weights="none", rename=None,
    )  # fmt: skip


def _eeglab_pair(folder):
    """``sub1.set``/``sub1.fdt`` and ``renamed.set`` reading ``orig_data.fdt`` in ``folder``;
    returns their bytes by path."""
    from test_input_links import _set_naming_another_fdt, _write_eeglab

    folder.mkdir(parents=True, exist_ok=True)
    _write_eeglab(folder, "sub1")
    _set_naming_another_fdt(folder)
    return {p: p.read_bytes() for p in folder.iterdir()}


@pytest.mark.parametrize("name", ["sub1.set", "sub1.fdt", "rec.set", "rec_data.fdt"])
def test_log_file_refuses_a_recording_a_manifest_lists(tmp_path, capsys, name):
    """A --log-file that is a recording a manifest lists (or the .fdt it is read from, by its
    name or by the one EEG.data names) was appended to, and the recording then failed
    ("Expecting miMATRIX type"): refused before the log is opened, every file left whole."""
    data = tmp_path / "data"
    before = _eeglab_pair(data)
    manifest = tmp_path / "man.csv"
    manifest.write_text(f"path\n{data / 'sub1.set'}\n{data / 'rec.set'}\n")
    log = data / name
    args = ["embed-dataset", str(manifest), "-o", str(tmp_path / "o"), "--weights", "none"]
    assert main([*args, "--log-file", str(log)]) == 1
    assert f"--log-file {log} is {log}, one of the command's inputs" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in data.iterdir()} == before


def test_python_m_dataset_cli_checks_its_log_file_as_embed_dataset_does(tmp_path, capsys):
    """``python -m eegpt.dataset_cli`` (embed-dataset's own entry point) took a --log-file at a
    recording its manifest lists, and appended to it (no dataset check ran there): refused
    as by ``eegpt embed-dataset``; its second Ctrl-C says embed-dataset's text too."""
    from eegpt import dataset_cli

    data = tmp_path / "data"
    before = _eeglab_pair(data)
    manifest = tmp_path / "man.csv"
    manifest.write_text(f"path\n{data / 'sub1.set'}\n")
    log = data / "sub1.set"
    args = [str(manifest), "-o", str(tmp_path / "o"), "--weights", "none", "--log-file", str(log)]
    assert dataset_cli.main(args) == 1
    assert f"--log-file {log} is {log}, one of the command's inputs" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in data.iterdir()} == before
    parsed = dataset_cli.build_parser().parse_args(["d", "-o", "o"])
    quits = (dataset_cli.QUIT_AT_ONCE, dataset_cli.QUIT_AT_ONCE_NO_SHARD,  # a shard written?
             dataset_cli.QUIT_AT_ONCE_AT_START)  # fmt: skip
    assert parsed.quit_message(parsed) in quits


def test_log_file_refuses_a_file_inside_a_recording_folder_a_manifest_lists(tmp_path, capsys):
    """A recording folder (EGI .mff) a manifest lists is read from its files: a --log-file at
    one of them is refused, the file left whole."""
    mff = tmp_path / "rec.mff"
    mff.mkdir()
    (mff / "info.xml").write_text("<info/>")
    manifest = tmp_path / "man.csv"
    manifest.write_text(f"path\n{mff}\n")
    log = mff / "info.xml"
    args = ["embed-dataset", str(manifest), "-o", str(tmp_path / "o"), "--weights", "none"]
    assert main([*args, "--log-file", str(log)]) == 1
    assert f"--log-file {log} is inside {mff}, one of the command's inputs" in (
        capsys.readouterr().err
    )
    assert (mff / "info.xml").read_text() == "<info/>"


def test_log_file_is_not_opened_where_the_listing_fails(tmp_path, capsys):
    """A manifest the run cannot list (its column is ``file``, not ``path``): which files it
    reads is not known, so the --log-file (here one of the files it names) is not appended
    to; the listing's error is said, exit status 1."""
    data = tmp_path / "data"
    before = _eeglab_pair(data)
    manifest = tmp_path / "man.csv"
    manifest.write_text(f"file\n{data / 'sub1.set'}\n")
    log = data / "sub1.set"
    args = ["embed-dataset", str(manifest), "-o", str(tmp_path / "o"), "--weights", "none"]
    assert main([*args, "--log-file", str(log)]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "path" in err and f"before --log-file {log} is appended to" in err
    assert {p: p.read_bytes() for p in data.iterdir()} == before


@pytest.mark.parametrize("name", ["sub1.set", "sub1.fdt", "rec_data.fdt"])
def test_log_file_refuses_a_recording_a_glob_matches(tmp_path, capsys, name):
    """The same of a quoted glob's recordings ('data/*.set') and their data files."""
    data = tmp_path / "data"
    before = _eeglab_pair(data)
    log = data / name
    args = ["embed-dataset", f"{data}/*.set", "-o", str(tmp_path / "o"), "--weights", "none"]
    assert main([*args, "--log-file", str(log)]) == 1
    assert f"--log-file {log} is {log}, one of the command's inputs" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in data.iterdir()} == before


def test_log_file_refuses_a_file_a_folder_s_listing_reads_whatever_the_pattern(tmp_path):
    """With --pattern '**/*.set', a plain folder's .fdt data files are still read (with their
    .set): a --log-file there is refused by the listing, not by its name."""
    from eegpt._run_log import LogFileError
    from eegpt.cli_run import _refuse_log_over_input

    data = tmp_path / "data"
    _eeglab_pair(data)
    args = _corpus_args(data, tmp_path, "**/*.set")
    with pytest.raises(LogFileError, match="one of the command's inputs"):
        _refuse_log_over_input(data / "sub1.fdt", args)


@pytest.mark.parametrize("pattern", [None, "**/*.set"])
@pytest.mark.parametrize("name", ["run.json", "log.csv", "run.log"])
def test_log_file_beside_a_plain_folder_s_recordings_is_not_refused(tmp_path, name, pattern):
    """A folder of .set files (no BIDS dataset, no manifest) reads no .json or .csv: a
    --log-file data/run.json or data/log.csv is fine (they were refused as sidecars), with or
    without --pattern; a file there the run lists is refused (the next tests)."""
    from eegpt.cli_run import _refuse_log_over_input

    data = tmp_path / "data"
    _eeglab_pair(data)
    (data / name).write_text("an earlier run's log\n")
    _refuse_log_over_input(data / name, _corpus_args(data, tmp_path, pattern))


@pytest.mark.parametrize("name", ["_manifest.json", "shard-00000.parquet", "run.log", "a/b.log"])
def test_log_file_refuses_a_file_of_the_corpus_run_folder(tmp_path, capsys, name):
    """embed-dataset -o OUT writes its manifest, reports and shards in OUT and stops on any
    other file there ("holds files that embed_dataset did not write", the log made then):
    a --log-file inside OUT is refused before anything runs, and not made."""
    ds = tmp_path / "ds"
    ds.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    log = out / name
    args = ["embed-dataset", str(ds), "-o", str(out), "--weights", "none"]
    (out / "a").mkdir()
    assert main([*args, "--log-file", str(log)]) == 1
    assert f"--log-file {log} is inside {out}, the command's output folder" in (
        capsys.readouterr().err
    )
    assert not log.exists()


@pytest.mark.parametrize(
    ("words", "name"),
    [
        (["probe", "train", "x-epo.fif", "--weights", "none", "-o"], "probe.json"),
        (["demo", "-o"], "synthetic_tuh.edf"),
        (["demo", "-o"], "random-weights/config.json"),
    ],
)
def test_log_file_refuses_a_file_the_command_writes_in_its_output_folder(
    tmp_path, capsys, words, name
):
    """probe train -o FOLDER writes FOLDER/probe.json (a --log-file there made it, then the
    run stopped as "already holds a probe", or with --overwrite the probe replaced the log);
    demo -o FOLDER its recording, embeddings and weights: refused before anything runs."""
    out = tmp_path / "out"
    (out / "random-weights").mkdir(parents=True)
    log = out / name
    assert main([*words, str(out), "--log-file", str(log)]) == 1
    assert f"--log-file {log} is {log}, one of the files the command writes" in (
        capsys.readouterr().err
    )
    assert not log.exists()


@pytest.mark.parametrize("given", ["folder", "manifest"])
def test_log_file_refuses_a_data_file_a_brainvision_header_names_in_another_folder(
    tmp_path, capsys, given
):
    """A BrainVision header's ``DataFile=eeg/x.eeg`` names its samples in another folder: a
    --log-file there was appended to (the listing check looked up the files read only for
    recordings in the log's folder); refused, the samples left whole."""
    from test_input_links import _write_brainvision

    data = tmp_path / "data"
    _write_brainvision(data, "x")
    (data / "eeg").mkdir()
    (data / "x.eeg").rename(data / "eeg" / "x.eeg")
    header = data / "x.vhdr"
    header.write_text(header.read_text().replace("DataFile=x.eeg", "DataFile=eeg/x.eeg"))
    log = data / "eeg" / "x.eeg"
    before = log.read_bytes()
    source = data
    if given == "manifest":
        source = tmp_path / "man.csv"
        source.write_text(f"path\n{header}\n")
    args = ["embed-dataset", str(source), "-o", str(tmp_path / "o"), "--weights", "none"]
    assert main([*args, "--log-file", str(log)]) == 1
    assert f"--log-file {log} is {log}, one of the command's inputs" in capsys.readouterr().err
    assert log.read_bytes() == before


def test_log_file_refuses_a_hard_link_of_a_data_file_a_corpus_run_reads(tmp_path, capsys):
    """A --log-file outside the dataset folder that is a hard link of a ``.fdt`` a ``.set``
    there is read from (the same file by another name) is refused, the samples left whole."""
    from test_input_links import _write_eeglab

    data = tmp_path / "data"
    _write_eeglab(data, "sub1")
    log = tmp_path / "run.log"
    os.link(data / "sub1.fdt", log)
    before = log.read_bytes()
    args = ["embed-dataset", str(data), "-o", str(tmp_path / "o"), "--weights", "none"]
    assert main([*args, "--log-file", str(log)]) == 1
    fdt = data / "sub1.fdt"
    assert f"--log-file {log} is {fdt}, one of the command's inputs" in capsys.readouterr().err
    assert fdt.read_bytes() == before


def test_a_header_naming_a_file_that_cannot_be_looked_up_does_not_refuse_the_log(tmp_path):
    """A BrainVision header whose DataFile= cannot be looked up (too long a name; a folder
    without permission alike) made embed-dataset's check of an existing --log-file refuse
    the whole run with '[Errno 36] File name too long', where the run without the option
    fails that recording alone, and eegpt embed of it stopped with a traceback; the log is
    taken (the run says what is wrong with the recording)."""
    from test_input_links import _write_brainvision

    from eegpt.cli import build_parser
    from eegpt.cli_run import _refuse_log_over_input

    data = tmp_path / "data"
    _write_brainvision(data, "a")
    header = (data / "a.vhdr").read_text()
    (data / "c.vhdr").write_text(header.replace("DataFile=a.eeg", f"DataFile={'x' * 300}.eeg"))
    log = tmp_path / "run.log"
    log.write_text("earlier run\n")
    args = ["embed-dataset", str(data), "-o", str(tmp_path / "o"), "--weights", "none"]
    _refuse_log_over_input(log, build_parser().parse_args(args))
    # eegpt embed of that header: a traceback where the run says the error without the option
    args = ["embed", str(data / "c.vhdr"), "-o", str(tmp_path / "c.npz"), "--weights", "none"]
    _refuse_log_over_input(log, build_parser().parse_args(args))


def test_the_listing_check_resolves_each_recording_folder_once(tmp_path, monkeypatch):
    """embed-dataset's --log-file check (a log that exists: a nightly job appending to one
    file) resolved every listed recording's path twice, doubling the listing's time on a
    large corpus; each folder is now resolved once, a recording only where it is a link."""
    import argparse
    import pathlib
    from types import SimpleNamespace

    from eegpt import dataset_cli

    data = tmp_path / "data"
    data.mkdir()
    for i in range(40):
        (data / f"r{i}.edf").write_bytes(b"0")
    (data / "link.edf").symlink_to(data / "r0.edf")
    log = tmp_path / "run.log"
    log.write_text("earlier run\n")
    files = [SimpleNamespace(path=str(p), annotations=None) for p in sorted(data.iterdir())]
    monkeypatch.setattr(
        "eegpt.dataset_inputs.resolve_inputs", lambda *a, **k: SimpleNamespace(files=files)
    )
    resolved: list[str] = []
    real_resolve = pathlib.Path.resolve
    monkeypatch.setattr(
        pathlib.Path, "resolve", lambda p, *a, **k: resolved.append(str(p)) or real_resolve(p)
    )
    args = argparse.Namespace(input=str(data), pattern=None)
    assert len(dataset_cli.files_listed_as(args, log)) == len(files)
    assert sorted(resolved) == sorted([str(log), str(data), str(data / "link.edf")])


def test_log_file_that_is_a_folder_is_said_to_be_one(tmp_path, capsys):
    """A --log-file that is the command's output folder was refused as "one of the files the
    command writes"; it is said to be a folder, as any other folder given is."""
    from test_input_links import _write_eeglab

    _write_eeglab(tmp_path / "data", "rec")
    out = tmp_path / "out"
    out.mkdir()
    runs = [
        ["embed", str(tmp_path / "data" / "rec.set"), "--weights", "none", "-o", f"{out}/"],
        ["embed-dataset", str(tmp_path / "data"), "--weights", "none", "-o", str(out)],
    ]
    for args in runs:
        assert main([*args, "--log-file", str(out)]) == 1
        err = capsys.readouterr().err
        assert f"--log-file {out} is a folder; give the path of a file" in err, err


@pytest.mark.parametrize(("glob", "name"), [("*", "run.log"), ("*.set", "new.set")])
def test_log_file_refuses_a_new_file_a_glob_input_would_list(tmp_path, capsys, glob, name):
    """A --log-file not there yet that a quoted glob input matches ('data/*' and
    data/run.log) was made by the log and then listed, and failed, as a recording; refused
    before it is made. A name the glob does not match is taken."""
    from test_input_links import _write_eeglab

    from eegpt.cli_options import refuse_input_path

    data = tmp_path / "data"
    _write_eeglab(data, "sub1")
    log = data / name
    args = ["embed-dataset", f"{data}/{glob}", "-o", str(tmp_path / "o"), "--weights", "none"]
    assert main([*args, "--log-file", str(log)]) == 1
    err = capsys.readouterr().err
    assert f"--log-file {log} matches the glob '{data}/{glob}'" in err, err
    assert not log.exists()
    refuse_input_path("--log-file", data / "run.txt", [], globs=[f"{data}/*.set"])


@pytest.mark.parametrize("name", [".run.log", ".logs/run.log"])
def test_log_file_hidden_below_a_glob_input_s_folder_is_taken(tmp_path, name):
    """The listing of a glob input leaves hidden files and folders out ('data/*' lists no
    data/.run.log): such a --log-file was refused as one the glob would list; taken."""
    from test_input_links import _write_eeglab

    from eegpt.cli_options import refuse_input_path

    data = tmp_path / "data"
    _write_eeglab(data, "sub1")
    for glob in (f"{data}/*", f"{data}/**"):
        refuse_input_path("--log-file", data / name, [], globs=[glob])
    with pytest.raises(ValueError, match="matches the glob"):
        refuse_input_path("--log-file", data / "run.log", [], globs=[f"{data}/*"])


@pytest.mark.parametrize(
    ("words", "name"),
    [
        (["evaluate", "--json", "m.json", "--plot", "cm.png"], "m.json"),
        (["evaluate", "--json", "m.json", "--plot", "cm.png"], "cm.png"),
        (["predict", "-o", "p.csv", "--events", "ev.csv"], "ev.csv"),
        (["predict", "-o", "p.csv", "--events", "ev.csv"], "p.csv.json"),
        (["predict", "-o", "p.csv", "--events", "ev.csv"], "ev.csv.json"),
        (["predict", "-o", "p.tsv", "--epoch-seconds", "30", "--plot", "h.png"], "h.png"),
    ],
)
def test_log_file_refuses_the_other_files_a_probe_command_writes(tmp_path, capsys, words, name):
    """probe evaluate's --json and --plot, probe predict's --events, --plot and each table's
    .json sidecar: a --log-file there made the file, so the run stopped on it as an
    existing output ('--json m.json exists'), or with --overwrite replaced the log; refused
    before anything runs, nothing made."""
    command, options = words[0], words[1:]
    rec = _epochs(tmp_path / "a-epo.fif")
    given = [str(tmp_path / w) if "." in w and w[0] != "-" else w for w in options]
    log = tmp_path / name
    args = [command, str(tmp_path / "probe"), str(rec), *given, "--log-file", str(log)]
    assert probe_main(args) == 1
    assert f"--log-file {log} is {log}, one of the files the command writes" in (
        capsys.readouterr().err
    )
    assert not log.exists()


@pytest.fixture
def bids_edf(tmp_path):
    """A BIDS dataset of one EDF recording (``sub-01_task-rest_eeg.edf`` with its
    ``_eeg.json`` and ``_channels.tsv``); returns its data file."""
    mne_bids = pytest.importorskip("mne_bids")
    from eegpt.demo import synthetic_raw

    raw, _ = synthetic_raw(minutes=0.1, seed=1)
    raw.info["line_freq"] = 50
    path = mne_bids.BIDSPath(subject="01", task="rest", datatype="eeg", root=tmp_path / "ds")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no events
        mne_bids.write_raw_bids(raw, path, format="EDF", allow_preload=True, verbose=False)
    return next((tmp_path / "ds" / "sub-01" / "eeg").glob("*_eeg.edf"))


@pytest.mark.parametrize("given", ["embed", "manifest", "glob"])
@pytest.mark.parametrize("name", ["sub-01_task-rest_eeg.json", "sub-01_task-rest_events.tsv"])
def test_log_file_refuses_a_bids_sidecar_of_a_recording_read(
    tmp_path, capsys, bids_edf, given, name
):
    """A --log-file at a BIDS sidecar of a recording given alone, by a manifest or by a glob
    was appended to (MNE-BIDS then failed on the JSON's 'Extra data', or on a channels.tsv
    whose columns changed, and the user's dataset was left so), or made where MNE-BIDS looks
    for one (an events.tsv not there): refused, nothing written; a run.log there is taken."""
    from eegpt.cli import build_parser
    from eegpt.cli_run import _refuse_log_over_input

    eeg = bids_edf.parent
    files = {p: p.read_bytes() for p in eeg.iterdir()}
    source = {"embed": str(bids_edf), "glob": f"{eeg}/*.edf"}.get(given)
    if given == "manifest":
        source = str(tmp_path / "man.csv")
        (tmp_path / "man.csv").write_text(f"path\n{bids_edf}\n")
    command = "embed" if given == "embed" else "embed-dataset"
    out = tmp_path / ("o.npz" if given == "embed" else "o")
    args = [command, source, "--weights", "none", "-o", str(out)]
    log = eeg / name
    assert main([*args, "--log-file", str(log)]) == 1
    err = capsys.readouterr().err
    assert f"--log-file {log} is inside the BIDS dataset {tmp_path / 'ds'}" in err, err
    assert {p: p.read_bytes() for p in eeg.iterdir()} == files
    _refuse_log_over_input(eeg / "run.log", build_parser().parse_args(args))


@pytest.mark.parametrize("given", ["embed", "dataset"])
@pytest.mark.parametrize("name", ["derivatives/eegpt/run.json", "code/log.tsv"])
def test_log_file_in_a_bids_dataset_s_derivatives_or_code_folder_is_taken(
    tmp_path, bids_edf, given, name
):
    """A .json/.tsv --log-file in a BIDS dataset's derivatives/ or code/ folder (where a
    pipeline's outputs and logs belong) was refused as a sidecar MNE-BIDS reads: it reads none
    there, nor does the dataset's listing list them; taken. One beside the recording is still
    refused."""
    from eegpt._run_log import LogFileError
    from eegpt.cli import build_parser
    from eegpt.cli_run import _refuse_log_over_input

    ds = tmp_path / "ds"
    log = ds / name
    log.parent.mkdir(parents=True)
    source = str(bids_edf) if given == "embed" else str(ds)
    command = "embed" if given == "embed" else "embed-dataset"
    out = ds / "derivatives" / "eegpt" / ("x.npz" if given == "embed" else "out")
    args = build_parser().parse_args([command, source, "--weights", "none", "-o", str(out)])
    _refuse_log_over_input(log, args)
    with pytest.raises(LogFileError, match="BIDS"):
        _refuse_log_over_input(bids_edf.parent / "run.json", args)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--passes", "0"),
        ("--epochs", "0"),  # the name of --passes before
        ("--train-batch-size", "0"),
        ("--patience", "-1"),
        ("--patience", "0"),
    ],
)
def test_probe_train_counts_are_checked_by_the_parser(tmp_path, capsys, option, value):
    """A count of passes, a batch or a patience out of range is a usage error (exit 2) naming
    the option, before any file or weights are read; it was ProbeConfig's error naming its
    Python field (``epochs must be a positive integer``, ``batch_size``), after the data."""
    fif = _epochs(tmp_path / "rec-epo.fif")
    with pytest.raises(SystemExit) as stop:
        main(["probe", "train", str(fif), "--weights", str(tmp_path / "none"), "-o",
              str(tmp_path / "p"), "--val", "0.5", f"{option}={value}"])  # fmt: skip
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}: must be a whole number more than 0, not '{value}'" in err, err
    assert not (tmp_path / "p").exists()
