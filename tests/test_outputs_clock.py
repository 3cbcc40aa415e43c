"""The clock columns of every table output: ``clock_s`` (seconds on the recording's clock,
across the gaps of an EDF+D file) and ``clock_time`` (the onset's moment, naive: the
recording's wall clock as its header states it; null without a measurement date)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import scipy.io
from test_io import _edf_plus

import eegpt.dataset
from eegpt import load_embeddings
from eegpt.anonymize import anonymize_embeddings
from eegpt.cli import main
from eegpt.dataset import embed_dataset, read_embeddings
from eegpt.demo import synthetic_raw
from eegpt.preprocessing import PreprocessingConfig

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

#: Records at 0-9 s and 35-44 s on the clock (a 25 s gap after 10 s of data), header start
#: 2024-01-01 00:00:00: 4 s windows at 0, 4, 8 (over the gap), 12, 16 s of data.
ONSETS = [0.0, 4.0, 8.0, 12.0, 16.0]
CLOCK = [0.0, 4.0, 8.0, 37.0, 41.0]
START = np.datetime64("2024-01-01T00:00:00", "us")


def _gapped(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    starts = [float(k) for k in range(10)] + [float(k + 25) for k in range(10, 20)]
    return _edf_plus(folder / "rec.edf", "EDF", starts)


def _moments(seconds) -> list[np.datetime64]:
    return [START + np.timedelta64(int(s * 1e6), "us") for s in seconds]


def test_embed_parquet_of_an_edf_plus_d_file_has_its_clock(weights, tmp_path):
    """`eegpt embed` of a file with a gap: onset_s stays seconds of recorded data, clock_s is
    onset_s plus the gap after it, clock_time the header's start plus clock_s (naive, as the
    header states it); load_embeddings, to_data_frame and .npz give the same."""
    path = _gapped(tmp_path / "in")
    out = tmp_path / "rec.parquet"
    assert main(["embed", str(path), "--weights", str(weights), "-o", str(out), "-q"]) == 0
    schema = pq.read_schema(out)
    assert schema.names[:5] == ["source", "window", "onset_s", "clock_s", "clock_time"]
    assert schema.field("clock_s").type == pa.float64()
    assert schema.field("clock_time").type == pa.timestamp("us")  # no zone claimed
    table = pd.read_parquet(out)
    assert table.onset_s.tolist() == ONSETS
    assert table.clock_s.tolist() == CLOCK
    assert table.clock_time.to_numpy(dtype="datetime64[us]").tolist() == [
        m.item() for m in _moments(CLOCK)
    ]
    emb = load_embeddings(out)
    np.testing.assert_array_equal(emb.clock_times(absolute=True), np.array(_moments(CLOCK)))
    frame = emb.to_data_frame(pooling="mean")
    assert frame.columns.tolist()[:5] == ["source", "window", "onset_s", "clock_s", "clock_time"]
    assert frame.clock_s.tolist() == CLOCK
    assert frame.clock_time.tolist() == table.clock_time.tolist()
    emb.save(tmp_path / "rec.npz")
    again = load_embeddings(tmp_path / "rec.npz").to_data_frame()
    assert again.clock_s.tolist() == CLOCK
    assert again.clock_time.tolist() == table.clock_time.tolist()


def test_exports_carry_the_clock(weights, tmp_path):
    """CSV and .mat exports of an EDF+D file's embeddings: clock_s, and clock_time as ISO 8601
    text without a zone, next to onset_s."""
    path = _gapped(tmp_path / "in")
    out = tmp_path / "rec.parquet"
    assert main(["embed", str(path), "--weights", str(weights), "-o", str(out), "-q"]) == 0
    assert main(["export", str(out), "-o", str(tmp_path / "rec.csv"), "-q"]) == 0
    rows = pd.read_csv(tmp_path / "rec.csv")
    assert rows.columns.tolist()[3:6] == ["onset_s", "clock_s", "clock_time"]
    assert rows.clock_s.tolist() == CLOCK
    assert rows.clock_time.tolist()[3:] == ["2024-01-01T00:00:37", "2024-01-01T00:00:41"]
    assert main(["export", str(out), "-o", str(tmp_path / "rec.mat"), "-q"]) == 0
    s = scipy.io.loadmat(tmp_path / "rec.mat")
    np.testing.assert_array_equal(s["clock_s"].ravel(), CLOCK)
    assert [c[0] for c in s["clock_time"].ravel()][3] == "2024-01-01T00:00:37"


def test_a_recording_without_a_date_has_no_clock_time(tmp_path):
    """No measurement date: clock_s equals onset_s, clock_time is null in Parquet and left
    out of a CSV export (as probe predict leaves it out)."""
    from eegpt import EEGPT, EEGPTConfig

    raw, _ = synthetic_raw(minutes=0.2)
    raw.set_meas_date(None)
    emb = EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2)).eval().embed(raw)
    out = emb.save(tmp_path / "undated.parquet")
    table = pd.read_parquet(out)
    assert table.clock_s.tolist() == table.onset_s.tolist()
    assert table.clock_time.isna().all()
    assert pq.read_schema(out).field("clock_time").type == pa.timestamp("us")
    assert main(["export", str(out), "-o", str(tmp_path / "undated.csv"), "-q"]) == 0
    rows = pd.read_csv(tmp_path / "undated.csv")
    assert "clock_s" in rows.columns and "clock_time" not in rows.columns


def test_a_parquet_file_written_before_the_clock_columns_still_reads(weights, tmp_path):
    """A file without clock_s/clock_time (eegpt before them): load_embeddings, eegpt info and
    export read it, computing the clock from its provenance as before."""
    path = _gapped(tmp_path / "in")
    new = tmp_path / "new.parquet"
    assert main(["embed", str(path), "--weights", str(weights), "-o", str(new), "-q"]) == 0
    table = pq.read_table(new)
    old_table = table.drop_columns(["clock_s", "clock_time"])
    old = tmp_path / "old.parquet"
    pq.write_table(old_table.replace_schema_metadata(table.schema.metadata), old)
    emb = load_embeddings(old)
    assert emb.onsets.tolist() == ONSETS and emb.clock_times().tolist() == CLOCK
    assert main(["info", str(old)]) == 0
    assert main(["export", str(old), "-o", str(tmp_path / "old.csv"), "-q"]) == 0
    assert pd.read_csv(tmp_path / "old.csv").clock_s.tolist() == CLOCK


def test_embed_dataset_shards_carry_the_clock(model, tmp_path, capsys):
    """A corpus run's shards hold clock_s and clock_time after onset_s (layout 5), as a
    single file's; read_embeddings and export give them."""
    path = _gapped(tmp_path / "in")
    undated = synthetic_raw(minutes=0.2)[0]
    undated.set_meas_date(None)
    undated.save(tmp_path / "in" / "undated_raw.fif", verbose=False)
    config = PreprocessingConfig(window_seconds=4.0)
    out = tmp_path / "out"
    embed_dataset(path.parent, out, model=model, workers=0, progress=False, preprocessing=config)
    shard = sorted(out.glob("shard-*.parquet"))[0]
    schema = pq.read_schema(shard)
    assert schema.names[3:6] == ["onset_s", "clock_s", "clock_time"]
    assert json.loads(schema.metadata[b"eegpt"])["layout"] >= 5
    table, _ = read_embeddings(out, embeddings=False)
    rec = table[table.recording_id == "rec.edf"]
    assert rec.onset_s.tolist() == ONSETS and rec.clock_s.tolist() == CLOCK
    assert rec.clock_time.tolist() == [pd.Timestamp(m.item()) for m in _moments(CLOCK)]
    other = table[table.recording_id == "undated_raw.fif"]
    assert other.clock_time.isna().all() and other.clock_s.tolist() == other.onset_s.tolist()
    assert load_embeddings(out, recording_id="rec.edf").metadata["clock"] == "local"
    assert "clock" not in load_embeddings(out, recording_id="undated_raw.fif").metadata
    capsys.readouterr()
    assert main(["info", str(out), "--verify"]) == 0
    assert "have no clock_s/clock_time columns" not in capsys.readouterr().out
    assert main(["export", str(out), "-o", str(tmp_path / "run.csv"), "-q"]) == 0
    rows = pd.read_csv(tmp_path / "run.csv", keep_default_na=False)
    assert rows[rows.recording == "rec.edf"].clock_s.tolist() == CLOCK
    assert rows[rows.recording == "undated_raw.fif"].clock_time.tolist() == [""] * len(other)
    assert rows.clock_time.tolist()[3] == "2024-01-01T00:00:37"


def test_a_run_of_the_layout_before_the_clock_resumes_in_its_own(
    model, tmp_path, monkeypatch, capsys
):
    """A run started by eegpt before the clock columns (layout 4) and resumed keeps one schema
    (without them) across its shards; it reads, verifies and exports, the clock computed from
    its file statuses."""
    path = _gapped(tmp_path / "in")
    second = _edf_plus(tmp_path / "in" / "rec2.edf", "EDF", [float(k) for k in range(12)])
    assert second.exists()
    config = PreprocessingConfig(window_seconds=4.0)
    run = dict(model=model, workers=0, shard_size=1, progress=False, preprocessing=config)
    out = tmp_path / "old"
    new_spec = eegpt.dataset._run_spec

    def layout_4(*args, **kwargs):
        return dict(new_spec(*args, **kwargs), layout=4)

    with monkeypatch.context() as m:
        m.setattr(eegpt.dataset, "_run_spec", layout_4)
        embed_dataset(path.parent, out, **run)
    shards = sorted(out.glob("shard-*.parquet"))
    assert len(shards) == 2
    shards[1].unlink()
    again = embed_dataset(path.parent, out, **run)  # this eegpt, resuming
    assert (again.shards_written, again.shards_skipped) == (1, 1)
    schemas = [pq.read_schema(s) for s in sorted(out.glob("shard-*.parquet"))]
    assert schemas[0].names == schemas[1].names and "clock_s" not in schemas[0].names
    assert all(json.loads(s.metadata[b"eegpt"])["layout"] == 4 for s in schemas)
    table, _ = read_embeddings(out, embeddings=False)
    assert "clock_time" not in table.columns
    capsys.readouterr()
    assert main(["info", str(out), "--verify"]) == 0
    assert (
        "  shards of layout 4 have no clock_s/clock_time columns: eegpt export or "
        "load_embeddings(...).clock_times(absolute=True) give them"
    ) in capsys.readouterr().out
    assert main(["export", str(out), "-o", str(tmp_path / "old.csv"), "-q"]) == 0
    rows = pd.read_csv(tmp_path / "old.csv")
    assert rows[rows.recording == "rec.edf"].clock_s.tolist() == CLOCK
    assert rows[rows.recording == "rec.edf"].clock_time.tolist()[3] == "2024-01-01T00:00:37"
    # read together with a part of the new layout: the older part's rows lack the clock
    newer = tmp_path / "newer"
    shutil.copytree(tmp_path / "in", tmp_path / "in2")
    (tmp_path / "in2" / "rec.edf").unlink()
    (tmp_path / "in2" / "rec2.edf").rename(tmp_path / "in2" / "rec3.edf")
    embed_dataset(tmp_path / "in2", newer, **run)
    both, _ = read_embeddings([out, newer], embeddings=False)
    assert both.clock_s.isna().sum() == len(table) and both.clock_s.notna().sum() > 0
    # exported as parts of one folder: the older part's clock is computed beside the newer's
    # columns (it failed on the read-only array pandas gave for the columns)
    parts = tmp_path / "parts"
    parts.mkdir()
    shutil.move(out, parts / "old")
    shutil.move(newer, parts / "newer")
    assert main(["export", str(parts), "-o", str(tmp_path / "parts.csv"), "-q"]) == 0
    rows = pd.read_csv(tmp_path / "parts.csv")
    assert rows.clock_s.notna().all()
    assert rows[rows.recording == "rec.edf"].clock_s.tolist() == CLOCK
    assert rows[rows.recording == "rec.edf"].clock_time.tolist()[3] == "2024-01-01T00:00:37"


def test_a_run_of_layout_3_without_time_bases_says_its_dates_were_not_recorded(
    model, tmp_path, monkeypatch, capsys
):
    """A run of layout 3 whose eegpt recorded no time base (first_time, meas_date) in its
    file statuses: eegpt info said clock_times(absolute=True) gave its clock (it fails: no
    measurement date) and export left clock_time out without a word. Both now say the dates
    were not recorded by the eegpt that wrote the run."""
    path = _gapped(tmp_path / "in")
    run = dict(model=model, workers=0, progress=False,
               preprocessing=PreprocessingConfig(window_seconds=4.0))  # fmt: skip
    new_spec = eegpt.dataset._run_spec
    with monkeypatch.context() as m:
        m.setattr(eegpt.dataset, "_run_spec", lambda *a, **k: dict(new_spec(*a, **k), layout=3))
        embed_dataset(path.parent, tmp_path / "old", **run)
    capsys.readouterr()
    assert main(["info", str(tmp_path / "old")]) == 0  # its time base recorded: as before
    assert "clock_times(absolute=True) give them" in capsys.readouterr().out
    for shard in sorted((tmp_path / "old").glob("shard-*.parquet")):  # as eegpt wrote them
        table = pq.read_table(shard)
        meta = dict(pq.read_metadata(shard).metadata)
        status = json.loads(meta[b"eegpt_shard"])
        for f in status["files"]:
            for key in ("first_time", "meas_date", "clock", "record_clock"):
                f.pop(key, None)
        meta[b"eegpt_shard"] = json.dumps(status).encode()
        pq.write_table(table.replace_schema_metadata(meta), shard)
    assert main(["info", str(tmp_path / "old")]) == 0
    out = capsys.readouterr().out
    assert "were not recorded by the eegpt that wrote this run" in out
    assert "clock_times(absolute=True)" not in out
    assert main(["export", str(tmp_path / "old"), "-o", str(tmp_path / "old.csv")]) == 0
    said = capsys.readouterr().err
    assert "no clock_time where the recordings' measurement dates" in said
    assert "not recorded by the eegpt that wrote this run" in said
    assert "clock_time" not in pd.read_csv(tmp_path / "old.csv").columns


def test_anonymize_empties_or_moves_clock_time(weights, tmp_path):
    """clock_time dates the recording as meas_date does: anonymize nulls it, or moves it back
    by --daysback days; clock_s stays."""
    path = _gapped(tmp_path / "in")
    out = tmp_path / "rec.parquet"
    assert main(["embed", str(path), "--weights", str(weights), "-o", str(out), "-q"]) == 0
    anonymize_embeddings(out, tmp_path / "anon.parquet")
    anon = pd.read_parquet(tmp_path / "anon.parquet")
    assert anon.clock_time.isna().all() and anon.clock_s.tolist() == CLOCK
    anonymize_embeddings(out, tmp_path / "back.parquet", daysback=10)
    back = pd.read_parquet(tmp_path / "back.parquet")
    moved = load_embeddings(tmp_path / "back.parquet").clock_times(absolute=True)
    assert back.clock_time.to_numpy(dtype="datetime64[us]").tolist() == moved.tolist()
    assert str(moved[3]) == "2023-12-22T00:00:37.000000"


def _dated_fif(path: Path, crop: float = 0.0) -> Path:
    """A FIF file dated 2026-01-01 23:58:40 UTC (MNE stores FIF dates in UTC), cropped to
    start ``crop`` s after its acquisition start."""
    import datetime

    raw, _ = synthetic_raw(minutes=0.5)
    raw.set_meas_date(datetime.datetime(2026, 1, 1, 23, 58, 40, tzinfo=datetime.timezone.utc))
    if crop:
        raw.crop(tmin=crop)
    raw.save(path, overwrite=True, verbose=False)
    return path


def test_the_clock_of_the_dates_is_recorded_by_format(weights, tmp_path, capsys):
    """metadata["clock"] says which clock clock_time is on: "utc" for a FIF file (which
    stores UTC), "local" for an EDF file (the lab's wall clock that MNE labels UTC); eegpt
    info names it; a file written before it was recorded says so; clock_time stays naive."""
    fif = _dated_fif(tmp_path / "rec_raw.fif")
    edf = _gapped(tmp_path / "in")
    for path, clock, said in [
        (fif, "utc", "UTC, as the FIF/.mff format stores it"),
        (edf, "local", "the header's local wall clock, no zone"),
    ]:
        out = tmp_path / f"{path.stem}.parquet"
        assert main(["embed", str(path), "--weights", str(weights), "-o", str(out), "-q"]) == 0
        emb = load_embeddings(out)
        assert emb.metadata["clock"] == clock
        assert pq.read_schema(out).field("clock_time").type == pa.timestamp("us")
        capsys.readouterr()
        assert main(["info", str(out)]) == 0
        text = capsys.readouterr().out
        assert said in text and "EDF/BDF give the lab's local time)" not in text
    assert emb.clock_times(absolute=True)[0] == START  # naive, as the header states it
    # a file written before the clock was recorded: its zone is not recorded
    table = pq.read_table(out)
    meta = json.loads(table.schema.metadata[b"eegpt"])
    del meta["clock"]
    old = tmp_path / "old.parquet"
    schema_meta = {**table.schema.metadata, b"eegpt": json.dumps(meta).encode()}
    pq.write_table(table.replace_schema_metadata(schema_meta), old)
    assert main(["info", str(old)]) == 0
    assert "zone not recorded" in capsys.readouterr().out


def test_the_clock_of_a_raw_made_in_memory_is_unknown():
    """A RawArray's date is on no known clock: "unknown"; an undated one has none."""
    import mne

    from eegpt.io import as_recording, date_clock

    raw, _ = synthetic_raw(minutes=0.2)
    assert type(raw).__name__ == "RawArray"
    raw.set_meas_date(0.0)
    assert as_recording(raw).date_clock == "unknown"
    raw.set_meas_date(None)
    assert as_recording(raw).date_clock is None
    assert date_clock(mne.EpochsArray(np.zeros((1, len(raw.ch_names), 4)), raw.info)) == "unknown"


def test_an_anonymized_start_has_no_clock_in_fif_files_and_epochs_too(tmp_path):
    """EDF's 1985-01-01 00:00:00 placeholder for an unknown start survives into a FIF file
    saved from the EDF's Raw and into epochs cut from it: it was taken as anonymized for the
    EDF reader's local clock only, so the FIF file got clock "utc" and the epochs "unknown",
    with 1985 clock_times. Now anonymized whatever the clock: no clock_time for any."""
    import datetime

    import mne

    from eegpt import EEGPT
    from eegpt.io import as_recording, date_clock

    raw, _ = synthetic_raw(minutes=0.2, seed=3)
    raw.set_meas_date(None)  # written as EDF's placeholder
    mne.export.export_raw(tmp_path / "none.edf", raw, verbose=False)
    edf = mne.io.read_raw_edf(tmp_path / "none.edf", preload=True, verbose=False)
    edf.save(tmp_path / "none_raw.fif", verbose=False)
    fif = mne.io.read_raw_fif(tmp_path / "none_raw.fif", verbose=False)
    epochs = mne.make_fixed_length_epochs(edf, 4.0, verbose=False)
    for inst in (edf, fif, epochs, mne.make_fixed_length_epochs(fif, 4.0, verbose=False)):
        assert date_clock(inst) == "anonymized", type(inst).__name__
    emb = EEGPT("tiny2").embed(epochs, verbose=False)
    assert emb.metadata["clock"] == "anonymized"
    with pytest.raises(ValueError, match="EDF's placeholder for an unknown or anonymized"):
        emb.clock_times(absolute=True)
    # a real date in a FIF file keeps its clock
    fif.set_meas_date(datetime.datetime(2024, 1, 1, 9, tzinfo=datetime.timezone.utc))
    assert as_recording(fif).date_clock == "utc"


def test_a_raw_and_its_epochs_put_one_moment_at_one_clock_s(tmp_path):
    """A FIF file cropped to start 10 s after its acquisition start, embedded as a Raw and
    as epochs cut from it: rows at the same clock_time have the same clock_s (seconds from
    the acquisition start, for both), though onset_s counts from the first sample for the Raw
    and from the acquisition start for the epochs."""
    import mne

    from eegpt import EEGPT, EEGPTConfig

    raw = mne.io.read_raw_fif(_dated_fif(tmp_path / "crop_raw.fif", crop=10.0), verbose=False)
    assert raw.first_time == pytest.approx(10.0)
    model = EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2)).eval()
    windows = model.embed(raw.copy().load_data()).to_data_frame()
    epochs = mne.make_fixed_length_epochs(raw, duration=4.0, preload=True, verbose=False)
    epochs.save(tmp_path / "crop-epo.fif", verbose=False)
    cut = model.embed(tmp_path / "crop-epo.fif").to_data_frame()
    assert windows.onset_s.tolist()[:2] == [0.0, 4.0] and cut.onset_s.tolist()[:2] == [10.0, 14.0]
    joined = windows.merge(cut, on="clock_time", suffixes=("_raw", "_epochs"))
    assert len(joined) == len(cut) > 2
    assert joined.clock_s_raw.tolist() == joined.clock_s_epochs.tolist()
    assert joined.clock_s_raw.tolist()[:2] == [10.0, 14.0]
    start = np.datetime64("2026-01-01T23:58:40", "us")
    assert windows.clock_time[0] == start + np.timedelta64(10, "s")
    seconds = (windows.clock_time.to_numpy(dtype="datetime64[us]") - start) / np.timedelta64(1, "s")
    np.testing.assert_allclose(seconds, windows.clock_s)


def test_edf_anonymized_start_date_gives_no_clock_time(weights, tmp_path, caplog, capsys):
    """An EDF whose start is 01.01.85 00.00.00, the EDF+ placeholder for an unknown or
    anonymized start, was taken as a real time (clock_time 1985-01-01 00:00:00, clock
    "local"): its clock is "anonymized", clock_time is empty (clock_s from the start stays),
    and an INFO line says why; a real date is unchanged."""
    import datetime
    import logging

    import mne

    from eegpt._dates import is_anonymized_start

    raw, _ = synthetic_raw(minutes=0.2, seed=3)
    paths = {}
    for name, date in (("anon", datetime.datetime(1985, 1, 1, tzinfo=datetime.timezone.utc)),
                       ("dated", datetime.datetime(2024, 1, 1, 9, tzinfo=datetime.timezone.utc))):  # fmt: skip
        raw.set_meas_date(date)
        paths[name] = tmp_path / f"{name}.edf"
        mne.export.export_raw(paths[name], raw, verbose=False)
    assert is_anonymized_start(mne.io.read_raw_edf(paths["anon"], verbose=False).info["meas_date"])
    out = tmp_path / "anon.parquet"
    with caplog.at_level(logging.INFO, logger="eegpt"):
        assert main(["embed", str(paths["anon"]), "--weights", str(weights), "-o", str(out)]) == 0
    said = [r.getMessage() for r in caplog.records if "EDF's placeholder" in r.getMessage()]
    assert len(said) == 1 and "acq_time in its *_scans.tsv" in said[0], said
    emb = load_embeddings(out)
    assert emb.metadata["clock"] == "anonymized"
    assert pd.read_parquet(out).clock_time.isna().all()
    assert emb.clock_times().tolist() == emb.onsets.tolist()  # clock_s stays
    with pytest.raises(ValueError, match="EDF's placeholder for an unknown or anonymized"):
        emb.clock_times(absolute=True)
    capsys.readouterr()
    assert main(["info", str(tmp_path / "anon.parquet")]) == 0
    text = capsys.readouterr().out
    assert "1985" not in text.replace("(1985-01-01)", "").replace("1985-01-01 placeholder", "")
    assert "start date anonymized (EDF's 1985-01-01 placeholder): clock_time empty" in text
    out = tmp_path / "dated.parquet"
    assert (
        main(["embed", str(paths["dated"]), "--weights", str(weights), "-o", str(out), "-q"]) == 0
    )
    emb = load_embeddings(out)
    assert emb.metadata["clock"] == "local"
    assert emb.clock_times(absolute=True)[0] == np.datetime64("2024-01-01T09:00:00", "us")
    assert not is_anonymized_start("2024-01-01T09:00:00+00:00") and not is_anonymized_start(None)
    assert is_anonymized_start("1985-01-01T00:00:00.250000")  # a first record's offset


def test_decimated_epochs_keep_the_clock_of_their_events(tmp_path):
    """Epochs decimated after cutting keep MNE's events in the Raw's sample numbering: their
    onset_s, clock_s and clock_time are the undecimated epochs' (they were doubled), in
    memory and through a saved -epo.fif file."""
    import mne

    from eegpt import EEGPT, EEGPTConfig

    raw = mne.io.read_raw_fif(_dated_fif(tmp_path / "rec_raw.fif"), preload=True, verbose=False)
    events = np.array([[k * int(raw.info["sfreq"]), 0, 1] for k in (4, 8, 12)])
    tmax = 4.0 - 1 / raw.info["sfreq"]
    epochs = mne.Epochs(
        raw, events, tmin=0.0, tmax=tmax, baseline=None, preload=True, verbose=False
    )
    model = EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2)).eval()
    whole = model.embed(epochs).to_data_frame()
    assert whole.onset_s.tolist() == [4.0, 8.0, 12.0]
    halved = epochs.copy().decimate(2, verbose=False)
    halved.save(tmp_path / "d-epo.fif", verbose=False)
    for obj in (halved, tmp_path / "d-epo.fif"):
        got = model.embed(obj).to_data_frame()
        assert got.onset_s.tolist() == whole.onset_s.tolist()
        assert got.clock_s.tolist() == whole.clock_s.tolist()
        assert got.clock_time.tolist() == whole.clock_time.tolist()
