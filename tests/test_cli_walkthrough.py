"""Mistakes a first-time user makes on the command line, each answered with what to do."""

from __future__ import annotations

import pytest

from eegpt.cli import main


def _usage_error(words: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run ``eegpt WORDS``, expect a usage error (status 2), return stderr."""
    with pytest.raises(SystemExit) as exit_info:
        main(words)
    assert exit_info.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize("minutes", ["0", "-1", "nan"])
def test_demo_minutes_must_be_positive_and_leave_no_folder(minutes, tmp_path, capsys):
    out = tmp_path / "demo"
    err = _usage_error(["demo", "-o", str(out), f"--minutes={minutes}"], capsys)
    assert "--minutes must be more than 0" in err
    assert not out.exists()


def test_a_demo_that_fails_removes_the_folder_it_made(tmp_path, monkeypatch):
    from eegpt import demo

    def fail(*args, **kwargs):
        raise RuntimeError("stop")

    monkeypatch.setattr(demo, "synthetic_raw", fail)
    with pytest.raises(RuntimeError):
        demo.run_demo(tmp_path / "demo", minutes=0.5)
    assert not (tmp_path / "demo").exists()
    with pytest.raises(ValueError, match="more than 0"):
        demo.run_demo(tmp_path / "demo", minutes=0)
    assert not (tmp_path / "demo").exists()


@pytest.mark.parametrize("name", ["out.npz", "out.PARQUET", "emb.csv", "x.mat"])
def test_embed_dataset_refuses_an_output_named_like_a_file(name, tmp_path, capsys):
    out = tmp_path / name
    code = main(["embed-dataset", str(tmp_path), "--weights", "w", "-o", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    assert "embed-dataset writes a folder" in err
    assert f"-o {out.with_suffix('')}" in err
    assert not out.exists()


def test_embed_dataset_resumes_a_run_folder_named_like_a_file(tmp_path):
    from eegpt.dataset_cli import _file_named_output
    from eegpt.outputs import RUN_MANIFEST

    out = tmp_path / "out.npz"
    out.mkdir()
    assert _file_named_output(out) is not None  # a folder, but no run
    (out / RUN_MANIFEST).write_text("{}")
    assert _file_named_output(out) is None
    assert _file_named_output(tmp_path / "runs") is None
