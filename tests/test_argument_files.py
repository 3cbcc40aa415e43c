"""``@file`` arguments of the ``eegpt`` command line (a pipeline's shared settings in one file):
read before parsing, several to a line as a shell splits them, ``#`` lines skipped, outputs
recording the arguments read; and warnings made errors (``-W error::eegpt.EEGPTWarning``) fail
the file warned of."""

from __future__ import annotations

import warnings

import pytest

from eegpt.cli import main
from eegpt.cli_run import ArgumentFileError, expand_argument_files
from eegpt.demo import synthetic_raw, write_edf
from eegpt.errors import EEGPTWarning
from eegpt.outputs import load_embeddings
from eegpt.probe_cli import main as probe_main


@pytest.fixture(scope="module")
def edf(tmp_path_factory):
    raw, _ = synthetic_raw(minutes=0.25, seed=5)
    return write_edf(raw, tmp_path_factory.mktemp("rec") / "rec.edf")


def test_argument_files_are_split_as_a_shell_splits_lines(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inner.txt").write_text("--threads 1\n")
    (tmp_path / "args.txt").write_text(
        "# shared settings\n\n--weights 'my weights/tiny'  \n--rename a#b=Fz -q\n@inner.txt\n"
    )
    got = expand_argument_files(["embed", "@args.txt", "rec.edf", "@", "./@x.edf"])
    assert got == ["embed", "--weights", "my weights/tiny", "--rename", "a#b=Fz", "-q",
                   "--threads", "1", "rec.edf", "@", "./@x.edf"]  # fmt: skip
    with pytest.raises(ArgumentFileError, match=r"@nope.txt: no argument file nope.txt .*\./@name"):
        expand_argument_files(["@nope.txt"])
    (tmp_path / "loop.txt").write_text("@loop.txt\n")
    with pytest.raises(ArgumentFileError, match="over 10 deep"):
        expand_argument_files(["@loop.txt"])
    (tmp_path / "quote.txt").write_text("--weights 'open\n")
    with pytest.raises(ArgumentFileError, match=r"quote.txt, line 1: No closing quotation"):
        expand_argument_files(["@quote.txt"])


def test_embed_reads_an_argument_file_and_records_what_ran(
    weights, edf, tmp_path, monkeypatch, capsys
):
    """The output's metadata["command"] holds the arguments read from the file, not @file;
    an argument file that is missing is a usage error (2) of every entry point."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "settings.txt").write_text(f"# shared\n--weights '{weights}'\n--window 4 -q\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EEGPTWarning)
        assert main(["embed", "@settings.txt", str(edf), "-o", "out.npz"]) == 0
    meta = load_embeddings(tmp_path / "out.npz").metadata
    assert meta["command"] == ["embed", "--weights", str(weights), "--window", "4", "-q",
                               str(edf), "-o", "out.npz"]  # fmt: skip
    assert meta["preprocessing"]["window_seconds"] == 4
    capsys.readouterr()
    assert main(["embed", "@missing.txt", str(edf)]) == 2
    assert "eegpt: error: @missing.txt: no argument file missing.txt" in capsys.readouterr().err
    assert probe_main(["predict", "@missing.txt"]) == 2
    assert "eegpt probe: error: @missing.txt: no argument file" in capsys.readouterr().err


def test_warnings_made_errors_fail_the_file_warned_of(weights, edf, tmp_path):
    """As docs/command-line.md says: warnings never change the exit status, but turned into errors
    (``python -W error::eegpt.EEGPTWarning``) the file warned of fails: 1 for one file, 3
    where another was written."""
    clean = tmp_path / "clean.edf"
    raw, _ = synthetic_raw(minutes=0.25, seed=5)
    raw.pick([c for c in raw.ch_names if c not in ("EEG A1-REF", "EEG A2-REF", "EEG EKG1-REF")])
    write_edf(raw, clean)
    args = ["embed", "--weights", str(weights), "-q"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EEGPTWarning)
        assert main([*args, str(edf), "-o", str(tmp_path / "a.npz")]) == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", EEGPTWarning)
        assert main([*args, str(edf), "-o", str(tmp_path / "b.npz")]) == 1
        assert main([*args, str(clean), str(edf), "-o", str(tmp_path / "c")]) == 3
        assert main([*args, str(clean), "-o", str(tmp_path / "d.npz")]) == 0
    assert not (tmp_path / "b.npz").exists()
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == ["clean.npz"]


def test_top_level_help_tells_of_argument_files_and_warnings_as_errors(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "argument files (for every command" in out and "./@name" in out
    assert "warnings never change the exit status" in out
    assert "python -W error::eegpt.EEGPTWarning -m eegpt" in out
