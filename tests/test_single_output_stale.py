"""A single-recording output (``eegpt embed FILE -o OUT``) whose recording changed since it
was embedded: ``eegpt info`` says CHANGED and exits 3, ``--skip-existing`` embeds it again (where only
the time is new and nothing was recorded to compare contents with: kept, "cannot tell")."""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import mne
import pytest

from eegpt._file_identity import source_files_record
from eegpt.cli import main
from eegpt.dataset_stamps import output_source_check
from eegpt.demo import synthetic_raw, write_edf
from eegpt.errors import EEGPTWarning
from eegpt.outputs import load_embeddings


@pytest.fixture(scope="module")
def edf(tmp_path_factory):
    raw, _ = synthetic_raw(minutes=0.5, seed=3)
    return write_edf(raw, tmp_path_factory.mktemp("rec") / "rec.edf")


def _flip_a_byte(path, keep_time=False, at=-10):
    """Change one byte near the end of ``path``, keeping its size (and, with ``keep_time``,
    its modification time); the time otherwise moves on by a second, as an edit's does."""
    st = path.stat()
    data = bytearray(path.read_bytes())
    data[at] ^= 1
    path.write_bytes(bytes(data))
    mtime = st.st_mtime_ns if keep_time else st.st_mtime_ns + 1_000_000_000
    os.utime(path, ns=(st.st_atime_ns, mtime))


def _meta(path, **record):
    return {"source": str(path), "source_files": {**source_files_record(path), **record}}


def test_output_source_check_compares_size_time_and_fingerprint(edf, tmp_path):
    rec = tmp_path / "rec.edf"
    shutil.copy(edf, rec)
    meta = _meta(rec)
    assert output_source_check(meta) == (rec, True, [], "", [])
    assert output_source_check({"source": str(rec)}) is None  # nothing recorded
    st = rec.stat()
    os.utime(rec, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # a copy without -p
    assert output_source_check(meta).changed == []
    _flip_a_byte(rec)
    check = output_source_check(meta)
    assert (check.changed, check.what) == (["rec.edf"], "contents and modification time")
    with open(rec, "ab") as fh:
        fh.write(b"x")
    assert output_source_check(meta).what == "size and modification time"
    # an output of an earlier eegpt: no fingerprint; its time compared as a resume does
    old = {"source": str(rec), "source_files": dict(meta["source_files"])}
    rec.write_bytes(edf.read_bytes())
    os.utime(rec, ns=(st.st_atime_ns, st.st_mtime_ns))
    del old["source_files"]["source_fingerprint"]
    assert output_source_check(old).changed == []
    os.utime(rec, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    # a newer time, the same size, no contents to compare: unknown, not changed
    check = output_source_check(old)
    assert (check.changed, check.what, check.unknown) == ([], "", ["rec.edf"])
    with open(rec, "ab") as fh:  # a new size is a change without a fingerprint too
        fh.write(b"x")
    assert output_source_check(old).what == "size and modification time"
    # gone: cannot be checked, not an error
    rec.unlink()
    assert output_source_check(meta) == (rec, False, [], "", [])


def test_output_source_check_by_full_sha256_and_relative_paths(edf, tmp_path):
    rec = tmp_path / "rec.edf"
    shutil.copy(edf, rec)
    record = source_files_record(rec, full_hashes=True)
    del record["source_fingerprint"]  # the full SHA-256 tells it alone
    meta = {"source": "rec.edf", "cwd": str(tmp_path), "source_files": record}
    assert output_source_check(meta).changed == []  # found from the recorded folder
    _flip_a_byte(rec)
    assert output_source_check(meta).what == "contents and modification time"
    # the record of earlier versions: files mapped to their SHA-256
    earlier = {"files": record["sha256"], "source_bytes": record["source_bytes"],
               "source_mtime_ns": record["source_mtime_ns"]}  # fmt: skip
    check = output_source_check({**meta, "source_files": earlier})
    assert (check.changed, check.what) == (["rec.edf"], "contents and modification time")
    rec.write_bytes(edf.read_bytes())  # the same bytes again, a new time: unchanged
    assert output_source_check({**meta, "source_files": earlier}).changed == []


def test_info_and_skip_existing_of_an_output_whose_recording_changed(
    weights, edf, tmp_path, capsys
):
    rec = tmp_path / "rec.edf"
    shutil.copy(edf, rec)
    out = tmp_path / "rec.parquet"
    args = ["embed", str(rec), "--weights", str(weights), "-o", str(out), "-q"]
    assert main(args) == 0
    assert main(["info", str(out)]) == 0
    assert "CHANGED" not in capsys.readouterr().out
    _flip_a_byte(rec, keep_time=True)  # size and time kept: not found cheaply, as a resume
    assert main(["info", str(out)]) == 0
    _flip_a_byte(rec, at=-20)
    assert main(["info", str(out)]) == 3
    said = capsys.readouterr().out
    assert "CHANGED since embedded: rec.edf (contents and modification time" in said
    before = load_embeddings(out).metadata["source_files"]
    assert main([*args, "--skip-existing"]) == 0
    said = capsys.readouterr().out
    assert "1 output is stale (its recording changed since): embedding it again" in said
    after = load_embeddings(out).metadata["source_files"]
    assert after["source_fingerprint"] != before["source_fingerprint"]
    assert main(["info", str(out)]) == 0
    assert main([*args, "--skip-existing"]) == 0
    assert "the output exists; nothing to do" in capsys.readouterr().out
    rec.rename(tmp_path / "elsewhere.edf")
    assert main(["info", str(out)]) == 0
    assert "source files not found here: cannot check" in capsys.readouterr().out


def test_an_edited_bids_sidecar_makes_a_single_output_stale(tmp_path):
    """A channel marked bad in ``*_channels.tsv`` after embedding: that sidecar is named; the
    session's ``*_scans.tsv`` (shared by every run of the session) is not recorded."""
    mne_bids = pytest.importorskip("mne_bids")
    raw, _ = synthetic_raw(minutes=0.5, seed=1)
    raw.info["line_freq"] = 50
    path = mne_bids.BIDSPath(subject="01", session="1", task="rest", datatype="eeg",
                             root=tmp_path / "ds")  # fmt: skip
    mne_bids.write_raw_bids(raw, path, format="EDF", allow_preload=True, verbose=False)
    data = path.fpath.with_suffix(".edf")
    meta = _meta(data)
    assert "sub-01_ses-1_scans.tsv" not in meta["source_files"]["files"]
    assert output_source_check(meta).changed == []
    channels = data.with_name(data.name.replace("_eeg.edf", "_channels.tsv"))
    st = channels.stat()
    channels.write_text(channels.read_text().replace("good", "bad", 1))
    os.utime(channels, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    check = output_source_check(meta)
    assert check.changed == [channels.name] and check.what == "size and modification time"


def test_an_output_of_an_earlier_version_copied_without_p_is_kept(
    weights, edf, tmp_path, capsys, monkeypatch
):
    """An output that recorded no fingerprint (earlier eegpt), whose recording got a newer
    time but kept its size (``cp -r`` without ``-p``): ``eegpt info`` says it cannot tell
    (not CHANGED, exit 0) and ``--skip-existing`` keeps it with a note, not re-embedding."""
    import eegpt.dataset_stamps as stamps

    rec = tmp_path / "rec.edf"
    shutil.copy(edf, rec)
    out = tmp_path / "rec.parquet"
    args = ["embed", str(rec), "--weights", str(weights), "-o", str(out), "-q"]
    with monkeypatch.context() as m:
        m.setattr(stamps, "_fingerprint", lambda paths: None)  # as outputs before it
        assert main(args) == 0
    assert "source_fingerprint" not in load_embeddings(out).metadata["source_files"]
    st = rec.stat()
    os.utime(rec, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    capsys.readouterr()
    assert main(["info", str(out)]) == 0
    said = capsys.readouterr().out
    assert "modification time changed; contents not recorded, cannot tell" in said
    assert "CHANGED" not in said
    written = out.stat().st_mtime_ns
    assert main([*args, "--skip-existing"]) == 0
    said = capsys.readouterr().out
    assert "--skip-existing: kept 1 output whose recording's files have a newer" in said
    assert "stale" not in said and out.stat().st_mtime_ns == written
    with open(rec, "ab") as fh:  # a size changed: stale, embedded again
        fh.write(b"\0" * 256)
    assert main([*args, "--skip-existing"]) == 0
    assert "1 output is stale" in capsys.readouterr().out


def test_a_bids_sidecar_added_after_embedding_makes_a_single_output_stale(
    weights, tmp_path, capsys
):
    """An ``*_events.tsv`` written after ``eegpt embed`` (or one that was missing when embedded
    and is back): ``eegpt info`` says CHANGED (exit 3) and ``--skip-existing`` embeds again,
    naming it; an output of a version that recorded the data file alone is not flagged."""
    mne_bids = pytest.importorskip("mne_bids")
    raw, _ = synthetic_raw(minutes=0.5, seed=1)
    raw.info["line_freq"] = 50
    path = mne_bids.BIDSPath(subject="03", session="2", task="rest", run="1", datatype="eeg",
                             root=tmp_path / "ds")  # fmt: skip
    mne_bids.write_raw_bids(raw, path, format="EDF", allow_preload=True, verbose=False)
    data = path.fpath.with_suffix(".edf")
    events = data.with_name(data.name.replace("_eeg.edf", "_events.tsv"))
    assert not events.exists()
    out = tmp_path / "single" / "x.parquet"
    args = ["embed", str(data), "--weights", str(weights), "-o", str(out), "-q"]
    assert main(args) == 0
    meta = load_embeddings(out).metadata
    assert meta["source_files"]["sidecars"] is True
    events.write_text("onset\tduration\ttrial_type\n5.0\t1.0\tBAD_blink\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["info", str(out)]) == 3
    assert f"CHANGED since embedded: {events.name} (added" in capsys.readouterr().out
    check = output_source_check(meta)
    assert (check.changed, check.what) == ([events.name], "added")
    # listing a sidecar tells an output written before the marker apart from an older one
    unmarked = {k: v for k, v in meta["source_files"].items() if k != "sidecars"}
    assert output_source_check({**meta, "source_files": unmarked}).changed == [events.name]
    # an output that recorded the data file alone (an earlier version): not flagged
    alone = {**_meta(data)["source_files"], "files": [data.name]}
    del alone["sidecars"]
    assert output_source_check({**meta, "source_files": alone}).what != "added"
    assert main([*args, "--skip-existing"]) == 0
    said = capsys.readouterr().out
    assert "1 output is stale" in said and f"{events.name}: added" in said
    assert "nothing to do" not in said
    assert events.name in load_embeddings(out).metadata["source_files"]["files"]
    assert main(["info", str(out)]) == 0
    # a sidecar missing when embedded that is back
    moved = events.rename(tmp_path / events.name)
    assert main([*args, "--overwrite"]) == 0
    moved.rename(events)
    capsys.readouterr()
    assert main(["info", str(out)]) == 3
    assert f"CHANGED since embedded: {events.name} (added" in capsys.readouterr().out


def test_skip_existing_warns_of_outputs_embedded_with_other_settings(
    weights, edf, tmp_path, capsys
):
    """--skip-existing keeps an output embedded with other preprocessing (another --window,
    --crop): not silently, a warning names it, the settings that differ and --overwrite; the
    same settings keep it quietly."""
    out = tmp_path / "rec.parquet"
    args = ["embed", str(edf), "--weights", str(weights), "-o", str(out), "-q"]
    assert main(args) == 0
    before = out.stat().st_mtime_ns
    with pytest.warns(EEGPTWarning, match="other preprocessing or channel settings") as caught:
        assert main([*args, "--window", "2", "--skip-existing"]) == 0
    said = " ".join(str(w.message) for w in caught)
    assert f"{out} (window_seconds (4.0 -> 2.0))" in said and "--overwrite" in said
    assert out.stat().st_mtime_ns == before  # kept, not embedded again
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main([*args, "--skip-existing"]) == 0
    assert not [w for w in caught if "other preprocessing" in str(w.message)]
    assert "the output exists; nothing to do" in capsys.readouterr().out


def test_skip_existing_compares_the_crop_and_window_of_epochs(weights, tmp_path):
    """Epochs embedded with --window 1.25 --tail pad, then asked for with --window 1 --crop
    -0.2: the window and the crop differ, said; the same command again says nothing (the
    overlap and start recorded 0 for epochs are not compared)."""
    raw, _ = synthetic_raw(minutes=0.5, seed=4)
    events = mne.make_fixed_length_events(raw, duration=2.0)
    epochs = mne.Epochs(raw, events, {"x": 1}, tmin=-0.25, tmax=1.0 - 1 / raw.info["sfreq"],
                        baseline=None, preload=True, verbose=False)  # fmt: skip
    epo = tmp_path / "e-epo.fif"
    epochs.save(epo, verbose=False)
    folder = tmp_path / "sk"
    args = ["embed", str(epo), "--weights", str(weights), "-o", str(folder), "-q"]
    assert main([*args, "--window", "1.25", "--tail", "pad"]) == 0
    with pytest.warns(EEGPTWarning, match="other preprocessing or channel settings") as caught:
        code = main([*args, "--window", "1", "--crop", "-0.2", "--skip-existing"])
    assert code == 0
    said = " ".join(str(w.message) for w in caught)
    assert "crop_tmin (None -> -0.2)" in said and "window_seconds (1.25 -> 1.0)" in said
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = main([*args, "--window", "1.25", "--tail", "pad", "--skip-existing"])
    assert code == 0
    assert not [w for w in caught if "other preprocessing" in str(w.message)]


def test_skip_existing_tells_epochs_outputs_by_more_than_their_labels():
    """Outputs of epochs without labels (a NumPy array of epochs) are told by what else
    eegpt records only for epochs (window_index, padded_epochs, an epochs_baseline interval):
    their overlap and start, recorded 0, are not compared; a continuous output's are."""
    from eegpt.cli_existing_outputs import _is_epochs_output, warn_other_settings

    class Settings:
        def to_dict(self):
            return {"window_seconds": 4.0, "overlap": 0.5, "start_seconds": 1.0}

    stored = {"window_seconds": 4.0, "overlap": 0.0, "start_seconds": 0.0}
    epochs = [{"window_index": [0, 2]}, {"padded_epochs": {"recorded_s": 1.0}},
              {"epochs_baseline": [-0.2, 0.0]}, {"labels": ["a", "b"]}]  # fmt: skip
    for marker in epochs:
        assert _is_epochs_output(marker)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            warn_other_settings([(Path("e.npz"), {"preprocessing": stored, **marker}, Settings())])
    continuous = {"preprocessing": stored, "epochs_baseline": None}
    assert not _is_epochs_output(continuous)
    with pytest.warns(EEGPTWarning, match="overlap"):
        warn_other_settings([(Path("r.npz"), continuous, Settings())])


def test_a_continuous_output_with_windows_rejected_by_annotation_is_no_epochs_output():
    """`eegpt embed --reject-by-annotation` records the kept windows' indices (window_index)
    beside the onsets of those left out: it is still a continuous recording's output. Taken
    for epochs, --skip-existing kept it without a word under another --overlap or --start,
    and `eegpt info` described its clock as epochs' (first onset to last end)."""
    from eegpt.cli_existing_outputs import _is_epochs_output, warn_other_settings
    from eegpt.cli_info import _timeline_lines

    class Settings:
        def to_dict(self):
            return {"window_seconds": 4.0, "overlap": 2.0, "start_seconds": 0.0}

    stored = {"window_seconds": 4.0, "overlap": 0.0, "start_seconds": 0.0}
    meta = {
        "preprocessing": stored, "epochs_baseline": None, "window_index": [0, 1, 4],
        "rejected_by_annotation": [8.0, 12.0], "meas_date": "2021-03-04T10:00:00+00:00",
        "clock": "utc",
    }  # fmt: skip
    assert not _is_epochs_output(meta)
    with pytest.warns(EEGPTWarning, match=r"overlap \(0.0 -> 2.0\)"):
        warn_other_settings([(Path("r.npz"), meta, Settings())])
    (line,) = _timeline_lines([0.0, 4.0, 16.0], meta)
    assert "epochs from" not in line and "10:00:00 to 2021-03-04 10:00:20" in line
    assert _is_epochs_output({**meta, "epoch_onsets": "events"})  # epochs rejected so


def _channel_warnings(caught):
    """The texts of the --skip-existing warnings of other preprocessing or channel settings."""
    return [str(w.message) for w in caught if "or channel settings" in str(w.message)]


def test_skip_existing_warns_of_outputs_of_another_channel_selection(
    weights, edf, tmp_path, capsys
):
    """--skip-existing keeps outputs embedded with another channel selection (--drop, --rename,
    --keep-channels, --picks): one warning names each output, the channels whose fate differs
    (recorded -> given) or the picks, and --overwrite, also when nothing is left to embed; the
    same selection keeps them quietly."""
    folder = tmp_path / "emb"
    second = tmp_path / "second.edf"
    shutil.copy(edf, second)
    args = ["embed", str(edf), str(second), "--weights", str(weights), "-o", str(folder), "-q"]
    drop = ["--drop", "EEG FZ-REF"]
    assert main([*args, *drop]) == 0
    before = (folder / "rec.npz").stat().st_mtime_ns
    with pytest.warns(EEGPTWarning, match="other preprocessing or channel settings") as caught:
        assert main([*args, "--skip-existing"]) == 0  # nothing to do
    said = " ".join(_channel_warnings(caught))
    assert "2 outputs" in said and "--overwrite" in said
    assert f"{folder / 'rec.npz'} (channels: EEG FZ-REF (dropped -> FZ))" in said
    assert "all 2 outputs exist; nothing to do" in capsys.readouterr().out
    assert (folder / "rec.npz").stat().st_mtime_ns == before  # kept, not embedded again
    (folder / "second.npz").unlink()  # one left to embed: the kept one still compared
    renamed = [*drop, "--rename", "EEG A1-REF=AF3"]
    with pytest.warns(EEGPTWarning, match="or channel settings") as caught:
        assert main([*args, *renamed, "--skip-existing"]) == 0
    said = " ".join(_channel_warnings(caught))
    assert "1 output " in said and "(channels: EEG A1-REF (dropped -> AF3))" in said
    assert "second.npz" not in said  # embedded now, with this selection
    with pytest.warns(EEGPTWarning, match="or channel settings") as caught:
        assert main([*args, *renamed, "--keep-channels", "FP1,FP2,CZ,AF3", "--skip-existing"]) == 0
    said = " ".join(_channel_warnings(caught))
    assert "EEG F7-REF (F7 -> not kept)" in said and "AF3" not in said
    with pytest.warns(EEGPTWarning, match="or channel settings") as caught:
        assert main([*args, *drop, "--picks", "eeg", "--picks", "ecg", "--skip-existing"]) == 0
    assert "(picks (['eeg'] -> ['eeg', 'ecg']))" in " ".join(_channel_warnings(caught))
    (folder / "second.npz").unlink()  # embedded with the rename: now again as rec.npz
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main([*args, *drop, "--skip-existing"]) == 0  # rec.npz: as this selects
    assert not _channel_warnings(caught)


def test_skip_existing_compares_the_channels_a_selection_gives_each_recording():
    """The channel selection of a kept output is compared by what it gives that recording (its
    recorded channels mapped again with this command's options), not by the options: a --drop
    of a channel the recording lacks is no difference; --picks are compared as recorded; an
    output that records no picks or channels (an earlier eegpt's) is not compared."""
    from eegpt.cli_existing_outputs import warn_other_settings

    class Settings:
        def to_dict(self):
            return {"window_seconds": 4.0}

    meta = {
        "preprocessing": {"window_seconds": 4.0},
        "picks": ["eeg"],
        "channels": {"input_names": ["Fp1", "Cz"], "names": ["FP1", "CZ"], "dropped": ["O9"]},
    }
    same = [{}, {"rename": {"T3": None}}, {"rename": {"O9": None}}, {"keep": ["FP1", "CZ"]}]
    for channels in same:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            warn_other_settings([(Path("r.npz"), meta, Settings())], channels=channels)
    with pytest.warns(EEGPTWarning, match=r"r\.npz \(channels: Cz \(CZ -> dropped\)\)"):
        warn_other_settings([(Path("r.npz"), meta, Settings())], channels={"rename": {"Cz": None}})
    with pytest.warns(EEGPTWarning, match=r"r\.npz \(channels: Cz \(CZ -> not kept\)\)"):
        warn_other_settings([(Path("r.npz"), meta, Settings())], channels={"keep": ["FP1"]})
    with pytest.warns(EEGPTWarning, match=r"picks \(\['eeg'\] -> \['eeg', 'eog'\]\)"):
        warn_other_settings([(Path("r.npz"), meta, Settings())], channels={"picks": ["eeg", "eog"]})
    older = {"preprocessing": {"window_seconds": 4.0}}  # nothing recorded: unknown, said nothing
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_other_settings(
            [(Path("r.npz"), older, Settings())], channels={"picks": "eog", "rename": {"Cz": None}}
        )


def test_skip_existing_warns_of_outputs_resampled_by_an_earlier_eegpt(
    weights, edf, tmp_path, capsys
):
    """The polyphase resampler's numbers changed on 2026-12-03, and outputs recorded only
    ``resample polyphase``: --skip-existing kept outputs of 250 Hz recordings resampled by
    the earlier resampler beside new ones without a word. Outputs now record the resampler's
    revision; one without it (nor what eegpt wrote only since) is warned of where its
    recording was resampled; a 256 Hz recording's (never resampled) and this eegpt's are
    kept quietly."""
    from eegpt.outputs import Embeddings
    from eegpt.preprocessing_spec import RESAMPLE_REVISION

    at256 = write_edf(synthetic_raw(minutes=0.2, sfreq=256.0, seed=4)[0], tmp_path / "at256.edf")
    folder = tmp_path / "emb"
    args = ["embed", str(edf), str(at256), "-o", str(folder), "-q", "--weights", str(weights)]
    assert main(args) == 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main([*args, "--skip-existing"]) == 0  # this eegpt's: kept quietly
    assert not [w for w in caught if "resampled otherwise" in str(w.message)]
    for name in ("rec.npz", "at256.npz"):
        emb = load_embeddings(folder / name)
        assert emb.metadata["resample_revision"] == RESAMPLE_REVISION
        # written since the change (eegpt_changes since resample_revision)
        newer = ("resample_revision", "recording_filters", "software", "eegpt_changes")
        older = {k: v for k, v in emb.metadata.items() if k not in newer}
        Embeddings(emb.data, emb.onsets, older).save(folder / name, overwrite=True)
    with pytest.warns(EEGPTWarning, match="resampled otherwise") as caught:
        assert main([*args, "--skip-existing"]) == 0
    said = " ".join(str(w.message) for w in caught)
    assert "keeps 1 output of resampled" in said and str(folder / "rec.npz") in said
    assert "at256" not in said and "4b83ad5 and 7eb0cb7" in said and "--overwrite" in said
    capsys.readouterr()
    assert main(["info", str(folder / "rec.npz")]) == 0  # eegpt info says it too
    assert "resampled by an earlier eegpt's resampler (no revision recorded)" in (
        capsys.readouterr().out
    )
    assert main(["info", str(folder / "at256.npz")]) == 0
    assert "earlier eegpt's resampler" not in capsys.readouterr().out


def test_skip_existing_warns_of_outputs_of_other_weights_or_precision(
    weights, edf, tmp_path, capsys
):
    """--skip-existing keeps outputs embedded with other weights (compared by the encoder
    fingerprint recorded, also when nothing is left to embed) or at another precision: a
    warning names each and both values; the same weights and precision keep them quietly."""
    import torch

    from eegpt.checkpoints import save_checkpoint
    from eegpt.model import EEGPT

    torch.manual_seed(11)
    other = tmp_path / "other-weights"
    save_checkpoint(EEGPT("tiny2"), other)
    folder = tmp_path / "emb"
    second = tmp_path / "second.edf"
    shutil.copy(edf, second)
    args = ["embed", str(edf), str(second), "-o", str(folder), "-q"]
    assert main([*args, "--weights", str(weights)]) == 0
    with pytest.warns(EEGPTWarning, match="other weights than") as caught:  # nothing to do
        assert main([*args, "--weights", str(other), "--skip-existing"]) == 0
    said = " ".join(str(w.message) for w in caught)
    assert "2 outputs" in said and f"{folder / 'rec.npz'} (small " in said
    assert "-> other-weights " in said and "--overwrite" in said
    assert "all 2 outputs exist; nothing to do" in capsys.readouterr().out
    (folder / "second.npz").unlink()  # one left to embed: the loaded weights compared
    with pytest.warns(EEGPTWarning, match="other weights than") as caught:
        assert main([*args, "--weights", str(other), "--skip-existing"]) == 0
    said = " ".join(str(w.message) for w in caught)
    assert "1 output " in said and "rec.npz" in said and "second.npz" not in said
    with pytest.warns(EEGPTWarning, match="another precision") as caught:
        assert main([*args, "--weights", str(other), "--skip-existing", "--precision", "bf16"]) == 0
    said = " ".join(str(w.message) for w in caught)
    assert "(precision float32 -> bfloat16)" in said
    same = ["embed", str(edf), "-o", str(tmp_path / "same"), "-q", "--weights", str(weights)]
    assert main(same) == 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main([*same, "--skip-existing"]) == 0
    assert not [
        w for w in caught if "other weights" in str(w.message) or "precision" in str(w.message)
    ]


@pytest.mark.parametrize("suffix", [".npz", ".parquet"])
def test_skip_existing_embeds_again_a_file_it_cannot_read_as_an_output(
    weights, edf, tmp_path, capsys, suffix
):
    """A file at an output's path that eegpt cannot read as its output (an empty placeholder
    as a workflow's ``touch`` leaves, or one cut short by a copy) is no output done:
    --skip-existing embeds its recording again, replacing it, with a note naming it and why;
    a readable output beside it is kept as it is."""
    recs = [tmp_path / f"sub-0{k}.edf" for k in range(3)]
    for rec in recs:
        shutil.copy(edf, rec)
    good, folder = tmp_path / "good", tmp_path / "out"
    args = ["embed", *map(str, recs), "--weights", str(weights), "-q"]
    assert main([*args, "-o", str(good), "--format", suffix[1:]]) == 0
    folder.mkdir()
    (folder / f"sub-00{suffix}").touch()
    whole = (good / f"sub-01{suffix}").read_bytes()
    (folder / f"sub-01{suffix}").write_bytes(whole[: len(whole) // 2])
    shutil.copy(good / f"sub-02{suffix}", folder / f"sub-02{suffix}")
    kept = (folder / f"sub-02{suffix}").stat().st_mtime_ns
    capsys.readouterr()
    run = [*args, "-o", str(folder), "--format", suffix[1:], "--skip-existing"]
    assert main(run) == 0
    said = capsys.readouterr().out
    assert "nothing to do" not in said
    assert (
        "--skip-existing: 2 files at the output paths are not outputs eegpt can read (empty, "
        "cut short, or not written by eegpt embed): embedding their recordings again, "
        f"replacing them: {folder / f'sub-00{suffix}'} (is not "
    ) in said
    # why: the reader's own message, without the path the note names already
    assert (
        "wrote (an empty file, 0 bytes: " in said and f"{folder / f'sub-01{suffix}'} (is " in said
    )
    for k in range(3):
        assert len(load_embeddings(folder / f"sub-0{k}{suffix}")) > 0
    assert (folder / f"sub-02{suffix}").stat().st_mtime_ns == kept
    assert main(run) == 0
    assert "all 3 outputs exist; nothing to do" in capsys.readouterr().out


def test_skip_existing_warns_of_another_pool_and_replaces_another_recordings_output(
    weights, edf, tmp_path, capsys
):
    """A kept output stored with another --pool is warned of like another precision; a file
    at an output path embedded from another recording is embedded again, saying so (not
    "its recording changed since")."""
    a, c = tmp_path / "a.edf", tmp_path / "c.edf"
    shutil.copy(edf, a)
    shutil.copy(edf, c)
    folder = tmp_path / "emb"
    args = ["embed", str(a), "-o", str(folder), "-q", "--weights", str(weights)]
    assert main(args) == 0
    with pytest.warns(EEGPTWarning, match="another precision or pooling") as caught:
        assert main([*args, "--skip-existing", "--pool", "mean"]) == 0
    assert f"{folder / 'a.npz'} (pool none -> mean)" in " ".join(str(w.message) for w in caught)
    assert "the output exists; nothing to do" in capsys.readouterr().out
    assert main(["embed", str(c), "-o", str(tmp_path / "c_out"), "-q", "--weights",
                 str(weights)]) == 0  # fmt: skip
    shutil.copy(tmp_path / "c_out" / "c.npz", folder / "a.npz")  # another recording's output
    assert main([*args, "--skip-existing"]) == 0
    said = capsys.readouterr().out
    assert "1 output was embedded from another recording than the one given" in said
    assert f"{folder / 'a.npz'} (from {c})" in said and "changed since" not in said
    assert load_embeddings(folder / "a.npz").metadata["source"] == str(a)


def test_skip_existing_keeps_a_parquet_output_read_without_pyarrow(
    weights, edf, tmp_path, monkeypatch
):
    """A valid .parquet output that cannot be read for want of pyarrow (or any error that
    does not say the file is no eegpt output) is not taken for a damaged one: never replaced."""
    pytest.importorskip("pyarrow")
    from eegpt import embeddings_loading
    from eegpt.errors import MissingDependencyError

    folder = tmp_path / "emb"
    args = ["embed", str(edf), "-o", str(folder), "-q", "--weights", str(weights)]
    assert main([*args, "--format", "parquet"]) == 0
    out = folder / "rec.parquet"
    before = (out.read_bytes(), out.stat().st_mtime_ns)

    def no_pyarrow(what="writing Parquet"):
        raise MissingDependencyError(f"{what} needs pyarrow")

    real_outline, real_require = (
        embeddings_loading._load_outline,
        embeddings_loading.require_pyarrow,
    )

    def read_without_pyarrow(path):  # writing still works: a replaced output would show
        monkeypatch.setattr(embeddings_loading, "require_pyarrow", no_pyarrow)
        try:
            return real_outline(path)
        finally:
            monkeypatch.setattr(embeddings_loading, "require_pyarrow", real_require)

    monkeypatch.setattr(embeddings_loading, "_load_outline", read_without_pyarrow)
    try:
        status = main([*args, "--format", "parquet", "--skip-existing"])
    except MissingDependencyError:
        status = 1
    assert status != 0
    assert (out.read_bytes(), out.stat().st_mtime_ns) == before


def test_skip_existing_reads_each_kept_output_once(weights, edf, tmp_path, monkeypatch):
    from eegpt import embeddings_loading

    folder = tmp_path / "emb"
    args = ["embed", str(edf), "-o", str(folder), "-q", "--weights", str(weights)]
    assert main(args) == 0
    read = []
    real = embeddings_loading._load_outline
    monkeypatch.setattr(embeddings_loading, "_load_outline", lambda p: read.append(p) or real(p))
    assert main([*args, "--skip-existing"]) == 0
    assert read == [folder / "rec.npz"]


def test_skip_existing_with_nothing_to_do_compares_weights_at_hand_only(
    weights, edf, tmp_path, monkeypatch
):
    """With nothing to embed, --skip-existing compares the weights only where they are at
    hand: a local file or folder, loaded without setting $EEGPT_OFFLINE (or any variable), or
    a pretrained name or URL already cached; never downloading, nor loading them otherwise."""
    from eegpt import checkpoints, hub

    monkeypatch.delenv("EEGPT_OFFLINE", raising=False)
    monkeypatch.setenv("EEGPT_CACHE", str(tmp_path / "cache"))

    def no_download(*a, **k):
        raise AssertionError("no download")

    monkeypatch.setattr(hub, "download", no_download)
    folder = tmp_path / "emb"
    args = ["embed", str(edf), "-o", str(folder), "-q"]
    assert main([*args, "--weights", str(weights)]) == 0
    seen = []
    real = checkpoints.load_model

    def spy(where, **kw):
        seen.append((where, os.environ.get("EEGPT_OFFLINE")))
        return real(where, **kw)

    monkeypatch.setattr(checkpoints, "load_model", spy)
    assert main([*args, "--weights", str(weights), "--skip-existing"]) == 0
    assert seen == [(Path(weights), None)]  # the environment left as it is
    seen.clear()
    assert main([*args, "--weights", "eegpt-large", "--skip-existing"]) == 0
    url = "https://example.invalid/w/model.safetensors"
    assert main([*args, "--weights", url, "--skip-existing"]) == 0
    assert seen == []  # not cached: not loaded, not downloaded
    assert hub.cached_weights(url) is None and hub.cached_weights("eegpt-large") is None
    cached = hub._url_file(url, tmp_path / "cache")
    cached.parent.mkdir(parents=True)
    shutil.copy(Path(weights) / "model.safetensors", cached)
    assert hub.cached_weights(url) == cached
    assert hub.cached_weights("no-such-weights") is None
    assert "EEGPT_OFFLINE" not in os.environ


def test_a_recorded_source_is_resolved_against_an_absolute_cwd_only(edf, tmp_path, monkeypatch):
    """One rule for the recorded source of an output (``eegpt info``, --skip-existing, the
    readers of several outputs): a relative source is resolved against the recorded cwd only
    where that is absolute; a relative cwd, which would depend on where it is read from, is
    ignored (a recording there is no other recording's)."""
    from eegpt.cli_existing_outputs import _embedded_from_other
    from eegpt.dataset_stamps import recorded_source_path
    from eegpt.outputs_read import recording_identity

    assert recorded_source_path({"source": "<array>"}) is None
    assert recorded_source_path({}) is None
    assert recorded_source_path({"source": "r.edf", "cwd": str(tmp_path)}) == tmp_path / "r.edf"
    assert recorded_source_path({"source": "r.edf", "cwd": "sub"}) == Path("r.edf")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    shutil.copy(edf, tmp_path / "sub" / "rec.edf")  # another file of the recording's name
    rec = tmp_path / "rec.edf"
    shutil.copy(edf, rec)
    meta = {"source": "rec.edf", "cwd": "sub", "source_files": source_files_record(rec)}
    assert _embedded_from_other(meta, rec) is None
    assert output_source_check(meta).where == rec  # not sub/rec.edf
    assert recording_identity(meta) == [("fingerprint", recording_identity(meta)[0][1])]


def test_outputs_of_odd_rates_written_before_the_exact_ratio_count_as_older():
    """The polyphase ratio of odd amplifier rates changed on 2026-12-05 (1017.25 Hz: 38/151,
    then 1024/4069), before outputs recorded ``resample_revision`` (2026-12-06): an output
    with ``recording_filters`` (written since 2026-12-04) but no revision is of an older
    resampler where its rate's ratio changed, not where it did not (250 Hz: 128/125)."""
    from eegpt.preprocessing_spec import RESAMPLE_REVISION, resampled_by_an_older_eegpt

    def meta(rate: float, **more: object) -> dict:
        pre = {"sfreq": 256.0, "resample": "polyphase"}
        return {"preprocessing": pre, "sfreq_in": rate, "recording_filters": {}, **more}

    for rate in (1017.25, 512.5, 25000.0, 30000.0):
        assert resampled_by_an_older_eegpt(meta(rate)), rate
        assert not resampled_by_an_older_eegpt(meta(rate, resample_revision=RESAMPLE_REVISION))
    for rate in (250.0, 500.0, 1000.0, 128.0, 200.0, 2048.0, 256.016385):
        assert not resampled_by_an_older_eegpt(meta(rate)), rate
    older = meta(250.0)
    del older["recording_filters"]  # written before 2026-12-04: the resampler of before
    assert resampled_by_an_older_eegpt(older)


def test_outputs_of_odd_rates_written_after_the_exact_ratio_are_told_by_their_warnings():
    """Outputs of odd rates written from 2026-12-05 19:21 (the exact ratio, 382f1a9) to
    2026-12-06 08:50 (resample_revision recorded) were judged by date alone as of the older
    resampler, refused beside today's. The eegpt before the exact ratio warned of its
    approximate one in every output (``metadata["warnings"]``: 'resampling 1017.25 Hz ->
    256 Hz uses the ratio 38/151'), so an output that kept its warnings without it was
    resampled by today's ratio; where the warnings cannot tell (none kept, as many as are
    kept, a corpus run's recording), as before."""
    import eegpt.preprocessing_spec as spec
    from eegpt.api import MAX_RECORDED_WARNINGS
    from eegpt.preprocessing_spec import resampled_by_an_older_eegpt

    def meta(rate: float, warnings: object, **more: object) -> dict:
        pre = {"sfreq": 256.0, "resample": "polyphase"}
        return {"preprocessing": pre, "sfreq_in": rate, "software": {}, **more} | (
            {} if warnings is None else {"warnings": warnings}
        )

    def said(rate: float, ratio: str) -> str:  # the text of the eegpt before 2026-12-05 19:21
        return (
            f"/data/r.fif: resampling {rate:g} Hz -> 256 Hz uses the ratio {ratio}, i.e. "
            "255.9966887 Hz treated as 256 Hz (time scale off by 1.29e-05); resample the "
            "recording to a rate with a simpler ratio first (e.g. raw.resample) if that matters."
        )

    for rate, ratio in ((1017.25, "38/151"), (512.5, "499/999"), (25000.0, "3/293")):
        assert not resampled_by_an_older_eegpt(meta(rate, [])), rate  # the exact ratio's
        assert not resampled_by_an_older_eegpt(meta(rate, ["flat: Cz"])), rate
        assert resampled_by_an_older_eegpt(meta(rate, [said(rate, ratio)])), rate
        assert resampled_by_an_older_eegpt(meta(rate, None)), rate  # none kept: as before
        cut = [f"warning {i}" for i in range(MAX_RECORDED_WARNINGS)]  # the ratio's may be cut
        assert resampled_by_an_older_eegpt(meta(rate, cut)), rate
        assert resampled_by_an_older_eegpt(meta(rate, [], recording_id="r")), rate  # a run's
    anonymized = said(1017.25, "38/151").replace("/data/r.fif: ", "")
    assert resampled_by_an_older_eegpt(meta(1017.25, [anonymized]))
    other = said(1000.0, "1/4")  # another resampling's warning: not this recording's
    assert not resampled_by_an_older_eegpt(meta(1017.25, [other]))
    assert not resampled_by_an_older_eegpt(meta(250.0, None))  # its ratio never changed
    assert spec._MAX_RECORDED_WARNINGS == MAX_RECORDED_WARNINGS  # its copy, kept alike
