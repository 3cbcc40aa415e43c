"""``--events-from-stim [CHANNEL]`` (Python ``events_from_stim=``): the events of a stim
channel (BioSemi BDF ``Status``, FIF ``STI 014``) made annotations of no duration, at their
triggers' samples, before the windows get theirs (:mod:`eegpt.stim_events`)."""

from __future__ import annotations

import csv
import json
import warnings
from pathlib import Path

import mne
import numpy as np
import pytest

from eegpt.cli import main
from eegpt.outputs import load_embeddings
from eegpt.probe_cli import main as probe_main

NAMES = ["Fp1", "Fp2", "F3", "F4", "C3", "C4", "P3", "P4", "O1", "O2", "Cz", "Pz"]
SFREQ = 512
SECONDS = 24


def _field(text: str, width: int) -> bytes:
    return text.encode("ascii")[:width].ljust(width)


def write_biosemi_bdf(path, eeg_uv, status, names=NAMES, sfreq=SFREQ):
    """A BDF as BioSemi's ActiveTwo writes it: 1-s records of 24-bit samples, EEG in µV
    (±262144 µV), and a ``Status`` channel of the raw 24-bit words (trigger codes in the
    lower 16 bits, BioSemi's status bits above them). ``mne.export`` rescales a stim channel,
    so it is written here byte by byte."""
    n_ch, n_rec = len(names) + 1, status.size // sfreq
    head = b"\xffBIOSEMI" + _field("X X X X", 80) + _field("Startdate 01-JAN-2020 X X X", 80)
    head += _field("01.01.20", 8) + _field("10.00.00", 8) + _field(str(256 * (n_ch + 1)), 8)
    head += _field("24BIT", 44) + _field(str(n_rec), 8) + _field("1", 8) + _field(str(n_ch), 4)
    eeg = n_ch - 1
    columns = (
        (16, [*names, "Status"]),
        (80, ["Active Electrode"] * eeg + ["Triggers and Status"]),
        (8, ["uV"] * eeg + ["Boolean"]),
        (8, ["-262144"] * eeg + ["-8388608"]),
        (8, ["262143"] * eeg + ["8388607"]),
        (8, ["-8388608"] * n_ch),
        (8, ["8388607"] * n_ch),
        (80, [""] * n_ch),
        (8, [str(sfreq)] * n_ch),
        (32, [""] * n_ch),
    )
    for width, values in columns:
        head += b"".join(_field(v, width) for v in values)
    digital = np.vstack([np.round(eeg_uv * 8388608 / 262144), status]).astype(np.int64)
    digital &= 0xFFFFFF
    body = bytearray()
    for r in range(n_rec):
        part = digital[:, r * sfreq : (r + 1) * sfreq]
        three = np.stack([part & 0xFF, (part >> 8) & 0xFF, (part >> 16) & 0xFF], -1)
        body += three.astype(np.uint8).tobytes()
    path.write_bytes(head + bytes(body))
    return path


#: Triggers (sample at 512 Hz, code): 11 at 2 s, 12 at 6.5 s, 11 at 12 s, 13 at 20.25 s.
TRIGGERS = [(1024, 11), (3328, 12), (6144, 11), (10368, 13)]


def _status(upper: int = 0) -> np.ndarray:
    """A Status channel holding :data:`TRIGGERS` (each 5 samples long) over ``upper``, status
    bits set throughout (BioSemi's CMS-in-range and battery bits: 0xFF0000 is typical)."""
    status = np.full(SFREQ * SECONDS, upper, np.int64)
    for sample, code in TRIGGERS:
        status[sample : sample + 5] |= code
    return status


def _eeg() -> np.ndarray:
    return np.random.default_rng(0).normal(0, 20, (len(NAMES), SFREQ * SECONDS))


@pytest.fixture(scope="module")
def bdf(tmp_path_factory):
    """A BioSemi BDF whose Status carries :data:`TRIGGERS` over upper status bits."""
    folder = tmp_path_factory.mktemp("bdf")
    return write_biosemi_bdf(folder / "sub-01_task-oddball.bdf", _eeg(), _status(0xFF0000))


@pytest.fixture(scope="module")
def plain_bdf(tmp_path_factory):
    """A BDF whose Status carries :data:`TRIGGERS` alone (no status bits)."""
    folder = tmp_path_factory.mktemp("plain")
    return write_biosemi_bdf(folder / "plain.bdf", _eeg(), _status())


def _embed(args, out):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert main(["embed", *map(str, args), "-o", str(out), "-q", "--window", "4"]) == 0
    return load_embeddings(out)


def _expected(names: dict[int, str] | None = None, sfreq: float = SFREQ) -> list[list[str]]:
    """The annotations of the six 4-s windows: each trigger in the window that holds it."""
    windows: list[list[str]] = [[] for _ in range(SECONDS // 4)]
    for sample, code in TRIGGERS:
        windows[int(sample / sfreq // 4)].append((names or {}).get(code, str(code)))
    return [list(dict.fromkeys(w)) for w in windows]


def test_cli_embed_makes_bdf_status_events_annotations(weights, plain_bdf, tmp_path, capsys):
    """embed --events-from-stim: each trigger of a BDF's Status is an annotation of the
    window that holds it (the file read at 512 Hz, the windows cut at 256 Hz), described by
    its code or by --event-names; recorded in metadata['events_from_stim'], which eegpt info
    shows."""
    emb = _embed([plain_bdf, "--weights", weights, "--events-from-stim"], tmp_path / "a.npz")
    assert emb.metadata["annotations"] == _expected()
    assert emb.metadata["events_from_stim"] == {"channel": None, "mask": None, "event_names": {}}
    named = _embed([plain_bdf, "--weights", weights, "--events-from-stim=Status",
                    "--event-names", "11=standard", "--event-names", "12=target"],
                   tmp_path / "b.npz")  # fmt: skip
    assert named.metadata["annotations"] == _expected({11: "standard", 12: "target"})
    assert named.metadata["events_from_stim"]["event_names"] == {"11": "standard", "12": "target"}
    assert named.metadata["events_from_stim"]["channel"] == "Status"
    capsys.readouterr()
    assert main(["info", str(tmp_path / "b.npz")]) == 0
    shown = capsys.readouterr().out
    assert (
        ", with the events of its stim channel made annotations (--events-from-stim Status "
        "--event-names 11=standard --event-names 12=target)" in shown
    )
    without = _embed([plain_bdf, "--weights", weights], tmp_path / "c.npz")
    assert "annotations" not in without.metadata and "events_from_stim" not in without.metadata


def test_biosemi_status_bits_are_warned_of_and_masked(weights, bdf, tmp_path):
    """MNE reads a BDF's Status with BioSemi's status bit 16 kept (0xFF0000 reads 65536), so
    the codes are 65536 + code: warned of without --stim-mask, with the mask to give; with
    --stim-mask 0xFF the codes are the triggers sent."""
    args = ["embed", str(bdf), "--weights", str(weights), "-q", "--window", "4",
            "--events-from-stim"]  # fmt: skip
    with pytest.warns(RuntimeWarning, match=r"carry BioSemi's upper status bits \(codes "
                      r"65536, 65547.*--stim-mask 0xFF"):  # fmt: skip
        assert main([*args, "-o", str(tmp_path / "raw.npz")]) == 0
    masked = _embed([bdf, "--weights", weights, "--events-from-stim", "--stim-mask", "0xff"],
                    tmp_path / "masked.npz")  # fmt: skip
    assert masked.metadata["annotations"] == _expected()
    assert masked.metadata["events_from_stim"]["mask"] == 255
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning of status bits with a mask
        from eegpt.stim_events import StimEvents, stim_annotations

        raw = mne.io.read_raw_bdf(bdf, verbose=False)
        made = stim_annotations(raw, StimEvents(mask=0xFFFF), str(bdf))
    assert list(made.description) == ["11", "12", "11", "13"]


def _fif_raw(sfreq=250.0, seconds=SECONDS, dated=True):
    """A Raw of EEG and an ``STI 014`` (typed stim) holding code 5 at 2 s and 7 at 9.5 s."""
    rng = np.random.default_rng(1)
    info = mne.create_info([*NAMES, "STI 014"], sfreq, ["eeg"] * len(NAMES) + ["stim"])
    data = rng.normal(0, 20e-6, (len(NAMES) + 1, int(seconds * sfreq)))
    data[-1] = 0
    for t, code in ((2.0, 5), (9.5, 7)):
        k = int(round(t * sfreq))
        data[-1, k : k + 3] = code
    raw = mne.io.RawArray(data, info, verbose=False)
    if dated:
        raw.set_meas_date(1_600_000_000)
    return raw


def test_fif_sti014_resampled_and_cropped_raw(weights, model, tmp_path):
    """A FIF's STI 014 at 250 Hz: the events land in the windows that hold them after the
    resampling to 256 Hz; a Raw cropped in Python (first_samp > 0) keeps each event on its
    trigger's sample (onsets from its first sample), with and without a measurement date."""
    raw = _fif_raw()
    fif = tmp_path / "rec_raw.fif"
    raw.save(fif, verbose=False)
    emb = _embed([fif, "--weights", weights, "--events-from-stim", "--event-names", "7=go"],
                 tmp_path / "fif.npz")  # fmt: skip
    assert emb.metadata["annotations"] == [["5"], [], ["go"], [], [], []]

    from eegpt.annotations import annotations_of
    from eegpt.stim_events import StimEvents, stim_annotations

    for dated in (True, False):
        cropped = _fif_raw(dated=dated).crop(tmin=2.5)  # trigger 7 at 9.5 s: 7 s in
        assert cropped.first_samp > 0
        made = stim_annotations(cropped, StimEvents(), "<Raw>")
        assert list(made.description) == ["7"]
        assert made.onset[0] * cropped.info["sfreq"] == pytest.approx(7.0 * 250)
        stim = cropped.copy().pick(["STI 014"]).get_data()[0]
        assert (
            stim[int(round(made.onset[0] * 250))] == 7 and stim[int(made.onset[0] * 250) - 1] == 0
        )
        if dated:  # where the recording's own annotation at that moment lands
            at = mne.Annotations([9.5], [0.0], ["x"], orig_time=cropped.info["meas_date"])
            own = annotations_of(cropped.copy().set_annotations(at))
            assert own is not None and own.onset[0] == pytest.approx(made.onset[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out = model.embed(_fif_raw().crop(tmin=2.5), events_from_stim=True, window_seconds=4,
                          device="cpu")  # fmt: skip
    assert out.metadata["annotations"][1] == ["7"]  # 7 s in: the window of 4-8 s
    assert out.metadata["events_from_stim"]["channel"] is None


def test_errors_name_the_stim_channels(model, tmp_path, capsys):
    """No stim channel, two without one named, an unknown name, and the mask or names without
    the option: errors that say what was found and what to give."""
    raw = _fif_raw()
    eeg_only = raw.copy().pick("eeg")
    with pytest.raises(ValueError, match=r"has no stim channel .* --events-from-stim CHANNEL"):
        model.embed(eeg_only, events_from_stim=True, device="cpu")
    eeg_only.set_annotations(mne.Annotations([1.0, 3.0], [0, 0], ["Stimulus/S  1"] * 2))
    with pytest.raises(ValueError, match=r"has no stim channel .* Its events are already "
                       r"annotations \(2 markers: 'Stimulus/S  1'\).*leave out --events-from-stim"):  # fmt: skip
        model.embed(eeg_only, events_from_stim=True, device="cpu")
    two = raw.copy().rename_channels({"STI 014": "TRIG1"})
    two.add_channels([two.copy().pick(["TRIG1"]).rename_channels({"TRIG1": "TRIG2"})])
    with pytest.raises(ValueError, match=r"has 2 stim channels \('TRIG1', 'TRIG2'\) .* "
                       r"--events-from-stim TRIG1"):  # fmt: skip
        model.embed(two, events_from_stim=True, device="cpu")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        picked = model.embed(two, events_from_stim="TRIG2", window_seconds=4, device="cpu")
    assert picked.metadata["annotations"][0] == ["5"]
    with pytest.raises(ValueError, match=r"no channel 'Trigger' \(its stim channels: 'TRIG1'"):
        model.embed(two, events_from_stim="Trigger", device="cpu")
    with pytest.raises(ValueError, match="give events_from_stim=True"):
        model.embed(raw, stim_mask=0xFF, device="cpu")
    fif = tmp_path / "rec_raw.fif"
    raw.save(fif, verbose=False)
    capsys.readouterr()
    assert main(["embed", str(fif), "--weights", "w", "-o", "o.npz", "--event-names", "3=a"])
    assert "--stim-mask and --event-names apply" in capsys.readouterr().err
    x = str(tmp_path / "x.bdf")
    with pytest.raises(SystemExit):
        main(["embed", "--events-from-stim", x, "--weights", "w", "-o", "o.npz"])
    err = " ".join(capsys.readouterr().err.split())
    assert f"took '{x}', a recording, for the stim channel's name: put the option after" in err


@pytest.mark.parametrize("name", ["rec.npz", "rec.fif.gz", "REC.NPZ", "rec.mff", "rec.eeg"])
def test_events_from_stim_refuses_a_recording_word_not_yet_there(name, tmp_path, capsys):
    """A word after --events-from-stim ending as a recording does (an array file, a gzipped
    FIF, an EGI .mff, a BrainVision .eeg) is refused as the option's CHANNEL even where no
    such file exists yet: eegpt info's own list of recording suffixes (no .npz, no .gz) once
    replaced the one of this check, which then lost .mff and .eeg when given its own back."""
    word = str(tmp_path / name)
    with pytest.raises(SystemExit):
        main(["embed", "--events-from-stim", word, "--weights", "w", "-o", "o.npz"])
    err = " ".join(capsys.readouterr().err.split())
    assert f"took '{word}', a recording, for the stim channel's name" in err


def test_event_names_of_codes_never_held_are_warned_of(weights, plain_bdf, tmp_path):
    """A name given for a code the recording never holds: warned of, naming the codes found."""
    args = [
        "embed",
        str(plain_bdf),
        "--weights",
        str(weights),
        "-q",
        "--window",
        "4",
        "--events-from-stim",
        "--event-names",
        "99=novel",
        "-o",
        str(tmp_path / "n.npz"),
    ]
    with pytest.warns(RuntimeWarning, match=r"names code\(s\) 99 that 'Status' never holds "
                      r"\(its codes: 11, 12, 13\)"):  # fmt: skip
        assert main(args) == 0


def test_unused_stim_events_are_noted(weights, plain_bdf, tmp_path, capsys):
    """Without --events-from-stim, a stim channel that holds events is said to be unused,
    once, with the option; a recording whose stim channel holds none says nothing."""
    out = tmp_path / "o.npz"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert main(["embed", str(plain_bdf), "--weights", str(weights), "-o", str(out),
                     "--window", "4"]) == 0  # fmt: skip
    err = capsys.readouterr().err
    note = "Status holds 4 events (codes 11, 12, 13) that are not used; --events-from-stim"
    assert err.count(note) == 1
    quiet = write_biosemi_bdf(tmp_path / "quiet.bdf", _eeg(), np.zeros(SFREQ * SECONDS, int))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert main(["embed", str(quiet), "--weights", str(weights), "-o",
                     str(tmp_path / "q.npz"), "--window", "4"]) == 0  # fmt: skip
    assert "that are not used" not in capsys.readouterr().err


def test_embed_dataset_records_the_setting_and_resume_checks_it(weights, plain_bdf, tmp_path,
                                                                capsys):  # fmt: skip
    """embed-dataset --events-from-stim: the annotations column holds the events; the setting
    is one of the run's, which a resume with another is refused for (naming the options) and
    the same resumes; a recording without a stim channel fails alone."""
    import shutil

    from eegpt.dataset_read import read_embeddings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(plain_bdf, corpus / "a.bdf")
    out = tmp_path / "ds"
    stim = ["--events-from-stim", "--event-names", "12=target"]
    args = ["embed-dataset", str(corpus), "-o", str(out), "--weights", str(weights), "-q",
            "--window", "4"]  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert main([*args, *stim]) == 0
    said = capsys.readouterr()
    summary = " ".join((said.out + said.err).split())
    assert "used for events (--events-from-stim), not embedded: Status (stim, 1 file)" in summary
    assert "not used: Status" not in summary
    table, _ = read_embeddings(out)
    assert [list(a) for a in table["annotations"]] == _expected({12: "target"})
    assert main(["info", str(out)]) == 0
    assert "  events: each recording's stim channel events made annotations " \
           "(--events-from-stim --event-names 12=target)" in capsys.readouterr().out  # fmt: skip
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "events_from_stim" in err and "[--events-from-stim, --stim-mask, --event-names]" in err
    assert main([*args, "--events-from-stim", "--event-names", "12=go"]) == 1
    assert "[--events-from-stim, --stim-mask, --event-names]" in capsys.readouterr().err
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert main([*args, *stim]) == 0  # the same: resumes (nothing left to do)


def test_probe_train_labels_windows_by_stim_event_names(weights, plain_bdf, tmp_path, capsys):
    """probe train --events-from-stim --event-names with --window-labels on the names: state
    triggers (11 and 13 eyes closed, 12 eyes open) made spans by --marker-spans label the
    windows; the setting is recorded in the probe."""
    out = tmp_path / "probe"
    args = ["train", str(plain_bdf), "--weights", str(weights), "-o", str(out), "-q",
            "--window", "4", "--passes", "1", "--events-from-stim", "--event-names", "11=EC",
            "--event-names", "12=EO", "--event-names", "13=EC", "--marker-spans", "EC=^EC$",
            "--marker-spans", "EO=^EO$", "--window-labels", "EC=^EC$",
            "--window-labels", "EO=^EO$"]  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert probe_main(args) == 0
    err = capsys.readouterr().err
    assert f"{plain_bdf}: 6 windows of 4 s: 'EC' 5, 'EO' 1" in err
    trained = json.loads((out / "probe.json").read_text())["training"]["window_labels"]
    assert trained["events_from_stim"] == {
        "channel": None, "mask": None, "event_names": {"11": "EC", "12": "EO", "13": "EC"},
    }  # fmt: skip
    assert main(["info", str(out)]) == 0  # says so, without importing MNE
    assert "(stim channel events made annotations first: --events-from-stim --event-names " \
           "11=EC --event-names 12=EO --event-names 13=EC)" in capsys.readouterr().out  # fmt: skip
    pred = tmp_path / "pred.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert probe_main(["predict", str(out), str(plain_bdf), "-o", str(pred)]) == 0
    assert "stim channel events made annotations as in training: --events-from-stim " \
           "--event-names 11=EC" in capsys.readouterr().err  # fmt: skip
    labels = [r["label"] for r in csv.DictReader(pred.open())]
    assert labels == ["EC", "EC", "EO", "EC", "EC", "EC"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert probe_main(["evaluate", str(out), str(plain_bdf), "-q"]) == 0
    said = capsys.readouterr()
    assert f"{plain_bdf}: 6 windows of 4 s: 'EC' 5, 'EO' 1" in said.err
    assert "smallest class 'EO' (1 of 6" in said.out
    # adopted, a recording without a stim channel is predicted unlabelled, with a warning
    edf = tmp_path / "nostim.edf"
    info = mne.create_info(NAMES, 256.0, "eeg")
    mne.export.export_raw(edf, mne.io.RawArray(_eeg() * 1e-6, info, verbose=False),
                          verbose=False)  # fmt: skip
    with pytest.warns(RuntimeWarning, match=r"has no stim channel .* The probe was trained "
                      r"with --events-from-stim"):  # fmt: skip
        assert probe_main(["predict", str(out), str(edf), "-o", str(tmp_path / "e.csv")]) == 0
    bare = ["train", str(plain_bdf), "--weights", str(weights), "-o", str(tmp_path / "p2"),
            "-q", "--window", "4", "--passes", "1", "--events-from-stim"]  # fmt: skip
    assert probe_main(bare) != 0
    said = " ".join(capsys.readouterr().err.split())
    assert "--events-from-stim makes annotations of no duration, which label no window" in said
    assert "--marker-spans EC=^EC$" in said and "target=^target$" not in said
    with pytest.raises(SystemExit):
        probe_main(["train", "--help"])
    helped = " ".join(capsys.readouterr().out.split())
    assert "so they label no window by themselves: for states" in helped
    assert "target=^target$" not in helped


def test_skip_existing_warns_of_outputs_kept_without_the_events(weights, plain_bdf, tmp_path):
    """embed --skip-existing --events-from-stim keeps an output embedded without it (no events
    in its annotations) with one warning naming the setting recorded and the one given."""
    out = tmp_path / "out.npz"
    base = ["embed", str(plain_bdf), "--weights", str(weights), "-o", str(out), "-q",
            "--window", "4"]  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert main(base) == 0
    with pytest.warns(Warning, match=r"events_from_stim \(None -> \{'channel': None"):
        assert main([*base, "--skip-existing", "--events-from-stim"]) == 0
    assert "annotations" not in load_embeddings(out).metadata  # kept as it was


def test_an_event_at_a_window_start_is_that_window_s(model):
    """A stimulus at a window's first sample (8 s, window 8-12 s after the resampling from
    250 Hz to 256 Hz) is listed in that window only, as MNE lists an event in the epoch that
    starts at it."""
    raw = _fif_raw()
    data = raw.get_data()
    data[-1] = 0
    data[-1, 2000:2003] = 9  # 8 s at 250 Hz
    at_start = mne.io.RawArray(data, raw.info, verbose=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        emb = model.embed(at_start, events_from_stim=True, window_seconds=4, device="cpu")
    assert emb.metadata["annotations"] == [[], [], ["9"], [], [], []]


def test_epochs_given_with_the_option_are_said_to_be_left_as_they_are(weights, tmp_path):
    """embed --events-from-stim with an -epo.fif among the recordings: one warning naming it
    (its windows are its epochs, cut around their events already); it is embedded as is."""
    raw = _fif_raw()
    events = mne.make_fixed_length_events(raw, duration=4.0)
    epochs = mne.Epochs(raw, events, tmin=0, tmax=4 - 1 / 250, baseline=None, preload=True,
                        verbose=False)  # fmt: skip
    path = tmp_path / "sub-01-epo.fif"
    epochs.save(path, verbose=False)
    with pytest.warns(RuntimeWarning, match=r"--events-from-stim makes the events of "
                      r".*/sub-01-epo.fif holds epochs, left as they are"):  # fmt: skip
        assert main(["embed", str(path), "--weights", str(weights), "-q", "-o",
                     str(tmp_path / "e.npz"), "--events-from-stim"]) == 0  # fmt: skip
    assert "events_from_stim" not in load_embeddings(tmp_path / "e.npz").metadata


def test_embed_dataset_fails_a_recording_without_a_stim_channel_alone(weights, plain_bdf,
                                                                      tmp_path):  # fmt: skip
    """embed-dataset --events-from-stim over a recording with a Status channel and one without
    a stim channel: the first is embedded with its events, the second fails alone, its error
    (naming the option) in _errors.csv; exit status 3."""
    import shutil

    from eegpt.dataset_read import ERRORS_REPORT, read_embeddings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(plain_bdf, corpus / "a.bdf")
    info = mne.create_info(NAMES, 256.0, "eeg")
    mne.export.export_raw(corpus / "b.edf", mne.io.RawArray(_eeg() * 1e-6, info, verbose=False),
                          verbose=False)  # fmt: skip
    out = tmp_path / "ds"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert main(["embed-dataset", str(corpus), "-o", str(out), "--weights", str(weights),
                     "-q", "--window", "4", "--events-from-stim"]) == 3  # fmt: skip
    table, _ = read_embeddings(out)
    assert [list(a) for a in table["annotations"]] == _expected()
    errors = (out / ERRORS_REPORT).read_text()
    assert "b.edf" in errors and "--events-from-stim" in errors and "no stim channel" in errors


def test_a_high_trigger_byte_is_warned_of(bdf):
    """A Status whose upper trigger byte is held high (0xFF00: codes read as 65280 + code) is
    warned of as BioSemi's, with the mask to give; masked, the codes are those sent."""
    from eegpt.stim_events import StimEvents, stim_annotations

    raw = mne.io.read_raw_bdf(bdf, verbose=False, preload=True)
    high = mne.io.RawArray(raw.get_data(), raw.info, verbose=False)
    high._data[-1] = np.where(raw.get_data(picks="Status")[0] > 65536, 0xFF00 + raw.get_data(
        picks="Status")[0] - 65536, 0xFF00)  # fmt: skip
    with pytest.warns(RuntimeWarning, match=r"carry the upper trigger byte \(codes 65280, 65291, "
                      r"65292, 65293: 65280 \+ code, pins 9-16 held high\).*--stim-mask 0xFF"):  # fmt: skip
        stim_annotations(high, StimEvents(), "rec.bdf")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        made = stim_annotations(high, StimEvents(mask=0xFF), "rec.bdf")
    assert list(made.description) == ["11", "12", "11", "13"]


def test_a_stim_channel_read_without_is_found_in_its_file(plain_bdf):
    """A streamed EDF/BDF read without its stim channel (left out as stored faster than the
    EEG, eegpt.streaming): the events are found in the file opened again with all channels."""
    from dataclasses import dataclass

    from eegpt.io import open_recording
    from eegpt.stim_events import StimEvents, made_annotations

    raw, _ = open_recording(plain_bdf, preload=False, verbose="error", exclude=["Status"])
    assert "Status" not in raw.ch_names

    @dataclass
    class Streamed:
        raw: mne.io.BaseRaw
        source: str
        is_epoched: bool = False

    made = made_annotations(Streamed(raw, str(plain_bdf)), StimEvents())
    assert made is not None
    assert list(made.description) == ["11", "12", "11", "13"]
    assert list(np.round(made.onset * SFREQ)) == [s for s, _ in TRIGGERS]


def test_a_path_read_whole_finds_the_events_as_streamed(model, plain_bdf):
    """embed(path, stream=False) reads the recording whole (its stim channel left out): the
    events are found in its file, the same as streamed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        whole = model.embed(plain_bdf, events_from_stim="Status", event_names={12: "target"},
                            stream=False, window_seconds=4, device="cpu")  # fmt: skip
        streamed = model.embed(plain_bdf, events_from_stim=True, event_names={12: "target"},
                               window_seconds=4, device="cpu")  # fmt: skip
    assert whole.metadata["annotations"] == streamed.metadata["annotations"]
    assert whole.metadata["annotations"] == _expected({12: "target"})


def test_a_stim_channel_without_events_is_warned_of(plain_bdf):
    """--events-from-stim on a stim channel that holds no events under the mask given: warned
    of (none made), naming the channel and the mask."""
    from eegpt.stim_events import StimEvents, stim_annotations

    raw = mne.io.read_raw_bdf(plain_bdf, verbose=False)
    with pytest.warns(RuntimeWarning, match=r"'Status' holds no events \(its code never "
                      r"changes from zero under --stim-mask 0x100\).*or the mask"):  # fmt: skip
        made = stim_annotations(raw, StimEvents(mask=0x100), str(plain_bdf))
    assert len(made) == 0


def _write_fast_trigger_edf(path, label="Trigger", eeg_rate=256, trigger_rate=1024, unit=""):
    """An EDF of :data:`NAMES` at ``eeg_rate`` and a trigger channel ``label`` stored faster,
    at ``trigger_rate``, in ``unit``, holding :data:`TRIGGERS` (each 5 samples at its rate)."""
    import datetime

    import edfio

    eeg = _eeg()[:, :: SFREQ // eeg_rate]
    trigger = np.zeros(trigger_rate * SECONDS)
    for sample, code in TRIGGERS:
        start = sample * trigger_rate // SFREQ
        trigger[start : start + 5] = code
    signals = [
        edfio.EdfSignal(row, sampling_frequency=eeg_rate, label=name, physical_dimension="uV",
                        physical_range=(-500, 500))
        for name, row in zip(NAMES, eeg, strict=True)
    ]  # fmt: skip
    signals.append(edfio.EdfSignal(trigger, sampling_frequency=trigger_rate, label=label,
                                   physical_dimension=unit, physical_range=(0, 255),
                                   digital_range=(0, 255)))  # fmt: skip
    edfio.Edf(signals, starttime=datetime.time(10),
              recording=edfio.Recording(startdate=datetime.date(2021, 3, 4))).write(path)  # fmt: skip
    return path


@pytest.mark.parametrize("label", ["Trigger", "Status"])
def test_a_trigger_channel_faster_than_the_eeg_is_read_at_its_own_rate(model, tmp_path, label):
    """An EDF whose trigger channel (typed stim) is stored at 1024 Hz beside EEG at 256 Hz:
    MNE reads every channel at 1024 Hz but gives info['sfreq'] as 256 Hz. Streamed and read
    whole, the EEG is read at its own rate (24 s, six 4-s windows, not 24) and the events at
    the trigger's (each in its window); a Raw so read, given in Python, is refused."""
    from eegpt.errors import RecordingError

    path = _write_fast_trigger_edf(tmp_path / "fast.edf", label)
    for stream in (True, False):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            emb = model.embed(path, events_from_stim=label, stream=stream, window_seconds=4,
                              device="cpu")  # fmt: skip
            plain = model.embed(path, stream=stream, window_seconds=4, device="cpu")
        assert list(emb.onsets) == list(plain.onsets) == [0, 4, 8, 12, 16, 20]
        assert emb.metadata["annotations"] == _expected()
    raw = mne.io.read_raw_edf(path, verbose="error")
    with pytest.raises(RecordingError, match=r"stored at 1024 Hz beside channels at 256 Hz.*"
                       r"stretched 4 times.*exclude=\[" + repr(label)):  # fmt: skip
        model.embed(raw, window_seconds=4, device="cpu")


def test_a_named_trigger_channel_typed_eeg_stored_faster_is_found_in_its_file(model, tmp_path):
    """--events-from-stim DC1, a trigger channel typed EEG stored faster than the EEG: the
    stream reads the file without it (unused, faster), and finds it in the file opened again,
    as a whole read does."""
    path = _write_fast_trigger_edf(tmp_path / "dc1.edf", "DC1")
    for stream in (True, False):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            emb = model.embed(path, events_from_stim="DC1", stream=stream, window_seconds=4,
                              device="cpu")  # fmt: skip
        assert list(emb.onsets) == [0, 4, 8, 12, 16, 20]
        assert emb.metadata["annotations"] == _expected()


@pytest.mark.parametrize("unit", ["uV", "mV"])
def test_trigger_codes_stored_in_a_unit_are_read_in_it(tmp_path, unit):
    """A trigger channel of an EDF typed EEG and stored in µV or mV (MNE scales it to volts:
    11 µV is 1.1e-05, which mne.find_events casts to 0): its codes are read in the file's
    unit, each event at its sample."""
    from eegpt.stim_events import StimEvents, stim_annotations

    path = _write_fast_trigger_edf(tmp_path / "trig.edf", "TRIG", 256, 256, unit)
    raw = mne.io.read_raw_edf(path, verbose="error")
    assert raw.get_channel_types(picks=["TRIG"]) == ["eeg"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        made = stim_annotations(raw, StimEvents("TRIG"), str(path))
    assert list(made.description) == ["11", "12", "11", "13"]
    assert list(np.round(made.onset * SFREQ)) == [s for s, _ in TRIGGERS]


def test_trigger_values_not_whole_in_the_file_unit_are_warned_of():
    """A channel in µV whose values are not whole numbers of µV holds no trigger codes as
    stored: warned of, naming the channel, its unit and values."""
    from eegpt.stim_events import StimEvents, stim_annotations

    values = np.zeros((1, 1000))
    values[0, 100:105] = 11.5e-6
    raw = mne.io.RawArray(values, mne.create_info(["TRIG"], 250.0, "eeg"), verbose=False)
    raw._orig_units = {"TRIG": "µV"}  # as MNE's EDF reader records a channel stored in µV
    with pytest.warns(RuntimeWarning, match=r"'TRIG': its values in the file's unit \(µV\) "
                      r"are not whole numbers \(11\.5"):  # fmt: skip
        stim_annotations(raw, StimEvents("TRIG"), "x.edf")


def test_a_trigger_on_at_the_first_sample_is_an_event(tmp_path):
    """A code already on at the recording's first sample (a trigger at the file's start, or a
    Raw cropped inside one) is an event there, not dropped (MNE's initial_event)."""
    from eegpt.stim_events import StimEvents, stim_annotations

    status = _status()
    status[0:3] = 15
    path = write_biosemi_bdf(tmp_path / "first.bdf", _eeg(), status)
    raw = mne.io.read_raw_bdf(path, verbose=False)
    made = stim_annotations(raw, StimEvents(), str(path))
    assert list(made.description) == ["15", "11", "12", "11", "13"]
    assert list(np.round(made.onset * SFREQ)) == [0, *(s for s, _ in TRIGGERS)]
    cropped = raw.copy().crop(tmin=(TRIGGERS[0][0] + 2) / SFREQ)  # inside the first 11
    made = stim_annotations(cropped, StimEvents(), str(path))
    assert list(made.description) == ["11", "12", "11", "13"]
    assert made.onset[0] == 0


def test_a_stim_channel_resting_above_zero_is_warned_of_with_the_mask(bdf):
    """A stim channel that rests at a code other than 0 (a FIF STI 014 idle at 256) makes an
    event of every return to rest: warned of, naming the level and the mask that removes it;
    with that mask, the codes sent and no warning."""
    from eegpt.stim_events import StimEvents, stim_annotations

    raw = _fif_raw()
    raw._data[-1] += 256
    with pytest.warns(RuntimeWarning, match=r"'STI 014' rests at 256, not 0.*every return to "
                      r"256.*--stim-mask 0xff"):  # fmt: skip
        made = stim_annotations(raw, StimEvents(), "rec.fif")
    assert list(made.description) == ["261", "256", "263", "256"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        made = stim_annotations(raw, StimEvents(mask=0xFF), "rec.fif")
    assert list(made.description) == ["5", "7"]
    held = mne.io.read_raw_bdf(bdf, verbose=False)  # BioSemi's bits: 65536 throughout
    with pytest.warns(RuntimeWarning, match=r"'Status' holds no events \(its code is 65536 "
                      r"throughout under --stim-mask 0x10000\)"):  # fmt: skip
        stim_annotations(held, StimEvents(mask=0x10000), str(bdf))


def test_a_neuromag_sti_channel_with_sti016_active_gives_the_codes_sent():
    """A Neuromag STI101 with STI016 active stores its 16-bit words as signed ones (-32768 +
    code): read as unsigned (MNE's uint_cast=True), so under --stim-mask 0xFF the codes are
    those sent, without MNE's warning; negative values elsewhere are warned of, naming the
    recording."""
    from eegpt.stim_events import StimEvents, stim_annotations

    raw = _fif_raw()
    raw.rename_channels({"STI 014": "STI101"})
    words = raw._data[-1].astype(np.int64) | 0x8000
    raw._data[-1] = words.astype(np.uint16).view(np.int16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        made = stim_annotations(raw, StimEvents(mask=0xFF), "rec_raw.fif")
    assert list(made.description) == ["5", "7"]
    raw.rename_channels({"STI101": "Trig"})
    with pytest.warns(RuntimeWarning, match=r"rec\.edf: --events-from-stim: 'Trig' holds "
                      r"negative values \(-32768, -32763, -32761\)"):  # fmt: skip
        stim_annotations(raw, StimEvents("Trig", mask=0xFF), "rec.edf")


def test_the_equals_form_names_a_channel_even_where_a_path_has_its_name(
    weights, plain_bdf, tmp_path, monkeypatch
):
    """--events-from-stim=Status names the channel even with a folder named Status in the
    working directory (the separate word is refused as a recording taken by mistake)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Status").mkdir()
    out = _embed([plain_bdf, "--weights", weights, "--events-from-stim=Status"], tmp_path / "a.npz")
    assert out.metadata["annotations"] == _expected()
    assert out.metadata["events_from_stim"]["channel"] == "Status"


def test_epochs_given_in_python_with_the_option_are_warned_of(model):
    """embed(mne.Epochs, events_from_stim=True): the epochs are embedded as they are, with a
    warning (as the command line gives one), not silently."""
    raw = _fif_raw()
    events = mne.make_fixed_length_events(raw, duration=4.0)
    epochs = mne.Epochs(raw, events, tmin=0, tmax=4 - 1 / 250, baseline=None, preload=True,
                        verbose=False)  # fmt: skip
    with pytest.warns(RuntimeWarning, match=r"events_from_stim= makes the events of a "
                      r"continuous recording's stim channel annotations; these are epochs"):  # fmt: skip
        emb = model.embed(epochs, events_from_stim=True, window_seconds=4, device="cpu")
    assert len(emb.onsets) == len(events)


def test_embed_dataset_help_speaks_of_its_own_input(capsys):
    """embed-dataset --help: --events-from-stim joins a manifest's annotations_file (the
    command has no --annotations) and goes after its one input."""
    with pytest.raises(SystemExit):
        main(["embed-dataset", "--help"])
    said = " ".join(capsys.readouterr().out.split())
    assert "joined to the recording's own and its manifest annotations_file's" in said
    assert "Put it after the input, or give --events-from-stim=CHANNEL" in said
    option = said[said.index("make the events of the recording's stim channel") :]
    option = option[: option.index("--stim-mask MASK")]
    assert "--annotations'" not in option and "after the recordings" not in option


def test_a_resampled_raw_of_an_edf_keeps_its_rate(model, tmp_path):
    """A Raw of an EDF resampled in Python (MNE keeps the file's rates in its reader's
    details): read at its new rate, its events where they are; one whose trigger channel is
    stored faster than the EEG stays refused (its samples stretched as read)."""
    from eegpt.errors import RecordingError
    from eegpt.stim_events import StimEvents, stim_annotations

    path = _write_fast_trigger_edf(tmp_path / "even.edf", "Trigger", 256, 256)
    raw = mne.io.read_raw_edf(path, preload=True, verbose="error").resample(128)
    made = stim_annotations(raw, StimEvents(), str(path))
    assert list(np.round(made.onset * SFREQ)) == [s for s, _ in TRIGGERS]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        emb = model.embed(raw, window_seconds=4, device="cpu")
    assert list(emb.onsets) == [0, 4, 8, 12, 16, 20]
    fast = _write_fast_trigger_edf(tmp_path / "fast.edf", "Trigger")
    raw = mne.io.read_raw_edf(fast, preload=True, verbose="error").resample(128)
    with pytest.raises(RecordingError, match=r"Trigger stored at 1024 Hz beside channels "
                       r"at 256 Hz.*stretched 4 times"):  # fmt: skip
        model.embed(raw, window_seconds=4, device="cpu")


def test_codes_and_masks_with_leading_zeros_are_read_in_base_10():
    """``--event-names 011=std`` and ``--stim-mask 0255``: Python's literals refuse leading
    zeros; all-digit text is decimal."""
    from eegpt.stim_events import parse_event_names, parse_stim_mask

    assert parse_event_names(["011=std", "0x0C=target"]) == {11: "std", 12: "target"}
    assert parse_stim_mask("0255") == 255
    assert parse_stim_mask("0xFF") == 255
    with pytest.raises(ValueError, match="CODE=NAME"):
        parse_event_names(["0x=std"])


@pytest.mark.parametrize("stream", [True, False])
def test_unused_stim_events_are_not_read_where_the_note_is_not_shown(
    model, plain_bdf, monkeypatch, stream
):
    """Without events_from_stim, the stim channel is read for the "not used" note only where
    that INFO note is shown: verbose=False reads it not at all (a path read whole is not
    opened a second time either)."""
    import eegpt.stim_events as stim_events

    calls: list[str] = []
    real_find, real_raw_of = stim_events.find_stim_events, stim_events._raw_of

    def find(*args, **kwargs):
        calls.append("find")
        return real_find(*args, **kwargs)

    def raw_of(*args, **kwargs):
        calls.append("raw_of")
        return real_raw_of(*args, **kwargs)

    monkeypatch.setattr(stim_events, "find_stim_events", find)
    monkeypatch.setattr(stim_events, "_raw_of", raw_of)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        model.embed(plain_bdf, stream=stream, window_seconds=4, device="cpu", verbose=False)
        assert calls == []
        model.embed(plain_bdf, stream=stream, window_seconds=4, device="cpu", verbose=True)
    assert "find" in calls  # the spy sees the reading where the note is shown


def test_a_bids_edf_with_a_faster_trigger_channel_is_refused_in_its_own_words(model, tmp_path):
    """A BIDS dataset's EDF whose trigger channel is stored faster than the EEG: read through
    MNE-BIDS, its channels cannot be left out, so it is refused without telling the user to
    give the path they gave; the message says to read it without them in Python."""
    from eegpt.errors import RecordingError

    pytest.importorskip("mne_bids")
    root = tmp_path / "bids"
    folder = root / "sub-01" / "eeg"
    folder.mkdir(parents=True)
    (root / "dataset_description.json").write_text('{"Name": "x", "BIDSVersion": "1.8.0"}')
    path = _write_fast_trigger_edf(folder / "sub-01_task-rest_eeg.edf")
    for stream in (True, False):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            with pytest.raises(RecordingError, match="stretched 4 times") as err:
                model.embed(path, stream=stream, window_seconds=4, device="cpu")
        assert "Give eegpt the file's path" not in str(err.value)
        assert "BIDS dataset is read through MNE-BIDS" in str(err.value)
        assert "exclude=['Trigger']" in str(err.value)


def test_probe_evaluate_makes_each_recording_s_stim_annotations_once(
    weights, plain_bdf, tmp_path, monkeypatch
):
    """probe evaluate of a probe trained with --annotations files, --unlabelled and
    --events-from-stim:
    the check of each recording's own annotations makes them of its stim channel, and its
    windows take those, not made again (the channel read once, its warnings given once)."""
    import eegpt.stim_events as stim_events

    ann = tmp_path / "ann.csv"
    ann.write_text("onset,duration,description\n1,0,note\n")
    out = tmp_path / "probe"
    args = ["train", str(plain_bdf), "--weights", str(weights), "-o", str(out), "-q",
            "--window", "4", "--passes", "1", "--annotations", str(ann), "--events-from-stim",
            "--event-names", "11=EC", "--event-names", "12=EO", "--event-names", "13=EC",
            "--marker-spans", "EC=^EC$", "--marker-spans", "EO=^EO$",
            "--window-labels", "EC=^EC$", "--window-labels", "EO=^EO$",
            "--unlabelled", "rest"]  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert probe_main(args) == 0
    calls: list[str] = []
    real = stim_events.stim_annotations

    def counted(raw, setting, source):
        calls.append(source)
        return real(raw, setting, source)

    monkeypatch.setattr(stim_events, "stim_annotations", counted)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert probe_main(["evaluate", str(out), str(plain_bdf), "-q"]) == 0
    assert len(calls) == 1


def test_negative_codes_are_made_those_sent_before_the_channel_is_made_a_raw():
    """The negative codes of a stim channel are fixed on its values, a new array (the values
    read left as they are), before a Raw is made of them: no Raw's private samples written."""
    from eegpt.stim_events import _without_negative_codes

    values = np.array([[0.0, -32763.0, 0.0, -32761.0]])
    fixed = _without_negative_codes(values, "STI101", "rec_raw.fif")
    assert fixed.tolist() == [[0.0, 32773.0, 0.0, 32775.0]]
    assert values.tolist() == [[0.0, -32763.0, 0.0, -32761.0]]
    with pytest.warns(RuntimeWarning, match="holds negative values"):
        assert _without_negative_codes(values, "Trig", "rec.edf").tolist() == [
            [0.0, 32763.0, 0.0, 32761.0]
        ]
    plain = np.array([[0.0, 5.0]])
    assert _without_negative_codes(plain, "Trig", "rec.edf") is plain


def _trigger_edf_in_unit(tmp_path, unit: bytes) -> tuple[mne.io.BaseRaw, Path]:
    """The fast-trigger EDF with its trigger channel's physical dimension rewritten to
    ``unit`` (8 bytes of the header, as a writer of that spelling would), opened as eegpt
    opens a recording, and its path."""
    from eegpt.recording_files import open_recording

    path = _write_fast_trigger_edf(tmp_path / "trig.edf", "TRIG", 256, 256, "uV")
    data = bytearray(path.read_bytes())
    at = 256 + 96 * (len(NAMES) + 1) + 8 * len(NAMES)  # the trigger's physical dimension
    data[at : at + 8] = unit.ljust(8)
    path.write_bytes(bytes(data))
    raw, _ = open_recording(path, preload=False, verbose="error")
    return raw, path


@pytest.mark.parametrize("unit", [b"uv", b"\xc2\xb5V"])
def test_trigger_codes_in_a_unit_eegpt_converts_are_read_in_it(tmp_path, unit):
    """A trigger channel of an EDF stored in a spelling of µV that MNE does not know (``uv``,
    a micro sign in UTF-8 that reads ``ÂµV``), which eegpt converts to volts (MNE remapped the
    latter to 'n/a', so the codes were read in volts, a millionth, and no event found): its
    codes are read in the file's unit, each event at its sample."""
    from eegpt.stim_events import StimEvents, stim_annotations

    raw, path = _trigger_edf_in_unit(tmp_path, unit)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        made = stim_annotations(raw, StimEvents("TRIG"), str(path))
    assert list(made.description) == ["11", "12", "11", "13"]
    assert list(np.round(made.onset * SFREQ)) == [s for s, _ in TRIGGERS]


@pytest.mark.parametrize("unit", [b"MV", b"NV"])
def test_trigger_codes_in_a_unit_spelt_otherwise_are_read_as_stored(tmp_path, unit):
    """A trigger channel (not typed stim) of an EDF in ``MV`` or ``NV``, which MNE matches
    exactly only and eegpt does not convert (megavolts by its letters): MNE read its codes
    unscaled, so they are the codes; they were taken for mV and nV by their lower case and
    read 1e3 and 1e9 times too large (11000 for 11)."""
    from eegpt.stim_events import StimEvents, stim_annotations

    raw, path = _trigger_edf_in_unit(tmp_path, unit)
    made = stim_annotations(raw, StimEvents("TRIG"), str(path))
    assert list(made.description) == ["11", "12", "11", "13"]
    assert list(np.round(made.onset * SFREQ)) == [s for s, _ in TRIGGERS]


@pytest.mark.parametrize("unit", [b"uv", b"\xc2\xb5V", b"nV"])
def test_a_stim_typed_trigger_in_a_unit_eegpt_converts_keeps_its_codes(tmp_path, unit):
    """A trigger channel MNE types stim by its name (``Status``), stored in a voltage unit MNE
    does not know: MNE reads a stim channel unscaled whatever its unit, so its values are the
    codes; eegpt converted it to volts all the same (a millionth of its codes: no event)."""
    from eegpt.recording_files import open_recording
    from eegpt.stim_events import StimEvents, stim_annotations

    path = _write_fast_trigger_edf(tmp_path / "trig.edf", "Status", 256, 256, "uV")
    data = bytearray(path.read_bytes())
    at = 256 + 96 * (len(NAMES) + 1) + 8 * len(NAMES)  # the trigger's physical dimension
    data[at : at + 8] = unit.ljust(8)
    path.write_bytes(bytes(data))
    for preload in (False, True):
        raw, _ = open_recording(path, preload=preload, verbose="error")
        assert raw.get_channel_types(picks=["Status"]) == ["stim"]
        made = stim_annotations(raw, StimEvents("Status"), str(path))
        assert list(made.description) == ["11", "12", "11", "13"]
