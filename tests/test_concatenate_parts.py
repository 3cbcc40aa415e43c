"""Embeddings.concatenate joins the windows of one recording only: parts on another time base
(another recording, crops of one file) are refused, each part keeps its own window indices,
and ``epochs_metadata`` rows are joined by column name."""

from __future__ import annotations

import mne
import numpy as np
import pandas as pd
import pytest

import eegpt
from eegpt.outputs import Embeddings, load_embeddings


def _emb(n: int = 3, columns: tuple[str, ...] = ("subject", "rt"), **more) -> Embeddings:
    data = np.random.default_rng(0).normal(size=(n, 2, 3, 4)).astype(np.float32)
    rows = [{"subject": f"s{i}", "rt": 0.1 * i} for i in range(n)]
    meta = {
        "source": "<Epochs>",
        "channels": {"names": ["Cz", "Pz"], "chan_ids": [1, 2]},
        "first_time": 0.0,
        "meas_date": "2020-05-17T13:00:00+00:00",
        "epochs_metadata": {
            "columns": list(columns),
            "dtypes": ["object" if c == "subject" else "float64" for c in columns],
            "data": [[r[c] for c in columns] for r in rows],
            "index": list(range(n)),
        },
        **more,
    }
    return Embeddings(data, 4.0 * np.arange(n) + 1.0, meta)


def test_parts_of_other_recordings_are_refused() -> None:
    """Epochs of two recordings (same source text "<Epochs>") started 7 s apart: joined, the
    second's windows got the first's start (clock times 7 s early)."""
    first = _emb()
    later = _emb(meas_date="2020-05-17T13:00:07+00:00")
    with pytest.raises(ValueError, match=r"part 1 has another time base.*meas_date.*13:00:07"):
        Embeddings.concatenate([first, later])


def test_crops_of_one_file_are_refused(model, tmp_path) -> None:
    """``raw.crop(0, 12)`` and ``raw.crop(12, None)``: the second's onsets count from its own
    start (12 s later), so joined they read 12 s early."""
    x = np.random.default_rng(1).normal(0, 1e-5, (4, 256 * 24))
    raw = mne.io.RawArray(x, mne.create_info(["Fz", "Cz", "Pz", "Oz"], 256.0, "eeg"))
    a = eegpt.embed(model, raw.copy().crop(0, 12, include_tmax=False), verbose=False)
    b = eegpt.embed(model, raw.copy().crop(12, None), verbose=False)
    with pytest.raises(ValueError, match=r"another time base.*first_time 12\.0.*whole recording"):
        Embeddings.concatenate([a, b])


def test_parts_keep_their_own_window_index(tmp_path) -> None:
    """A part that records no window_index (a freshly loaded file) is numbered 0 .. n-1, not
    from its place in the join; a window in two parts is refused."""
    emb = _emb(7)
    emb.metadata.pop("window_index", None)
    loaded = load_embeddings(emb.save(tmp_path / "e.npz"))
    assert "window_index" not in loaded.metadata
    joined = Embeddings.concatenate([loaded[5:], loaded[:2]])
    assert joined.metadata["window_index"] == [5, 6, 0, 1]
    fresh = Embeddings(loaded.data[:2], loaded.onsets[:2], dict(loaded.metadata))
    assert Embeddings.concatenate([loaded[5:], fresh]).metadata["window_index"] == [5, 6, 0, 1]
    with pytest.raises(ValueError, match=r"part 1 holds windows that part 0.*index 5, 6"):
        Embeddings.concatenate([loaded[5:], loaded])


def test_epochs_metadata_joined_by_column_name() -> None:
    a = _emb(2)
    b = _emb(2, columns=("rt", "subject"), window_index=[2, 3])
    joined = Embeddings.concatenate([a, b])
    assert joined.epochs_metadata.columns.tolist() == ["subject", "rt"]
    assert joined.epochs_metadata["subject"].tolist() == ["s0", "s1", "s0", "s1"]
    assert joined.epochs_metadata["rt"].tolist() == [0.0, 0.1, 0.0, 0.1]
    with pytest.raises(ValueError, match=r"part 1's epochs metadata has columns \['rt'\]"):
        Embeddings.concatenate([a, _emb(2, columns=("rt",), window_index=[2, 3])])


@pytest.mark.parametrize("cuts", [(5,), (4, 5), tuple(range(1, 10))])
@pytest.mark.parametrize("as_epochs", [False, True])
def test_batches_of_an_array_join_as_embedded_at_once(model, as_epochs, cuts) -> None:
    """An array (or EpochsArray without events) embedded in batches records no window_index:
    joined, the batches' windows are numbered on and their onsets continue from the batches
    before, as the whole array embedded at once gives them (window_index was refused as the
    same windows 0 .. 4 twice; the onsets were each batch's own, 0 .. 16 s twice). A batch
    of one epoch has no step of its own: it takes another batch's (cuts 4, 5), or where all
    are of one epoch, the epoch length the metadata gives."""
    x = np.random.default_rng(0).normal(0, 10, (10, 4, 1024))
    names = ["Fz", "Cz", "Pz", "Oz"]

    def embed(batch: np.ndarray) -> Embeddings:
        if as_epochs:
            info = mne.create_info(names, 256.0, "eeg")
            epochs = mne.EpochsArray(batch * 1e-6, info, verbose=False)
            return eegpt.embed(model, epochs, device="cpu", verbose=False)
        return eegpt.embed(
            model, batch, ch_names=names, sfreq=256, units="uV", device="cpu", verbose=False
        )

    # on the CPU where a GPU is too: batches of other sizes differ in the last bits there
    whole = embed(x)
    joined = Embeddings.concatenate([embed(b) for b in np.split(x, cuts)])
    np.testing.assert_allclose(joined.data, whole.data, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(joined.onsets, whole.onsets)
    assert joined.metadata["window_index"] == list(range(10))
    assert whole[5:].metadata["window_index"] == list(range(5, 10))
    rest = {k: v for k, v in joined.metadata.items() if k != "window_index"}
    assert rest == whole.metadata
    columns = joined.to_data_frame().drop(columns="embedding")
    pd.testing.assert_frame_equal(columns, whole.to_data_frame().drop(columns="embedding"))


@pytest.mark.parametrize("sfreq", [256.0, 300.0])
def test_one_epoch_batches_of_a_resampled_array_do_not_drift(model, sfreq) -> None:
    """Batches of one epoch each take the epoch length from the metadata only where it is
    exact (the input at the model's rate). At 300 Hz an epoch of 1000 samples is 854 at
    256 Hz (3.3359 s, not 3.3333 s): the onsets were continued at that rounded step and
    drifted 2.6 ms an epoch (0.10 s after 40 epochs, clock times as much); they now stay
    each batch's own, the window_index still numbered on. A batch of several epochs gives
    the exact step, which the batches of one then take."""
    n_times = int(sfreq * 1000 / 300)  # 1000 at 300 Hz, 853 at 256 Hz: shorter than a window
    x = np.random.default_rng(0).normal(0, 10, (6, 4, n_times))
    kw = dict(ch_names=["Fz", "Cz", "Pz", "Oz"], sfreq=sfreq, units="uV", tail="pad")
    whole = eegpt.embed(model, x, verbose=False, **kw)
    joined = Embeddings.concatenate(
        [eegpt.embed(model, x[i : i + 1], verbose=False, **kw) for i in range(len(x))]
    )
    assert joined.metadata["window_index"] == list(range(len(x)))
    if sfreq == 256.0:
        np.testing.assert_allclose(joined.onsets, whole.onsets, rtol=0, atol=1e-12)
    else:
        np.testing.assert_allclose(whole.onsets, np.arange(len(x)) * 1000 / 300)
        assert joined.onsets.tolist() == [0.0] * len(x)
    # a batch of two gives the step exactly (1000 / 300 s): the batches of one take it
    mixed = [eegpt.embed(model, x[:2], verbose=False, **kw)]
    mixed += [eegpt.embed(model, x[i : i + 1], verbose=False, **kw) for i in range(2, len(x))]
    np.testing.assert_allclose(Embeddings.concatenate(mixed).onsets, whole.onsets, atol=1e-12)


@pytest.mark.parametrize("cuts", [(3,), (2, 6)])
@pytest.mark.parametrize("tmin", [0.0, -0.5])
def test_slices_of_one_epochs_array_join_as_the_whole(model, tmin, cuts) -> None:
    """An EpochsArray without events has MNE's placeholder events, samples 0, 1, 2 ...; a
    slice keeps its own (3, 4, 5, 6 for epochs[3:]). They were read as real event times: the
    slice's onsets 0.0117, 0.0156 ... s (-0.488 ... with tmin=-0.5), joined after epochs[:3]
    at 0, 4, 8 s. Now they number the slice's epochs end to end, its window_index says which
    epochs it holds, and joined the slices are the whole (a slice of one epoch too)."""
    x = np.random.default_rng(0).normal(0, 1e-5, (7, 4, 1024))
    info = mne.create_info(["Fz", "Cz", "Pz", "Oz"], 256.0, "eeg")
    epochs = mne.EpochsArray(x, info, tmin=tmin, verbose=False)
    whole = eegpt.embed(model, epochs, verbose=False)
    bounds = [0, *cuts, len(x)]
    pairs = zip(bounds[:-1], bounds[1:], strict=True)
    parts = [eegpt.embed(model, epochs[a:b], verbose=False) for a, b in pairs]
    assert parts[1].metadata["epoch_onsets"] == "end_to_end"
    assert parts[1].metadata["window_index"] == list(range(cuts[0], bounds[2]))
    joined = Embeddings.concatenate(parts)
    np.testing.assert_array_equal(joined.onsets, whole.onsets)
    assert joined.metadata["window_index"] == list(range(len(x)))
    rest = {k: v for k, v in joined.metadata.items() if k != "window_index"}
    assert rest == whole.metadata
    # selections of the Embeddings keep the whole's onsets, in any order
    back = Embeddings.concatenate([whole[cuts[0] :], whole[: cuts[0]]])
    np.testing.assert_array_equal(back.onsets, np.roll(whole.onsets, -cuts[0]))
    # real events (5 s apart) stay event times, sliced or not
    events = np.c_[1280 * np.arange(len(x)) + 100, np.zeros(len(x), int), np.ones(len(x), int)]
    timed = mne.EpochsArray(x, info, events=events, tmin=tmin, verbose=False)[3:]
    emb = eegpt.embed(model, timed, verbose=False)
    assert emb.metadata["epoch_onsets"] == "events"
    np.testing.assert_allclose(emb.onsets, events[3:, 0] / 256.0 + tmin)
