"""`eegpt anonymize`: a copy of embeddings for publication, without the recording's date, the
paths of the site's folders, the host or the SLURM job of the run."""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import mne
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import eegpt
from eegpt.cli import main
from eegpt.demo import synthetic_raw, write_edf
from eegpt.errors import OutputExistsError

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
        if host and any(host in t for t in where):
            found.append(f"{f.name}: host {host}")
    return found


INPUTS = ("one.npz", "one.parquet", "raw.npz", "run", "parts")


@pytest.mark.parametrize("name", INPUTS)
def test_an_anonymized_copy_holds_no_date_folder_path_host_or_job(outputs, name, tmp_path):
    base, out = outputs
    secrets = [SECRET, str(base), str(tmp_path.parent.parent), SLURM_JOB, *DATES]
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


def test_a_run_copy_keeps_rows_ids_and_manifest_columns(outputs, tmp_path):
    _, out = outputs
    copy = eegpt.anonymize_embeddings(out / "run", tmp_path / "run")
    (t0, e0), (t1, e1) = eegpt.read_embeddings(out / "run"), eegpt.read_embeddings(copy)
    np.testing.assert_array_equal(e1, e0)
    assert list(t1["recording_id"].unique()) == ["site1/rec0.edf", "site1/rec1.edf"]
    assert (t1["path"] == t1["recording_id"]).all()
    keep = [c for c in t0.columns if c != "path"]
    assert t1[keep].astype(str).equals(t0[keep].astype(str))
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
    assert "anonymized copy" in said or name == "parts"
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
