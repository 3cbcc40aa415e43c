"""`eegpt anonymize`: a copy of embeddings for publication, without the recording's date, the
paths of the site's folders, the host or the SLURM job of the run."""

from __future__ import annotations

import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import mne
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import eegpt
from eegpt._dates import parse_iso
from eegpt.cli import main
from eegpt.demo import synthetic_raw, write_edf
from eegpt.errors import OutputExistsError
from eegpt.finetune import finetune
from eegpt.preprocessing import PreprocessingConfig
from eegpt.probe import load_probe

SECRET = "SECRET_jdoe"
SLURM_JOB = "987654321"
DATE = datetime.datetime(2021, 3, 14, 9, 26, 53, tzinfo=datetime.timezone.utc)
#: The recording date as it may be written: ISO 8601, EDF's header, compact.
DATES = ("2021-03-14", "14.03.21", "2021_03_14", "20210314")


@pytest.fixture(scope="module")
def outputs(weights, tmp_path_factory):
    """Outputs of recordings in a folder named SECRET_jdoe, dated 2021-03-14, each with a flat
    channel (a warning naming the file): eegpt embed's .npz and .parquet, a file embedded from
    a Raw, an embed-dataset run of a manifest with a `subject` column (relative paths), and
    two --part runs of a manifest of absolute paths, made under a SLURM job id."""
    base = tmp_path_factory.mktemp("site")
    folder = base / SECRET / "site1"
    folder.mkdir(parents=True)
    edfs = []
    for i in range(2):
        raw = synthetic_raw(minutes=16 / 60, seed=i)[0]
        raw._data[3] = 0.0  # a flat channel: a warning that starts with the file's path
        raw.set_meas_date(DATE)
        edfs.append(write_edf(raw, folder / f"rec{i}.edf"))
    (base / SECRET / "manifest.csv").write_text(
        "path,subject\nsite1/rec0.edf,s1\nsite1/rec1.edf,s2\n"
    )
    (base / "absolute.csv").write_text(f"path,subject\n{edfs[0]},s1\n{edfs[1]},s2\n")
    out = base / "out"
    common = ["--weights", str(weights), "--device", "cpu", "-q"]
    assert main(["embed", str(edfs[0]), "-o", str(out / "one.npz"), *common]) == 0
    assert main(["embed", str(edfs[0]), "-o", str(out / "one.parquet"), *common]) == 0
    model = eegpt.load_model(weights)
    model.embed(mne.io.read_raw_edf(edfs[1], verbose=False)).save(out / "raw.npz")
    dataset = [*common, "--workers", "0"]
    manifest = str(base / SECRET / "manifest.csv")
    assert main(["embed-dataset", manifest, "-o", str(out / "run"), *dataset]) == 0
    os.environ["SLURM_JOB_ID"] = SLURM_JOB
    try:
        for k in range(2):
            part = ["--part", f"{k}/2", "-o", str(out / "parts" / f"part-{k}")]
            assert main(["embed-dataset", str(base / "absolute.csv"), *part, *dataset]) == 0
    finally:
        del os.environ["SLURM_JOB_ID"]
    return base, out


def _files(path: Path) -> list[Path]:
    return [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())


def _texts(path: Path) -> list[str]:
    """What a file says besides its raw bytes: a .npz's metadata, every value of a Parquet
    file's columns (decompressed) and its footer's key-value metadata and statistics."""
    if path.suffix == ".npz":
        with np.load(path) as f:
            return [str(f["metadata"][()])]
    if path.suffix != ".parquet":
        return [path.read_text()]
    table = pq.read_table(path)
    out = [str(table.column(c).to_pylist()) for c in table.column_names if c != "embedding"]
    meta = pq.read_metadata(path)
    out += [f"{k!r}: {v!r}" for k, v in (meta.metadata or {}).items()]
    for g in range(meta.num_row_groups):
        for c in range(meta.num_columns):
            stats = meta.row_group(g).column(c).statistics
            if stats is not None and stats.has_min_max:
                out.append(f"{stats.min!r} {stats.max!r}")
    return out


def _footer(path: Path) -> bytes:
    """A Parquet file's footer, as bytes on disk (the schema, key-value metadata, statistics)."""
    data = path.read_bytes()
    size = int.from_bytes(data[-8:-4], "little")
    return data[-8 - size :]


def _leaks(path: Path, secrets: list[str]) -> list[str]:
    """``"file: secret"`` for each secret found in a file's bytes or values."""
    found = []
    host = platform.node()
    for f in _files(path):
        raw = f.read_bytes()
        text = "\n".join(_texts(f))
        for secret in secrets:
            # numpy stores text as UTF-32: a .npz's metadata is
            if any(secret.encode(c) in raw for c in ("utf-8", "utf-32-le")) or secret in text:
                found.append(f"{f.name}: {secret}")
        # a short host name may occur by chance in the embeddings' bytes: not searched there
        where = [*_texts(f), *([_footer(f).decode("latin-1")] if f.suffix == ".parquet" else [])]
        # as a name of its own: a short host name ("vm") is also part of words (".vmrk")
        named = re.compile(rf"(?<![\w.-]){re.escape(host)}(?![\w-])") if host else None
        if named and any(named.search(t) for t in where):
            found.append(f"{f.name}: host {host}")
    return found


INPUTS = ("one.npz", "one.parquet", "raw.npz", "run", "parts")


@pytest.mark.parametrize("name", INPUTS)
def test_an_anonymized_copy_holds_no_date_folder_path_host_or_job(outputs, name, tmp_path):
    base, out = outputs
    secrets = [SECRET, str(base), str(tmp_path.parent.parent), SLURM_JOB, *DATES]
    secrets.append(json.dumps(os.getcwd())[1:-1])  # the folder the commands ran in, as stored
    assert _leaks(out / name, secrets), "the original should hold some of them"
    copy = tmp_path / ("copy" + Path(name).suffix)
    assert eegpt.anonymize_embeddings(out / name, copy) == copy
    assert _leaks(copy, secrets) == []


@pytest.mark.parametrize("name", ["one.npz", "one.parquet", "raw.npz"])
def test_a_file_copy_keeps_embeddings_onsets_channels_and_names_the_file(outputs, name, tmp_path):
    _, out = outputs
    copy = eegpt.anonymize_embeddings(out / name, tmp_path / f"copy{Path(name).suffix}")
    before, after = eegpt.load_embeddings(out / name), eegpt.load_embeddings(copy)
    np.testing.assert_array_equal(after.data, before.data)
    np.testing.assert_array_equal(after.onsets, before.onsets)
    assert after.metadata["source"] == Path(before.metadata["source"]).name
    assert after.metadata["checkpoint"]["path"] == "small"
    assert after.metadata["checkpoint"]["sha256"] == before.metadata["checkpoint"]["sha256"]
    assert after.metadata["channels"] == before.metadata["channels"]
    assert after.metadata["preprocessing"] == before.metadata["preprocessing"]
    assert all(w.startswith(after.metadata["source"] + ": ") for w in after.metadata["warnings"])
    assert "meas_date" in before.metadata and "meas_date" not in after.metadata
    assert after.metadata["anonymized"] == {"by": f"eegpt {eegpt.__version__}", "daysback": None}
    with pytest.raises(ValueError, match="no measurement date"):
        after.clock_times(absolute=True)
    np.testing.assert_array_equal(after.clock_times(), before.clock_times())


def test_daysback_moves_the_date_back_instead_of_removing_it(outputs, tmp_path):
    _, out = outputs
    copy = eegpt.anonymize_embeddings(out / "one.parquet", tmp_path / "c.parquet", daysback=400)
    before, after = eegpt.load_embeddings(out / "one.parquet"), eegpt.load_embeddings(copy)
    assert after.metadata["anonymized"]["daysback"] == 400
    shift = before.clock_times(absolute=True) - after.clock_times(absolute=True)
    assert (shift == np.timedelta64(400, "D")).all()


@pytest.mark.parametrize(("days", "said"), [(-5, "move the dates forward"),
                                           (0, "0 would keep the real dates"),
                                           (10**7, "before the year 1")])  # fmt: skip
def test_daysback_out_of_range_is_refused(outputs, days, said, tmp_path, capsys):
    """A negative --daysback (a copy said to have its dates "moved back -5 days", moved
    forward), 0 (the real dates kept in a copy recorded as anonymized, which eegpt info
    called an "anonymized copy") and one past the year 1 (an internal OverflowError) are
    refused, saying the range; nothing is written."""
    _, out = outputs
    with pytest.raises(ValueError, match=said):
        eegpt.anonymize_embeddings(out / "one.npz", tmp_path / "c.npz", daysback=days)
    argv = ["anonymize", str(out / "one.npz"), "-o", str(tmp_path / "d.npz")]
    assert main([*argv, "--daysback", str(days)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("eegpt: error: daysback must be from 1 to 693595 days") and said in err
    assert not list(tmp_path.iterdir())


def test_a_missing_input_is_named_once_as_by_the_other_commands(tmp_path, capsys):
    """`eegpt anonymize MISSING` says `eegpt: error: no such file or folder: MISSING`, as
    `eegpt export` does; it said `eegpt: error: eegpt anonymize: no such file ...`."""
    missing = tmp_path / "gone.npz"
    assert main(["anonymize", str(missing), "-o", str(tmp_path / "c.npz")]) == 1
    assert capsys.readouterr().err == f"eegpt: error: no such file or folder: {missing}\n"


def test_daysback_past_the_year_1_for_a_recording_dated_before_1900(weights, tmp_path, capsys):
    """MNE takes a meas_date of 1850 (a BrainVision or in-memory recording): a --daysback in
    range for dates of 1900 on moved it before the year 1, an internal OverflowError; it is
    refused naming the date and the most days it allows, which are taken."""
    raw = synthetic_raw(minutes=8 / 60, seed=0)[0]
    raw.set_meas_date(datetime.datetime(1850, 1, 1, tzinfo=datetime.timezone.utc))
    eegpt.load_model(weights).embed(raw).save(tmp_path / "old.npz")
    argv = ["anonymize", str(tmp_path / "old.npz"), "-o", str(tmp_path / "c.npz")]
    assert main([*argv, "--daysback", "693595"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        "eegpt: error: daysback=693595 would move the meas_date 1850-01-01T00:00:00+00:00 "
        "before the year 1, which no date can be: give at most 675333 days"
    ), err
    assert "internal error" not in err and not (tmp_path / "c.npz").exists()
    assert main([*argv, "--daysback", "675333", "-q"]) == 0
    with np.load(tmp_path / "c.npz") as f:
        meta = json.loads(str(f["metadata"][()]))
    assert meta["meas_date"] == "0001-01-01T00:00:00+00:00"


def test_a_run_copy_keeps_rows_ids_and_manifest_columns(outputs, tmp_path):
    _, out = outputs
    copy = eegpt.anonymize_embeddings(out / "run", tmp_path / "run")
    (t0, e0), (t1, e1) = eegpt.read_embeddings(out / "run"), eegpt.read_embeddings(copy)
    np.testing.assert_array_equal(e1, e0)
    assert list(t1["recording_id"].unique()) == ["site1/rec0.edf", "site1/rec1.edf"]
    assert (t1["path"] == t1["recording_id"]).all()
    keep = [c for c in t0.columns if c not in ("path", "clock_time")]
    assert t1[keep].astype(str).equals(t0[keep].astype(str))
    assert t0["clock_time"].notna().all() and t1["clock_time"].isna().all()  # dates the recording
    one = eegpt.load_embeddings(copy, recording_id="site1/rec0.edf")
    assert one.metadata["source"] == "site1/rec0.edf" and "meas_date" not in one.metadata
    manifest = json.loads((copy / "_manifest.json").read_text())
    assert manifest["source"] == "manifest.csv"
    assert manifest["anonymized"]["by"] == f"eegpt {eegpt.__version__}"
    assert all("host" not in run for run in manifest["runs"])


def test_a_run_copy_cannot_be_resumed(outputs, weights, tmp_path):
    """Pointing embed-dataset at an anonymized copy is refused in words: its paths lead
    nowhere, so a resume would find every file changed or missing."""
    base, out = outputs
    copy = eegpt.anonymize_embeddings(out / "run", tmp_path / "run")
    manifest = str(base / SECRET / "manifest.csv")
    with pytest.raises(ValueError, match="is an anonymized copy .* cannot be resumed"):
        eegpt.embed_dataset(manifest, copy, weights=weights, device="cpu", workers=0)


def test_part_runs_of_absolute_paths_get_ids_relative_to_their_common_folder(outputs, tmp_path):
    _, out = outputs
    copy = eegpt.anonymize_embeddings(out / "parts", tmp_path / "parts", daysback=2)
    (t0, e0), (t1, e1) = eegpt.read_embeddings(out / "parts"), eegpt.read_embeddings(copy)
    np.testing.assert_array_equal(e1, e0)
    assert sorted(t1["recording_id"].unique()) == ["rec0.edf", "rec1.edf"]
    assert list(t1["subject"]) == list(t0["subject"])
    shift = t0["clock_time"].to_numpy() - t1["clock_time"].to_numpy()  # as meas_date
    assert (shift == np.timedelta64(2, "D")).all()
    runs = [json.loads((p / "_manifest.json").read_text()) for p in sorted(copy.iterdir())]
    assert [r["source"] for r in runs] == ["absolute.csv (part 0/2)", "absolute.csv (part 1/2)"]
    assert all(not any(k.startswith("slurm") for k in r["last_run"]) for r in runs)
    one = eegpt.load_embeddings(copy, recording_id="rec1.edf")
    moved = eegpt.load_embeddings(out / "parts", recording_id=str(t0["recording_id"].iloc[-1]))
    shift = moved.clock_times(absolute=True) - one.clock_times(absolute=True)
    assert (shift == np.timedelta64(2, "D")).all()


@pytest.mark.parametrize("name", ["run", "parts"])
def test_info_and_export_read_a_run_copy(outputs, name, tmp_path, capsys):
    _, out = outputs
    copy = eegpt.anonymize_embeddings(out / name, tmp_path / name)
    assert main(["info", str(copy)]) == 0
    said = capsys.readouterr().out
    assert "CHANGED" not in said and "pending" in said and " 1 pending" not in said
    # each run of a folder of --part runs, as a run folder: an anonymized copy, not resumable
    assert said.count("anonymized copy (eegpt 0.1.0; dates removed): not resumable") == (
        2 if name == "parts" else 1
    )
    assert main(["export", str(copy), "-o", str(tmp_path / "x.mat"), "-q"]) == 0
    assert SECRET.encode() not in (tmp_path / "x.mat").read_bytes()


def test_the_command_writes_a_copy_and_refuses_to_replace_or_write_into_the_input(
    outputs, tmp_path, capsys
):
    _, out = outputs
    copy = tmp_path / "one.npz"
    assert main(["anonymize", str(out / "one.npz"), "-o", str(copy)]) == 0
    assert "check them before publishing" in capsys.readouterr().err
    before = copy.read_bytes()
    with pytest.raises(OutputExistsError, match="never replaces"):
        eegpt.anonymize_embeddings(out / "one.npz", copy)
    assert main(["anonymize", str(out / "one.npz"), "-o", str(copy)]) == 1
    assert "never replaces" in capsys.readouterr().err and copy.read_bytes() == before
    with pytest.raises(ValueError, match="lies inside the input"):
        eegpt.anonymize_embeddings(out / "run", out / "run" / "copy")
    assert not (out / "run" / "copy").exists()
    with pytest.raises(ValueError, match=r"must end in \.npz"):
        eegpt.anonymize_embeddings(out / "one.npz", tmp_path / "x.parquet")


def test_anonymize_imports_neither_torch_nor_mne(outputs, tmp_path):
    _, out = outputs
    script = f"""
import sys
import warnings
from eegpt.cli import main
for name in ("one.parquet", "one.npz", "parts"):
    assert main(["anonymize", {str(out)!r} + "/" + name, "-o", {str(tmp_path)!r} + "/" + name,
                 "-q"]) == 0
print(sorted(m for m in ("torch", "mne", "scipy") if m in sys.modules))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_a_parquet_copy_keeps_its_columns_typed_as_written(outputs, tmp_path):
    _, out = outputs
    copy = eegpt.anonymize_embeddings(out / "one.parquet", tmp_path / "c.parquet")
    a, b = pq.read_schema(out / "one.parquet"), pq.read_schema(copy)
    assert [(f.name, f.type) for f in a] == [(f.name, f.type) for f in b]
    assert pq.read_table(copy).column("source").to_pylist()[0] == "rec0.edf"
    assert pa.types.is_fixed_size_list(b.field("embedding").type)


# -- paths the copy does not know, inside texts ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("C:/Users/alice/eeg/sub01.edf", "sub01.edf"),
        ("C:\\Users\\alice\\eeg\\sub01.edf: flat", "sub01.edf: flat"),
        ("\\\\fileserver\\patients\\Smith_John\\rec.edf", "rec.edf"),
        ("file:///home/alice/x.edf", "x.edf"),
        ("D:\\Patients\\Müller Hans\\rec.edf", "rec.edf"),
        ("/mnt/d/sub-01 (copy)/x.edf", "x.edf"),
        ("could not read '/data/Pat Smith/rec.edf': bad", "could not read 'rec.edf': bad"),
        ("/data/m.csv (part 0/2)", "m.csv (part 0/2)"),
        (
            "(see /a/b.edf) Fp1/Fp2 and ../x, http://x.org/a",
            "(see b.edf) Fp1/Fp2 and ../x, http://x.org/a",
        ),
    ],
)
def test_an_unknown_absolute_path_in_a_text_becomes_its_file_name(text, expected):
    from eegpt.anonymize import _Scrubber

    assert _Scrubber({}, None).text(text) == expected


@pytest.mark.parametrize(
    ("text", "removed", "moved"),
    [
        ("read sub-01/2021-03-04T10:00:00 ok", "read sub-01/[date removed] ok",
         "read sub-01/2021-02-22T10:00:00 ok"),
        ("recorded:2021-03-04", "recorded:[date removed]", "recorded:2021-02-22"),
        ("start 2021-03-04 10:00:00+01:00.", "start [date removed].",
         "start 2021-02-22 10:00:00+01:00."),
        ("rec_2021-03-04.edf", "rec_[date removed].edf", "rec_2021-02-22.edf"),
        ("v1.2021-03-04", "v1.[date removed]", "v1.2021-02-22"),
        ("on 2100-01-01", "on [date removed]", "on 2099-12-22"),
    ],
)  # fmt: skip
def test_dates_in_a_message_are_found_after_a_slash_colon_or_letter(text, removed, moved):
    """A date in an eegpt message is removed (or moved back ``daysback`` days, its time of day
    kept) wherever it stands: after a folder's ``/``, a ``:``, in a word that names no file
    the copy keeps (``rec_2021-03-04.edf``, where the copy knows no such recording)."""
    from eegpt.anonymize import _Scrubber

    assert _Scrubber({}, None).message(text) == removed
    assert _Scrubber({}, 10).message(text) == moved


KEPT = {
    "/site/sub-01/rec_2021-03-04.edf": "sub-01/rec_2021-03-04.edf",
    "rec_2021-03-05_raw.fif": "rec_2021-03-05_raw.fif",
}


@pytest.mark.parametrize(
    ("text", "removed", "moved"),
    [
        ("/site/sub-01/rec_2021-03-04.edf: starts 2021-03-04 10:00:00",
         "sub-01/rec_2021-03-04.edf: starts [date removed]",
         "sub-01/rec_2021-03-04.edf: starts 2021-02-22 10:00:00"),
        ("sub-01/rec_2021-03-04.edf: x", "sub-01/rec_2021-03-04.edf: x",
         "sub-01/rec_2021-03-04.edf: x"),
        ("rec_2021-03-04.edf and rec_2021-03-05_raw.fif", "rec_2021-03-04.edf and "
         "rec_2021-03-05_raw.fif", "rec_2021-03-04.edf and rec_2021-03-05_raw.fif"),
        ("xrec_2021-03-05_raw.fif on 2021-03-05", "xrec_[date removed]_raw.fif on [date removed]",
         "xrec_2021-02-23_raw.fif on 2021-02-23"),
        ("rec_2021-03-06.edf", "rec_[date removed].edf", "rec_2021-02-24.edf"),
    ],
)  # fmt: skip
def test_dates_in_the_ids_and_file_names_the_copy_keeps_are_left_whole(text, removed, moved):
    """A message naming a recording by the id or file name the copy keeps (dated or not)
    names it so in the copy: its date, which the id column and the file's name keep anyway,
    is neither removed nor moved back, so the message names a file of the copy. Dates
    elsewhere in it, and in words that are no kept name (``xrec_...``), still go."""
    from eegpt.anonymize import _Scrubber

    assert _Scrubber(KEPT, None).message(text) == removed
    assert _Scrubber(KEPT, 10).message(text) == moved


@pytest.mark.parametrize("daysback", [None, 10])
def test_a_dated_file_name_given_without_folders_is_left_whole_in_warnings(daysback):
    """A recording (or a probe's input) given by its bare name (`eegpt embed rec_2021-03-04.edf`)
    is named so by the copy (`source`, a probe's `inputs`): its warnings name it so too, as
    those of one given with folders do. The date in the name was removed from the warnings
    only (`rec_[date removed].edf: ...`), naming no file of the copy; other dates still go."""
    from eegpt.anonymize import DATE_REMOVED, _anonymized_metadata, _anonymized_probe

    said = "rec_2021-03-04.edf: flat from 2021-03-04 10:00:00"
    moved = DATE_REMOVED if daysback is None else "2021-02-22 10:00:00"
    meta = _anonymized_metadata(
        {"source": "rec_2021-03-04.edf", "warnings": [said]}, daysback, {"daysback": daysback}
    )
    assert meta["source"] == "rec_2021-03-04.edf"
    assert meta["warnings"] == [f"rec_2021-03-04.edf: flat from {moved}"]
    training = {"inputs": [{"name": "rec_2021-03-04.edf"}], "warnings": [said]}
    probe = _anonymized_probe({"training": training}, {"daysback": daysback})
    assert probe["training"]["inputs"][0]["name"] == "rec_2021-03-04.edf"
    assert probe["training"]["warnings"] == [f"rec_2021-03-04.edf: flat from {moved}"]


def test_labels_annotations_and_patterns_with_a_spaced_slash_are_kept_as_they_are():
    """A ` /` in an annotation (`eyes open /closed`), an event name, a metadata value or a
    pattern (`^/EC`) starts no path: the copy of a .npz (whose metadata holds them) dropped
    the slash as a folder's (`eyes open closed`), so its labels differed from the original's
    and from a Parquet copy's (whose columns are copied as they are). Paths still go."""
    from eegpt.anonymize import _anonymized_metadata, _anonymized_probe

    kept = {
        "annotations": [["eyes open /closed"], []], "labels": ["go /left", "go"],
        "epochs_metadata": {"cond": ["a /b", "c"]}, "marker_spans": {"EC": "^/EC"},
    }  # fmt: skip
    meta = _anonymized_metadata(
        {"source": "/site/Pat/r.edf", **kept, "warnings": ["/site/Pat/r.edf: flat"]},
        None,
        {"daysback": None},
    )
    assert {k: meta[k] for k in kept} == kept and meta["warnings"] == ["r.edf: flat"]
    training = {"window_labels": {"match": "sleep /(N\\d)"}}
    probe = _anonymized_probe({"classes": ["N1 /N2", "W"], "training": training}, {"daysback": 1})
    assert probe["classes"] == ["N1 /N2", "W"] and probe["training"] == training


@pytest.mark.parametrize(
    "text",
    ["year 1024-12-31", "1899-12-31", "on 2101-01-01", "x 12021-03-045 y", "id 92021-03-04",
     "2021-03-041", "eegpt 0.4.1 (10-20-30)"],
)  # fmt: skip
def test_numbers_that_are_no_dates_stay_in_a_message(text):
    """Numbers written like a date but of a year outside 1900..2100 (``1024-12-31``), or
    inside a longer run of digits (``12021-03-045``), are no recording's date: kept as they
    are, with or without ``daysback``."""
    from eegpt.anonymize import _Scrubber

    assert _Scrubber({}, None).message(text) == text
    assert _Scrubber({}, 10).message(text) == text


def test_paths_inside_the_folders_of_known_paths_get_the_dataset_s_folders():
    """A recording's other files (BrainVision .vmrk/.eeg) and files beside it are named as the
    recording's id names its folder; the site's folders above the dataset are cut, even where
    their names hold spaces."""
    from eegpt.anonymize import _Scrubber

    scrub = _Scrubber({"/srv/Pat Smith/site 1/rec 0.vhdr": "site 1/rec 0.vhdr"}, None)
    said = {
        "/srv/Pat Smith/site 1/rec 0.vmrk: no markers": "site 1/rec 0.vmrk: no markers",
        "/srv/Pat Smith/site 1/rec 0.vhdr: flat": "site 1/rec 0.vhdr: flat",
        "from /srv/Pat Smith/hypno.csv": "from hypno.csv",
        "/srv/Pat Smith": "a folder",
        "in '/srv/Pat Smith/x/y z.edf'": "in 'y z.edf'",
    }
    assert {text: scrub.text(text) for text in said} == said


def test_ids_outside_the_manifest_s_folder_are_made_relative(tmp_path):
    """Ids that are paths leading out of the manifest's folder (``..``, ``~``), from a
    manifest without a recording_id column, are resolved and made relative, as absolute
    ones are."""
    from eegpt.anonymize import _id_map

    (tmp_path / "_manifest.json").write_text(json.dumps({"source": "/site/lists/m.csv"}))
    ids = ["../../home/alice/x.edf", "../../home/alice/sub/y.edf", "~/alice_data/z.edf"]
    statuses = {tmp_path: [{"files": [{"recording_id": i} for i in ids]}]}
    new = _id_map(
        [tmp_path], statuses, {tmp_path: {n: ([], []) for n in ("_files.csv", "_corpus.csv")}}
    )
    assert [new[i] for i in ids] == [
        "home/alice/x.edf",
        "home/alice/sub/y.edf",
        "~/alice_data/z.edf",
    ]
    one = {tmp_path: [{"files": [{"recording_id": i} for i in ids[:2]]}]}
    new = _id_map([tmp_path], one, {tmp_path: {n: ([], []) for n in ("_files.csv", "_corpus.csv")}})
    assert [new[i] for i in ids[:2]] == ["x.edf", "sub/y.edf"]


def test_a_scrubber_of_many_known_paths_costs_each_text_a_few_look_ups():
    """Each text is looked up, not compared with every known path: 20k texts cost about as
    much with 20k known paths as with one (they took 0.35 ms each with 20k paths)."""
    import time

    from eegpt.anonymize import _Scrubber

    n = 20_000
    paths = {f"/site/Pat Smith/s{i}/rec{i}.edf": f"s{i}/rec{i}.edf" for i in range(n)}
    texts = [f"/site/Pat Smith/s{i}/rec{i}.edf" if i % 2 else
             f"/site/Pat Smith/s{i}/rec{i}.edf: 3 channels flat, see /tmp/x" for i in range(n)]  # fmt: skip

    def seconds(known):
        scrub = _Scrubber(known, None)
        start = time.perf_counter()
        out = [scrub.text(t) for t in texts]
        return time.perf_counter() - start, out

    few_s, _ = seconds(dict([next(iter(paths.items()))]))
    many_s, out = seconds(paths)
    assert out[1] == "s1/rec1.edf" and out[2] == "s2/rec2.edf: 3 channels flat, see x"
    assert many_s < 5 * few_s + 1.0, (many_s, few_s)


def test_the_copy_keeps_the_row_groups_of_the_original(outputs, tmp_path):
    """Row groups are copied one by one as they are (not cut into groups of 1024 rows)."""
    _, out = outputs
    table = pq.read_table(out / "one.parquet")
    big = pa.concat_tables([table] * (1 + 3000 // table.num_rows))
    pq.write_table(big, tmp_path / "big.parquet", row_group_size=big.num_rows)
    copy = eegpt.anonymize_embeddings(tmp_path / "big.parquet", tmp_path / "c.parquet")
    assert pq.ParquetFile(copy).num_row_groups == 1
    assert pq.read_table(copy).num_rows == big.num_rows
    run = tmp_path / "run"
    shutil.copytree(out / "run", run)
    shard = run / "shard-00000.parquet"
    table = pq.read_table(shard)
    footer = {k: v for k, v in pq.read_metadata(shard).metadata.items() if k != b"ARROW:schema"}
    big = pa.concat_tables([table] * (1 + 3000 // table.num_rows)).replace_schema_metadata(footer)
    pq.write_table(big, shard, row_group_size=big.num_rows)
    copy = eegpt.anonymize_embeddings(run, tmp_path / "run-copy")
    assert pq.ParquetFile(copy / "shard-00000.parquet").num_row_groups == 1


def test_shards_written_once_the_copy_started_are_left_out(outputs, tmp_path, monkeypatch):
    """A run that starts after the lock was checked and writes a shard: the copy holds the
    shards listed at the start, whose paths it knows, and warns of the new one."""
    import eegpt.shard_checks as shard_checks

    _, out = outputs
    run = tmp_path / "run"
    shutil.copytree(out / "run", run)
    before = sorted(p.name for p in run.glob("shard-*.parquet"))
    read = shard_checks.read_shard_status

    def read_while_a_run_writes(path):
        shutil.copy(run / before[0], run / "shard-00099.parquet")
        return read(path)

    monkeypatch.setattr(shard_checks, "read_shard_status", read_while_a_run_writes)
    with pytest.warns(Warning, match="shard-00099"):
        copy = eegpt.anonymize_embeddings(run, tmp_path / "copy")
    assert sorted(p.name for p in copy.glob("shard-*.parquet")) == before


def test_files_beside_the_part_runs_are_left_out_with_a_warning(outputs, tmp_path):
    _, out = outputs
    parts = tmp_path / "parts"
    shutil.copytree(out / "parts", parts)
    (parts / "slurm-1.out").write_text(f"running on {platform.node()}\n")
    with pytest.warns(Warning, match=r"left 1 file of .*parts.*slurm-1\.out"):
        copy = eegpt.anonymize_embeddings(parts, tmp_path / "copy")
    assert sorted(p.name for p in copy.iterdir()) == ["part-0", "part-1"]


def test_an_annotations_file_in_a_folder_named_with_a_space_leaves_no_trace(weights, tmp_path):
    """A recording whose annotations file cannot be read fails with the file's path in its
    error; the copy's reports and footers name the file alone, and keep no modification time
    of it."""
    site = tmp_path / "site" / "Pat Smith"
    site.mkdir(parents=True)
    raw = synthetic_raw(minutes=16 / 60, seed=0)[0]
    edf = write_edf(raw, site / "rec0.edf")
    (site / "hypno.csv").write_bytes(b"\x00\x01 not a table \xff")
    manifest = tmp_path / "site" / "m.csv"
    manifest.write_text(f"path,annotations_file\n{edf},{site / 'hypno.csv'}\n")
    run = tmp_path / "run"
    common = ["--weights", str(weights), "--device", "cpu", "-q", "--workers", "0"]
    main(["embed-dataset", str(manifest), "-o", str(run), *common])
    secrets = ["Pat Smith", str(tmp_path)]
    assert _leaks(run, secrets)
    assert "could not read annotations" in (run / "_errors.csv").read_text()
    copy = eegpt.anonymize_embeddings(run, tmp_path / "copy")
    assert _leaks(copy, secrets) == []
    assert "annotations_mtime_ns" not in "\n".join(_texts(copy / "shard-00000.parquet"))
    assert "could not read annotations from hypno.csv" in (copy / "_errors.csv").read_text()


def test_the_command_says_which_names_and_times_it_keeps(outputs, tmp_path, capsys):
    _, out = outputs
    assert main(["anonymize", str(out / "run"), "-o", str(tmp_path / "run")]) == 0
    said = " ".join(capsys.readouterr().err.split())
    for kept in ("file names and recording ids", "participants.tsv", "times runs started"):
        assert kept in said


def test_a_recording_typed_as_a_relative_path_through_a_spaced_folder_leaves_no_trace(
    weights, tmp_path, monkeypatch
):
    """`eegpt embed "Pat Smith/rec0.edf"` from the folder above: its warnings start with the
    path as typed, which the copy replaces whole (not split at the space)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Pat Smith").mkdir()
    raw = synthetic_raw(minutes=16 / 60, seed=0)[0]
    raw._data[3] = 0.0  # a flat channel: a warning that starts with the file's path
    write_edf(raw, tmp_path / "Pat Smith" / "rec0.edf")
    common = ["--weights", str(weights), "--device", "cpu", "-q"]
    assert main(["embed", "Pat Smith/rec0.edf", "-o", "rel.npz", *common]) == 0
    assert _leaks(tmp_path / "rel.npz", ["Pat Smith"])
    copy = eegpt.anonymize_embeddings(tmp_path / "rel.npz", tmp_path / "anon.npz")
    assert _leaks(copy, ["Pat Smith", str(tmp_path)]) == []
    warned = eegpt.load_embeddings(copy).metadata["warnings"]
    assert warned and all(w.startswith("rec0.edf: ") for w in warned), warned


@pytest.mark.parametrize("name", ["one.npz", "one.parquet"])
def test_info_says_a_file_copy_is_anonymized(outputs, name, tmp_path, capsys):
    _, out = outputs
    plain = eegpt.anonymize_embeddings(out / name, tmp_path / ("plain" + Path(name).suffix))
    moved = eegpt.anonymize_embeddings(
        out / name, tmp_path / ("moved" + Path(name).suffix), daysback=3
    )
    assert main(["info", str(plain)]) == 0
    assert "anonymized copy (eegpt " in capsys.readouterr().out
    assert main(["info", str(moved)]) == 0
    assert "dates moved back 3 days" in capsys.readouterr().out
    assert main(["info", str(out / name)]) == 0
    assert "anonymized" not in capsys.readouterr().out


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_a_run_copy_folder_has_the_mode_the_umask_gives(outputs, tmp_path, umask):
    """The copy's folder is made under a hidden temporary name (mkdtemp: mode 0700) and
    renamed into place: it gets the mode any new folder gets under the umask, as its files
    and other outputs do, not 0700."""
    _, out = outputs
    old = os.umask(umask)
    try:
        copy = eegpt.anonymize_embeddings(out / "run", tmp_path / "run")
        plain = tmp_path / "plain"
        plain.mkdir()
    finally:
        os.umask(old)
    assert copy.stat().st_mode & 0o777 == 0o777 & ~umask == plain.stat().st_mode & 0o777


@pytest.mark.parametrize("name", ["one.npz", "one.parquet"])
def test_a_copy_keeps_the_input_files_hashes_and_drops_their_modification_time(
    outputs, name, tmp_path
):
    """``eegpt embed``'s record of the file embedded (``source_files``) keeps its names (file
    names, as ``source``) and hashes (no path: they tell the file to whoever holds it) and
    its size; its modification time (often the recording's day) is dropped, as a corpus
    run's file statuses' are."""
    _, out = outputs
    copy = eegpt.anonymize_embeddings(out / name, tmp_path / f"copy{Path(name).suffix}")
    before = eegpt.load_embeddings(out / name).metadata["source_files"]
    after = eegpt.load_embeddings(copy).metadata["source_files"]
    assert "source_mtime_ns" in before and "source_mtime_ns" not in after
    assert after == {k: v for k, v in before.items() if k != "source_mtime_ns"}
    assert list(after["files"]) == ["rec0.edf"]
    assert "source_files" not in eegpt.load_embeddings(out / "raw.npz").metadata  # a Raw's


def test_a_copy_names_the_input_files_by_their_last_component(outputs, tmp_path):
    """A ``source_files`` record naming a file by a path (``../Patient Smith/x.eeg``, as
    records of a header naming a data file in another folder were written) kept that folder's
    name in the copy: each name is reduced to its last component, as ``source`` is; two
    files of one name stay apart (numbered)."""
    _, out = outputs
    emb = eegpt.load_embeddings(out / "one.npz")
    meta = dict(emb.metadata)
    names = ["rec.vhdr", "../Patient Smith/x.eeg", "rec.mff/a/info.xml", "rec.mff/info.xml"]
    meta["source_files"] = {
        **meta["source_files"],
        "files": names,
        "sha256": {n: f"{k:064x}" for k, n in enumerate(names)},
    }
    old = {**meta, "source_files": {"files": {"../Patient Smith/x.eeg": "ab" * 32}}}
    for k, metadata in enumerate([meta, old]):
        src = tmp_path / f"in{k}.npz"
        eegpt.Embeddings(emb.data, emb.onsets, metadata).save(src)
        copy = eegpt.anonymize_embeddings(src, tmp_path / f"copy{k}.npz")
        record = eegpt.load_embeddings(copy).metadata["source_files"]
        assert "Patient Smith" not in json.dumps(record)
        if k == 0:
            assert record["files"] == ["rec.vhdr", "x.eeg", "info.xml", "info.xml (2)"]
            assert record["sha256"] == {new: f"{n:064x}" for n, new in enumerate(record["files"])}
        else:
            assert record["files"] == {"x.eeg": "ab" * 32}


# ------------------------------------------------------------------------------- probe folders


@pytest.fixture(scope="module")
def probes(weights, tmp_path_factory):
    """A linear probe trained by `eegpt probe train` from the folder above SECRET_jdoe on
    epochs typed as a relative path, validated on epochs given by their absolute path (its
    probe.json names both, the checkpoint, the command and its folder, and the files'
    modification times), with a warning naming the files as typed and a creation date added;
    and a probe fine-tuned in Python (its encoder's weights saved with it)."""
    import warnings

    from eegpt.probe_cli import main as probe_main
    from eegpt.synthetic import synthetic_erp_epochs

    base = tmp_path_factory.mktemp("site")
    folder = base / SECRET / "site1"
    folder.mkdir(parents=True)
    epochs = synthetic_erp_epochs(40, seed=1, seconds=1.0, tmin=-0.2)
    epochs[:28].save(folder / "train-epo.fif", verbose=False)
    epochs[28:].save(folder / "val-epo.fif", verbose=False)
    typed = f"{SECRET}/site1/train-epo.fif"
    old = os.getcwd()
    os.chdir(base)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert probe_main(["train", typed, "--val-data", str(folder / "val-epo.fif"),
                               "--weights", str(weights), "-o", "probe", "-q", "--passes", "1",
                               "--window", "1"]) == 0  # fmt: skip
    finally:
        os.chdir(old)
    meta = json.loads((base / "probe" / "probe.json").read_text())
    meta["created"] = "2021-03-14T09:26:53+0000"
    meta["training"]["warnings"] = [
        f"{typed}: 3 epochs are flat",
        f"{folder / 'val-epo.fif'}: a channel is flat (see {base / 'notes.txt'})",
    ]
    # as --val-by recording first saved its files held out: full paths, not as typed
    meta["training"].setdefault("validation", {})["groups"] = {
        "by": "recording", "held_out": [str(base / SECRET / "site2" / "sub-09.edf")],
    }  # fmt: skip
    (base / "probe" / "probe.json").write_text(json.dumps(meta, indent=2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tuned = finetune(
            eegpt.load_model(weights), str(folder / "train-epo.fif"), epochs=1,
            validation=None, patience=None, device="cpu", seed=0,
            preprocessing=PreprocessingConfig(window_seconds=1.0),
        )  # fmt: skip
    tuned.save(base / SECRET / "tuned")
    return base, epochs


def _probe_secrets(base: Path) -> list[str]:
    return [SECRET, str(base), *DATES, "source_mtime_ns", '"cwd"', '"command"']


def test_a_probe_copy_holds_no_folder_command_or_file_date(probes, tmp_path):
    base, _ = probes
    for name in ("probe", f"{SECRET}/tuned"):
        original = base / name / "probe.json"
        assert _leaks(original, _probe_secrets(base)), "the original should hold some of them"
        copy = eegpt.anonymize_embeddings(base / name, tmp_path / Path(name).name)
        assert sorted(p.name for p in copy.iterdir()) == ["probe.json", "probe.safetensors"]
        assert _leaks(copy / "probe.json", _probe_secrets(base)) == []
        weights = (copy / "probe.safetensors").read_bytes()
        assert weights == (base / name / "probe.safetensors").read_bytes()


def test_a_probe_copy_keeps_what_the_probe_needs_and_names_the_files(probes, tmp_path):
    base, _ = probes
    before = json.loads((base / "probe" / "probe.json").read_text())
    copy = eegpt.anonymize_embeddings(base / "probe", tmp_path / "probe")
    after = json.loads((copy / "probe.json").read_text())
    for key in ("classes", "probe", "n_times", "preprocessing", "channels", "history",
                "frozen_encoder", "format", "format_version", "eegpt_version", "software"):  # fmt: skip
        assert after[key] == before[key], key
    assert after["encoder"] == {**before["encoder"], "path": "small"}
    assert after["anonymized"] == {"by": f"eegpt {eegpt.__version__}", "daysback": None}
    assert "command" not in after and "cwd" not in after and "created" not in after
    train, held = after["training"]["inputs"][0], after["training"]["validation"]["inputs"][0]
    drop = "source_mtime_ns"
    assert train == {k: v for k, v in before["training"]["inputs"][0].items() if k != drop}
    assert train["name"] == "train-epo.fif" and held["name"] == "val-epo.fif"
    assert (
        held["source_fingerprint"]
        == before["training"]["validation"]["inputs"][0]["source_fingerprint"]
    )
    assert after["training"]["class_counts"] == before["training"]["class_counts"]
    assert after["training"]["warnings"] == [
        "train-epo.fif: 3 epochs are flat",
        "val-epo.fif: a channel is flat (see notes.txt)",
    ]


def test_a_probe_copy_loads_and_predicts_as_the_original(probes, weights, tmp_path):
    base, epochs = probes
    frozen = eegpt.anonymize_embeddings(base / "probe", tmp_path / "probe")
    tuned = eegpt.anonymize_embeddings(base / SECRET / "tuned", tmp_path / "tuned")
    test = epochs[28:]
    np.testing.assert_array_equal(
        load_probe(frozen, weights).predict_proba(test, device="cpu"),
        load_probe(base / "probe", weights).predict_proba(test, device="cpu"),
    )
    with pytest.raises(FileNotFoundError, match="give the encoder's weights"):
        load_probe(frozen)  # its checkpoint's path is gone: the encoder is given
    np.testing.assert_array_equal(
        load_probe(tuned).predict_proba(test, device="cpu"),  # its encoder saved with it
        load_probe(base / SECRET / "tuned").predict_proba(test, device="cpu"),
    )


def test_daysback_moves_a_probe_s_dates_back(probes, tmp_path):
    base, _ = probes
    copy = eegpt.anonymize_embeddings(base / "probe", tmp_path / "probe", daysback=10)
    after = json.loads((copy / "probe.json").read_text())
    assert after["created"] == "2021-03-04T09:26:53+0000"
    assert after["anonymized"]["daysback"] == 10
    # far back (in range): a year of 4 digits, as ISO 8601 writes it (strftime's %Y wrote
    # year 123 as "123", a date no reader, eegpt's own neither, takes)
    far = eegpt.anonymize_embeddings(base / "probe", tmp_path / "far", daysback=693000)
    created = json.loads((far / "probe.json").read_text())["created"]
    assert created == "0123-10-31T09:26:53+0000", created
    assert parse_iso(created).year == 123


def test_the_command_copies_a_probe_and_info_says_it_is_anonymized(probes, tmp_path, capsys):
    base, _ = probes
    (base / "probe" / "plot.png").write_bytes(b"not eegpt's")
    try:
        with pytest.warns(Warning, match=r"left 1 file .* out of the copy.*plot\.png"):
            assert main(["anonymize", str(base / "probe"), "-o", str(tmp_path / "p")]) == 0
    finally:
        (base / "probe" / "plot.png").unlink()
    assert "an anonymized copy of the probe" in capsys.readouterr().err
    assert not (tmp_path / "p" / "plot.png").exists()
    assert main(["info", str(tmp_path / "p")]) == 0
    said = capsys.readouterr().out
    assert "anonymized copy (eegpt " in said and "made by" not in said and SECRET not in said
    assert main(["info", str(base / "probe")]) == 0
    assert "anonymized" not in capsys.readouterr().out


def test_a_folder_neither_a_run_nor_a_probe_is_refused(tmp_path):
    (tmp_path / "stuff").mkdir()
    (tmp_path / "stuff" / "notes.txt").write_text("x")
    with pytest.raises(ValueError, match=r"nor a probe folder \(no probe\.json\)"):
        eegpt.anonymize_embeddings(tmp_path / "stuff", tmp_path / "copy")
    (tmp_path / "stuff" / "probe.json").write_text('{"format": "something else"}')
    with pytest.raises(ValueError, match="is not an eegpt probe"):
        eegpt.anonymize_embeddings(tmp_path / "stuff", tmp_path / "copy")
    assert not (tmp_path / "copy").exists()


def test_anonymizing_a_probe_imports_neither_torch_nor_mne(probes, tmp_path):
    base, _ = probes
    script = f"""
import sys
import warnings
from eegpt.cli import main
assert main(["anonymize", {str(base / "probe")!r}, "-o", {str(tmp_path / "p")!r}, "-q"]) == 0
print(sorted(m for m in ("torch", "mne", "scipy") if m in sys.modules))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_a_probe_copy_names_no_path_as_the_command_line_normalised_it(probes, tmp_path):
    """Warnings name the inputs as the command line's Path gives them (`./P//s/x` as `P/s/x`,
    `--labels=./P/y.csv`, a folder typed with a trailing separator): the copy names none."""
    base, _ = probes
    probe = tmp_path / "probe2"
    shutil.copytree(base / "probe", probe)
    meta = json.loads((probe / "probe.json").read_text())
    meta["cwd"] = str(tmp_path)
    meta["command"] = [
        "eegpt", "probe", "train", "./PATIENT_SMITH/sess/c-epo.fif",
        "--labels", "./PATIENT_SMITH//sess/labels2.csv", "--val", "0.25",
        "--val-labels=./PATIENT_SMITH/sess/v.csv", "--val-data", "PATIENT_SMITH/vdir/",
        "--weights", "./PATIENT_SMITH/tiny-random", "-o", "probe2",
    ]  # fmt: skip
    meta["training"]["warnings"] = [
        "PATIENT_SMITH/sess/c-epo.fif: 1 channel is not EEG (STI 014), dropped",
        "PATIENT_SMITH/sess/labels2.csv: its rows are not in the epochs' order",
        "PATIENT_SMITH/sess/v.csv: 2 rows name no epoch",
        "PATIENT_SMITH/vdir: 1 file read",
        f"{tmp_path}/PATIENT_SMITH/sess/c-epo.fif: flat",
        "sess/labels2.csv: again",
    ]
    (probe / "probe.json").write_text(json.dumps(meta, indent=2))
    copy = eegpt.anonymize_embeddings(probe, tmp_path / "anon2")
    text = (copy / "probe.json").read_text()
    assert "PATIENT_SMITH" not in text and "sess/" not in text
    warnings = json.loads(text)["training"]["warnings"]
    assert warnings[:3] == [
        "c-epo.fif: 1 channel is not EEG (STI 014), dropped",
        "labels2.csv: its rows are not in the epochs' order",
        "v.csv: 2 rows name no epoch",
    ]
    assert warnings[3] == "vdir: 1 file read"
    assert warnings[5] == "labels2.csv: again"


def test_a_probe_copy_keeps_patterns_and_labels_given_with_separators_whole():
    """A `\\` or `/` in the value of an option that takes a pattern or label
    (`--window-labels 'sleep (\\w+)'`) is no path's: the copy kept what followed the last one
    as the "file name" wherever probe.json holds the value (`'w+)'`, which `probe evaluate`
    then refused as no regular expression); the paths around them still go."""
    from eegpt.anonymize import _anonymized_probe

    command = [
        "probe", "train", "PATIENT_SMITH/rec.edf", "--window-labels", "sleep (\\w+)",
        "--val-group=site/(\\d+)", "--class-order", "N1/N2", "W", "--marker-spans",
        "EC=^EC\\b", "--labels", "PATIENT_SMITH/labels.csv",
    ]  # fmt: skip
    meta = {
        "command": command, "cwd": "/site",
        "classes": ["N1/N2", "W"],
        "training": {
            "window_labels": {"match": "sleep (\\w+)", "marker_spans": {"EC": "^EC\\b"}},
            "warnings": ["PATIENT_SMITH/rec.edf: flat", "PATIENT_SMITH/labels.csv: 2 rows"],
        },
    }  # fmt: skip
    out = _anonymized_probe(meta, {"daysback": None})
    assert out["classes"] == ["N1/N2", "W"]
    assert out["training"]["window_labels"] == meta["training"]["window_labels"]
    assert out["training"]["warnings"] == ["rec.edf: flat", "labels.csv: 2 rows"]
    assert "PATIENT_SMITH" not in json.dumps(out)


def test_an_evaluation_copy_keeps_event_classes_given_with_slashes_whole():
    """`probe evaluate --event-scoring --event-class eyes/open` (MNE's tagged event names):
    the class was taken for a path, so the copy's warnings named it 'open' ("the evaluation
    data hold no epochs of 'open'"), as --class-order's classes were before; the paths
    around it still go."""
    from eegpt.anonymize import _anonymized_provenance

    command = [
        "probe", "evaluate", "PATIENT_SMITH/probe", "PATIENT_SMITH/rec.fif", "--event-scoring",
        "--event-class", "eyes/open", "eyes/closed", "--json", "PATIENT_SMITH/e.json",
    ]  # fmt: skip
    made = {"command": command, "cwd": "/site", "probe": {"path": "PATIENT_SMITH/probe"}}
    out, scrub = _anonymized_provenance(made, {"daysback": None})
    said = "the evaluation data hold no epochs of 'eyes/open' (eyes/closed 20)"
    assert scrub.value(said, message=True) == said
    assert scrub.value("PATIENT_SMITH/rec.fif: flat", message=True) == "rec.fif: flat"
    assert "PATIENT_SMITH" not in json.dumps(out)


def test_a_probe_copy_holds_only_the_probe_s_weights_and_refuses_a_link(probes, tmp_path):
    base, _ = probes
    probe = tmp_path / "probe"
    shutil.copytree(base / "probe", probe)
    (probe / f"{SECRET}_scan.safetensors").write_bytes(b"someone's data")
    with pytest.warns(Warning, match=rf"left 1 file .*{SECRET}_scan\.safetensors"):
        copy = eegpt.anonymize_embeddings(probe, tmp_path / "copy")
    assert sorted(p.name for p in copy.iterdir()) == ["probe.json", "probe.safetensors"]
    (probe / f"{SECRET}_scan.safetensors").unlink()
    weights = tmp_path / "elsewhere.safetensors"
    (probe / "probe.safetensors").rename(weights)
    (probe / "probe.safetensors").symlink_to(weights)
    with pytest.raises(ValueError, match="is a symbolic link"):
        eegpt.anonymize_embeddings(probe, tmp_path / "copy2")
    assert not (tmp_path / "copy2").exists()


def test_info_on_a_probe_copy_says_paths_are_file_names_and_no_dates_moved(
    probes, tmp_path, capsys
):
    base, _ = probes
    probe = tmp_path / "probe"
    shutil.copytree(base / "probe", probe)
    meta = json.loads((probe / "probe.json").read_text())
    del meta["created"]  # a probe as `probe train` writes it: no date
    (probe / "probe.json").write_text(json.dumps(meta, indent=2))
    for source, days, dates in (
        (probe, 10, "no dates"),
        (base / "probe", 10, "dates moved back 10 days"),
    ):
        copy = eegpt.anonymize_embeddings(source, tmp_path / f"copy{len(dates)}", daysback=days)
        capsys.readouterr()
        assert main(["info", str(copy)]) == 0
        said = capsys.readouterr().out
        assert f"; {dates}): paths reduced to file names, no host or command" in said, said


# ------------------------------------------------------------------- outputs of a probe


@pytest.fixture
def probe_outputs(probes, tmp_path, monkeypatch):
    """`eegpt probe predict -o pred.csv` (its provenance in pred.csv.json), `-o pred.parquet`
    (in its metadata eegpt_predictions) and `eegpt probe evaluate --json ev.json`, run in the
    folder of the test file (named without folders, so the rows name no folder) and written
    into a folder named SECRET_jdoe; a host and user added to each provenance, a warning naming
    an absolute path to the evaluation, and to the Parquet record a key eegpt anonymize does
    not know (as a digest of the rows would be) and to its schema another metadata key."""
    base, _ = probes
    folder = base / SECRET / "site1"
    out = tmp_path / SECRET
    monkeypatch.chdir(folder)
    probe = str(base / "probe")
    with __import__("warnings").catch_warnings():
        __import__("warnings").simplefilter("ignore")
        for name in ("pred.csv", "pred.parquet"):
            assert main(["probe", "predict", probe, "val-epo.fif", "-o", str(out / name),
                         "-q"]) == 0  # fmt: skip
        assert main(["probe", "evaluate", probe, "val-epo.fif", "--json", str(out / "ev.json"),
                     "-q"]) == 0  # fmt: skip
    machine = {"host": f"{SECRET}-host", "user": f"{SECRET}-user"}
    sidecar = json.loads((out / "pred.csv.json").read_text())
    sidecar["provenance"].update(machine)
    (out / "pred.csv.json").write_text(json.dumps(sidecar, indent=2))
    table = pq.read_table(out / "pred.parquet")
    record = json.loads(table.schema.metadata[b"eegpt_predictions"])
    record["provenance"].update(machine)
    record["rows_sha256"] = "kept as it is"
    meta = {**table.schema.metadata, b"eegpt_predictions": json.dumps(record).encode(),
            b"other": b"kept"}  # fmt: skip
    pq.write_table(table.replace_schema_metadata(meta), out / "pred.parquet")
    evaluation = json.loads((out / "ev.json").read_text())
    evaluation["provenance"].update(machine)
    evaluation.setdefault("warnings", []).append(f"{folder / 'val-epo.fif'}: a flat channel")
    (out / "ev.json").write_text(json.dumps(evaluation, indent=2))
    return base, out


def test_prediction_tables_and_evaluations_are_anonymized_with_their_rows_unchanged(
    probe_outputs, tmp_path, capsys
):
    """eegpt anonymize refused the outputs of `eegpt probe predict -o` and `probe evaluate
    --json`, whose provenance names the probe's folder, the command line and its folder, the
    input files' modification times, when they were made (and here a host and user). Now it
    copies them under a probe folder's rules: the table's data unchanged (a CSV byte for byte,
    its sidecar's name of the table that of the copy, so eegpt info does not call it STALE; a
    Parquet file's rows, only its eegpt_predictions record rewritten, other keys kept)."""
    base, out = probe_outputs
    secrets = [SECRET, str(base), str(out), '"cwd"', '"command"', '"created"', "source_mtime_ns",
               "-host", "-user"]  # fmt: skip
    for name in ("pred.csv.json", "pred.parquet", "ev.json"):  # not the rows of pred.csv
        assert _leaks(out / name, secrets), f"{name} should hold some of them"
    anon = tmp_path / "anon"
    assert main(["anonymize", str(out / "pred.csv"), "-o", str(anon / "p.csv"), "-q"]) == 0
    eegpt.anonymize_embeddings(out / "pred.parquet", anon / "p.parquet")
    eegpt.anonymize_embeddings(out / "ev.json", anon / "e.json")
    for name in ("p.csv", "p.csv.json", "p.parquet", "e.json"):
        assert _leaks(anon / name, secrets) == [], name
    assert (anon / "p.csv").read_bytes() == (out / "pred.csv").read_bytes()
    copied, original = pq.ParquetFile(anon / "p.parquet"), pq.ParquetFile(out / "pred.parquet")
    assert copied.read().equals(original.read(), check_metadata=False)
    assert copied.num_row_groups == original.num_row_groups
    assert copied.schema_arrow.metadata[b"other"] == b"kept"
    record = json.loads(copied.schema_arrow.metadata[b"eegpt_predictions"])
    assert record["rows_sha256"] == "kept as it is"
    assert record["format"] == "eegpt-probe-predictions"
    made = record["provenance"]
    assert made["probe"]["path"] == "probe" and made["inputs"][0]["name"] == "val-epo.fif"
    assert made["inputs"][0]["source_fingerprint"] and made["anonymized"]["daysback"] is None
    sidecar = json.loads((anon / "p.csv.json").read_text())
    assert sidecar["table"]["name"] == "p.csv"
    evaluation = json.loads((anon / "e.json").read_text())
    before = json.loads((out / "ev.json").read_text())
    assert evaluation["balanced_accuracy"] == before["balanced_accuracy"]
    assert evaluation["warnings"][-1] == "val-epo.fif: a flat channel"
    assert evaluation["format"] == before["format"] == "eegpt-probe-evaluation/1"
    capsys.readouterr()
    for name in ("p.csv", "p.parquet"):
        assert main(["info", str(anon / name)]) == 0
        said = capsys.readouterr().out
        assert "STALE" not in said and "EEGPT probe predictions" in said, said
        assert "anonymized" in said and "no paths, host or command" in said, said
    # never over an existing output, nor its sidecar
    (tmp_path / "q.csv.json").write_text("{}")
    with pytest.raises(OutputExistsError, match="q.csv.json exists"):
        eegpt.anonymize_embeddings(out / "pred.csv", tmp_path / "q.csv")
    assert not (tmp_path / "q.csv").exists()


def test_anonymize_tells_an_evaluation_as_eegpt_info_does(probe_outputs, tmp_path):
    """anonymize told an evaluate JSON by its own keys, ignoring the format mark: a file
    marked eegpt-probe-evaluation/2 (a newer eegpt's) was anonymized by v1's rules while
    eegpt info refuses it, and one without n was taken. It now reads it as info does."""
    _, out = probe_outputs
    record = json.loads((out / "ev.json").read_text())
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({**record, "format": "eegpt-probe-evaluation/2"}))
    with pytest.raises(ValueError, match="a newer eegpt wrote it"):
        eegpt.anonymize_embeddings(newer, tmp_path / "a.json")
    no_n = tmp_path / "no_n.json"
    no_n.write_text(json.dumps({k: v for k, v in record.items() if k != "n"}))
    with pytest.raises(ValueError, match="lacks its metrics"):
        eegpt.anonymize_embeddings(no_n, tmp_path / "b.json")
    assert not (tmp_path / "a.json").exists() and not (tmp_path / "b.json").exists()


def test_a_prediction_table_that_is_a_link_or_names_folders_in_its_rows(probe_outputs, tmp_path):
    """A table or sidecar that is a symbolic link is refused, as a probe's weights are; a
    sidecar alone is refused, naming its table. Rows naming inputs with their folders are
    kept (the data are copied unchanged), with a warning that says so."""
    _, out = probe_outputs
    for name in ("pred.csv", "pred.csv.json"):
        linked = tmp_path / f"linked-{name.count('.')}"
        linked.mkdir()
        for other in ("pred.csv", "pred.csv.json"):
            target = linked / other
            if other == name:
                target.symlink_to(out / other)
            else:
                shutil.copyfile(out / other, target)
        with pytest.raises(ValueError, match="is a symbolic link"):
            eegpt.anonymize_embeddings(linked / "pred.csv", tmp_path / "copy.csv")
        assert not (tmp_path / "copy.csv").exists()
    with pytest.raises(ValueError, match="is the sidecar of the prediction table pred.csv"):
        eegpt.anonymize_embeddings(out / "pred.csv.json", tmp_path / "copy.csv.json")
    rows = (out / "pred.csv").read_text().replace("val-epo.fif", "site1/val-epo.fif")
    (tmp_path / "folders.csv").write_text(rows)
    shutil.copyfile(out / "pred.csv.json", tmp_path / "folders.csv.json")
    with pytest.warns(Warning) as said:
        eegpt.anonymize_embeddings(tmp_path / "folders.csv", tmp_path / "copy.csv")
    assert (tmp_path / "copy.csv").read_text() == rows
    texts = [str(w.message) for w in said]
    assert any("file column names inputs with their folders (site1/val-epo.fif)" in t
               for t in texts), texts  # fmt: skip
    # the rows changed after the sidecar was written: said, and kept so (eegpt info: STALE)
    assert any("its sidecar does not match the table" in t for t in texts), texts


def test_anonymized_prediction_tables_stay_checkable_by_info(probes, tmp_path, capsys):
    """Two features merged side by side: `probe predict -o X.parquet` records the digest of its
    rows in the metadata (`eegpt_predictions` -> `data`), and eegpt anonymize rewrites that
    record's provenance, writing the rows again with pyarrow. The copy keeps the digest and
    matches it (eegpt info: not STALE, exit 0); a row of the copy edited with the metadata
    kept is STALE (exit 3). Likewise a CSV: its sidecar's size and SHA-256 of the table stay
    valid for the copy, and an edited row of it is STALE."""
    import warnings

    base, _ = probes
    probe, test = str(base / "probe"), str(base / SECRET / "site1" / "val-epo.fif")
    anon = tmp_path / "anon"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for name in ("pred.parquet", "pred.csv"):
            assert main(["probe", "predict", probe, test, "-o", str(tmp_path / name), "-q"]) == 0
            assert main(["anonymize", str(tmp_path / name), "-o", str(anon / name), "-q"]) == 0
    assert not [w for w in caught if "not match" in str(w.message)]  # as written: not stale
    capsys.readouterr()

    key = b"eegpt_predictions"
    written = json.loads(pq.read_schema(tmp_path / "pred.parquet").metadata[key])
    copied = pq.read_table(anon / "pred.parquet")
    record = json.loads(copied.schema.metadata[key])
    assert record["provenance"]["anonymized"]
    assert record["data"] == written["data"]
    assert record["data"]["rows"] == 12 and record["data"]["method"] == "eegpt-columns-sha256-v2"
    sidecar = json.loads((anon / "pred.csv.json").read_text())
    assert sidecar["provenance"]["anonymized"]
    assert sidecar["table"]["name"] == "pred.csv"
    for name in ("pred.parquet", "pred.csv"):
        assert main(["info", str(anon / name)]) == 0, name
        said = capsys.readouterr().out
        assert "EEGPT probe predictions: 12 rows" in said and "STALE" not in said, said
        assert "cannot be checked" not in said and "anonymized" in said, said

    # one row's prediction another of the probe's classes, the metadata (sidecar) kept
    first = copied["prediction"].to_pylist()
    other = next(c[2:] for c in copied.column_names if c.startswith("p_") and c[2:] != first[0])
    at = copied.column_names.index("prediction")
    edited = copied.set_column(at, "prediction", pa.array([other, *first[1:]]))
    pq.write_table(edited.replace_schema_metadata(copied.schema.metadata), anon / "pred.parquet")
    lines = (anon / "pred.csv").read_text().splitlines(keepends=True)
    row = lines[1].split(",")
    row[lines[0].split(",").index("prediction")] = other
    lines[1] = ",".join(row)
    (anon / "pred.csv").write_text("".join(lines))
    for name, said in [
        ("pred.parquet", "STALE: the table's data changed since eegpt probe predict wrote it"),
        ("pred.csv", "STALE: the table changed since its sidecar was written"),
    ]:
        assert main(["info", str(anon / name)]) == 3, name
        assert said in capsys.readouterr().out
    # anonymized again, edited: copied as it is, with a warning (a Parquet table too, not
    # only a CSV), and still STALE
    for name, warned in [
        ("pred.parquet", "its data do not match the digest its metadata records"),
        ("pred.csv", "its sidecar does not match the table"),
    ]:
        with pytest.warns(Warning, match=warned):
            eegpt.anonymize_embeddings(anon / name, tmp_path / "again" / name)
        assert main(["info", str(tmp_path / "again" / name)]) == 3, name


def test_files_held_out_by_recording_are_named_as_the_copy_names_the_inputs():
    """Files of one name held out by --val-by recording (recorded by their distinct tails,
    sub-01/ses-1/eeg.edf) are named in a copy as its inputs are, by their file names: each
    held-out name is an input's, none numbered ("eeg.edf (2)" names no input)."""
    from eegpt.anonymize import _file_records, _held_out_names

    training = {
        "inputs": [{"name": "eeg.edf"}, {"name": "eeg.edf"}, {"name": "eeg.edf"}],
        "validation": {"by": "recording", "groups": {
            "count": 3, "held_out": ["sub-01/ses-1/eeg.edf", "sub-03/ses-1/eeg.edf"],
        }},
    }  # fmt: skip
    _file_records(training)
    _held_out_names(training["validation"])
    held = training["validation"]["groups"]["held_out"]
    assert held == ["eeg.edf", "eeg.edf"]
    assert set(held) <= {item["name"] for item in training["inputs"]}
    windows = {"by": "recording", "groups": {"held_out": ["sub-01\\eeg.edf", "x/a.edf"]}}
    _held_out_names(windows)
    assert windows["groups"]["held_out"] == ["eeg.edf", "a.edf"]


def test_subjects_held_out_by_val_by_subject_are_pseudonymised(probes, tmp_path):
    """--val-by subject and --val-group REGEX record the subjects (groups) they held out by
    the names found in the paths (a BIDS sub-LABEL, a folder's name): a copy lists each by a
    pseudonym, the same one for the same subject, and `probe info` reads the copy."""
    from eegpt.anonymize import _held_out_names

    base, _ = probes
    from eegpt.anonymize import GROUP_PATTERN_REMOVED
    from eegpt.probe_cli import SUBJECT_PATTERNS_TEXT

    for by, held, pattern in (
        ("subject", ["sub-JDoe01", "sub-PSmith"], SUBJECT_PATTERNS_TEXT),
        ("group", ["Pat Smith"], "(sub-JDoe01|Pat Smith)"),
    ):
        folder = tmp_path / f"by_{by}"
        folder.mkdir()
        shutil.copyfile(base / "probe" / "probe.safetensors", folder / "probe.safetensors")
        meta = json.loads((base / "probe" / "probe.json").read_text())
        meta["training"]["validation"] = {
            "kind": "fraction", "fraction": 0.3, "by": by, "group_pattern": pattern,
            "groups": {"count": 4, "held_out": held},
        }  # fmt: skip
        (folder / "probe.json").write_text(json.dumps(meta, indent=2))
        copy = eegpt.anonymize_embeddings(folder, tmp_path / f"copy_{by}")
        assert _leaks(copy / "probe.json", held) == []
        after = json.loads((copy / "probe.json").read_text())["training"]["validation"]
        assert after["groups"] == {
            "count": 4, "held_out": [f"{by} {k + 1}" for k in range(len(held))],
        }  # fmt: skip
        # the --val-group pattern names subjects: left out; the built-in patterns are kept
        assert _leaks(copy / "probe.json", ["JDoe01"]) == []
        assert after["group_pattern"] == (
            GROUP_PATTERN_REMOVED if by == "group" else SUBJECT_PATTERNS_TEXT
        )
        assert main(["info", str(copy)]) == 0
    # one subject named twice is one pseudonym; --val-by recording keeps file names
    twice = {"by": "subject", "groups": {"held_out": ["sub-02", "sub-01", "sub-02"]}}
    _held_out_names(twice)
    assert twice["groups"]["held_out"] == ["subject 1", "subject 2", "subject 1"]
    # --val-group-column: the values of an epochs' metadata column (subject ids), pseudonyms
    column = {"by": "column", "group_column": "subject", "groups": {"held_out": ["JDoe", "PS"]}}
    _held_out_names(column)
    assert column["groups"]["held_out"] == ["group 1", "group 2"]


@pytest.fixture(scope="module")
def dated_warnings(weights, tmp_path_factory):
    """An ``eegpt embed`` .npz and an embed-dataset run of a recording dated ``DATE`` whose
    annotations file starts 5 s before its first sample: a warning that names both moments
    (``2021-03-14 09:26:53`` and ``2021-03-14 09:26:48``)."""
    base = tmp_path_factory.mktemp("dated")
    raw = synthetic_raw(minutes=16 / 60, seed=0)[0]
    raw.set_meas_date(DATE)
    edf = write_edf(raw, base / "rec0.edf")
    early = DATE - datetime.timedelta(seconds=5)
    mne.Annotations([0, 8], [10, 1], ["early", "late"], orig_time=early).save(base / "an.csv")
    (base / "m.csv").write_text(f"path,annotations_file\n{edf},{base / 'an.csv'}\n")
    common = ["--weights", str(weights), "--device", "cpu", "-q"]
    one = base / "one.npz"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["embed", str(edf), "--annotations", str(base / "an.csv"), "-o", str(one),
                     *common]) == 0  # fmt: skip
        run = base / "run"
        assert main(["embed-dataset", str(base / "m.csv"), "-o", str(run), *common,
                     "--workers", "0"]) == 0  # fmt: skip
    return one, run


@pytest.mark.parametrize("daysback", [None, "10"])
def test_a_run_copy_s_warnings_name_dated_recordings_as_its_id_column(weights, tmp_path, daysback):
    """A dataset run of ``rec_2021-03-04_raw.fif`` (channels marked bad: a warning naming the
    file): the copy's warning names it as its ``recording_id`` does, its date neither removed
    nor moved back (``--daysback``), so that it names a file of the copy."""
    import csv

    name = "rec_2021-03-04_raw.fif"
    raw = synthetic_raw(minutes=16 / 60, seed=0)[0]
    raw.set_meas_date(DATE)
    raw.info["bads"] = [raw.ch_names[0]]
    (tmp_path / "data").mkdir()
    raw.save(tmp_path / "data" / name, verbose=False)
    run, copy = tmp_path / "run", tmp_path / "copy"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["embed-dataset", str(tmp_path / "data"), "-o", str(run), "--weights",
                     str(weights), "--device", "cpu", "-q", "--workers", "0"]) == 0  # fmt: skip
    more = [] if daysback is None else ["--daysback", daysback]
    assert main(["anonymize", str(run), "-o", str(copy), *more]) == 0
    with open(copy / "_files.csv", newline="", encoding="utf-8") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["recording_id"] == name
    assert row["warnings"].startswith(f"{name}: channel(s) marked bad"), row["warnings"]


@pytest.mark.parametrize("daysback", [None, 100])
@pytest.mark.parametrize("name", ["one.npz", "run"])
def test_dates_in_warning_texts_are_removed_or_moved_back(dated_warnings, name, daysback, tmp_path):
    """A warning naming the recording's moments kept its real date in the copy: plainly
    anonymized (meas_date removed) and with daysback (the text undid the shift)."""
    one, run = dated_warnings
    src = one if name == "one.npz" else run
    assert _leaks(src, ["2021-03-14 09:26:48"]), "the original's warning should date it"
    copy = eegpt.anonymize_embeddings(src, tmp_path / name, daysback=daysback)
    assert _leaks(copy, ["2021-03-14", *DATES]) == []
    texts = "\n".join(t for f in _files(copy) for t in _texts(f))
    if daysback is None:
        assert "[date removed]" in texts
    else:
        assert "2020-12-04 09:26:48" in texts  # 100 days before, its time of day kept
