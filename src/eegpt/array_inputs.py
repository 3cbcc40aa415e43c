"""Array input: samples in a NumPy array (or a tensor) made a :class:`~eegpt.recording.Recording`,
and the checks of what comes with them.

:func:`recording_of_array` converts samples of shape (n_channels, n_times) or (n_epochs,
n_channels, n_times) in a declared unit (:data:`UNITS`, :func:`units_name`) to float64 volts,
with their channel names (:func:`check_ch_names`) and sampling rate in Hz
(:func:`check_sfreq`); integer samples taken as volts are refused, and in a unit below volts
warned of (:func:`check_integer_samples`, the one check of them), and a bfloat16 tensor is
read as float32 without importing torch (:func:`float32_of_bfloat16`). Beside them: the refusals of what is no samples (a DataFrame,
an ``mne.Evoked``, a braindecode dataset) and of array arguments given with a file or an MNE
object (:func:`require_array_args_absent`, :func:`refuse_picks_for_array`). :mod:`eegpt.io`
re-exports its names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import mne
import numpy as np

from eegpt._logging import few
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt.errors import RecordingError
from eegpt.recording import Recording, array_summary, refuse_masked_samples

UNITS: dict[str, float] = {"V": 1.0, "mV": 1e-3, "uV": 1e-6, "µV": 1e-6, "μV": 1e-6}
"""Accepted ``units`` of array input and their size in volts (``µ`` micro sign or Greek mu)."""


#: The ``units`` of array input, as type checkers see them: the names of :data:`UNITS` in every
#: letter case :func:`units_name` takes (``"uv"`` is ``"uV"``; a capital ``M`` is refused:
#: ``"MV"`` would be megavolts), ``µ`` the micro sign or the Greek mu.
Units = Literal["V", "v", "mV", "mv", "uV", "uv", "UV", "Uv", "µV", "µv", "μV", "μv"]


def units_name(units: Any) -> str:
    """``units`` as a key of :data:`UNITS`: exact, else in any letter case (``"uv"``, ``"UV"``
    -> ``"uV"``, ``"v"`` -> ``"V"``, ``"mv"`` -> ``"mV"``), but for any spelling with a capital
    ``M`` (``"MV"``, ``"Mv"``: megavolts, not millivolts, which are ``"mV"`` only).

    Raises
    ------
    RecordingError
        (a ``ValueError``) For any other value, naming the spellings taken: the same error
        wherever a unit is given (:func:`eegpt.embed`, the estimators, ``OnlineEmbedder``)."""
    if isinstance(units, str) and units in UNITS:
        return units
    folded = {name.casefold(): name for name in UNITS}
    stripped = units.strip() if isinstance(units, str) else None
    if stripped is not None and "M" not in stripped and stripped.casefold() in folded:
        return folded[stripped.casefold()]
    raise RecordingError(
        f"units must be one of {list(UNITS)} (any letter case: 'uv' is 'uV'; but 'MV' or 'Mv' "
        f"would be megavolts: millivolts are 'mV'), got {units!r}"
    )


def check_integer_volts(data: Any, units: str, where: str) -> None:
    """Refuse integer samples declared in volts: whole volts are no EEG, so they are counts or
    microvolts whose unit was not given (``where`` names the parameter that gives it)."""
    dtype = getattr(data, "dtype", None)
    if dtype is None:
        dtype = np.asarray(data).dtype
    if units == "V" and np.issubdtype(dtype, np.integer):
        example = repr("uV").join(where.rsplit("...", 1))  # the last "...": the unit's place
        raise RecordingError(
            f"the samples are integers ({dtype}) taken as volts (units='V', also the default "
            f"when no unit is given), which EEG never is: give their unit, e.g. {example}, or "
            "convert amplifier counts to volts first"
        )


def integer_units_text(dtype: Any, units: str, scaled: str, once: str = "") -> str:
    """The warning for integer samples taken in ``units`` (a unit below volts): one count is
    one unit, which an amplifier's ADC counts are only at a resolution of exactly that unit
    (int16 counts of 0.1 µV taken as µV are 10 times too large), so it names a scale:
    ``scaled``, the call with the counts scaled (``"push(counts * 0.1)"``); ``once`` ends it
    (``" (said once per embedder)"``)."""
    return (
        f"the samples are integers ({dtype}) taken as {units} (units={units!r}): one count is "
        f"1 {units}. If they are an amplifier's ADC counts, scale them by its resolution "
        f"first, e.g. {scaled} for 0.1 {units} a count (the amplifier's or the "
        f"LSL stream's channel scale); integers that are whole {units} are right as they are" + once
    )


def check_integer_samples(
    data: Any, units: str, where: str, scaled: str, *, warn: bool = True, once: str = ""
) -> bool:
    """The one check of integer samples, for every array input (:func:`eegpt.embed`, the
    estimators, ``OnlineEmbedder.push``): refused in volts (:func:`check_integer_volts`,
    ``where`` names the parameter that gives the unit), warned of in a unit below volts
    (:func:`integer_units_text`, with ``scaled`` and ``once``) unless ``warn`` is False (an
    embedder that warned already). Returns whether the samples are integers."""
    check_integer_volts(data, units, where)
    dtype = getattr(data, "dtype", None)
    if dtype is None:
        dtype = np.asarray(data).dtype
    integers = bool(np.issubdtype(dtype, np.integer))
    if integers and warn:
        _warn(integer_units_text(dtype, units, scaled, once))
    return integers


def check_ch_names(ch_names: Any) -> None:
    """Refuse ``ch_names`` (of an array or a stream) that are not a list of names, with a
    ``TypeError`` (an argument of the wrong type): a single str (``"Cz"``, which would be the
    names ``"C"`` and ``"z"``), or names that are not text."""
    if isinstance(ch_names, str):
        raise TypeError(
            f"ch_names must be a list of channel names, not the single str {ch_names!r}: "
            f"for one channel pass [{ch_names!r}]"
        )
    odd = [name for name in ch_names if not isinstance(name, (str, np.str_))]
    if odd:
        raise TypeError(
            f"ch_names must be a list of channel names (str), got {len(odd)} of type "
            f"{type(odd[0]).__name__} among them ({odd[:5]!r})"
        )


def check_sfreq(sfreq: Any, source: str) -> float:
    """``sfreq`` (Hz) of an array or a stream named ``source``, as a float; a
    :class:`RecordingError` unless it is a finite number above 0 (not a bool). An array of one
    number (``[[200]]`` from ``scipy.io.loadmat``, ``[128.0]``) is that number; one of more
    numbers is refused as such."""
    value = sfreq
    if isinstance(sfreq, (list, tuple)):  # [128.0], as an array of one number
        sfreq = np.asarray(sfreq, dtype=object)
    if isinstance(sfreq, np.ndarray) and sfreq.ndim > 0:
        if sfreq.size != 1:
            raise RecordingError(
                f"{source}: sfreq must be one number of Hz, got an array of shape {sfreq.shape} "
                f"({few([repr(v) for v in sfreq.ravel().tolist()], 4)}): give the sampling rate "
                "alone, e.g. sfreq=float(sfreq[0])"
            )
        value = sfreq.reshape(()).item()  # one number, however nested
    try:
        rate = None if isinstance(value, (bool, np.bool_)) else float(value)
    except (TypeError, ValueError):
        rate = None
    if rate is None or not np.isfinite(rate) or rate <= 0:
        raise RecordingError(f"{source}: sfreq must be a positive number of Hz, got {sfreq!r}")
    return rate


def float32_of_bfloat16(obj: Any) -> Any:
    """A torch tensor of bfloat16 as float32 (every bfloat16 value is one of float32: exact),
    since NumPy has no bfloat16 (``np.asarray`` of one fails: "unsupported ScalarType
    BFloat16"); ``obj`` itself otherwise. Duck-typed, so that reading arrays imports no
    torch."""
    if str(getattr(obj, "dtype", "")) == "torch.bfloat16" and hasattr(obj, "float"):
        return obj.float()
    return obj


def refuse_grad_tensor(obj: Any, what: str) -> None:
    """Raise a TypeError where ``obj`` is a torch tensor that requires grad, given to ``what``
    (``"embed"``, ``"EEGPTEmbedder"``), which converts it to NumPy to preprocess it (torch's
    own error there says nothing of why or what to do); without importing torch."""
    if getattr(obj, "requires_grad", False) is True and type(obj).__module__.startswith("torch"):
        raise TypeError(
            f"{what} runs without autograd (it converts the recording to NumPy to preprocess "
            "it), so it takes no tensor that requires grad. For gradients call the model on "
            "preprocessed windows: model(x, chan_ids) with x [batch, channels, samples] in "
            "model units; otherwise pass x.detach()"
        )


def array_of(obj: Any) -> np.ndarray:
    """``obj`` as a NumPy array, as every array entry point reads its samples: a torch tensor
    (on the CPU, not requiring grad) as its values, bfloat16 as float32
    (:func:`float32_of_bfloat16`), of the same shape; anything else by ``np.asarray``.

    A NumPy masked array with masked samples is refused (a :class:`RecordingError`):
    ``np.asarray`` drops its mask, so the values under it were embedded without a word. One
    with none masked is taken as its values."""
    if isinstance(obj, np.ma.MaskedArray):
        refuse_masked_samples(
            obj,
            "the samples are a NumPy masked array",
            "Pass x.filled(value) with the value the masked samples should have, x.data to "
            "take the values under the mask, or leave the masked span out (for a stream: drop "
            "the chunk and declare its samples lost with skip(n))",
        )
        return np.asarray(np.ma.getdata(obj))
    return np.asarray(float32_of_bfloat16(obj))


#: What to do with an MNE object whose data is a masked array with masked samples
#: (``mne.io.RawArray`` keeps the mask of the array it was made from).
MNE_MASKED_HOW = (
    "Make it from x.filled(value) with the value the masked samples should have "
    "(mne.io.RawArray(x.filled(0.0), info)), or from x.data to take the values under the mask"
)


def _one_array(obj: Any) -> np.ndarray:
    """``np.asarray(obj)`` of an array input, refusing with the way on: a list (or tuple) of
    arrays of unequal shapes, which makes no one array (numpy's "inhomogeneous shape"), with
    the lengths found (samples, the last axis); a 1-D array, with ``x[None]`` (one channel)."""
    try:
        data = array_of(obj)
    except ValueError:
        arrays = isinstance(obj, (list, tuple)) and all(hasattr(a, "shape") for a in obj)
        shapes = [tuple(a.shape) for a in obj] if arrays else []
        if not shapes or not all(shapes):
            raise
        raise RecordingError(_unequal_arrays_text(shapes)) from None
    if (bands := filter_bank_text(data.shape)) is not None:
        raise RecordingError(f"<array>: {bands}")  # "got a 4-D array ..."
    if data.ndim == 1:
        raise RecordingError(
            f"<array>: data must be 2-D (n_channels, n_times) or 3-D (n_epochs, n_channels, "
            f"n_times), got shape {data.shape}: for one channel, pass x[None] (shape "
            f"(1, {data.shape[0]})) with ch_names=[its name]"
        )
    return data


def filter_bank_text(shape: tuple[int, ...]) -> str | None:
    """``"got a 4-D array ..."``: why an array of ``shape`` ``[n_epochs, n_channels, n_times, n_bands]`` (4-D, more
    samples than bands: its third axis longer than its fourth) is no input: epochs filtered
    in several bands, as MOABB's filter-bank paradigms give them (``FilterBankMotorImagery``,
    ``FilterBankSSVEP``: ``paradigm.get_data`` stacks one band-pass per ``filters`` entry on
    the last axis), and how to pass one band; None for other shapes (EEGPT embeddings ``[n,
    N, S, D]`` have fewer summary tokens S than dimensions D)."""
    if len(shape) != 4 or shape[2] <= shape[3]:
        return None
    n, c, t, k = shape
    return (
        f"got a 4-D array of shape {shape}: {n} epochs of {c} channels x {t} samples in {k} "
        "frequency bands [n_epochs, n_channels, n_times, n_bands], as MOABB's filter-bank "
        "paradigms give them (FilterBankMotorImagery, FilterBankSSVEP: one band-pass per "
        "entry of paradigm.filters on the last axis). EEGPT takes epochs of one band "
        "[n_epochs, n_channels, n_times]: use the paradigm of one band (MotorImagery(fmin=8, "
        "fmax=32), SSVEP()), or pass one band, X[..., k] (the k-th of paradigm.filters)"
    )


def _unequal_arrays_text(shapes: Sequence[tuple[int, ...]]) -> str:
    """Why a list of arrays of these ``shapes`` (not all alike) is no array of epochs."""
    lengths = sorted({shape[-1] for shape in shapes})
    listed = few([str(shape) for shape in shapes], 4)
    if len(lengths) == 1:  # the same length, other channels (or dimensions)
        return (
            f"<array>: a list of {len(shapes)} arrays of unequal shapes ({listed}) makes no "
            "one array of epochs: give epochs of the same channels, or embed each array alone"
        )
    return (
        f"<array>: a list of {len(shapes)} arrays of unequal lengths ({listed}: "
        f"{few([str(n) for n in lengths], 6)} samples) makes no one array of epochs, which "
        "share one length: crop them to one length (np.stack([a[..., :"
        f"{lengths[0]}] for a in arrays])), or embed each as a continuous array "
        "([model.embed(a, ch_names=..., sfreq=...) for a in arrays])"
    )


def recording_of_array(
    obj: Any, ch_names: Sequence[str] | None, sfreq: float | None, units: str, verbose: Any
) -> Recording:
    units = units_name(units)
    refuse_dataframe(
        obj,
        "df[names].to_numpy().T with ch_names=names (names=list(df.columns) when every column "
        "is a channel), sfreq= and units=",
    )
    if ch_names is None or sfreq is None:
        missing = [n for n, v in (("ch_names", ch_names), ("sfreq", sfreq)) if v is None]
        raise RecordingError(
            f"array input needs {' and '.join(missing)}: pass the channel names and the "
            "sampling rate in Hz with it, e.g. embed(x, ch_names=['Fp1', 'Fp2', ...], "
            "sfreq=500, units='uV')"
        )
    check_ch_names(ch_names)
    rate = check_sfreq(sfreq, "<array>")
    data = _one_array(obj)
    if np.issubdtype(data.dtype, np.integer):  # amplifier samples in a given unit (not volts)
        check_integer_samples(
            data, units, "embed(x, ch_names=..., sfreq=..., units=...)",
            "embed(counts * 0.1, ch_names=..., sfreq=..., units=...)",
        )  # fmt: skip
        data = data.astype(np.float64) * UNITS[units]
    elif np.issubdtype(data.dtype, np.floating) and UNITS[units] != 1.0:
        data = data.astype(np.float64) * UNITS[units]  # new array; the input is never modified
    rec = Recording(data, list(ch_names), rate, source="<array>", array_units=units)
    _log(array_summary(rec), verbose)
    return rec


def require_array_args_absent(
    ch_names: Sequence[str] | None, sfreq: float | None, units: str, source: str
) -> None:
    """Raise a :class:`RecordingError` when ``ch_names``, ``sfreq`` or ``units`` (other than
    volts) is given for an input that carries its own (an MNE object or a file, ``source``)."""
    given = [
        name for name, value in (("ch_names", ch_names), ("sfreq", sfreq)) if value is not None
    ]
    if given:
        raise RecordingError(
            f"{source}: {' and '.join(given)} {'apply' if len(given) > 1 else 'applies'} to "
            "array input only; MNE objects and files carry their own (use "
            "raw.rename_channels / raw.resample to change them)"
        )
    if units != "V":
        raise RecordingError(
            f"{source}: units={units!r} applies to array input only; MNE returns data in volts. "
            "If a file is mis-scaled, fix it with raw.apply_function(lambda x: x * factor)."
        )


def refuse_picks_for_array(picks: Any, source: str = "<array>") -> None:
    """Raise a :class:`RecordingError` for ``picks`` other than the default ``"eeg"`` with
    array input, which has no channel types to pick by (the opposite of
    :func:`require_array_args_absent`): its channels are its rows, chosen before."""
    if isinstance(picks, str) and picks == "eeg":
        return
    raise RecordingError(
        f"{source}: picks={picks!r} applies to files and MNE objects only; an array's "
        "channels are its rows: select the rows to embed (x[rows] for [C, T], x[:, rows] for "
        "[n_epochs, C, T]) and pass the ch_names of the rows kept"
    )


def refuse_dataframe(obj: Any, route: str) -> None:
    """Refuse a pandas or polars DataFrame given as samples (``embed``, ``OnlineEmbedder.push``,
    the scikit-learn estimators): which axis is time and which columns are channels is for
    the caller to say, not to guess (its column labels would be ignored, channels swapped or
    samples read as channels). ``route`` is how to pass its channels there, after "e.g.".

    Raises
    ------
    RecordingError
        For a DataFrame."""
    if type(obj).__name__ == "DataFrame" and hasattr(obj, "columns"):  # pandas, polars
        raise RecordingError(
            "a DataFrame is not taken as samples (which axis is time, which columns are "
            "channels, is for you to say): for one with a row per sample and a column per "
            f"channel, pass its channels' columns as an array of channels x samples, e.g. {route}"
        )


def _is_braindecode(obj: Any) -> bool:
    """Whether ``obj`` is one of braindecode's datasets (``BaseConcatDataset``,
    ``WindowsDataset``, ``EEGWindowsDataset`` ...), told by its classes' module: eegpt does not
    import braindecode."""
    return any(str(c.__module__).split(".")[0] == "braindecode" for c in type(obj).__mro__)


def refuse_evoked(obj: Any, estimator: str | None = None) -> None:
    """Refuse an ``mne.Evoked`` given as EEG (``embed``, the scikit-learn estimators): it is
    an average of epochs, not a recording nor epochs, saying how to embed it (as one epoch:
    :data:`EVOKED_AS_EPOCH`, an ``mne.EpochsArray`` of it, which keeps its ``info``: bad
    channels left out, channel types, projectors; ``evoked.data[None]`` with its channel
    names would embed its bad channels too) or the epochs it was averaged from.
    ``estimator``: the scikit-learn estimator's name, which the recipe then uses.

    Raises
    ------
    TypeError
        For an ``mne.Evoked``."""
    if not isinstance(obj, mne.Evoked):
        return
    averaged = f"an average of {obj.nave} epochs" if getattr(obj, "nave", None) else "an average"
    if estimator is None:
        one = f"model.embed({EVOKED_AS_EPOCH})"
    else:
        one = f"{estimator}(...).fit_transform({EVOKED_AS_EPOCH})"
    raise TypeError(
        f"cannot embed an mne.Evoked ({type(obj).__name__}): it is {averaged} ({obj.kind}), "
        "not a recording nor epochs. Embed the epochs it was averaged from (mne.Epochs), or, "
        f"to embed the average itself as one epoch of {len(obj.times)} samples, as epochs "
        f"of its info (its bad channels left out, as for epochs): {one}"
    )


#: An ``mne.Evoked`` ``evoked`` as epochs of one epoch, with its info (bads, types, projectors)
EVOKED_AS_EPOCH = "mne.EpochsArray(evoked.data[None], evoked.info, tmin=evoked.tmin)"


#: The units of a braindecode dataset's values, for the refusal's recipes.
_BRAINDECODE_UNITS = (
    "their values are in whatever unit the dataset's preprocessing left: volts as MNE reads "
    "them, or microvolts where a Preprocessor scaled them, as braindecode's recipes often "
    "do (x 1e6)"
)


def _epochs_recipe(several: bool) -> str:
    """What to pass for a braindecode dataset whose windows are mne.Epochs (``several``: a
    BaseConcatDataset ``ds``, one recording's Epochs per ``ds.datasets`` entry; else one
    EEGWindowsDataset ``ds``)."""
    windows = "the list [d.windows for d in ds.datasets]" if several else "ds.windows"
    embed = (
        "[model.embed(d.windows) for d in ds.datasets]" if several else "model.embed(ds.windows)"
    )
    one = "d.windows" if several else "ds.windows"
    scaled = (
        "np.concatenate([d.windows.get_data() for d in ds.datasets]), with ch_names="
        "ds.datasets[0].windows.ch_names, sfreq=ds.datasets[0].windows.info['sfreq']"
        if several
        else "ds.windows.get_data(), with ch_names=ds.windows.ch_names, "
        "sfreq=ds.windows.info['sfreq']"
    )
    return (
        f"its windows are mne.Epochs with their channel names and rate; {_BRAINDECODE_UNITS}. "
        f"In volts: give the scikit-learn estimators and train_probe {windows}"
        + (" (epochs of several recordings are matched by electrode)" if several else "")
        + f", and embed {embed}. Scaled (MNE objects are read as volts): pass the array "
        f"{scaled} and units='uV' (the unit the scaling made), or undo the scaling on "
        f"{one} first"
    )


def _array_recipe(several: bool) -> str:
    """What to pass for a braindecode dataset of windows cut from its Raw (``several``: a
    BaseConcatDataset ``ds``; else one EEGWindowsDataset ``ds``)."""
    raw = "ds.datasets[0].raw" if several else "ds.raw"
    windows = "[d.windows for d in ds.datasets]" if several else "ds.windows"
    return (
        "pass its windows as an array with their channel names and rate: X = "
        "np.stack([ds[i][0] for i in range(len(ds))]), y = [ds[i][1] for i in "
        f"range(len(ds))], with ch_names={raw}.ch_names, sfreq={raw}.info['sfreq'] and "
        f"units= the unit they are in ({_BRAINDECODE_UNITS}: units='V' or units='uV'); or "
        "cut them as mne.Epochs (create_windows_from_events(..., use_mne_epochs=True)) and "
        f"pass {windows}"
    )


def refuse_braindecode(obj: Any) -> None:
    """Refuse a braindecode dataset given as EEG (``embed``, the scikit-learn estimators,
    ``train_probe``), naming what to pass instead: its windows as a list of mne.Epochs where
    they are mne.Epochs (``use_mne_epochs=True``), else its windows stacked into an array
    ``[n_windows, C, T]`` with their channel names and rate.

    Raises
    ------
    TypeError
        For a braindecode dataset."""
    if not _is_braindecode(obj):
        return
    several = hasattr(obj, "datasets")
    parts = list(obj.datasets) if several else [obj]
    as_epochs = bool(parts) and all(
        isinstance(getattr(d, "windows", None), mne.BaseEpochs) for d in parts
    )
    recipe = _epochs_recipe(several) if as_epochs else _array_recipe(several)
    raise TypeError(
        f"got braindecode's {type(obj).__name__}, which eegpt does not read (a braindecode "
        f"dataset yields windows without their channel names and sampling rate): {recipe}"
    )
