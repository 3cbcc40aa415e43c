"""Which channels of a recording are read, and the messages about those left out.

:func:`pick_indices` resolves ``picks`` (channel types, names or MNE's pick groups) to channel
indices, refusing a pick that selects nothing with what the recording holds instead;
:func:`bads_of_picks` lists the bad channels among them, :func:`left_out_by_choice` those that
the channels to keep or the drops leave out anyway. :func:`warn_not_scalp` and the
warnings here name the channels left out (not scalp EEG by their type, electrodes stored under
another type) and how to read them, and the channels of other types named like scalp sites
that a pick of ``"all"`` brings in.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from typing import Any

import mne

from eegpt._logging import Verbose, few, held_messages
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt.errors import AllChannelsBadError, RecordingError
from eegpt.vocabulary import NOT_SCALP_TYPES, normalize_channel_name


def pick_indices(
    info: mne.Info,
    picks: Any,
    source: str,
    *,
    keep: str | Sequence[str] | None = None,
    rename: Any = None,
    verbose: Verbose = None,
) -> list[int]:
    """Channel indices for ``picks`` in recording order. As in MNE (``inst.pick``), channels in
    ``info["bads"]`` are left out of a pick by type (``"eeg"``, ``["eeg", "misc"]``, ``"all"``,
    with a warning naming them) but kept where ``picks`` names them (channel names or
    indices), with a warning naming those. The bad channels that the channels to keep
    (``keep``) or the drops of ``rename`` (``{label: None}``) leave out anyway are not warned
    of but logged (``verbose``): marking them bad changes nothing
    (:func:`left_out_by_choice`)."""
    if picks is None:
        picks = "all"
    listed = [picks] if isinstance(picks, str) else list(picks)
    # channel types (one or several), not channel names or indices
    typed = all(isinstance(p, str) and p not in info["ch_names"] for p in listed)
    every = "all" in listed
    if typed:
        known = {*mne.io.get_channel_type_constants(), *MNE_PICK_GROUPS}
        unknown = [p for p in listed if p not in known]
        if unknown:
            raise RecordingError(
                f"{source}: picks {unknown} are neither channel types nor channel names of the "
                f"recording (types: {sorted(set(info.get_channel_types()))}; names: "
                f"{few(info['ch_names'])}){_labelled_otherwise(unknown, info)}"
            )
        if every:  # "all" with other types: MNE would select nothing
            picks, listed = "all", ["all"]
    try:
        by_type = mne.channel_indices_by_type(info, picks=picks)
    except ValueError as err:
        absent = [p for p in listed if isinstance(p, str) and p not in info["ch_names"]]
        raise RecordingError(
            f"{source}: invalid picks={picks!r}: {err}{_labelled_otherwise(absent, info)}"
        ) from err
    idx = sorted(int(i) for indices in by_type.values() for i in indices)
    if typed and idx and all(info["ch_names"][i] in info["bads"] for i in idx):
        raise AllChannelsBadError(
            f"{source}: all {len(idx)} channel(s) of the type picked ({picks!r}) are marked bad "
            f"(info['bads'] = {info['bads']}); clear info['bads'] of those usable after all",
            names=[info["ch_names"][i] for i in idx],
        )
    if typed and info["bads"]:
        bads = [info["ch_names"][i] for i in idx if info["ch_names"][i] in info["bads"]]
        if bads:
            picked = [info["ch_names"][i] for i in idx]
            _say_bads_left_out(bads, picked, source, keep, rename, verbose)
            idx = [i for i in idx if info["ch_names"][i] not in bads]
    if not typed:
        _warn_bads_named(info, idx, source)
    if typed and not every:
        _warn_electrodes_left_out(info, idx, listed, source)
        if idx:  # with none, the refusal says it
            _say_not_scalp_left_out(info, idx, listed, source)
    if typed and idx:
        _warn_sites_of_other_types(info, idx, listed, source)
    if not idx:
        raise RecordingError(_no_channels_picked(info, picks, listed, source))
    return idx


def _labelled_otherwise(names: Sequence[str], info: mne.Info) -> str:
    """Where channel names picked (``names``, absent from the recording ``info``) are
    electrodes it labels otherwise (``EEG Cz-REF`` of one session, ``Cz`` of the next), a
    note naming its labels and how to pick them: picks are labels as spelled, as MNE's are,
    while a fitted model (a probe, a scikit-learn estimator) matches another recording's
    channels by electrode; ``""`` for none."""
    labels: dict[str, str] = {}  # vocabulary name -> the recording's first label of it
    for label in info["ch_names"]:
        canonical = normalize_channel_name(label)
        if canonical is not None:
            labels.setdefault(canonical, label)
    found = {
        name: labels[canonical]
        for name in names
        if (canonical := normalize_channel_name(name)) is not None and canonical in labels
    }
    if not found:
        return ""
    shown = ", ".join(f"{name!r} as {label!r}" for name, label in list(found.items())[:4])
    more = ", ..." if len(found) > 4 else ""
    return (
        f". This recording labels those electrodes otherwise ({shown}{more}): picks name "
        "channels as labelled, as MNE's picks do, so pick its labels here "
        f"(picks={list(found.values())!r}); for a model fitted with picks by name (an "
        "EEGPTEmbedder or EEGPTClassifier keeps fit's), fit it on the channels chosen before "
        "instead (epochs.copy().pick([...]) with the default picks): a fitted model matches "
        "another recording's channels by electrode"
    )


def _say_bads_left_out(
    bads: Sequence[str],
    picked: Sequence[str],
    source: str,
    keep: Any,
    rename: Any,
    verbose: Verbose,
) -> None:
    """Say that the channels ``bads`` (labels), marked bad, were left out of a type pick
    (``picked``: the labels it chose, ``bads`` among them): a warning naming those the channel
    mapping with the channels to keep and the drops (``keep``, ``rename``) would use, with how
    to keep them; a log line for the others, which it leaves out anyway."""
    anyway = left_out_by_choice(bads, keep, rename, among=picked)
    wanted = [name for name in bads if name not in anyway]
    if anyway:
        _log(
            f"{source}: channel(s) marked bad {list(anyway)} are left out, as the channel "
            "mapping with --keep-channels/--drop (keep=, rename=) leaves them out too",
            verbose,
        )
    if wanted:
        _warn(
            f"{source}: channel(s) marked bad were left out: {wanted}. Channels listed in "
            "info['bads'] are left out whatever their data, repaired or not. To keep them, "
            "repair them with interpolate_bads(reset_bads=True) (of the Raw or Epochs), "
            "which also takes them off info['bads']; if they are repaired already "
            "(interpolate_bads(reset_bads=False)) or usable as they are, take them off "
            "info['bads'] (raw.info['bads'] = []). (Channels picked by name are used, "
            "marked bad or not, as in MNE.)"
        )


def left_out_by_choice(
    labels: Sequence[str], keep: Any, rename: Any, *, among: Sequence[str] | None = None
) -> list[str]:
    """The channels of ``labels`` (a recording's labels) that the channel mapping with the
    channels to keep (``keep``) and the renames and drops (``rename``) leaves out whatever
    their data, in the order of ``labels``: those :func:`eegpt.channels.map_channels`, given
    ``among`` (the labels of the channels picked, ``labels`` among them; default ``labels``)
    with ``keep`` and ``rename``, does not use: dropped by ``rename`` (``--drop``, a table's
    empty electrode), outside ``keep`` or, so, outside the vocabulary. The mapping reads each
    label as it does when embedding (``O1-Cz`` of a montage against Cz is O1), as one mapping
    call whose messages are not given. None are where neither ``keep`` nor ``rename`` is
    given (no mapping is made), or where the mapping refuses them (it says why when
    embedding)."""
    from eegpt.channels import map_channels

    if keep is None and not rename:
        return []
    names = list(dict.fromkeys([*(labels if among is None else among), *labels]))
    try:
        with held_messages():  # said, where it matters, by the mapping of the channels used
            mapping = map_channels(names, keep=keep, rename=rename, on_missing="ignore")
    except (ValueError, OSError):
        return []
    used = set(mapping.input_names)
    return [label for label in labels if label not in used]


def _warn_bads_named(info: mne.Info, idx: Sequence[int], source: str) -> None:
    """Warn once of the channels marked bad (``info["bads"]``) among ``idx``, picked by name or
    index: used, as MNE keeps the bad channels that ``picks`` names, and how to leave them
    out."""
    bads = [info["ch_names"][i] for i in idx if info["ch_names"][i] in info["bads"]]
    if not bads:
        return
    options = " ".join(f"--picks {shlex.quote(name)}" for name in bads)
    _warn(
        f"{source}: channel(s) {few(bads, 12)} are marked bad (info['bads']) but were picked "
        "by name, so they are used: as in MNE, info['bads'] leaves channels out of a pick by "
        "type (picks='eeg', the default) but not the channels that picks names. To leave them "
        f"out, take them out of picks (command line: without {options}); if they are usable, "
        "take them off info['bads'] to silence this."
    )


def bads_of_picks(info: mne.Info, picks: str | Sequence[str]) -> list[str]:
    """The channels marked bad (``info["bads"]``) among those of the types ``picks`` names (as
    for :func:`~eegpt.io.as_recording`: ``"eeg"``, ``["eeg", "misc"]``, ``"all"``): the ones a
    type pick leaves out for being bad, in recording order."""
    listed = [picks] if isinstance(picks, str) else list(picks)
    by_type = mne.channel_indices_by_type(info, picks="all" if "all" in listed else picks)
    chosen = sorted(int(i) for indices in by_type.values() for i in indices)
    return [info["ch_names"][i] for i in chosen if info["ch_names"][i] in info["bads"]]


#: Picks MNE takes besides single channel types.
MNE_PICK_GROUPS = ("all", "data", "data_or_ica", "meg", "fnirs")


#: Channel types under which a file or reader plausibly stores scalp EEG: those the refusal of
#: a recording without EEG-typed channels offers to pick.
MISTYPED_EEG_TYPES = ("misc", "bio", "eog", "emg", "ecg")


def _modalities(types: Sequence[str]) -> str:
    """``"intracranial EEG (seeg, ecog)"``: the modalities of :data:`NOT_SCALP_TYPES` among
    ``types`` with their types, joined by ``", "``."""
    by_modality: dict[str, list[str]] = {}
    for kind in dict.fromkeys(types):
        if kind in NOT_SCALP_TYPES:
            by_modality.setdefault(NOT_SCALP_TYPES[kind], []).append(kind)
    return ", ".join(f"{what} ({', '.join(kinds)})" for what, kinds in by_modality.items())


def _no_channels_picked(info: mne.Info, picks: Any, listed: list[str], source: str) -> str:
    """The refusal of a type pick that selects nothing: how to take EEG typed otherwise
    (:data:`MISTYPED_EEG_TYPES`), or, for a recording of other modalities alone (sEEG, MEG),
    that EEGPT is a scalp-EEG model."""
    types = sorted(set(info.get_channel_types()))
    what = (
        f"{source}: no channels selected by picks={picks!r} (the recording has "
        f"{len(info['ch_names'])} channel(s) of type(s) {types})"
    )
    plausible = [kind for kind in types if kind == "eeg" or kind in MISTYPED_EEG_TYPES]
    if plausible:
        return f"{what}. If EEG channels are typed otherwise, {_picks_advice(listed, plausible)}."
    if all(kind in NOT_SCALP_TYPES or kind == "stim" for kind in types) and _modalities(types):
        return (
            f"{what}: its channels are {_modalities(types)}, not scalp EEG. EEGPT is a "
            "scalp-EEG model, pretrained on electrodes on the head, and has nothing to offer "
            "for these signals."
        )
    return f"{what}. If EEG channels are typed otherwise, set their type first " + (
        "(raw.set_channel_types({name: 'eeg'}))."
    )


def warn_not_scalp(names: Sequence[str], types: Sequence[str], source: str) -> None:
    """Warn once when channels that will be embedded (``names``, of ``types``) are of another
    modality than scalp EEG (:data:`NOT_SCALP_TYPES`: sEEG, ECoG, MEG, fNIRS ...), which only
    an explicit pick brings in."""
    other = [f"{n} ({t})" for n, t in zip(names, types, strict=True) if t in NOT_SCALP_TYPES]
    if other:
        _warn(
            f"{source}: channel(s) {few(other, 6)} used are {_modalities(types)}, not scalp "
            "EEG. EEGPT was pretrained on scalp EEG: embeddings of these channels, whatever "
            "their names, are outside what it learned."
        )


#: Channel types a type pick may bring in whose channels named like scalp sites are not
#: warned about by :func:`_warn_sites_of_other_types`: EEG itself, stim channels (no signal
#: to embed) and the other modalities, which :func:`warn_not_scalp` warns about.
_NOT_WARNED_SITE_TYPES = frozenset({"eeg", "stim", *NOT_SCALP_TYPES})


def _warn_sites_of_other_types(
    info: mne.Info, idx: Sequence[int], picks: list[str], source: str
) -> None:
    """Warn once when a pick of channel groups (``"all"``, ``"data"``) chose channels of
    another type than EEG (``eog``, ``emg``, ``bio``, ``misc`` ...) whose names are scalp
    sites (``Fpz`` typed ``eog``, ``Oz`` typed ``misc``): they map to those vocabulary sites
    and are embedded as scalp EEG, though a file types them so because they hold other
    signals (an EOG electrode at Fpz, an EMG one at AF7). Channels of a type named in
    ``picks`` (``["eeg", "misc"]``, as the refusal of a pick without EEG advises), chosen
    by name, or of the other modalities (:func:`warn_not_scalp`) are not warned about."""
    types = info.get_channel_types()
    chosen = [
        (info["ch_names"][i], types[i])
        for i in idx
        if types[i] not in _NOT_WARNED_SITE_TYPES
        and types[i] not in picks
        and normalize_channel_name(info["ch_names"][i]) is not None
    ]
    if not chosen:
        return
    shown = picks[0] if len(picks) == 1 else picks
    wanted = list(dict.fromkeys(["eeg", *(kind for _, kind in chosen)]))
    _warn(
        f"{source}: channel(s) {few([f'{n} ({k})' for n, k in chosen], 12)}, picked by "
        f"picks={shown!r}, are not typed eeg but are named like scalp sites, so they are "
        "embedded as the EEG of those sites; a file usually types channels so because they "
        "hold other signals (an EOG electrode at Fpz, EMG), which EEGPT was not pretrained on. To "
        "leave them out, pick EEG alone: picks='eeg' (the default; command line: --picks eeg, "
        "or no --picks), or drop them (--drop NAME). If they are scalp EEG stored under another "
        f"type, pick that type by name: picks={wanted!r} (command line: "
        f"{' '.join(f'--picks {t}' for t in wanted)}), or set their type first "
        "(raw.set_channel_types({name: 'eeg'}))."
    )


def _left_out_by_type(
    info: mne.Info, idx: Sequence[int], which: Callable[[str, str], bool]
) -> list[tuple[str, str]]:
    """``(name, type)`` of the channels a type pick left out beside the ``idx`` it chose, not
    marked bad, for which ``which(name, type)`` holds, in the recording's order."""
    chosen = set(idx)
    named = zip(info["ch_names"], info.get_channel_types(), strict=True)
    return [
        (name, kind)
        for i, (name, kind) in enumerate(named)
        if i not in chosen and name not in info["bads"] and which(name, kind)
    ]


def _say_not_scalp_left_out(
    info: mne.Info, idx: Sequence[int], picks: list[str], source: str
) -> None:
    """Warn of the intracranial channels (``seeg``, ``ecog``, ``dbs``: the contacts a BIDS
    ``_ieeg`` recording's ``*_channels.tsv`` types so, often named like scalp sites) a type pick
    left out beside the ``idx`` it chose, and how to take them anyway; nothing where none was
    (MEG or fNIRS channels beside EEG are left out as other types are, without a word)."""
    left_out = _left_out_by_type(
        info, idx, lambda name, kind: NOT_SCALP_TYPES.get(kind) == "intracranial EEG"
    )
    if left_out:
        kinds = list(dict.fromkeys(kind for _, kind in left_out))
        options = " ".join(f"--picks {t}" for t in dict.fromkeys([*picks, *kinds]))
        _warn(
            f"{source}: channel(s) {few([f'{n} ({k})' for n, k in left_out], 6)} are "
            f"{_modalities(kinds)}, not scalp EEG, and were left out (EEGPT is a scalp-EEG "
            f"model; whatever their names, they are not scalp electrodes). To embed them anyway: "
            f"picks={list(dict.fromkeys([*picks, *kinds]))!r} (command line: {options})"
        )


def _picks_advice(picked: list[str], types: Sequence[str]) -> str:
    """How to take channels of ``types`` too: picks in Python and on the command line."""
    wanted = list(dict.fromkeys([*picked, *types]))
    options = " ".join(f"--picks {t}" for t in wanted)
    return (
        f"take those types too: picks={wanted!r} (command line: {options}), or set their type "
        "first (raw.set_channel_types({name: 'eeg'}))"
    )


def _warn_electrodes_left_out(
    info: mne.Info, idx: list[int], picks: list[str], source: str
) -> None:
    """Warn when a type pick leaves out channels that carry scalp electrode names (e.g. ``Cz``
    typed ``misc``): those are usually EEG typed wrongly by the file or the reader."""
    left_out = _left_out_by_type(
        info,
        idx,
        lambda name, kind: (
            kind not in ("eeg", "bio", "stim")
            and kind not in NOT_SCALP_TYPES  # sEEG contacts F1, C3 ...: not scalp electrodes
            and normalize_channel_name(name) is not None
        ),
    )
    if left_out:
        named = few([f"{name} ({kind})" for name, kind in left_out], 12)
        shown = picks[0] if len(picks) == 1 else picks
        kinds = list(dict.fromkeys(kind for _, kind in left_out))
        _warn(
            f"{source}: channel(s) {named} have EEG electrode names but are not selected by "
            f"picks={shown!r}, so they were left out. If they are EEG, "
            f"{_picks_advice(picks, kinds)}."
        )
