"""Per-window quality flags in embed-dataset shards (layout 6): ``flat_channels``,
``clipped_channels`` and ``flagged`` columns as in eegpt embed's Parquet, carried across a
long recording's parts, read by read_embeddings, load_embeddings, export and info --json; runs
of layout 5 resume in their own layout, their flags unknown."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from test_window_flags import CLIPPED_ONSETS, FLAT_ONSETS, NAMES, SFREQ, _recording

import eegpt.dataset
from eegpt import dataset_pipeline
from eegpt.dataset import embed_dataset
from eegpt.dataset_files import WindowInfo
from eegpt.dataset_read import read_embeddings

pq = pytest.importorskip("pyarrow.parquet")
pd = pytest.importorskip("pandas")

FLAGGED = sorted(FLAT_ONSETS + CLIPPED_ONSETS)
RUN = dict(workers=0, progress=False, device="cpu", batch_size=8)


def _corpus(folder):
    """``folder`` holding ``rec_raw.fif`` (Pz flat 20-40 s, Fp1 clipped 80-85 s: the
    recording of test_window_flags) and ``clean_raw.fif`` (its noise only)."""
    import mne

    folder.mkdir()
    info = mne.create_info(NAMES, SFREQ, "eeg")
    x = _recording()
    mne.io.RawArray(x, info, verbose="error").save(folder / "rec_raw.fif", verbose="error")
    clean = np.random.default_rng(5).standard_normal(x.shape) * 1e-5
    mne.io.RawArray(clean, info, verbose="error").save(folder / "clean_raw.fif", verbose="error")
    return folder


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return _corpus(tmp_path_factory.mktemp("flags") / "in")


def _run(corpus, out, model, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the flat and clipping warnings
        return embed_dataset(corpus, out, model=model, **{**RUN, **kwargs})


def _check_rows(rows):
    """The rows of rec_raw.fif flag the windows over its stretches, with the channel."""
    rec = rows[rows["recording_id"] == "rec_raw.fif"]
    onsets = rec["onset_s"].tolist()
    assert rec["flagged"].tolist() == [o in FLAGGED for o in onsets]
    assert [list(v) for v in rec["flat_channels"]] == [
        ["Pz"] if o in FLAT_ONSETS else [] for o in onsets
    ]
    assert [list(v) for v in rec["clipped_channels"]] == [
        ["Fp1"] if o in CLIPPED_ONSETS else [] for o in onsets
    ]
    clean = rows[rows["recording_id"] == "clean_raw.fif"]
    assert len(clean) and not clean["flagged"].any()


def test_the_shards_carry_the_flags(corpus, model, tmp_path, capsys):
    """Layout 6: flat_channels, clipped_channels and flagged after padded, the windows over
    the flat and clipped stretches flagged as eegpt embed flags them; read_embeddings,
    load_embeddings, export and info --json give them."""
    from eegpt.cli import main
    from eegpt.outputs import load_embeddings

    out = tmp_path / "out"
    _run(corpus, out, model)
    shard = sorted(out.glob("shard-*.parquet"))[0]
    schema = pq.read_schema(shard)
    at = schema.names.index("padded")
    assert schema.names[at + 1 : at + 4] == ["flat_channels", "clipped_channels", "flagged"]
    assert json.loads(schema.metadata[b"eegpt"])["layout"] == 6
    _check_rows(pd.read_parquet(out))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every row recorded its flags: nothing to warn of
        table, _ = read_embeddings(out, embeddings=False)
    _check_rows(table)
    assert table["flags_recorded"].all() and table["flagged"].dtype == bool
    only, _ = read_embeddings(out, columns=["recording_id", "flags_recorded"], embeddings=False)
    assert list(only.columns) == ["recording_id", "flags_recorded"] and only.flags_recorded.all()
    emb = load_embeddings(out, recording_id="rec_raw.fif")
    assert emb.flags_recorded and emb.flagged.sum() == len(FLAGGED)
    capsys.readouterr()
    assert main(["info", "--json", str(out)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["flagged_windows"] == len(FLAGGED)
    assert [r["flagged_windows"] for r in record["runs"]] == [len(FLAGGED)]
    assert main(["info", str(out)]) == 0
    said = f"flagged windows (flat or clipped channels): {len(FLAGGED)} (the flagged column"
    assert said in capsys.readouterr().out
    assert main(["export", str(out), "-o", str(tmp_path / "run.csv"), "-q"]) == 0
    rows = pd.read_csv(tmp_path / "run.csv", keep_default_na=False)
    rec = rows[rows.recording == "rec_raw.fif"]
    assert rec.flagged.tolist() == [o in FLAGGED for o in rec.onset_s]
    assert set(rec.clipped_channels) == {"", "Fp1"}


def test_a_recording_read_in_parts_keeps_its_flags_on_their_windows(
    corpus, model, tmp_path, monkeypatch
):
    """A recording read in parts of 4 windows: each part flags its own windows (the first
    part's scan names the stretches), so the shards flag the same windows as one read."""
    import eegpt.dataset as ds

    window_bytes = 4 * len(NAMES) * 1024  # float32, 4 s at 256 Hz
    monkeypatch.setattr(dataset_pipeline, "PART_BYTES", 4 * window_bytes + window_bytes // 2)
    spilled = []
    add = ds.PartRows.add

    def counted(self, table):
        spilled.append(table.num_rows)
        return add(self, table)

    monkeypatch.setattr(ds.PartRows, "add", counted)
    out = tmp_path / "parts"
    _run(corpus, out, model)
    assert len(spilled) > 4 and max(spilled) == 4  # read in parts indeed
    table, _ = read_embeddings(out, embeddings=False)
    _check_rows(table)
    assert table["flags_recorded"].all()
    statuses = [f for s in out.glob("shard-*.parquet") for f in _statuses(s)]
    assert {f["recording_id"]: f["n_windows_flagged"] for f in statuses} == {
        "rec_raw.fif": len(FLAGGED),
        "clean_raw.fif": 0,
    }


def _statuses(shard):
    return json.loads(pq.read_metadata(shard).metadata[b"eegpt_shard"])["files"]


def test_a_run_of_layout_5_resumes_in_its_own(corpus, model, tmp_path, monkeypatch, capsys):
    """A run started before the shards held the flags (layout 5) and resumed keeps one schema
    without them; read_embeddings gives its rows flags unknown (flags_recorded False, empty
    lists, flagged False), info --json flagged_windows null, and export leaves them out."""
    from eegpt.cli import main

    out = tmp_path / "old"
    new_spec = eegpt.dataset._run_spec

    def layout_5(*args, **kwargs):
        return dict(new_spec(*args, **kwargs), layout=5)

    with monkeypatch.context() as m:
        m.setattr(eegpt.dataset, "_run_spec", layout_5)
        _run(corpus, out, model, shard_size=1)
    shards = sorted(out.glob("shard-*.parquet"))
    assert len(shards) == 2
    shards[1].unlink()
    again = _run(corpus, out, model, shard_size=1)  # this eegpt, resuming
    assert (again.shards_written, again.shards_skipped) == (1, 1)
    schemas = [pq.read_schema(s) for s in sorted(out.glob("shard-*.parquet"))]
    assert schemas[0].names == schemas[1].names and "flagged" not in schemas[0].names
    assert all(json.loads(s.metadata[b"eegpt"])["layout"] == 5 for s in schemas)
    assert not any("n_windows_flagged" in f for s in shards for f in _statuses(s))
    table, z = read_embeddings(out)
    assert len(z) == len(table) and not table["flags_recorded"].any()
    assert not table["flagged"].any() and all(list(v) == [] for v in table["flat_channels"])
    capsys.readouterr()
    assert main(["info", "--json", str(out)]) == 0
    assert json.loads(capsys.readouterr().out)["flagged_windows"] is None
    assert main(["info", str(out)]) == 0
    said = "flagged windows (flat or clipped channels): not recorded (shards of layout 5"
    assert said in capsys.readouterr().out
    assert main(["export", str(out), "-o", str(tmp_path / "old.csv"), "-q"]) == 0
    assert "flagged" not in pd.read_csv(tmp_path / "old.csv").columns
    # read beside a run of layout 6 (of another recording): its rows named as unknown, once
    other = tmp_path / "in2"
    other.mkdir()
    import mne

    raw = mne.io.read_raw_fif(corpus / "rec_raw.fif", preload=True, verbose="error")
    raw.crop(0, 100).save(other / "again_raw.fif", verbose="error")  # not a copy: shorter
    newer = tmp_path / "newer"
    _run(other, newer, model)
    with pytest.warns(RuntimeWarning, match=r"clean_raw\.fif, rec_raw\.fif .*unknown, not clean"):
        both, _ = read_embeddings([out, newer], embeddings=False)
    recorded = both["recording_id"] == "again_raw.fif"
    assert both["flags_recorded"].tolist() == recorded.tolist()
    assert both["flagged"][recorded].sum() == len(FLAGGED) and both["flagged"].dtype == bool


def test_window_info_json_round_trips_the_flags():
    """WindowInfo's JSON (Ray's stages) keeps the flags; that of an eegpt from before them
    (seven fields) loads with flags None."""
    flags = {"flat_channels": [["Pz"], []], "clipped_channels": [[], ["Fp1"]]}
    info = WindowInfo(index=np.array([3, 4]), flags=flags)
    assert WindowInfo.from_json(info.to_json()).flags == flags
    old = json.dumps([[3, 4], None, None, 0, None, {}, {}])
    assert WindowInfo.from_json(old).flags is None


def test_manifest_columns_may_not_take_the_flag_names(corpus, tmp_path):
    """A manifest's metadata column named like a flag column is refused, as one named like any
    other shard column."""
    from eegpt.dataset_inputs import resolve_inputs

    manifest = tmp_path / "m.csv"
    pd.DataFrame({"path": [str(corpus / "rec_raw.fif")], "flagged": [1]}).to_csv(
        manifest, index=False
    )
    with pytest.raises(ValueError, match="flagged"):
        resolve_inputs(manifest)


def test_epochs_rows_have_their_flags_unknown(corpus, model, tmp_path):
    """Epochs (whose stretches the checks do not judge) get nulls in the shards' flag columns:
    unknown, not clean; read_embeddings gives them flags_recorded False, without a warning:
    a run of epochs and continuous recordings is whole as it is (epochs never have flags, so
    no advice to embed them again applies), whichever columns are read."""
    import mne

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "rec_raw.fif").write_bytes((corpus / "rec_raw.fif").read_bytes())
    x = np.random.default_rng(6).standard_normal((3, len(NAMES), int(4 * SFREQ))) * 1e-5
    epochs = mne.EpochsArray(x, mne.create_info(NAMES, SFREQ, "eeg"), verbose="error")
    epochs.save(folder / "ep-epo.fif", verbose="error")
    out = tmp_path / "out"
    _run(folder, out, model)
    rows = pd.read_parquet(out)
    ep = rows[rows["recording_id"] == "ep-epo.fif"]
    assert len(ep) == 3 and ep["flagged"].isna().all() and ep["flat_channels"].isna().all()
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*flat/clipped flags")
        table, _ = read_embeddings(out, embeddings=False)
        only, _ = read_embeddings(out, columns=["flags_recorded"], embeddings=False)
    assert list(only.columns) == ["flags_recorded"]
    assert only["flags_recorded"].tolist() == table["flags_recorded"].tolist()
    is_ep = (table["recording_id"] == "ep-epo.fif").to_numpy()
    assert table["flags_recorded"].tolist() == (~is_ep).tolist()
    assert not table["flagged"][is_ep].any() and table["flagged"].dtype == bool
    rec = table[~is_ep]
    assert rec["flagged"].sum() == len(FLAGGED)


def test_export_of_a_run_with_epochs_says_whose_flags_were_recorded(corpus, model, tmp_path):
    """eegpt export of a run mixing a continuous recording (flags recorded) and epochs (none:
    flagged False, empty lists, unchecked rather than clean): the CSV and the .mat file have
    flags_recorded beside flagged, False for the epochs' rows, True for the recording's."""
    import mne
    from scipy.io import loadmat

    from eegpt.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    raw = mne.io.read_raw_fif(corpus / "rec_raw.fif", preload=True, verbose="error")
    raw.save(folder / "rec_raw.fif", verbose="error")
    events = mne.make_fixed_length_events(raw, duration=10.0)[:3]
    epochs = mne.Epochs(raw, events, tmin=0.0, tmax=4.0 - 1 / SFREQ, baseline=None,
                        preload=True, verbose="error")  # fmt: skip
    epochs.save(folder / "ep-epo.fif", verbose="error")
    out = tmp_path / "out"
    _run(folder, out, model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the epochs' flags unknown, warned of
        assert main(["export", str(out), "-o", str(tmp_path / "run.csv"), "-q"]) == 0
        assert main(["export", str(out), "-o", str(tmp_path / "run.mat"), "-q"]) == 0
    table = pd.read_csv(tmp_path / "run.csv", keep_default_na=False)
    is_raw = (table["recording"] == "rec_raw.fif").to_numpy()
    assert is_raw.any() and not is_raw.all()
    assert table["flags_recorded"].tolist() == is_raw.tolist()
    assert table["flagged"][is_raw].sum() == len(FLAGGED) and not table["flagged"][~is_raw].any()
    mat = loadmat(tmp_path / "run.mat")
    assert mat["flags_recorded"].ravel().astype(bool).tolist() == is_raw.tolist()


def test_info_before_the_first_shard_says_no_shard_yet_not_epochs(corpus, model, tmp_path):
    """A run's first seconds (its manifest written, no shard yet) of continuous recordings:
    eegpt info says no shard is written yet, not that the flags are not recorded as epochs'."""
    from eegpt.dataset_report import describe_output

    out = tmp_path / "out"
    _run(corpus, out, model)
    for shard in out.glob("shard-*.parquet"):
        shard.unlink()
    said = describe_output(out)
    assert "flagged windows (flat or clipped channels): none counted, no shard written yet" in said
    assert "(epochs)" not in said
