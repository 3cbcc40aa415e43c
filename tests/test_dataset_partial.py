"""A graceful stop (Ctrl-C, SIGTERM) keeps the finished files of the shard in progress in a
partial file (``.shard-NNNNN.parquet.partial``) that the resume puts back into the shard
instead of embedding them again; and ``eegpt info`` on such a folder, and on a run in
progress."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from eegpt import dataset_pipeline, dataset_runs
from eegpt.api import CHANGES_DATE
from eegpt.cli import main as eegpt_main
from eegpt.dataset import FILES_REPORT, embed_dataset, read_embeddings, read_shard_status
from eegpt.dataset_inputs import resolve_inputs
from eegpt.dataset_read import MANIFEST, partial_name, shard_files
from eegpt.dataset_report import describe_output, describe_parts
from eegpt.dataset_resume import done_shards_of, is_ours, partial_files
from eegpt.demo import synthetic_raw, write_edf
from eegpt.shard_writer import ShardWriter

PARTIAL = partial_name(0)


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    """Three EDF files of 8 s (one shard of 3 with ``shard_size=3``), in input order."""
    folder = tmp_path_factory.mktemp("three")
    paths = []
    for i in range(3):
        raw, _ = synthetic_raw(minutes=8 / 60, seed=i)
        paths.append(folder / f"rec{i}.edf")
        write_edf(raw, paths[-1])
    return paths


def _kw(model):
    return dict(model=model, shard_size=3, workers=0, device="cpu", progress=False)


def _stop_after(monkeypatch, n: int, sig: int = signal.SIGINT) -> None:
    """Send ``sig`` to this process (handled in the main thread, as Ctrl-C or a scheduler's
    SIGTERM is) right after the ``n``-th file's result was handed to the writer."""
    hand_on = dataset_pipeline.BackgroundSink.__call__
    calls = []

    def hand_on_then_signal(self, result):
        hand_on(self, result)
        calls.append(result.index)
        if len(calls) == n:
            os.kill(os.getpid(), sig)
            time.sleep(0.5)

    monkeypatch.setattr(dataset_pipeline.BackgroundSink, "__call__", hand_on_then_signal)


def _count_loads(monkeypatch) -> list[int]:
    """The indices of the files read from now on."""
    read: list[int] = []
    real = dataset_pipeline.load_file
    monkeypatch.setattr(
        dataset_pipeline,
        "load_file",
        lambda index, *a, **k: read.append(index) or real(index, *a, **k),
    )
    return read


def _stopped_run(three, out, model, monkeypatch, n: int = 2) -> None:
    _stop_after(monkeypatch, n)
    with pytest.raises(KeyboardInterrupt):
        embed_dataset(three, out, **_kw(model))
    monkeypatch.undo()


def test_a_stop_keeps_the_finished_files_and_the_resume_embeds_only_the_rest(
    three, model, tmp_path, monkeypatch, caplog
):
    out = tmp_path / "out"
    with caplog.at_level("INFO", logger="eegpt"):
        _stopped_run(three, out, model, monkeypatch)
    assert "stopped part-way through shard 0: 2 of its 3 files finished and kept" in caplog.text
    assert not shard_files(out) and (out / MANIFEST).is_file()  # the start is not undone
    spec, status = read_shard_status(out / PARTIAL)
    assert status["partial"] is True and status["kept"] == [0, 1] and status["shard"] == 0
    assert [f["status"] for f in status["files"]] == ["ok", "ok"]
    assert set(pq.read_table(out / PARTIAL).column("recording_id").to_pylist()) == {
        "rec0.edf",
        "rec1.edf",
    }
    assert not list(out.glob("*.parquet"))  # a *.parquet glob (polars, DuckDB) skips it
    read = _count_loads(monkeypatch)
    summary = embed_dataset(three, out, **_kw(model))
    assert read == [2] and summary.n_ok == 3
    assert not (out / PARTIAL).exists() and len(shard_files(out)) == 1
    embed_dataset(three, tmp_path / "fresh", **_kw(model))  # uninterrupted, to compare
    after, emb_after = read_embeddings(out)
    whole, emb_whole = read_embeddings(tmp_path / "fresh")
    pd.testing.assert_frame_equal(after, whole)
    np.testing.assert_array_equal(emb_after, emb_whole)
    assert (pd.read_csv(out / FILES_REPORT).status == "ok").all()


def test_a_file_changed_since_the_stop_is_embedded_again(three, model, tmp_path, monkeypatch):
    files = [tmp_path / p.name for p in three]  # a copy: one is changed
    for src, dst in zip(three, files, strict=True):
        dst.write_bytes(src.read_bytes())
    out = tmp_path / "out"
    _stopped_run(files, out, model, monkeypatch)
    raw, _ = synthetic_raw(minutes=8 / 60, seed=9)
    write_edf(raw, files[0], overwrite=True)
    later = files[0].stat().st_mtime_ns + 5_000_000_000
    os.utime(files[0], ns=(later, later))
    read = _count_loads(monkeypatch)
    embed_dataset(files, out, **_kw(model))
    assert sorted(read) == [0, 2]
    embed_dataset(files, tmp_path / "fresh", **_kw(model))
    np.testing.assert_array_equal(read_embeddings(out)[1], read_embeddings(tmp_path / "fresh")[1])


def _rewrite_footer(path: Path, edit) -> None:
    """Write ``path`` again with its footer's ``eegpt`` settings edited by ``edit``."""
    table = pq.read_table(path)
    meta = dict(pq.read_metadata(path).metadata)
    spec = json.loads(meta[b"eegpt"])
    edit(spec)
    meta[b"eegpt"] = json.dumps(spec).encode()
    pq.write_table(table.replace_schema_metadata(meta), path)


@pytest.mark.parametrize("how", ["other settings", "unreadable", "overwrite"])
def test_a_partial_file_that_does_not_match_is_not_used(
    three, model, tmp_path, monkeypatch, caplog, how
):
    """A partial file of other settings (an older row layout, say) or an unreadable one is
    removed with a log line and its files embedded again; --overwrite removes it too."""
    out = tmp_path / "out"
    _stopped_run(three, out, model, monkeypatch)
    if how == "other settings":
        _rewrite_footer(out / PARTIAL, lambda spec: spec.update(layout=3))
    elif how == "unreadable":
        (out / PARTIAL).write_bytes(b"not parquet")
    read = _count_loads(monkeypatch)
    with caplog.at_level("INFO", logger="eegpt"):
        embed_dataset(three, out, overwrite=how == "overwrite", **_kw(model))
    assert sorted(read) == [0, 1, 2] and not (out / PARTIAL).exists()
    if how != "overwrite":
        assert f"{PARTIAL} is not used" in caplog.text
    assert is_ours(PARTIAL)


def test_a_stop_before_the_kept_files_are_placed_leaves_the_partial_file(
    three, model, tmp_path, monkeypatch
):
    """A resume stopped again before it wrote anything of the shard (its kept files are put
    back only as the next file arrives) keeps the partial file as it was."""
    out = tmp_path / "out"
    _stopped_run(three, out, model, monkeypatch)
    before = (out / PARTIAL).read_bytes()

    def stop(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(dataset_pipeline, "load_file", stop)
    with pytest.raises(KeyboardInterrupt):
        embed_dataset(three, out, **_kw(model))
    assert (out / PARTIAL).read_bytes() == before


def test_a_partial_file_that_cannot_be_written_is_said(three, model, tmp_path, monkeypatch):
    """Where the partial file cannot be written (a full disk), the stop says so, and that
    no shard was completed (--shard-size advice) as before."""
    seal = ShardWriter._seal

    def full(self, final, mark):
        if mark.get("partial"):
            raise OSError(28, "No space left on device")
        seal(self, final, mark)

    monkeypatch.setattr(ShardWriter, "_seal", full)
    _stop_after(monkeypatch, 2)
    with (
        pytest.warns(Warning, match="could not be kept"),
        pytest.warns(Warning, match="stopped before it completed a shard"),
        pytest.raises(KeyboardInterrupt),
    ):
        embed_dataset(three, tmp_path / "out", **_kw(model))
    assert not (tmp_path / "out" / PARTIAL).exists()
    assert not list((tmp_path / "out").glob(".*.tmp"))


def test_info_says_which_shard_stopped_part_way(three, model, tmp_path, monkeypatch):
    out = tmp_path / "out"
    _stopped_run(three, out, model, monkeypatch)
    said = describe_output(out)
    assert f"shard 0 stopped part-way: 2 of 3 files kept for the resume ({PARTIAL})" in said
    assert "shards 0 of 1 done" in said, said


def test_info_on_a_partial_file_beside_its_written_shard(three, model, tmp_path, monkeypatch):
    """A run killed between writing a shard and removing its partial file leaves both: info
    does not say the written shard stopped part-way."""
    out = tmp_path / "out"
    _stopped_run(three, out, model, monkeypatch)
    kept = (out / PARTIAL).read_bytes()
    monkeypatch.undo()
    embed_dataset(three, out, **_kw(model))
    (out / PARTIAL).write_bytes(kept)  # as a kill between the rename and the removal leaves
    said = describe_output(out)
    assert "stopped part-way" not in said, said
    assert f"shard 0 is written; {PARTIAL} beside it holds 2 files" in said, said


def test_info_on_a_folder_of_parts_counts_the_files_a_stopped_part_kept(
    three, model, tmp_path, monkeypatch
):
    """The folder of parts says a stopped part kept files for its resume, as the part's own
    info does."""
    parts = tmp_path / "parts"
    _stop_after(monkeypatch, 2)
    with pytest.raises(KeyboardInterrupt):
        embed_dataset(three, parts / "part-0", **{**_kw(model), "part": (0, 1)})
    monkeypatch.undo()
    said = describe_parts(parts)
    line = next(line for line in said.splitlines() if line.startswith("  part-0: "))
    assert line.endswith("; 2 files kept in a partial shard for the resume"), said


def test_info_on_a_resume_finishing_a_partial_file(three, model, tmp_path, monkeypatch):
    """While a resume finishes a stopped shard, info says its kept files are being finished,
    not that the shard stopped part-way."""
    out = tmp_path / "out"
    _stopped_run(three, out, model, monkeypatch)
    monkeypatch.undo()
    seen: list[str] = []
    real = dataset_pipeline.load_file

    def look_then_load(index, *a, **k):
        seen.append(describe_output(out))
        return real(index, *a, **k)

    monkeypatch.setattr(dataset_pipeline, "load_file", look_then_load)
    embed_dataset(three, out, **_kw(model))
    (said,) = seen  # the resume reads file 2 alone
    assert "stopped part-way" not in said, said
    assert "shard 0: 2 of 3 files kept from an earlier stop, being finished by the run" in said


def test_info_on_a_run_in_progress(three, model, tmp_path, monkeypatch):
    """``eegpt info`` while a run holds the folder: in progress for how long, the shards
    written of all and the files done (in the folder, earlier runs' too), not "0 shards written in 0.0 s"; exit 0."""
    out = tmp_path / "out"
    seen: list[tuple[int, str]] = []
    real = dataset_pipeline.load_file

    def look_then_load(index, *a, **k):
        if index == 2:
            text = io.StringIO()
            with contextlib.redirect_stdout(text):
                seen.append((eegpt_main(["info", str(out)]), text.getvalue()))
        return real(index, *a, **k)

    monkeypatch.setattr(dataset_pipeline, "load_file", look_then_load)
    embed_dataset(three, out, **{**_kw(model), "shard_size": 1})
    ((status, said),) = seen
    assert status == 0
    assert "a run is in progress" in said
    assert "0 shards written in 0.0 s" not in said, said
    line = next(line for line in said.splitlines() if line.startswith("  run "))
    # counted from the folder, earlier runs' shards included: said so
    assert " in progress for " in line and "; in the folder: " in line, line
    assert " of 3 shards written, " in line, line
    assert " files done" in line or " file done" in line


def test_a_partial_file_of_other_versions_is_not_used(three, model, tmp_path, monkeypatch, caplog):
    """The rows a stopped run of another eegpt version kept are not mixed into a shard whose
    footer names the resuming run alone: the partial file is removed, its files embedded
    again."""
    out = tmp_path / "out"
    monkeypatch.setattr(dataset_runs, "__version__", "0.0.1-old")
    _stopped_run(three, out, model, monkeypatch)
    assert read_shard_status(out / PARTIAL)[1]["run"]["eegpt_version"] == "0.0.1-old"
    read = _count_loads(monkeypatch)
    with caplog.at_level("INFO", logger="eegpt"):
        embed_dataset(three, out, **_kw(model))
    assert sorted(read) == [0, 1, 2] and not (out / PARTIAL).exists()
    assert "computed by other versions of eegpt/torch (eegpt 0.0.1-old" in caplog.text
    (shard,) = shard_files(out)
    assert read_shard_status(shard)[1]["run"]["eegpt_version"] == dataset_runs.__version__


def _restamp_partial(out: Path, **changes: Any) -> None:
    """Write the partial file again with its footer's ``run`` stamp given ``eegpt_changes``
    (None: without it, as an eegpt before 2026-12-07 stamped it)."""
    table, meta = pq.read_table(out / PARTIAL), dict(pq.read_metadata(out / PARTIAL).metadata)
    status = json.loads(meta[b"eegpt_shard"])
    status["run"].pop("eegpt_changes", None)
    status["run"].update({k: v for k, v in changes.items() if v is not None})
    meta[b"eegpt_shard"] = json.dumps(status).encode()
    pq.write_table(table.replace_schema_metadata(meta), out / PARTIAL, write_page_checksum=True)


def test_a_partial_file_of_an_eegpt_of_other_changes_is_not_used_one_before_them_is(
    three, model, tmp_path, monkeypatch, caplog
):
    """eegpt_version stays 0.1.0 while eegpt's numbers change: a corpus run's stamps did not
    record ``eegpt_changes`` (the CHANGELOG.md section its eegpt includes), so the rows a
    stopped run of an eegpt of other changes kept were mixed into the resuming run's shard.
    Now they are refused, as other versions' are; a partial file of an eegpt before the field
    was recorded is taken, as embed_to_file takes such kept windows."""
    out = tmp_path / "out"
    _stopped_run(three, out, model, monkeypatch)
    assert read_shard_status(out / PARTIAL)[1]["run"]["eegpt_changes"] == CHANGES_DATE
    _restamp_partial(out, eegpt_changes="2026-11-30")
    read = _count_loads(monkeypatch)
    with caplog.at_level("INFO", logger="eegpt"):
        embed_dataset(three, out, **_kw(model))
    assert sorted(read) == [0, 1, 2] and not (out / PARTIAL).exists()
    assert "(changes to 2026-11-30)" in caplog.text and f"(changes to {CHANGES_DATE})" in (
        caplog.text
    )
    (shard,) = shard_files(out)
    assert read_shard_status(shard)[1]["run"]["eegpt_changes"] == CHANGES_DATE
    # a partial file of an eegpt that did not record eegpt_changes: taken, as before
    out = tmp_path / "before"
    monkeypatch.undo()
    _stopped_run(three, out, model, monkeypatch)
    _restamp_partial(out, eegpt_changes=None)
    read = _count_loads(monkeypatch)
    embed_dataset(three, out, **_kw(model))
    assert read == [2]
    # one of an eegpt of a run started before the newest changes' day: surely of other
    # changes (that eegpt could not include them), so not used though it recorded none
    out = tmp_path / "older"
    monkeypatch.undo()
    _stopped_run(three, out, model, monkeypatch)
    _restamp_partial(out, eegpt_changes=None, started="2026-12-06T23:30:00-0100")  # 00:30 UTC
    read = _count_loads(monkeypatch)
    embed_dataset(three, out, **_kw(model))
    assert read == [2]  # 2026-12-07 in UTC: its day's changes may be in it
    out = tmp_path / "oldest"
    monkeypatch.undo()
    _stopped_run(three, out, model, monkeypatch)
    _restamp_partial(out, eegpt_changes=None, started="2026-12-07T00:30:00+0100")  # 23:30 UTC
    read = _count_loads(monkeypatch)
    with caplog.at_level("INFO", logger="eegpt"):
        embed_dataset(three, out, **_kw(model))
    assert sorted(read) == [0, 1, 2] and not (out / PARTIAL).exists()
    assert f"an eegpt of before the changes to {CHANGES_DATE}" in caplog.text, caplog.text


def test_a_moved_corpus_keeps_its_partial_file(three, model, tmp_path, monkeypatch):
    """Files are told by index and recording id, as the shards' are: the corpus moved
    elsewhere (its relative paths the same) keeps the partial file."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for p in three:
        (corpus / p.name).write_bytes(p.read_bytes())
        os.utime(corpus / p.name, ns=(p.stat().st_atime_ns, p.stat().st_mtime_ns))
    out = tmp_path / "out"
    _stopped_run(corpus, out, model, monkeypatch)
    moved = corpus.rename(tmp_path / "moved")
    read = _count_loads(monkeypatch)
    summary = embed_dataset(moved, out, **_kw(model))
    assert read == [2] and summary.n_ok == 3 and not (out / PARTIAL).exists()


def _failing_copy(three, folder: Path, failing: tuple[int, ...]) -> list[Path]:
    """A copy of ``three`` in ``folder`` whose files ``failing`` cannot be read."""
    folder.mkdir()
    files = [folder / p.name for p in three]
    for i, (src, dst) in enumerate(zip(three, files, strict=True)):
        dst.write_bytes(b"not an EDF file" if i in failing else src.read_bytes())
    return files


def _fix(three, files: list[Path], which: tuple[int, ...]) -> None:
    for i in which:
        files[i].write_bytes(three[i].read_bytes())
        later = files[i].stat().st_mtime_ns + 5_000_000_000
        os.utime(files[i], ns=(later, later))


def test_a_plain_resume_keeps_the_partial_file_of_a_stopped_retry(
    three, model, tmp_path, monkeypatch
):
    """A --retry-failed run stopped part-way keeps what it embedded again; a plain resume
    (the shard is written, with those files failed) leaves that partial file, saying
    --retry-failed puts it to use, and the next --retry-failed run does so."""
    files = _failing_copy(three, tmp_path / "corpus", (1, 2))
    out = tmp_path / "out"
    first = embed_dataset(files, out, **_kw(model))
    assert first.n_failed == 2
    _fix(three, files, (1, 2))
    _stop_after(monkeypatch, 1)
    with pytest.raises(KeyboardInterrupt):
        embed_dataset(files, out, retry_failed=True, **_kw(model))
    monkeypatch.undo()
    kept = [(f["index"], f["status"]) for f in read_shard_status(out / PARTIAL)[1]["files"]]
    assert kept == [(0, "ok"), (1, "ok")]
    with pytest.warns(Warning, match=r"kept: shard 0 is written.*--retry-failed"):
        plain = embed_dataset(files, out, **_kw(model))
    assert plain.n_failed == 2 and (out / PARTIAL).is_file()
    read = _count_loads(monkeypatch)
    retried = embed_dataset(files, out, retry_failed=True, **_kw(model))
    assert read == [2] and retried.n_ok == 3 and not (out / PARTIAL).exists()
    embed_dataset(three, tmp_path / "fresh", **_kw(model))
    np.testing.assert_array_equal(read_embeddings(out)[1], read_embeddings(tmp_path / "fresh")[1])


def test_a_partial_file_that_adds_nothing_to_its_written_shard_is_removed(
    three, model, tmp_path, monkeypatch, caplog
):
    out = tmp_path / "out"
    _stopped_run(three, out, model, monkeypatch)
    kept = (out / PARTIAL).read_bytes()
    embed_dataset(three, out, **_kw(model))
    (out / PARTIAL).write_bytes(kept)  # as if the shard's commit had not removed it
    with caplog.at_level("INFO", logger="eegpt"):
        embed_dataset(three, out, **_kw(model))
    assert f"{PARTIAL} is not used (shard 0 is written); it is removed" in caplog.text
    assert not (out / PARTIAL).exists()


def test_a_read_only_run_says_it_leaves_the_partial_file(
    three, model, tmp_path, monkeypatch, caplog
):
    """In a folder only read (a finished run on a read-only disk) a partial file that does
    not serve is left where it is, and the log line says so, not "it is removed"."""
    out = tmp_path / "out"
    _stopped_run(three, out, model, monkeypatch)
    kept = (out / PARTIAL).read_bytes()
    embed_dataset(three, out, **_kw(model))
    (out / PARTIAL).write_bytes(kept)
    spec = json.loads((out / MANIFEST).read_text())["spec"]
    done = done_shards_of(out, spec, 1, False)
    with caplog.at_level("INFO", logger="eegpt"):
        used = partial_files(
            out, spec, [[0, 1, 2]], done, resolve_inputs(three), False, read_only=True
        )
    assert used == ({}, {}) and (out / PARTIAL).is_file()
    assert f"{PARTIAL} is not used (shard 0 is written); it is left where it is" in caplog.text
    assert "it is removed" not in caplog.text


_SIGTERM_SCRIPT = """
import os, signal, sys, time
from eegpt import dataset_pipeline
from eegpt.checkpoints import load_model
from eegpt.dataset import embed_dataset

weights, out, *files = sys.argv[1:]
hand_on = dataset_pipeline.BackgroundSink.__call__
calls = []

def hand_on_then_terminate(self, result):  # a scheduler's SIGTERM after the second file
    hand_on(self, result)
    calls.append(result.index)
    if len(calls) == 2:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)

dataset_pipeline.BackgroundSink.__call__ = hand_on_then_terminate
embed_dataset(files, out, model=load_model(weights), shard_size=3, workers=0, device="cpu",
              progress=False)
print("not stopped")
"""


def test_sigterm_stops_a_run_called_from_python_and_keeps_its_files(three, weights, tmp_path):
    """A script calling embed_dataset under a scheduler (no SIGTERM handler of its own) is
    stopped by SIGTERM as the command line is: the partial file is kept, exit status 143;
    the handler is the run's only (restored after it)."""
    out = tmp_path / "out"
    args = [str(weights), str(out), *map(str, three)]
    done = subprocess.run(
        [sys.executable, "-c", _SIGTERM_SCRIPT, *args], capture_output=True, text=True
    )
    assert done.returncode == 128 + signal.SIGTERM, done.stderr[-2000:]
    assert "not stopped" not in done.stdout
    assert (out / PARTIAL).is_file() and not shard_files(out)
    assert read_shard_status(out / PARTIAL)[1]["kept"] == [0, 1]


def test_embed_dataset_leaves_the_sigterm_handler_as_it_found_it(three, model, tmp_path):
    """The default disposition comes back after the run; a handler of the caller's (the
    command line's) is left in place, not replaced."""
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    embed_dataset(three, tmp_path / "a", **_kw(model))
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL

    def mine(signum, frame):
        raise SystemExit(1)

    previous = signal.signal(signal.SIGTERM, mine)
    try:
        embed_dataset(three, tmp_path / "b", **_kw(model))
        assert signal.getsignal(signal.SIGTERM) is mine
    finally:
        signal.signal(signal.SIGTERM, previous)
