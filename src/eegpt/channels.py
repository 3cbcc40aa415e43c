"""The EEGPT channel vocabulary and the mapping of real-world channel names onto it.

EEGPT gives every electrode a learned embedding, looked up by the electrode's row in a fixed
62-name vocabulary (:data:`VOCABULARY`). Recordings name their channels in many ways
(``Fp1``, ``EEG FP1-REF``, ``Fc5.``, ``T3``), so :func:`normalize_channel_name` turns one
messy name into a vocabulary name, and :func:`map_channels` turns a recording's channel list into
a :class:`ChannelMapping`: which input channels are kept, in which order, and which embedding row
each one gets. A channel that cannot be identified is dropped with a warning; it is never given
another channel's embedding.

The vocabulary and the reading of single labels are in :mod:`eegpt.vocabulary`, ``rename``
tables (caps' sockets, table files) in :mod:`eegpt.rename_tables`, tables made from electrode
positions in :mod:`eegpt.nearest_sites`; their public names are importable from here too.
"""

from __future__ import annotations

import copy
import functools
import re
import shlex
import sys
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, Literal

from eegpt._logging import Verbose, few, give_messages, held_messages
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt._methods import function_method
from eegpt._participants import (
    MANY_DUPLICATES,
    copies_hint,
    copies_note,
    duplicated_labels,
    participant_tags,
    participants_note,
    refused_note,
    refused_references,
    two_caps_error,
    two_caps_note,
)
from eegpt.config import keywords_meant
from eegpt.errors import DuplicateChannelsError, NoChannelMappedError, RecordingError
from eegpt.nearest_sites import nearest_rename
from eegpt.nearest_sites import nearest_summary as nearest_summary  # re-exported
from eegpt.nearest_sites import nearest_trained_sites as nearest_trained_sites  # re-exported
from eegpt.nearest_sites import with_positions_note as with_positions_note  # re-exported
from eegpt.rename_tables import (
    CAPS,
    HOW_TO_MAP,
    OPENBCI_INPUT,
    SOCKET,
    Rename,
    RenameTable,
    cap_channels,
    cap_key,
    cap_note,
    cap_rename,
    check_net_table,
    check_sockets,
    drops_by_electrode,
    drops_of_other_labels,
    file_argument,
    foreign_table,
    how_to_drop,
    keep_without_note,
    read_rename_table,
    rename_table,
    socket_labels,
    table_provenance,
    table_sockets,
    unfit_sockets,
    unmatched_drops_note,
    warn_unfit_sockets,
    with_net_rows,
    write_rename_table,
)
from eegpt.rename_tables import cap_name as cap_name  # re-exported
from eegpt.rename_tables import egi_advice as egi_advice  # re-exported
from eegpt.rename_tables import egi_labels as egi_labels  # re-exported
from eegpt.rename_tables import label_electrodes as label_electrodes  # re-exported
from eegpt.rename_tables import label_hint as label_hint  # re-exported
from eegpt.rename_tables import nearest_advice as nearest_advice  # re-exported
from eegpt.rename_tables import no_table_error as no_table_error  # re-exported
from eegpt.rename_tables import rename_text as rename_text  # re-exported
from eegpt.rename_tables import unmatched_rename_warning as unmatched_rename_warning  # re-exported
from eegpt.vocabulary import (
    AASM_EOG,
    CHANNEL_INDEX,
    CHANNEL_SETS,
    NOT_SCALP_TYPES,
    OTHER_SIGNALS,
    PRETRAINING_CHANNELS,
    PROBE_19_CHANNELS,
    REFERENCE_KEYS,
    SIDED_REFERENCES,
    UNSEEN_IN_PRETRAINING,
    VOCABULARY,
    both_sides,
    common_references,
    contact_advice,
    contact_runs,
    contacts_of,
    contacts_text,
    contacts_warning,
    copied_derivation,
    derivation_electrodes,
    derivation_sites,
    display_width,
    electrode_key,
    is_bipolar,
    is_other_electrode,
    label_parts,
    label_prefix,
    matched_keys,
    montage_spelling,
    normalize_channel_name,
    numbered_copy,
    padded,
    printable_name,
    reference_label,
    self_reference,
    shortened_list,
    spelling_hint,
    vocabulary_hint,
    zero_for_o,
)
from eegpt.vocabulary import may_be_electrode as may_be_electrode  # re-exported
from eegpt.vocabulary import plain_label as plain_label  # re-exported
from eegpt.vocabulary import present_keys as present_keys  # re-exported
from eegpt.vocabulary import typed_name as typed_name  # re-exported

if TYPE_CHECKING:
    import mne

    import eegpt.viz_channels

__all__ = [
    "CHANNEL_INDEX",
    "PRETRAINING_CHANNELS",
    "PROBE_19_CHANNELS",
    "UNSEEN_IN_PRETRAINING",
    "VOCABULARY",
    "CAPS",
    "CHANNEL_SETS",
    "ChannelMapping",
    "RenameTable",
    "cap_rename",
    "map_channels",
    "nearest_rename",
    "normalize_channel_name",
    "read_rename_table",
    "write_rename_table",
]


def kept_channels(
    keep: str | Iterable[str] | None, *, warn_idle: bool = False
) -> tuple[str, ...] | None:
    """``keep`` as the vocabulary names it stands for, in vocabulary order (so that two
    spellings or orders of one set are recorded alike); None for None.

    ``keep`` is a list of items, or one string of them separated by commas, applied left to
    right: a built-in set's name (:data:`CHANNEL_SETS`, any case, with or without ``-``), or
    that of a built-in rename table (:data:`~eegpt.rename_tables.CAPS`: ``"bci-iv-2a"``,
    ``"biosemi64"``: the vocabulary electrodes it names, :func:`cap_channels`) adds its
    channels, a name in any spelling that normalises (``"Fp1"``, ``"T3"``) adds
    that channel, and either with ``-`` before it removes them: ``"10-20,Oz"`` is the 10-20
    set and Oz, ``"10-20,-C3"`` (or ``["10-20", "-C3"]``) the 10-20 set without C3.
    With ``warn_idle`` (``--keep-channels``, read once a run), a removal that removed nothing
    (``"10-20,-Oz"``: Oz is not in 10-20; ``"-C3,10-20"``: C3 is added back after) is
    warned about, naming it.

    Raises
    ------
    ValueError
        For a name that is no vocabulary electrode (with the one it may be a misspelling of),
        an unknown set's name, or no channel left.
    """
    if keep is None:
        return None
    items = keep.split(",") if isinstance(keep, str) else list(keep)
    odd = [item for item in items if not isinstance(item, str)]
    if odd:
        raise ValueError(f"channels to keep are names (str), got {odd!r}")
    items = [item.strip() for item in items if item.strip()]
    wanted: set[str] = set()
    unknown: list[str] = []
    idle: list[str] = []  # removals of channels not kept at that point
    readded: list[str] = []  # ... of which a later item adds some back
    for index, item in enumerate(items):
        remove = item.startswith("-") and len(item) > 1
        name = item[1:].strip() if remove else item
        members = _keep_set(name)
        canonical = normalize_channel_name(name)
        if members is not None:
            change = set(members)
        elif canonical is not None:
            change = {canonical}
        else:
            unknown.append(item)
            continue
        if remove and not wanted & change:
            idle.append(item)
            if _added_later(items[index + 1 :], change):
                readded.append(item)
        wanted = wanted - change if remove else wanted | change
    keep_sets = [*CHANNEL_SETS, *CAPS]  # the names of sets, as the errors list them
    set_like = [item for item in unknown if re.fullmatch(r"[-\d\s_]+", item)]
    if set_like:
        raise ValueError(
            f"keep: {set_like} is no built-in channel set (known: {', '.join(keep_sets)}); "
            "give a set, vocabulary names or both, e.g. keep=['10-20', 'Oz'] (command line: "
            "--keep-channels 10-20,Oz)"
        )
    if unknown:
        raise ValueError(
            f"channel(s) to keep {unknown} are not EEGPT vocabulary names (see "
            "eegpt.channels.VOCABULARY) nor built-in sets (known: "
            f"{', '.join(keep_sets)})." + vocabulary_hint(item.lstrip("-") for item in unknown)
        )
    if not wanted:
        raise ValueError(
            f"keep={keep!r} names no channel: give a set or vocabulary names (a name after "
            "'-' removes it from those before), or keep=None for all"
        )
    if warn_idle and idle:
        _warn(idle_removals_note(idle, readded))
    return tuple(name for name in VOCABULARY if name in wanted)


def _keep_set(name: str) -> tuple[str, ...] | None:
    """The channels of the set ``name`` names in ``keep``: a built-in set's (:data:`CHANNEL_SETS`)
    or a built-in rename table's (:func:`cap_channels`), any case, with or without ``-``; None
    for a name of neither."""
    members = {cap_key(n): m for n, m in CHANNEL_SETS.items()}.get(cap_key(name))
    if members is None and (cap := cap_name(name)) is not None:
        members = cap_channels(cap)
    return members


def _added_later(later: Sequence[str], change: set[str]) -> bool:
    """Whether an item of ``later`` that is no removal adds a channel of ``change``."""
    for item in later:
        if item.startswith("-"):
            continue
        members = _keep_set(item)
        added = set(members) if members is not None else {normalize_channel_name(item)}
        if added & change:
            return True
    return False


def idle_removals_note(idle: Sequence[str], readded: Sequence[str] = ()) -> str:
    """The warning of :func:`kept_channels` for the removals ``idle`` (``["-Oz"]``) that
    removed nothing, because the items are applied left to right and a removal takes away
    only what the items before it kept; ``readded`` are those of ``idle`` (``"-C3"`` of
    ``"-C3,10-20"``) whose channels a later item adds, so that moving them after it helps."""
    absent = [item for item in idle if item not in readded]
    causes = []
    if absent:
        causes.append(
            f"{', '.join(item[1:] for item in absent)} is not among the channels the items "
            "before it kept, so there was nothing to remove (leave it out)"
        )
    if readded:
        causes.append(
            f"{', '.join(readded)} comes before the item that adds "
            f"{', '.join(item[1:] for item in readded)}, which a removal does not undo: put "
            "it after that item (10-20,-C3)"
        )
    return (
        f"--keep-channels: {', '.join(idle)} removed nothing (items are applied left to "
        f"right): {'; '.join(causes)}"
    )


def left_out_text(left_out: Any) -> list[str]:
    """Channels left out before mapping (a file status's or an output's ``left_out``:
    channel -> why, ``"bad"``, its type, ``"not picked"``, ``"not kept"``) as eegpt words
    them, in the ``left_out_channels`` column of ``_files.csv`` and a mapping figure's list:
    ``["F3 (bad)", "VEOG (eog)"]``; none for anything else."""
    if not isinstance(left_out, Mapping):
        return []
    return [f"{name} ({why})" for name, why in left_out.items()]


#: MNE's channel types of MEG sensors, counted together by :func:`left_out_count_text`.
_MEG_TYPES = ("grad", "mag", "ref_meg")


def left_out_count_text(left_out: Any) -> str | None:
    """How many channels were left out before mapping (``left_out`` as :func:`left_out_text`
    takes it), by why, MEG sensors counted together with their types: ``"35 channels left
    out: 30 MEG (grad, mag), 2 eog, 1 ecg, 1 stim, 1 bad"``; None for none (or anything
    but a mapping)."""
    if not isinstance(left_out, Mapping) or not left_out:
        return None
    whys = [str(why) for why in left_out.values()]
    counts = Counter("MEG" if why in _MEG_TYPES else why for why in whys)
    meg = [kind for kind in _MEG_TYPES if kind in whys]
    parts = [
        f"{n} {why}" + (f" ({', '.join(meg)})" if why == "MEG" else "") for why, n in counts.items()
    ]
    total = len(whys)
    return f"{total} channel{'s' if total != 1 else ''} left out: {', '.join(parts)}"


def _why_left_out(
    table: Mapping[str, str | None],
    excluded: Sequence[str],
    left_out: Mapping[str, str],
    sockets: set[str],
    common: Collection[str] = (),
) -> dict[str, str]:
    """Vocabulary name -> why its channel, present in the recording, was not used: dropped
    (``excluded``, by a rename's None) or left out before mapping (``left_out``: marked bad,
    or of another type or not picked). A channel's electrode is the one ``table`` renames it
    to, else its label's (not a socket label's), read as the mapping reads it: a derivation
    against ``common`` (the montage's shared references, :func:`common_references`) is its
    first electrode (``O1-Cz``: O1)."""
    reasons = {"bad": "marked bad", "not picked": "not picked", "dropped": "dropped"}
    out: dict[str, str] = {}
    for label, why in [*((name, "dropped") for name in excluded), *left_out.items()]:
        canonical = _label_electrode(label, table, sockets, common)
        if canonical is not None:
            out.setdefault(canonical, reasons.get(why, f"typed {why}"))
    return out


def _label_electrode(
    label: str, table: Mapping[str, str | None], sockets: set[str], common: Collection[str]
) -> str | None:
    """The vocabulary name of the electrode a channel labelled ``label`` records, read as the
    mapping reads it (:func:`_why_left_out`), or None: the one ``table`` renames it to, else
    its label's (not a socket label's); a derivation against ``common`` is its first
    electrode."""
    target = table.get(label)
    if target is None and label not in sockets:
        target = label
    canonical = normalize_channel_name(target) if target is not None else None
    pair = derivation_electrodes(label) if target == label and is_bipolar(label) else None
    if pair is not None and pair[1] in common:
        canonical = pair[0]
    return canonical


def _left_out_text(
    excluded: Sequence[str], used: Collection[str], sockets: set[str], common: Collection[str]
) -> list[str]:
    """Why the channels ``excluded`` (a rename's None) are not used, for the count of the
    channels used: ``["2 left out as duplicates of electrodes used (C3-M2, C4-M1)", "3 left
    out by the rename"]``. A duplicate is a channel whose label reads as an electrode that a
    channel used gives (``used``: their vocabulary names): the later channels of one
    electrode, which :func:`_check_duplicates` refuses and ``eegpt channels`` shows left out,
    as its advice says, where no rename was given."""
    twice = [name for name in excluded if _label_electrode(name, {}, sockets, common) in used]
    parts = []
    if twice:
        what = "a duplicate of an electrode" if len(twice) == 1 else "duplicates of electrodes"
        parts.append(f"{len(twice)} left out as {what} used ({few(twice, 5)})")
    if len(excluded) > len(twice):
        parts.append(f"{len(excluded) - len(twice)} left out by the rename")
    return parts


def _stand_ins(
    electrodes: Mapping[str, str], taken: Iterable[str] = ()
) -> list[tuple[str, tuple[str, float]]]:
    """``electrodes`` (input name -> 10-05 name, upper case) paired with their nearest trained
    sites, none of ``taken`` (:func:`eegpt.nearest_sites.nearest_trained_sites`): input name
    -> (site, mm), for those the template head places."""
    if not electrodes:
        return []
    found = nearest_trained_sites(list(electrodes.values()), taken=taken)
    return [(inp, found[can]) for inp, can in electrodes.items() if can in found]


def _stand_in_text(pairs: Sequence[tuple[str, tuple[str, float]]]) -> str:
    """``"TP9 -> TP7 (21 mm): to let ... rename={'TP9': 'TP7'} (command line: ...)"``: the
    renames that let electrodes stand in for their nearest trained sites (:func:`_stand_ins`)."""
    shown = ", ".join(f"{inp} -> {site} ({mm:g} mm)" for inp, (site, mm) in pairs)
    python = ", ".join(f"{inp!r}: {site!r}" for inp, (site, _) in pairs)
    command = " ".join(f"--rename {shlex.quote(f'{inp}={site}')}" for inp, (site, _) in pairs)
    return (
        f"{shown}: to let these electrodes stand in for them, rename them: rename={{{python}}} "
        f"(command line: {command})"
    )


def _outside_stand_in_note(names: Sequence[str], taken: Iterable[str] = ()) -> str:
    """A sentence with the nearest trained sites to the 10-05 electrodes outside the
    vocabulary among ``names`` (Muse's TP9/TP10) and the renames to use them by, none of
    ``taken`` (vocabulary names the recording uses); ``""`` for none."""
    electrodes = {
        n: electrode_key(n)
        for n in names
        if is_other_electrode(n) and electrode_key(n) not in SIDED_REFERENCES  # not ears, mastoids
    }
    pairs = _stand_ins(electrodes, taken)
    if not pairs:
        return ""
    return (
        f" The nearest trained sites (on a template head) are {_stand_in_text(pairs)}; a site "
        "tens of mm away is an approximation."
    )


def _dropped_note(
    unknown: Sequence[str],
    targets: Mapping[str, str] | None = None,
    chosen: Mapping[str, str] | None = None,
    taken: Iterable[str] | None = None,
) -> str:
    """What the dropped names are: electrodes outside the vocabulary (with the nearest
    trained sites to those of the 10-05 system, not to be used already, where ``taken``, the
    vocabulary names used, is given; ``targets``: what a
    rename called them, e.g. a cap's ``{"A24": "P9"}``), other signals, duplicate labels MNE
    numbered (``chosen``: label -> the copy a rename keeps), reference channels (an electrode
    against itself, ``Cz-Cz``), or names to map by hand."""
    targets, chosen = targets or {}, chosen or {}
    typed_o = {n: o for n in unknown if n not in targets and (o := zero_for_o(n)) is not None}
    unknown = [n for n in unknown if n not in typed_o]
    keys = {name: electrode_key(targets.get(name, name)) for name in unknown}
    electrodes = [n for n in unknown if is_other_electrode(targets.get(n, n))]
    numbered_e = len({k for k in keys.values() if re.fullmatch(r"E\d+", k)}) > 2  # EGI's E1...
    signals = [
        n
        for n in unknown
        if n not in electrodes
        and (OTHER_SIGNALS.search(keys[n]) or (AASM_EOG.match(keys[n]) and not numbered_e))
        and not OPENBCI_INPUT.match(n)  # EXG, but an OpenBCI board's EEG inputs
    ]
    copies = [
        n
        for n in unknown
        if n not in electrodes and n not in signals and numbered_copy(n) is not None
    ]
    # derivations of two electrodes (copies MNE numbered apart too: T8-P8-1) are for
    # _bipolar_note, and neither they nor an electrode against itself are to be renamed
    rest = [
        n
        for n in unknown
        if n not in electrodes
        and n not in signals
        and n not in copies
        and copied_derivation(n) is None
    ]
    parts = [_zero_for_o_note(typed_o)] if typed_o else []
    flat = [n for n in unknown if n not in targets and self_reference(n) is not None]
    if flat:
        parts.append(_self_reference_note(flat))
    if electrodes:
        shown = [f"{n} ({targets[n]})" if n in targets else n for n in electrodes]
        parts.append(
            f"{shortened_list(shown)} are electrodes outside EEGPT's 62 names "
            "(eegpt.channels.VOCABULARY): the model has no embedding for them."
            + (
                ""
                if taken is None
                else _outside_stand_in_note([n for n in electrodes if n not in targets], taken)
            )
        )
    others = [n for n in copies if numbered_copy(n) in chosen]  # a copy was kept by rename
    for label in dict.fromkeys(numbered_copy(n) for n in others):
        these = [n for n in others if numbered_copy(n) == label]
        parts.append(
            f"{these} {'is the other copy' if len(these) == 1 else 'are the other copies'} of "
            f"{label!r}, whose copy {chosen[label]!r} the rename keeps."  # type: ignore[index]
        )
    parts.extend(_copies_notes([n for n in copies if n not in others]))
    if signals:
        parts.append(
            f"{shortened_list(signals)} look like other signals (EOG, ECG, EMG, triggers, ...)."
        )
    if rest and len(rest) == len(unknown):  # no other kind of name among them
        parts.append(f"If some are EEG electrodes, map them with {HOW_TO_MAP}.")
    elif len(rest) == 1:
        parts.append(f"If {rest[0]!r} is an EEG electrode, map it with {HOW_TO_MAP}.")
    elif rest:
        parts.append(
            f"If some of {shortened_list(rest)} are EEG electrodes, map them with {HOW_TO_MAP}."
        )
    return "".join(f" {part}" for part in parts)


def _copies_notes(copies: Sequence[str]) -> list[str]:
    """Sentences on dropped labels that read as a vocabulary name with a number after it
    (``copies``: ``["Cz-0", "Cz-1", "C3-1"]``), one per label stored more than once, which
    MNE numbered apart in file order (``Cz-0``, ``Cz-1``: the first ``Cz`` and the next),
    and one for the labels with a single such copy among them (``C3-1``), which may be
    such a copy (its others left out) or a label of its own: each with the rename that
    keeps it as its electrode."""
    groups: dict[str, list[str]] = {}
    for name in copies:
        groups.setdefault(numbered_copy(name) or name, []).append(name)
    parts = []
    for label, these in groups.items():
        if len(these) > 1:
            parts.append(
                f"{these} look like copies of one label that MNE numbered apart (the file "
                f"names {len(these)} channels {label!r}): keep the right one with "
                f"rename={{{these[0]!r}: {label!r}}} (command line: --rename "
                f"{shlex.quote(f'{these[0]}={label}')})."
            )
    single = {these[0]: label for label, these in groups.items() if len(these) == 1}
    if single:
        python = ", ".join(f"{name!r}: {label!r}" for name, label in single.items())
        command = " ".join(
            f"--rename {shlex.quote(f'{name}={label}')}" for name, label in single.items()
        )
        one = len(single) == 1
        parts.append(
            f"{shortened_list(list(single))} read{'s' if one else ''} as "
            f"{few([repr(label) for label in single.values()], 6)} with a number after "
            f"{'it' if one else 'them'}: "
            + (
                "a copy that MNE numbered apart, of a label the file names more than once (the "
                "other copies not among the channels mapped), or a label of its own; if it is "
                "that electrode, "
                if one
                else "copies that MNE numbered apart, of labels the file names more than once "
                "(the other copies not among the channels mapped), or labels of their own; if "
                "they are those electrodes, "
            )
            + f"rename={{{python}}} (command line: {command})."
        )
    return parts


def dropped_reason(label: str, labels: Sequence[str], target: str | None = None) -> str:
    """Why the channel ``label``, dropped by :func:`map_channels`, has no vocabulary name, in a
    few words as the warning on the dropped channels says it (:func:`_dropped_note`): an
    electrode against itself, a bipolar derivation, an electrode outside the vocabulary,
    another signal, a copy of a label MNE numbered apart, the digit 0 for the letter O, or
    no name it knows. ``labels``: the recording's (EGI's ``E1`` ... tell ``E1``/``E2`` from
    AASM's EOG); ``target``: the name a rename gave it (an electrode outside the
    vocabulary)."""
    name = target or label
    key = electrode_key(name)
    numbered_e = len({k for n in labels if re.fullmatch(r"E\d+", k := electrode_key(n))}) > 2
    if target is None and (ref := self_reference(label)) is not None:
        ref = montage_spelling(ref)
        return f"{ref} against itself: a montage's reference channel, flat, no signal"
    if target is None and is_bipolar(label):
        return (
            "a bipolar derivation (a difference of two electrodes, which EEGPT was not "
            "pretrained on; renaming it to one electrode gives the model such a signal)"
        )
    if is_other_electrode(name):
        return "an electrode outside EEGPT's 62 names: the model has no embedding for it"
    if OTHER_SIGNALS.search(key) or (AASM_EOG.match(key) and not numbered_e):
        return "named like another signal (EOG, ECG, EMG, triggers, ...)"
    if target is None and (o := zero_for_o(label)) is not None:
        return f"reads as {o} with the digit 0 for the letter O (--rename {label}={o} if so)"
    if target is None and (first := numbered_copy(label)) is not None:
        return f"a copy of {first!r} numbered apart by MNE (--rename keeps one)"
    return "no EEGPT vocabulary name (--rename names it if it is an EEG electrode)"


def _zero_for_o_note(typed_o: Mapping[str, str]) -> str:
    """A sentence on the labels of ``typed_o`` (label -> the vocabulary name it reads as with
    the digit 0 taken for the letter O, :func:`eegpt.vocabulary.zero_for_o`) and the rename
    that uses them as such, if that is what they are."""
    shown = ", ".join(f"{n!r} reads as {o}" for n, o in typed_o.items())
    python = ", ".join(f"{n!r}: {o!r}" for n, o in typed_o.items())
    command = " ".join(f"--rename {shlex.quote(f'{n}={o}')}" for n, o in typed_o.items())
    return (
        f"{shown} with the digit 0 for the letter O (no 10-10 name holds a zero): if "
        f"{'that is' if len(typed_o) == 1 else 'those are'} the electrode"
        f"{'' if len(typed_o) == 1 else 's'}, rename: rename={{{python}}} (command line: "
        f"{command})."
    )


def _self_reference_note(names: Sequence[str]) -> str:
    """A sentence on the channels ``names``, each an electrode against itself (``Cz-Cz``)."""
    ref = montage_spelling(str(self_reference(names[0])))
    what = (
        f"is {ref} against itself"
        if len(names) == 1
        else f"are each an electrode against itself ({names[0]}: {ref} against {ref})"
    )
    return (
        f"{list(names)} {what}: the reference channel a montage against it exports, flat "
        "(all zeros), with no signal for the model."
    )


def _referential_warning(
    referential: Mapping[str, str],
    considered: Sequence[str],
    kept: Mapping[str, str],
    where: str,
    some_left_out: bool = False,
) -> str:
    """What to say of the channels ``referential`` (input name -> the reference electrode they
    were read against; ``considered``: the recording's channels the user did not leave out,
    ``some_left_out`` when there are such; ``kept``: vocabulary name -> input name of every
    channel used)."""
    n_derivations = Counter(pair[1] for name in considered if (pair := derivation_electrodes(name)))
    channels = "of the channels not left out" if some_left_out else "channels of the recording"
    sentences = []
    for reference in dict.fromkeys(referential.values()):
        names = [name for name, ref in referential.items() if ref == reference]
        ref = montage_spelling(reference)
        first = montage_spelling(str(derivation_electrodes(names[0])[0]))  # type: ignore[index]
        itself = [name for name in considered if self_reference(name) == reference]
        flat = (
            f", yet {kept[reference]!r} is used as {ref}: check that it carries a signal "
            f"(else leave it out: --drop {shlex.quote(kept[reference])})"
            if reference in kept
            else f" ({itself[0]!r} is that channel: left out)"
            if itself
            else " and absent from the channels used"
        )
        n = n_derivations[reference] - len(itself)  # Cz-Cz ends in Cz but is no derivation
        besides = f" ({itself[0]}, {ref} against itself, is no derivation)" if itself else ""
        are = "is" if len(names) == 1 else "are"
        sentences.append(
            f"{few(names)} {are} read as referential to {ref}: {n} {channels} have {ref} as "
            f"their second electrode and none has it as its first{besides}, as in a montage "
            f"against {ref} (common in neonatal EEG; a bipolar "
            f"chain passes each electrode on), so each is used as its first electrode "
            f"({names[0]} as {first}). {ref} itself, the reference, is flat in such a "
            f"recording{flat}."
        )
    return (
        f"{where}" + " ".join(sentences) + " If they are bipolar derivations after all, leave "
        "them out (rename={NAME: None}; command line: --drop NAME, for each); a rename of a "
        "channel overrides this reading (rename={NAME: VOCAB}; command line: --rename "
        "NAME=VOCAB)."
    )


def _renamed_bipolar_note(renamed: Sequence[tuple[str, str]], where: str) -> str:
    """The note on kept channels labelled as bipolar derivations that a rename named as one
    electrode (``renamed``: (input name, vocabulary name) pairs, ``[("EEG Fpz-Cz", "FPZ")]``)."""
    pairs = []
    for name, target in renamed:
        first, second = (montage_spelling(e) for e in copied_derivation(name) or (target, "?"))
        pairs.append(f"{name!r} (renamed {montage_spelling(target)}) is {first} minus {second}")
    one = len(renamed) == 1
    return (
        f"{where}{'; '.join(pairs)}: a rename changes the name, not the signal, which stays "
        f"the bipolar difference of two electrodes. EEGPT was pretrained on referential EEG "
        f"(each electrode against a common reference), so {'its' if one else 'their'} "
        "embeddings are not comparable with those of referential recordings of "
        f"{'that electrode' if one else 'those electrodes'} (nor those of another derivation). "
        "Use a referential recording of the session if there is one."
    )


def fitted_derivations_note(
    fitted: Sequence[tuple[str, str]], mapping: ChannelMapping, where: str = ""
) -> str | None:
    """The warning for data whose channels give other signals under the vocabulary names a
    model was fitted on (``fitted``: (vocabulary name, label in the training data) pairs, as
    a probe's ``input_names`` beside its ``input_labels``; ``mapping``: the data's): a
    bipolar derivation renamed to an electrode in training (CHB-MIT's ``'FP1-F7'`` as Fp1,
    Fp1 minus F7) where the data give that electrode against a reference (TUH's ``'EEG
    FP1-REF'``), the reverse, or another derivation (``'FP1-F3'``); None where each channel
    is of the kind it was in training. Derivations against an electrode that the montage
    shares (``Fp1-Cz, C3-Cz, O1-Cz``: :func:`eegpt.vocabulary.common_references`; the data's
    ``mapping.referential``) are referential; a label giving the same two electrodes on both
    sides (``'Fp1-Cz'`` in a montage against Cz, renamed alone in the data) is the same
    signal, whichever side counts it as referential."""
    used = dict(zip(mapping.names, mapping.input_names, strict=True))
    # a montage against one electrode (Fp1-Cz, C3-Cz, O1-Cz ...) is referential
    common = common_references([label for _, label in fitted])

    def derivation(label: str) -> tuple[str, str] | None:
        pair = copied_derivation(label) if is_bipolar(label) else None
        return None if pair is None or pair[1] in common else pair

    changed = []
    for name, label in fitted:
        now = used.get(name)
        if now is None:
            continue
        if is_bipolar(label) and copied_derivation(label) == copied_derivation(now):
            continue  # the same difference of two electrodes, however each montage reads it
        then_pair = derivation(label)
        now_pair = None if now in mapping.referential else copied_derivation(now)
        now_pair = now_pair if is_bipolar(now) else None
        if then_pair == now_pair:
            continue
        site = montage_spelling(name)
        said = [
            f"{n!r} ({montage_spelling(p[0])} minus {montage_spelling(p[1])})"
            if p is not None
            else f"{n!r} (referential)"
            for n, p in ((label, then_pair), (now, now_pair))
        ]
        changed.append(f"{site}: trained on {said[0]}, here {said[1]}")
    if not changed:
        return None
    return (
        f"{where}{len(changed)} channel(s) give another signal than the one the model was "
        f"trained on under the same name ({'; '.join(changed[:6])}"
        f"{f'; and {len(changed) - 6} more' if len(changed) > 6 else ''}): a bipolar "
        "derivation renamed to one electrode stays the difference of two electrodes, so the "
        "weights fitted on one kind of signal do not carry over to the other, and the "
        "predictions are not those of the trained montage. Give recordings of the montage it "
        "was trained on (derive it from referential ones, mne.set_bipolar_reference, where it "
        "was trained on derivations), or train on this montage."
    )


def _bipolar_note(
    names: Sequence[str],
    refused: Mapping[str, Sequence[str]] | None = None,
    common: Collection[str] = (),
) -> str:
    """A sentence about the bipolar derivations among ``names`` (empty if there are none),
    but for the labels that :func:`_participants_notes` says are participants' channels
    (tagged ``P1-``, or against a reference of ``refused``) and those against an electrode
    of ``common``, the montage's reference (:func:`eegpt.vocabulary.common_references`:
    ``'FT9-Cz'`` beside ``Fp1-Cz, C3-Cz, O1-Cz`` is referential, its FT9 outside the
    vocabulary)."""
    tagged = _tagged_labels(names, refused or {})
    bipolar = [
        name
        for name in names
        if is_bipolar(name)
        and name not in tagged
        and (pair := derivation_sites(name)) is not None
        and pair[1] not in common
    ]
    if not bipolar:
        return ""
    return (
        f" {len(bipolar)} of them look like bipolar derivations ({bipolar[0]!r}, ...): EEGPT was "
        "pretrained on channels against a common reference, and a difference of two electrodes "
        "is not one electrode, so they are not mapped. Use a referential recording of the same "
        "session if there is one; renaming a derivation to one of its electrodes gives the model "
        "a signal it was not trained on."
    )


def _tagged_labels(names: Sequence[str], refused: Mapping[str, Sequence[str]]) -> set[str]:
    """The labels among ``names`` that look like participants' channels: those sharing a
    participant's tag (:func:`eegpt._participants.participant_tags`) and those naming a
    derivation against a reference of ``refused`` (:func:`refused_references`) or shown
    there."""
    tagged = {label for group in participant_tags(names) for label in group.labels}
    tagged.update(label for labels in refused.values() for label in labels)
    tagged.update(
        name
        for name in names
        if (pair := derivation_electrodes(name)) is not None and pair[1] in refused
    )
    return tagged


def _participants_notes(
    names: Sequence[str], refused: Mapping[str, Sequence[str]], used: Sequence[str] = ()
) -> str:
    """The sentences on channels among ``names`` that look like several participants' (or
    devices'): derivations not read as referential (``refused``: :func:`refused_references`)
    and labels sharing a participant's tag (``A-Fp1``, ``Fp1_1``; ``used``: the vocabulary
    names of the channels used beside them); ``""`` for none."""
    tagged = participants_note(names, used)
    return refused_note(refused, names, recipe=not tagged) + tagged


def _check_two_caps(
    names: Sequence[str], rename: Mapping[str, str | None], used: Sequence[str]
) -> None:
    """Refuse a recording that stores :data:`eegpt._participants.MANY_DUPLICATES` labels or
    more twice (MNE's copies ``C3-0``, ``C3-1``) while other channels (``used``, input names)
    map, unless ``rename`` names a copy (the user said which is which): two caps' channels
    would be embedded as one head."""
    duplicated = duplicated_labels(names)
    copies = {copy for group in duplicated.values() for copy in group}
    if len(duplicated) >= MANY_DUPLICATES and not copies & set(rename):
        raise RecordingError(two_caps_error(duplicated, used))


# --------------------------------------------------------------------------------------------
# mapping
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelMapping:
    """Which channels of a recording go into EEGPT, in which order, with which embedding.

    All tuples have one entry per kept channel, in kept (= input) order.

    Parameters
    ----------
    input_names : tuple of str
        Names of the kept channels as in the recording.
    names : tuple of str
        Their vocabulary names.
    picks : tuple of int
        Their indices in the list of channel names that was mapped: the ``names`` given to
        :func:`map_channels`; for an MNE recording (``map_channels(raw)``, ``model.embed``,
        ``open_stream``), the channels it picked (typed EEG, those marked bad left out), not
        ``raw.ch_names``. ``input_names`` name them, so ``raw.copy().pick(list(input_names))``
        gives the used channels in mapping order, whatever list the picks index.
    chan_ids : tuple of int
        Their rows in the channel-embedding table (``CHANNEL_INDEX[name]``).
    dropped : tuple of str
        Recording channels that were not kept.
    referential : dict of str to str
        Kept channels labelled as a derivation of two electrodes (``"Fp1-Cz"``) that were read
        as their first electrode against a reference shared by the montage (the second
        electrode, as a vocabulary name: ``{"Fp1-Cz": "CZ"}``; see :func:`map_channels`).
    rename_source : str | None
        Where the ``rename`` table came from, when it was a :class:`RenameTable` that says so
        (a file's path, a cap's name, ``"nearest 10-10 sites to GSN-HydroCel-129 (≤ 20 mm)"``);
        provenance only: mappings that differ in it alone are equal.
    rename_call : str | None
        The Python that gives that table, for one of :func:`nearest_rename`.
    rename_distances_mm : dict of str to float
        For a table made from positions: each kept channel's distance, in mm, to the site it
        was named after (input name -> mm).
    keep : tuple of str | None
        The vocabulary channels ``keep=`` restricted the mapping to (:func:`kept_channels`;
        None: all).
    not_kept : tuple of str
        Recording channels that map to a vocabulary channel outside ``keep``, left out (not
        among ``dropped``; outputs list them in ``metadata["left_out"]`` as ``"not kept"``).
    bipolar : tuple of str
        Kept channels labelled as a bipolar derivation of two electrodes (``"EEG Fpz-Cz"``)
        that a rename named as one electrode (``FPZ``): their signal is still the difference
        of the two (Fpz minus Cz), not that electrode against a reference
        (:func:`map_channels` says so once). Provenance only: mappings that differ in it alone
        are equal.
    """

    input_names: tuple[str, ...]
    names: tuple[str, ...]
    picks: tuple[int, ...]
    chan_ids: tuple[int, ...]
    dropped: tuple[str, ...] = ()
    referential: Mapping[str, str] = field(default_factory=dict, hash=False)
    rename_source: str | None = field(default=None, compare=False)
    rename_call: str | None = field(default=None, compare=False)
    rename_distances_mm: Mapping[str, float] = field(
        default_factory=dict, hash=False, compare=False
    )
    keep: tuple[str, ...] | None = None
    not_kept: tuple[str, ...] = ()
    bipolar: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        for name in ("input_names", "names", "picks", "chan_ids", "dropped", "not_kept", "bipolar"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "referential", dict(self.referential))
        if self.keep is not None:
            object.__setattr__(self, "keep", tuple(self.keep))
        object.__setattr__(self, "rename_distances_mm", dict(self.rename_distances_mm))
        odd = {k: v for k, v in self.referential.items()
               if k not in self.input_names or v not in CHANNEL_INDEX}  # fmt: skip
        if odd:
            raise ValueError(
                "referential must map kept input names to vocabulary names (their reference), "
                f"got {odd}"
            )
        n = len(self.names)
        if not (len(self.input_names) == len(self.picks) == len(self.chan_ids) == n):
            raise ValueError(
                "ChannelMapping fields must have one entry per kept channel, got "
                f"{len(self.input_names)} input_names, {n} names, {len(self.picks)} picks and "
                f"{len(self.chan_ids)} chan_ids"
            )
        unknown = [name for name in self.names if name not in CHANNEL_INDEX]
        if unknown:
            raise ValueError(f"names not in the EEGPT vocabulary: {unknown}")
        wrong = [
            (name, cid)
            for name, cid in zip(self.names, self.chan_ids, strict=True)
            if CHANNEL_INDEX[name] != cid
        ]
        if wrong:
            raise ValueError(
                "chan_ids do not match the vocabulary rows of names: "
                + ", ".join(
                    f"{name} has row {CHANNEL_INDEX[name]}, not {cid}" for name, cid in wrong
                )
            )
        if len(set(self.names)) != n:
            raise ValueError(f"vocabulary names must be unique, got {list(self.names)}")
        if len(set(self.picks)) != n or any(p < 0 for p in self.picks):
            raise ValueError(f"picks must be unique non-negative indices, got {list(self.picks)}")

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore a pickled mapping (``EEGPTEmbedder.mapping_`` of a saved estimator, a
        probe's): fields it lacks, pickled by an eegpt that had none of them (``rename_*``),
        get their defaults."""
        defaults = {
            f.name: f.default_factory() if f.default_factory is not MISSING else f.default
            for f in fields(self)
            if f.default is not MISSING or f.default_factory is not MISSING
        }
        self.__dict__.update({**defaults, **state})

    def __len__(self) -> int:
        return len(self.names)

    @property
    def unseen(self) -> tuple[str, ...]:
        """Kept channels whose embeddings were not trained (see :data:`UNSEEN_IN_PRETRAINING`)."""
        return tuple(name for name in self.names if name in UNSEEN_IN_PRETRAINING)

    def summary(self, limit: int | None = None, source: str | None = None) -> str:
        """A table of input name -> vocabulary name (embedding row), then the dropped names
        and, in short, those outside ``keep``; with ``limit``, the first ``limit`` rows and
        dropped names and how many more there are (for a log; ``eegpt channels FILE`` shows
        them all, the recording ``source``'s path in that command where it is a file)."""
        shown = [printable_name(name) for name in self.input_names]
        width = max([len("input"), *(display_width(name) for name in shown)])
        lines = [f"ChannelMapping: {len(self)} channel(s) kept, {len(self.dropped)} dropped"]
        lines.append(f"  {'input':<{width}}  ->  vocabulary (row)")
        rows = list(zip(shown, self.names, self.chan_ids, strict=True))
        for inp, name, cid in rows[:limit]:
            note = "  [untrained embedding]" if name in UNSEEN_IN_PRETRAINING else ""
            lines.append(f"  {padded(inp, width)}  ->  {name} ({cid}){note}")
        if limit is not None and len(rows) > limit:
            lines.append(
                f"  ... and {len(rows) - limit} more (eegpt channels {file_argument(source)} "
                "lists them all)"
            )
        for reference in dict.fromkeys(self.referential.values()):
            n = sum(ref == reference for ref in self.referential.values())
            lines.append(
                f"  read as referential to {montage_spelling(reference)} (each derivation "
                f"X-{montage_spelling(reference)} as X): {n} channel(s)"
            )
        if self.dropped:
            dropped = [printable_name(name) for name in self.dropped]
            shown_dropped = ", ".join(dropped) if limit is None else few(dropped, limit)
            lines.append("  dropped: " + shown_dropped)
        if self.not_kept:
            other = [printable_name(name) for name in self.not_kept]
            # left out by choice, so named in short even where the table shows every row
            lines.append(
                f"  not kept (outside the {len(self.keep or ())} channels kept): "
                + few(other, limit or _LOGGED_ROWS)
            )
        return "\n".join(lines)

    def left_out_with(self, left_out: Mapping[str, str] | None) -> dict[str, str]:
        """``left_out`` (channel -> why it was left out, :attr:`eegpt.io.Recording.left_out`)
        with the channels outside ``keep`` added as ``"not kept"``: what outputs record."""
        return {**dict(left_out or {}), **dict.fromkeys(self.not_kept, "not kept")}

    def __str__(self) -> str:
        return self.summary()

    # the mapping on a head (eegpt.viz.plot_channel_mapping), bound to this mapping
    if TYPE_CHECKING:  # what type checkers see (eegpt._methods)
        plot = eegpt.viz_channels.plot_channel_mapping
    else:
        plot = function_method("eegpt.viz_channels", "plot_channel_mapping")

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (lists of str/int; ``"referential"`` only when a channel
        was read so, the ``rename_*`` provenance only when there is some); inverse of
        :meth:`from_dict`."""
        out: dict[str, Any] = {
            "input_names": list(self.input_names),
            "names": list(self.names),
            "picks": [int(p) for p in self.picks],
            "chan_ids": [int(c) for c in self.chan_ids],
            "dropped": list(self.dropped),
        }
        if self.referential:
            out["referential"] = dict(self.referential)
        if self.rename_source:
            out["rename_source"] = self.rename_source
        if self.rename_call:
            out["rename_call"] = self.rename_call
        if self.rename_distances_mm:
            out["rename_distances_mm"] = dict(self.rename_distances_mm)
        if self.keep is not None:
            out["keep"] = list(self.keep)
        if self.not_kept:
            out["not_kept"] = list(self.not_kept)
        if self.bipolar:
            out["bipolar"] = list(self.bipolar)
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ChannelMapping:
        """Rebuild a mapping from :meth:`to_dict` output; the fields are validated."""
        missing = {"input_names", "names", "picks", "chan_ids"} - set(d)
        if missing:
            raise ValueError(f"ChannelMapping dict lacks {sorted(missing)}")
        return cls(
            input_names=tuple(str(x) for x in d["input_names"]),
            names=tuple(str(x) for x in d["names"]),
            picks=tuple(int(x) for x in d["picks"]),
            chan_ids=tuple(int(x) for x in d["chan_ids"]),
            dropped=tuple(str(x) for x in d.get("dropped", ())),
            referential={str(k): str(v) for k, v in (d.get("referential") or {}).items()},
            rename_source=d.get("rename_source"),
            rename_call=d.get("rename_call"),
            rename_distances_mm={
                str(k): float(v) for k, v in (d.get("rename_distances_mm") or {}).items()
            },
            keep=None if d.get("keep") is None else tuple(str(x) for x in d["keep"]),
            not_kept=tuple(str(x) for x in d.get("not_kept", ())),
            bipolar=tuple(str(x) for x in d.get("bipolar", ())),
        )


#: How many channel mappings :func:`map_channels` keeps for inputs it was given again.
MAX_CACHED_MAPPINGS = 128
_MAPPINGS: OrderedDict[tuple[Any, ...], tuple[ChannelMapping, tuple[tuple[Any, ...], ...]]] = (
    OrderedDict()
)
_MAPPINGS_LOCK = threading.Lock()


def rename_on_missing(data: Any) -> Literal["raise", "ignore"]:
    """``rename`` keys absent from the channels: an error for one input, allowed for several
    (a key may name a channel of another input)."""
    return "ignore" if isinstance(data, (list, tuple)) else "raise"


@keywords_meant({"strict_channels": ("on_unknown", "on_unknown='raise'")})
@dataclass(frozen=True)
class ChannelRules:
    """What the channel mapping (:func:`map_channels`) does with channels it cannot use: one
    object, made and checked once from the caller's keywords, passed down to every mapping of
    the inputs. :func:`eegpt.embed` (and :func:`~eegpt.embed_to_file`), the streamed reading
    (:func:`eegpt.streaming.open_stream`), :func:`eegpt.embed_dataset`,
    :class:`eegpt.online.OnlineEmbedder`, :func:`~eegpt.probe.train_probe`,
    :func:`eegpt.finetune.finetune`, the scikit-learn estimators and a probe's predictions
    (training, validation, each recording of a list merged by
    :func:`eegpt.probe_inputs.merge_epochs`) all take it.

    ``on_unknown``: ``"drop"`` (names outside the vocabulary dropped with one warning, the
    default) or ``"raise"``. ``on_missing``: for ``rename`` keys that name no channel,
    ``"raise"`` or ``"ignore"``; None (the default) is the rule of before it was taken:
    ``"raise"`` for one input, ``"ignore"`` for a list of inputs (a key may name another
    input's channel; :func:`rename_on_missing`). ``unknown_rule``: where a ``"raise"`` the
    caller cannot change comes from (a trained probe's), said in the refusal instead of how
    to give ``"drop"`` (``map_channels(unknown_rule=)``); not compared."""

    on_unknown: Literal["drop", "raise"] = "drop"
    on_missing: Literal["raise", "ignore"] | None = None
    unknown_rule: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.on_unknown not in ("drop", "raise"):
            raise ValueError(f"on_unknown must be 'drop' or 'raise', got {self.on_unknown!r}")
        if self.on_missing not in (None, "raise", "ignore"):
            raise ValueError(
                f"on_missing must be 'raise', 'ignore' or None (raise for one input, ignore "
                f"for a list of them), got {self.on_missing!r}"
            )

    @classmethod
    def of_one(
        cls, on_unknown: Any = "drop", on_missing: Any = "raise", unknown_rule: str | None = None
    ) -> ChannelRules:
        """The rules of a call that maps one recording or stream's channels
        (:func:`map_channels`, :func:`eegpt.embed`, :func:`eegpt.streaming.open_stream`,
        :class:`eegpt.online.OnlineEmbedder`), whose ``on_missing`` is ``"raise"`` (its
        default) or ``"ignore"``, never None (the rule of a list of inputs)."""
        rules = cls(on_unknown, "raise", unknown_rule)  # on_unknown checked first
        if on_missing not in ("raise", "ignore"):
            raise ValueError(f"on_missing must be 'raise' or 'ignore', got {on_missing!r}")
        return replace(rules, on_missing=on_missing)

    def missing(self, data: Any = None) -> Literal["raise", "ignore"]:
        """``on_missing`` for the inputs ``data``: as given, else :func:`rename_on_missing`."""
        return self.on_missing if self.on_missing is not None else rename_on_missing(data)

    def for_inputs(self, data: Any) -> ChannelRules:
        """These rules with ``on_missing`` as it applies to the inputs ``data``
        (:meth:`missing`)."""
        return replace(self, on_missing=self.missing(data))

    def for_several(self) -> ChannelRules:
        """These rules for a ``rename`` whose keys may name channels these data lack (one of
        a list of inputs merged; the table of training or a fit, applied to other data):
        ``on_missing`` as given, else ``"ignore"``."""
        return replace(self, on_missing=self.on_missing or "ignore")

    def keywords(self) -> dict[str, Any]:
        """The keywords of :func:`map_channels` these rules stand for (``on_missing`` None:
        ``"raise"``, as for one input; ``unknown_rule`` where there is one)."""
        given = {"on_unknown": self.on_unknown, "on_missing": self.missing()}
        return given | ({"unknown_rule": self.unknown_rule} if self.unknown_rule else {})


DEFAULT_RULES = ChannelRules()
"""The channel rules where none are given: unknown names dropped, ``on_missing`` by input."""


def _mapping_key(names: Any, options: dict[str, Any]) -> tuple[Any, ...] | None:
    """What a mapping of plain channel names depends on, as a hashable key; None where an
    input is not a plain value (an MNE recording, a rename table's file or cap, a
    :class:`RenameTable`, a name that is no str), whose mapping is made anew each time."""
    if not isinstance(names, (list, tuple)) or not all(type(n) is str for n in names):
        return None
    key: list[Any] = [tuple(names)]
    for name, value in sorted(options.items()):
        if value is None or type(value) in (str, bool, int):
            frozen: Any = value
        elif type(value) is dict and all(
            type(k) is str and (v is None or type(v) is str) for k, v in value.items()
        ):
            frozen = ("dict", tuple(value.items()))
        elif type(value) in (list, tuple) and all(type(v) is str for v in value):
            frozen = ("seq", tuple(value))
        else:
            return None
        if name == "rename" and type(value) is str:  # a cap's name or a table's file
            return None
        key.append((name, frozen))
    return tuple(key)


def _cached_mapping(func: Callable[..., ChannelMapping]) -> Callable[..., ChannelMapping]:
    """Keep :func:`map_channels`'s mappings of plain inputs (:func:`_mapping_key`), the most
    recent :data:`MAX_CACHED_MAPPINGS`: embedding many short windows of one recording maps its
    names once. Each call still gives the warnings and log messages the mapping gave, and
    gets a mapping of its own (fresh dicts)."""

    @functools.wraps(func)
    def wrapper(names: Any, **options: Any) -> ChannelMapping:
        key = _mapping_key(names, options)
        if key is None:
            return func(names, **options)
        with _MAPPINGS_LOCK:
            hit = _MAPPINGS.get(key)
            if hit is not None:
                _MAPPINGS.move_to_end(key)
        if hit is None:
            held: list[tuple[Any, ...]] = []
            try:
                with held_messages() as held:
                    mapping = func(names, **options)
            finally:  # also those given before an error
                give_messages(held)
            hit = (mapping, tuple(held))
            with _MAPPINGS_LOCK:
                _MAPPINGS[key] = hit
                while len(_MAPPINGS) > MAX_CACHED_MAPPINGS:
                    _MAPPINGS.popitem(last=False)
        else:
            give_messages(hit[1])
        mapping = copy.copy(hit[0])
        for name in ("referential", "rename_distances_mm"):
            object.__setattr__(mapping, name, dict(getattr(mapping, name)))
        return mapping

    return wrapper


@_cached_mapping
def map_channels(
    names: Sequence[str] | mne.io.BaseRaw | mne.BaseEpochs | mne.Info,
    *,
    rename: Rename | None = None,
    on_unknown: Literal["drop", "raise"] = "drop",
    on_missing: Literal["raise", "ignore"] = "raise",
    keep: str | Sequence[str] | None = None,
    source: str | None = None,
    left_out: Mapping[str, str] | None = None,
    used: Sequence[str] | None = None,
    verbose: Verbose = None,
    unknown_rule: str | None = None,
) -> ChannelMapping:
    """Map a recording's channel names onto the EEGPT vocabulary.

    Parameters
    ----------
    names : sequence of str | mne.io.Raw | mne.Epochs | mne.Info
        Channel names in recording order, or an MNE recording: then the channels that
        embedding it uses are mapped, as ``model.embed(raw)`` maps them: those typed EEG
        (``picks="eeg"``), without those marked bad (``info["bads"]``, with a warning), the
        others passed on as ``left_out``. The result equals the mapping embedding records
        (``ChannelMapping.from_dict(emb.metadata["channels"])``), so its ``picks`` index
        those EEG channels without the bads, not ``raw.ch_names``; the channels themselves
        are ``input_names`` (``raw.copy().pick(list(mapping.input_names))``).
        For a file, ``eegpt.streaming.open_stream(path).mapping`` is the mapping that
        ``eegpt channels FILE`` prints (reading the header only; ``picks=`` as for embedding).
    rename : dict of str to (str or None) | str | path-like | None
        Explicit choices that take precedence over :func:`normalize_channel_name`: input name ->
        vocabulary name (any spelling that normalises, e.g. ``{"E36": "C3"}``), or ``None`` to
        drop that channel on purpose (no warning). Keys must be in ``names`` unless
        ``on_missing="ignore"``. A cap's name (``"biosemi64"``) stands for its socket table
        (:func:`cap_rename`), a file's path for the table it holds (:func:`read_rename_table`);
        such tables (:class:`RenameTable`) describe a cap, so keys the recording lacks are
        ignored unless none of the table's keys names a channel. A cap's socket table is not
        applied to a recording whose labels are 10-10 names already (:func:`cap_rename`). A
        drop (``None``) of a name the recording has no label of drops the channel that
        another entry renames to that electrode (``{**cap_rename("biosemi64"), "C1": None}``
        drops socket A12, which the table names C1); one that no entry renames stays a
        label, as spelled, so ``{"C3": None}`` keeps a channel labelled ``EEG C3-REF`` (with a
        warning under ``on_missing="ignore"``; to leave an electrode out of every recording
        whatever its label, ``keep=["10-20", "-C3"]``).
    on_unknown : ``"drop"`` | ``"raise"``
        What to do with names that do not map: drop them with one warning listing them all, or
        raise a ``ValueError`` listing them.
    on_missing : ``"raise"`` | ``"ignore"``
        What to do with ``rename`` keys that are not in ``names``: raise (a typo is caught),
        or ignore them, so one ``rename`` can serve a corpus whose files have different
        channels.
    keep : str | sequence of str | None
        Use only these vocabulary channels (after ``rename``): names in any spelling that
        normalises (``["Fp1", "T3", "Cz"]``), a built-in set's name (``"10-20"``, the 19
        electrodes of the 10-20 system; :data:`CHANNEL_SETS`; or a built-in rename table's,
        ``"bci-iv-2a"``, its 22 electrodes: :func:`cap_channels`), or both, applied left to
        right, ``-NAME`` removing one (``["10-20", "Oz"]``, ``"10-20,-C3"``: a list or one
        comma-separated string; :func:`kept_channels`). Recordings of different
        systems then give embeddings of one channel set, on an average reference over the
        same electrodes (embeddings of different sets are not directly comparable). Channels
        mapped outside the set are left out (``not_kept``, no warning); kept names the
        recording lacks, or has but leaves out (marked bad, dropped), are named in one
        warning. Channels outside the vocabulary, which the set leaves out anyway, are named
        in one INFO line instead of the warning on unknown names, unless some of the set is
        missing: then those that may be it under another spelling are still warned of.
        Command line: ``--keep-channels 10-20``, ``--keep-channels Fp1,Fp2,Cz`` or
        ``--keep-channels 10-20,-C3``.
    source : str | None
        The recording (e.g. its path), named at the start of the warnings.
    left_out : dict of str to str | None
        Channels of the recording not in ``names`` and why (``"bad"``, or a channel type such
        as ``"eog"``; :attr:`eegpt.io.Recording.left_out`). ``rename`` keys naming them are no
        error: a cap's socket or a channel to drop that is marked bad or of another type is
        skipped, as is a rename of a bad channel (said when it was left out); a rename of a
        channel of another type raises, saying how to use it.
    used : sequence of str | None
        The vocabulary channels (any spelling that normalises) of a fitted model that uses
        only some of the recording's (a trained probe's ``input_names``): the mapping is the
        same, but the warning on untrained embeddings names only these channels, and where
        the recording has them all, the channels dropped as unknown, which that model does
        not use either, are said in one INFO line instead of a warning (the channels that
        map but are not used are the caller's to name); a drop that matched no label is not
        said to keep a channel of an electrode the model does not use.
    verbose : bool | str | int | None
        If True (or ``"info"``), log the mapping table to the ``"eegpt"`` logger at INFO level.
    unknown_rule : str | None
        Where ``on_unknown="raise"`` comes from when the caller cannot change it (a trained
        probe's predictions apply the rule of its training), said in its error instead of
        how to give ``"drop"``.

    Returns
    -------
    ChannelMapping
        The kept channels in input order; ``picks`` index ``names`` (for an MNE recording,
        its EEG channels without the bads, see above).

    Raises
    ------
    ValueError
        If nothing maps, if two inputs map to the same vocabulary channel (e.g. ``T3`` and
        ``T7``), if ``rename`` is invalid, if a name does not map and
        ``on_unknown="raise"``, or if three labels or more are stored twice (MNE's copies
        ``C3-0``, ``C3-1``: two participants' caps, likely) while other channels map and
        ``rename`` names none of the copies. Labels tagged per participant (``A-Fp1``,
        ``Fp1_1``, ``P1-Cz`` beside ``P1-ECG``) are not read as electrodes: the warning or
        error names the tags, with a table for one participant
        (:mod:`eegpt._participants`).

    Warns
    -----
    RuntimeWarning
        Once for all dropped unknown names, and once if a kept channel is one of
        :data:`UNSEEN_IN_PRETRAINING`.
    """
    if isinstance(names, str):
        raise TypeError(f"names must be a sequence of channel names, not a single str {names!r}")
    rules = ChannelRules.of_one(on_unknown, on_missing, unknown_rule)
    info = mne_info(names)
    if info is not None:
        return _map_mne_channels(
            names, info, rename=rename, rules=rules, keep=keep, source=source,
            left_out=left_out, verbose=verbose,
        )  # fmt: skip
    names = list(names)
    odd = [name for name in names if not isinstance(name, str)]
    if odd:
        raise TypeError(
            f"names must be channel names (str), got {type(odd[0]).__name__} among them; for "
            "an MNE object other than Raw, Epochs or Info, pass its ch_names"
        )
    kept_set = kept_channels(keep)
    table = with_net_rows(rename_table(rename), names)  # EEG.AF3 by a montage's AF3 row
    check_net_table(table, names)
    where = f"{source}: " if source else ""
    rename = matched_keys(_without_left_out(table, names, left_out or {}), names)
    unfit = unfit_sockets(table, names)  # a cap's table on a recording of 10-10 names
    if unfit:
        warn_unfit_sockets(unfit, names, table, where)
        rename = {key: value for key, value in rename.items() if key not in unfit}
    by_electrode = drops_by_electrode(rename, names)  # --drop C1: the socket named C1
    if by_electrode:
        rename = {k: v for k, v in rename.items() if k not in by_electrode}
        rename.update(dict.fromkeys(by_electrode.values()))
    # --drop C3 on a file labelled 'EEG C3-REF': labels as spelled, so that channel stays
    unmatched = drops_of_other_labels(rename, names, table, kept_set)
    if used is not None:  # a fitted model's: an electrode it does not use is not kept either
        fitted = {normalize_channel_name(n) or n for n in used}
        unmatched = {k: v for k, v in unmatched.items() if normalize_channel_name(k) in fitted}
    if unmatched and on_missing == "ignore":
        _warn(unmatched_drops_note(unmatched, keep, where))
    check_sockets(rename, names, table)  # the whole table: what it names beyond the recording
    cap = set(table_sockets(rename))
    if on_missing == "ignore":
        rename = {key: value for key, value in rename.items() if key in names}
    elif isinstance(table, RenameTable):  # a cap's or a lab's: the labels this recording has
        labels = [key for key in rename if key not in table.own]
        if (
            labels
            and not any(key in names for key in labels)
            and not any(key in (left_out or {}) for key in table)
        ):
            raise ValueError(foreign_table(table, names) + spelling_hint(list(table), names))
        rename = RenameTable(rename, table.own).for_channels(names)
    _check_rename(
        rename, names, cap=bool(table_sockets(table)),
        note=keep_without_note(unmatched, keep) if unmatched else "",
    )  # fmt: skip

    kept: list[tuple[int, str, str]] = []  # (pick, input name, vocabulary name)
    unknown: list[str] = []
    excluded: list[str] = []  # dropped on purpose via rename={name: None}
    # in a recording labelled by sockets, C1..C6 (BioSemi's bank C) are sockets, not the 10-10
    # electrodes of those names: they are used only as a rename maps them
    sockets = set(socket_labels(names))
    # a montage whose derivations share one second electrode (Fp1-Cz, C3-Cz, O1-Cz) is
    # referential to it: each such channel is its first electrode against that reference. The
    # channels left out on purpose take no part: dropping Cz-Pz leaves a montage against Cz.
    considered = [name for name in names if name not in rename or rename[name] is not None]
    common = common_references(considered)
    # participants' tags are no electrodes: P1-Cz, P2-Cz, P3-Cz beside P1-ECG, P2-ECG ...
    # (told by every label, those left out too: dropping P1-ECG leaves P1 a tag)
    refused = refused_references(names, common)
    common -= set(refused)
    referential: dict[str, str] = {}  # input name -> its reference (vocabulary name)
    for i, name in enumerate(names):
        if name in rename:
            target = rename[name]
            if target is None:
                excluded.append(name)
                continue
            canonical = normalize_channel_name(target)
        elif name in sockets:
            canonical = None
        elif is_bipolar(name) and (pair := derivation_electrodes(name)) and pair[1] in common:
            canonical, referential[name] = pair
        else:
            canonical = normalize_channel_name(name)
        if canonical is None:
            unknown.append(name)
        else:
            kept.append((i, name, canonical))
    outside_keep = [
        (inp, can) for _, inp, can in kept if kept_set is not None and can not in kept_set
    ]
    not_kept = [inp for inp, _ in outside_keep]
    kept = [row for row in kept if row[1] not in not_kept]
    # the montage was read from every channel not left out on purpose; the channels outside
    # keep are not used, so they have no reading to record (O2-Cz outside keep=["O1"])
    referential = {inp: ref for inp, ref in referential.items() if inp not in not_kept}
    targets = {name: str(rename[name]) for name in unknown if name in rename}
    # renamed one by one to an electrode outside the vocabulary: said apart, as a rename's
    # target (a cap's table names such electrodes on purpose: said with the other drops)
    renamed = {name: target for name, target in targets.items() if name not in cap}
    plain = [name for name in unknown if name not in renamed]
    targets.update(_against_common(unknown, common, rename))  # "A1-Cz": electrode A1
    chosen = {  # the copy of a label that MNE numbered apart which the rename keeps
        label: inp
        for _, inp, _ in kept
        if inp in rename and (label := numbered_copy(inp)) is not None
    }

    if unknown and on_unknown == "raise":
        raise ValueError(
            f"{len(unknown)} channel name(s) are not in the EEGPT vocabulary: {unknown}."
            + _renamed_outside_note(renamed)
            + _dropped_note(plain, targets)
            + _participants_notes(unknown, refused)
            + _bipolar_note(unknown, refused, common)
            + f" Drop them ({how_to_drop(unknown)}; "
            + (unknown_rule or "or on_unknown='drop', command line: without --strict-channels")
            + ")."
            + cap_note(unknown, source, names)
        )
    if not kept and not_kept:
        raise ValueError(
            "none of the channels to keep "
            f"({few([montage_spelling(n) for n in kept_set or ()], 6)}) is in the recording, "
            f"whose channels map to {few([montage_spelling(c) for _, c in outside_keep], 12)}: "
            "keep some of them, or leave this recording out"
        )
    if not kept:
        raise NoChannelMappedError(
            f"none of the {len(names)} channel names maps to the EEGPT vocabulary: "
            f"{shortened_list(names)}. "
            "Expected 10-10 scalp electrode names such as 'Fp1', 'EEG C3-REF' or 'T3'; "
            f"see eegpt.channels.VOCABULARY, or pass {HOW_TO_MAP}. EEGPT is a model of "
            "human scalp EEG, pretrained on 10-10 electrodes: a rename is for scalp "
            "electrodes under other labels, not for other signals (animal or intracranial "
            "recordings)."
            + ("" if sockets else contacts_of(names))
            + _outside_stand_in_note(names)
            + _participants_notes(names, refused)
            + copies_note(duplicated_labels(names))
            + _bipolar_note(names, refused, common)
            + cap_note(names, source),
            names=list(names),
        )
    _check_duplicates(kept, names, rename)
    _check_two_caps(names, rename, [inp for _, inp, _ in kept])
    if kept_set is not None:
        outside = {k: v for k, v in table.items() if k not in unfit}  # as the table maps
        why = _why_left_out(outside, excluded, left_out or {}, sockets, common)
        _warn_missing_kept(kept_set, [can for _, _, can in kept], where, why)
    # the labels as renamed (those left out as they are): sockets B1..B32 that a cap's table
    # named AF8 .. are no contacts
    as_renamed = [rename.get(name) or name for name in names]
    contacts = contacts_warning(
        [inp for _, inp, _ in kept if inp not in rename],
        as_renamed,
        where,
        renamed=[inp for _, inp, _ in kept if inp in rename],
    )
    if contacts:
        _warn(contacts)
    if renamed:
        it = "it" if len(renamed) == 1 else "them"
        _warn(
            f"{where}{_renamed_outside_note(renamed).strip()} Dropped "
            f"{shortened_list(list(renamed))}: to use "
            f"{it}, rename {it} to a vocabulary name; to leave {it} out without a warning: "
            f"{how_to_drop(list(renamed), merged=True)}."
        )
    mostly_untrained = 2 * sum(can not in UNSEEN_IN_PRETRAINING for _, _, can in kept) < len(kept)
    wanted = None if used is None else {normalize_channel_name(n) or n for n in used}
    if plain and wanted is not None and wanted <= {can for _, _, can in kept}:
        # a model with all its channels here: the others, dropped or not, are not its concern
        _log(
            f"{where}{len(plain)} channel(s) outside the EEGPT vocabulary were dropped (not "
            f"used by the model either): {shortened_list(plain)}",
            verbose,
        )
        plain = []
    anyway: list[str] = []  # outside the vocabulary, logged: the channels to keep leave them out
    if plain and kept_set is not None:
        # channels the keep-set leaves out anyway (TP9, Iz, EKG): one INFO line. Where some
        # channels to keep are missing, those that may be them under another spelling stay
        # warned of (beside the warning on the missing ones), as do bipolar derivations.
        complete = set(kept_set) <= {can for _, _, can in kept}
        anyway = [
            name
            for name in plain
            if complete
            or (
                not may_be_electrode(label := targets.get(name, name))
                and not derivation_electrodes(label)
            )
        ]
        if anyway:
            _log(
                f"{where}{len(anyway)} channel(s) outside the EEGPT vocabulary were dropped, "
                f"which the channels to keep leave out anyway: {shortened_list(anyway)}",
                verbose,
            )
            plain = [name for name in plain if name not in anyway]
    if plain:
        # a montage of another naming scheme (e.g. EGI's E1..E128): say so first, with the
        # counts that add up to the recording's channels
        parts = _left_out_text(excluded, {can for _, _, can in kept}, sockets, common)
        if not_kept:
            parts.append(f"{len(not_kept)} outside the channels to keep")
        if anyway:  # logged above: counted apart, so that the count below is of those named
            parts.append(
                f"{len(anyway)} outside the vocabulary that they leave out anyway "
                f"({shortened_list(anyway)})"
            )
        if parts:
            more = " more" if anyway else ""
            parts.append(f"{len(unknown) - len(anyway)}{more} with names outside the vocabulary")
        aside = ": " + ", ".join(parts) if parts else ""
        only = (
            f"Only {len(kept)} of the {len(names)} channels are used{aside}. "
            if len(unknown) > len(kept)
            else ""
        )
        _warn(
            f"{where}{only}{len(plain)} channel(s) do not match the EEGPT vocabulary and were "
            f"dropped: {shortened_list(plain)}."
            + _dropped_note(
                plain,
                targets,
                chosen,
                # where most channels used are untrained (Muse's AF7/AF8 beside TP9/TP10), as
                # the warning on them below says: the trained sites the others may stand in for
                taken=[can for _, _, can in kept] if mostly_untrained else None,
            )  # fmt: skip
            + _participants_notes(plain, refused, [can for _, _, can in kept])
            + _bipolar_note(plain, refused, common)
            + cap_note(plain, source, names)
            + " Channels you leave out yourself (--drop NAME; rename={NAME: None}) are not "
            "warned about."
        )
    if referential:
        by_vocabulary = {can: inp for _, inp, can in kept}
        _warn(_referential_warning(referential, considered, by_vocabulary, where, bool(excluded)))
    _warn_mixed_references(
        [inp for _, inp, _ in kept if inp not in rename], referential, where, bool(rename)
    )
    # a derivation renamed to one electrode ('EEG Fpz-Cz' -> Fpz): still the difference
    bipolar = [(inp, can) for _, inp, can in kept if inp in rename and is_bipolar(inp)]
    if bipolar:
        _warn(_renamed_bipolar_note(bipolar, where))
    used_rows = [row for row in kept if wanted is None or row[2] in wanted]  # the model's channels
    unseen = [(inp, can) for _, inp, can in used_rows if can in UNSEEN_IN_PRETRAINING]
    untrained = _untrained_warning(
        [(inp, can) for _, inp, can in used_rows],
        [n for n in names if n in set(plain) - set(targets) or n in excluded],
        where,
    )
    if untrained:  # said once, with the channels' untrained embeddings
        _warn(untrained)
    elif unseen:
        _warn(
            f"{where}channel(s) {[inp if inp == can else f'{inp} ({can})' for inp, can in unseen]}"
            " map to vocabulary "
            "entries outside the 58 channels EEGPT was pretrained on "
            f"({', '.join(UNSEEN_IN_PRETRAINING)} are not among them); "
            "their embeddings are untrained, so consider excluding them "
            f"({how_to_drop([inp for inp, _ in unseen], merged=bool(rename))}) unless a "
            "fine-tuned model learned them."
        )

    dropped = [name for name in names if name in set(unknown) | set(excluded)]
    # recorded only where the table renamed or dropped a channel of this recording: a cap's
    # table not applied to 10-10 names (unfit), or none of whose labels it has, named nothing
    provenance = table_provenance(table) if _table_applied(table, names, unfit) else {}
    told = table if provenance and isinstance(table, RenameTable) else RenameTable()
    mapping = ChannelMapping(
        input_names=tuple(inp for _, inp, _ in kept),
        names=tuple(can for _, _, can in kept),
        picks=tuple(i for i, _, _ in kept),
        chan_ids=tuple(CHANNEL_INDEX[can] for _, _, can in kept),
        dropped=tuple(dropped),
        referential=referential,
        rename_source=provenance.get("rename_source"),
        rename_call=told.call,
        rename_distances_mm={  # (an entry of one's own is not the table's, nor its distance)
            inp: told.distances_mm[inp]
            for _, inp, _ in kept
            if inp in told.distances_mm and inp not in told.own
        },
        keep=kept_set,
        not_kept=tuple(not_kept),
        bipolar=tuple(inp for inp, _ in bipolar),
    )
    _log(mapping.summary(limit=_LOGGED_ROWS, source=source), verbose)
    _log_low_coverage(mapping.names, where, verbose)
    return mapping


def _table_applied(
    table: Mapping[str, str | None], names: Sequence[str], unfit: Sequence[str]
) -> bool:
    """Whether an entry of the ``rename`` table itself (not one given beside it, ``own``)
    names a channel of ``names`` and is applied to it (not among the ``unfit`` sockets of a cap's
    table on a recording of 10-10 names, :func:`unfit_sockets`): only then do outputs record
    the table as what renamed the channels (:func:`table_provenance`). A key matches a
    channel as the rename matches it (:func:`matched_keys`: ``'Ch 1'`` names a channel
    labelled ``'Ch  1'``)."""
    own = table.own if isinstance(table, RenameTable) else frozenset()
    skipped = set(unfit) | set(own)
    entries = {key: value for key, value in table.items() if key not in skipped}
    return any(key in names for key in matched_keys(entries, names))


#: Fewer of the 58 pretraining channels than this in a recording get an INFO note on
#: coverage (:func:`_log_low_coverage`): a consumer headset's 4 to 8, a Cyton's 8, a
#: 10-20 montage's 19 do not.
LOW_COVERAGE = 16


def _log_low_coverage(names: Sequence[str], where: str, verbose: Verbose) -> None:
    """An INFO note when fewer than :data:`LOW_COVERAGE` of the pretraining channels are
    among the vocabulary ``names`` used: what the model sees of the head, and that embeddings
    of different channel sets are not comparable."""
    present = [name for name in names if name in PRETRAINING_CHANNELS]
    if len(present) >= LOW_COVERAGE:
        return
    which = f" ({few([montage_spelling(n) for n in present], 8)})" if present else ""
    _log(
        f"{where}{len(present)} of the {len(PRETRAINING_CHANNELS)} channels EEGPT was "
        f"pretrained on are used{which}: the model sees only these sites, so the embeddings "
        "describe that part of the head, and "
        "they are not comparable with embeddings of another channel set (embed every "
        "recording with one set: keep=..., command line: --keep-channels)",
        verbose,
    )


def _untrained_warning(
    used: Sequence[tuple[str, str]], dropped: Sequence[str], where: str
) -> str | None:
    """The warning for a recording most of whose ``used`` channels (input name, vocabulary
    name) have untrained embeddings (:data:`UNSEEN_IN_PRETRAINING`: fewer than half of them
    trained, as Muse's AF7/AF8), else None: said plainly, with the nearest trained sites to
    those channels and to the ``dropped`` labels that are 10-05 electrodes outside the
    vocabulary (Muse's TP9/TP10) as renames to use them by
    (:func:`eegpt.nearest_sites.nearest_trained_sites`)."""
    unseen = [(inp, can) for inp, can in used if can in UNSEEN_IN_PRETRAINING]
    trained = [can for _, can in used if can not in UNSEEN_IN_PRETRAINING]
    if not used or len(trained) * 2 >= len(used):
        return None
    names = ", ".join(inp if inp == can else f"{inp} ({can})" for inp, can in unseen)
    if trained:
        head = (
            f"only {len(trained)} of the {len(used)} channels used "
            f"({', '.join(map(montage_spelling, trained))}) "
            f"{'has' if len(trained) == 1 else 'have'} a trained embedding: {names} map to "
            "vocabulary entries outside the 58 channels EEGPT was pretrained on, so these "
            "embeddings "
            "rest mostly on untrained channel embeddings"
        )
    else:
        head = (
            f"none of the {len(used)} channels used ({names}) has a trained embedding: "
            f"{'it maps' if len(used) == 1 else 'they map'} to vocabulary entries outside the "
            "58 channels EEGPT was pretrained on, so these embeddings rest only on untrained "
            "channel embeddings and say little about the signal"
        )
    electrodes = {inp: can for inp, can in unseen}
    electrodes.update({n: electrode_key(n) for n in dropped if is_other_electrode(n)})
    pairs = _stand_ins(electrodes, trained)
    if not pairs:
        return f"{where}{head}."
    return (
        f"{where}{head}. The nearest trained sites (on a template head) are "
        f"{_stand_in_text(pairs)}; a site tens of mm away is an approximation, and --nearest "
        "(which names an electrode after a site within 20 mm, untrained ones too) does not do "
        "this."
    )


#: Rows of a channel table, and names in a list, that a log or a warning shows (the full lists
#: stay in the mapping and the outputs' metadata).
_LOGGED_ROWS = 12


def _warn_missing_kept(
    keep: Sequence[str], used: Sequence[str], where: str, why: Mapping[str, str]
) -> None:
    """Warn once of the channels of ``keep`` (vocabulary names) that the recording does not
    use (``used``: its kept vocabulary names): those it lacks, and those it has but left out
    (``why``: vocabulary name -> ``"marked bad"``, ``"dropped"``, ``"typed eog"`` ...). Its
    embeddings see fewer channels than those of recordings that use them all."""
    missing = [name for name in keep if name not in used]
    if not missing:
        return
    absent = [montage_spelling(name) for name in missing if name not in why]
    present: dict[str, list[str]] = {}
    for name in missing:
        if name in why:
            present.setdefault(why[name], []).append(montage_spelling(name))
    parts = []
    if absent:
        parts.append(
            f"{len(absent)} of the {len(keep)} channels to keep are not in this recording: "
            f"{few(absent, 8)}."
        )
    if present:
        n = sum(len(names) for names in present.values())
        reasons = "; ".join(f"{why}: {few(names, 8)}" for why, names in present.items())
        verb = "is" if n == 1 else "are"
        parts.append(
            f"{n} of the {len(keep)} channels to keep {verb} left out of this recording "
            f"({reasons})."
        )
    _warn(
        f"{where}{' '.join(parts)} Its embeddings see the other {len(used)} only, fewer "
        "electrodes than those of recordings that use them all."
    )


def _renamed_outside_note(renamed: Mapping[str, str]) -> str:
    """A sentence on channels that a rename names as electrodes outside the vocabulary
    (``{"TP9": "M1"}``), with the vocabulary name each target may be a misspelling of; ``""``
    for none."""
    if not renamed:
        return ""
    pairs = ", ".join(f"{name!r} to {target!r}" for name, target in renamed.items())
    what = (
        ("which is not an EEGPT vocabulary name", "it")
        if len(renamed) == 1
        else ("which are not EEGPT vocabulary names", "them")
    )
    return (
        f" rename maps {pairs}, {what[0]} (eegpt.channels.VOCABULARY): the model has no "
        f"embedding for {what[1]}." + vocabulary_hint(renamed.values())
    )


def mne_info(obj: Any) -> mne.Info | None:
    """The ``mne.Info`` of an MNE Raw, Epochs or Info; None for anything else (MNE, not
    imported by this module, cannot have made an object before it is imported)."""
    if "mne" not in sys.modules:
        return None
    import mne

    if isinstance(obj, mne.Info):
        return obj
    return obj.info if isinstance(obj, (mne.io.BaseRaw, mne.BaseEpochs)) else None


def _map_mne_channels(
    inst: mne.io.BaseRaw | mne.BaseEpochs | mne.Info,
    info: mne.Info,
    *,
    source: str | None,
    left_out: Mapping[str, str] | None,
    **kwargs: Any,
) -> ChannelMapping:
    """:func:`map_channels` of an MNE recording: the mapping embedding makes and records
    (:func:`eegpt.preprocessing.map_info_channels`), ``picks`` into the channels picked."""
    from eegpt.mne_inputs import mne_source
    from eegpt.preprocessing import map_info_channels

    if left_out is not None:
        raise TypeError(
            "left_out is for a list of channel names; an MNE recording's channels left out "
            "(bad, of another type) are taken from its info"
        )
    if source is None:
        source = "<Info>" if inst is info else mne_source(inst)
    return map_info_channels(info, source, **kwargs)[1]


def _against_common(
    unknown: Sequence[str], common: set[str], rename: Mapping[str, str | None]
) -> dict[str, str]:
    """The electrodes outside the vocabulary that ``unknown`` names against a common
    reference of the montage (``{"A1-Cz": "A1"}`` in a montage against Cz), to be said as
    such when they are dropped."""
    out = {}
    for name in unknown:
        parts = label_parts(name)
        if (
            name not in rename
            and len(parts) == 2
            and normalize_channel_name(parts[1]) in common
            and is_other_electrode(parts[0])
        ):
            out[name] = parts[0]
    return out


def _warn_mixed_references(
    names: Sequence[str], referential: Mapping[str, str], where: str, merged: bool
) -> None:
    """Warn when the labels of the used channels ``names`` name more than one reference
    (``Fp1-Ref`` beside ``C3-LE``; ``C3-M2`` beside ``C4-M1``; ``referential``: the channels
    read against a montage's common electrode): the model takes them as if they shared one.
    Labels without a reference say nothing of it and count for none; spellings of one
    reference (``REF`` and ``Ref``, ``AVG`` and ``AV``, ``LE`` and ``A1+A2``) count as one."""
    by_reference: dict[str, list[str]] = {}
    labels: dict[str, list[str]] = {}  # each reference: its labels (upper case) in the names
    for name in names:
        if name in referential:
            label = key = montage_spelling(referential[name])
        elif (reference := reference_label(name)) is not None:
            label, key = reference, REFERENCE_KEYS[reference]
        else:
            continue
        by_reference.setdefault(key, []).append(name)
        labels.setdefault(key, []).append(label)
    if len(by_reference) < 2:
        return
    groups = "; ".join(
        f"{few(group)} against {'/'.join(dict.fromkeys(labels[key]))}"
        for key, group in by_reference.items()
    )
    if both_sides(set(by_reference)):  # ears or mastoids of both sides, as in sleep montages
        linked = ["A1", "A2"] if set(by_reference) <= {"A1", "A2"} else ["M1", "M2"]
        _warn(
            f"{where}the channels used are referenced to different sites ({groups}), as in "
            "sleep montages. EEGPT takes every channel as if on one common reference (as in "
            "its pretraining recordings), so the model sees left and right against different "
            "references; if the recording has both reference channels, re-reference to one "
            f"(e.g. raw.set_eeg_reference({linked})) before embedding."
        )
        return
    most = max(by_reference.values(), key=len)
    others = [name for group in by_reference.values() if group is not most for name in group]
    _warn(
        f"{where}the channels used are referenced to different sites, as their labels say "
        f"({groups}). EEGPT takes every channel as if on one common reference (as in its "
        "pretraining recordings), so channels against different references are not comparable "
        "to it. Export the recording with one reference for all channels, or use the channels "
        f"of one reference only (e.g. {how_to_drop(others, merged)}). If the labels only "
        "spell one reference differently, name the channels yourself (rename={NAME: VOCAB}; "
        "command line: --rename NAME=VOCAB): channels you rename are not checked."
    )


#: MNE's channel types of intracranial contacts, which no rename makes scalp electrodes.
def _without_left_out(
    rename: Rename | None, names: list[str], left_out: Mapping[str, str]
) -> dict[str, str | None]:
    """The ``rename`` table without the keys naming channels left out of ``names`` (see
    :func:`map_channels`); a rename of a channel of another type is an error."""
    table = rename_table(rename)
    outside = [key for key in table if key not in names and key in left_out]
    own = table.own if isinstance(table, RenameTable) else set(table)  # a cap's: may skip
    wanted = [
        key for key in outside if table[key] is not None and left_out[key] != "bad" and key in own
    ]
    unpicked = [key for key in wanted if left_out[key] == "not picked"]
    if unpicked:
        raise ValueError(
            f"channel(s) {unpicked} named in rename (--rename) are not among the channels "
            "picked (picks=, --picks): add them to the picks, or leave them out of the rename"
        )
    intracranial = [
        key for key in wanted if NOT_SCALP_TYPES.get(left_out[key]) == "intracranial EEG"
    ]
    if intracranial:
        types = {key: left_out[key] for key in intracranial}
        raise ValueError(
            f"channel(s) {', '.join(f'{k} ({t})' for k, t in types.items())} named in rename "
            "(--rename) are intracranial contacts, as their type says: EEGPT is a model of "
            "scalp EEG, pretrained on 10-10 scalp electrodes, and a contact renamed to a scalp "
            "site is not one. Leave them out of the rename."
        )
    if wanted:
        types = {key: left_out[key] for key in wanted}
        raise ValueError(
            f"channel(s) {', '.join(f'{k} ({t})' for k, t in types.items())} named in rename "
            "(--rename) are not used: their type is not EEG. To use them as EEG, set their type "
            f"first (inst.set_channel_types({ {k: 'eeg' for k in wanted} }) of the Raw or "
            f"Epochs), or pick them where picks are taken (picks={wanted!r}, --picks)"
        )
    return {key: value for key, value in table.items() if key not in outside}


def _check_rename(
    rename: dict[str, str | None], names: list[str], cap: bool = False, note: str = ""
) -> None:
    """Refuse ``rename`` keys that name no channel of ``names`` (``cap``: a cap's socket
    table was given, which may be the wrong cap's; ``note``: a sentence to add, such as how
    to leave an electrode out whatever its label) and values that name no electrode."""
    missing = [key for key in rename if key not in names]
    if missing:
        sockets = sum(bool(SOCKET.match(key)) for key in missing)
        of_cap = (
            f" The recording lacks {sockets} socket labels of the cap's table: if they come "
            "from cap_rename (--rename biosemi64), check that the cap is the one recorded with "
            "(32 electrodes: 'biosemi32'); if channels were removed from it, pass "
            "on_missing='ignore'."
            if cap and sockets > len(missing) / 2
            else ""
        )
        raise ValueError(
            f"channel(s) to rename or drop {missing} (rename keys; --rename/--drop on the "
            f"command line) are not among the channel names {shortened_list(names)}; check "
            "their spelling."
            + spelling_hint(missing, names)
            + copies_hint(missing, names)
            + of_cap
            + note
            + " (A rename meant only for the recordings that have the channel: a table, "
            "rename='FILE' or eegpt.channels.RenameTable({...}), whose labels a recording may "
            "lack, or on_missing='ignore' where a function takes it; the command line ignores "
            "such names when it is given several recordings.)"
        )
    bad = {
        key: value
        for key, value in rename.items()
        if value is not None
        and (
            not isinstance(value, str)
            or (normalize_channel_name(value) is None and not is_other_electrode(value))
        )
    }
    if bad:
        raise ValueError(
            "rename values must be EEGPT vocabulary names (or None to drop): "
            f"{', '.join(f'{k!r}: {v!r}' for k, v in bad.items())}; see "
            "eegpt.channels.VOCABULARY."
            + vocabulary_hint(v for v in bad.values() if isinstance(v, str))
        )


def _check_duplicates(
    kept: list[tuple[int, str, str]],
    names: Sequence[str],
    rename: Mapping[str, str | None] | None = None,
) -> None:
    """Refuse input channels that map to one vocabulary channel (``kept``: (pick, input name,
    vocabulary name)): drop the later ones, or, where they are of a run of ``names`` that
    looks like an intracranial electrode's contacts (``T1`` .. ``T8``, whose ``T3`` and ``T7``
    clash: :func:`eegpt.vocabulary.contact_runs`), do not embed the recording. Where the
    ``rename`` in use moved a channel onto a site the recording already has (``TP9`` to
    ``TP7`` beside a ``TP7``), the renamed channel is the one to drop, or the rename to undo:
    dropping the real electrode would embed the renamed one's signal in its place."""
    by_target: dict[str, list[str]] = {}
    for _, inp, can in kept:
        by_target.setdefault(can, []).append(inp)
    clashes = {can: inps for can, inps in by_target.items() if len(inps) > 1}
    if not clashes:
        return
    detail = "; ".join(f"{inps} -> {can}" for can, inps in clashes.items())
    others = [inp for inps in clashes.values() for inp in inps[1:]]
    runs = contact_runs(names)
    if any(label_prefix(inp) in runs for inp in others):
        raise DuplicateChannelsError(
            f"several input channels map to the same EEGPT channel: {detail}. The "
            f"{contacts_text(runs).removeprefix('the ')}. {contact_advice()} Dropping "
            "one of each would embed the other contacts as scalp sites.",
            later=others,
        )
    moved = _renamed_onto_existing(clashes, rename or {})
    plain = {can: inps for can, inps in clashes.items() if can not in moved}
    advice = _renamed_onto_existing_advice(moved, clashes, rename or {})
    later = [inp for inps in moved.values() for inp in inps]
    if plain:
        plain_later = [inp for inps in plain.values() for inp in inps[1:]]
        later += plain_later
        repeated = [inp for inp in dict.fromkeys(plain_later) if inp in _first_names(plain)]
        droppable = [inp for inp in plain_later if inp not in repeated]
        drop = f", e.g. drop the later ones: {how_to_drop(droppable)}" if droppable else ""
        alike = f" {_repeated_names_advice(repeated, names)}." if repeated else ""
        keep = "Of the other clashes, keep" if moved else "Keep"
        advice += f" {keep} one of each so no embedding is used twice{drop}.{alike}"
    raise DuplicateChannelsError(
        f"several input channels map to the same EEGPT channel: {detail}.{advice}"
        + (two_caps_note(len(clashes)) if len(clashes) >= MANY_DUPLICATES else ""),
        later=later,
    )


def _renamed_onto_existing(
    clashes: dict[str, list[str]], rename: Mapping[str, str | None]
) -> dict[str, list[str]]:
    """The clashes of :func:`_check_duplicates` (vocabulary name -> input names) that a rename
    made: vocabulary name -> the channels the rename moved onto it, where a channel of the
    recording is there already under its own name (``{'TP7': ['TP9']}`` for ``TP9`` renamed
    to ``TP7`` beside a ``TP7``)."""
    found: dict[str, list[str]] = {}
    for can, inps in clashes.items():
        renamed = [inp for inp in inps if inp in rename and normalize_channel_name(inp) != can]
        if renamed and len(renamed) < len(inps):
            found[can] = renamed
    return found


def _renamed_onto_existing_advice(
    moved: dict[str, list[str]], clashes: dict[str, list[str]], rename: Mapping[str, str | None]
) -> str:
    """What :func:`_check_duplicates` says of the clashes a rename made (``moved``, of
    :func:`_renamed_onto_existing`): which rename, which channel was there already, and to
    undo the rename or drop the renamed channels, not the real electrode ('' if none)."""
    if not moved:
        return ""
    renamed = [inp for inps in moved.values() for inp in inps]
    maps = ", ".join(f"{inp!r} to {rename[inp]!r}" for inp in renamed)
    there = ", ".join(
        _site_channels(can, [i for i in clashes[can] if i not in inps])
        for can, inps in moved.items()
    )
    real = ", ".join(i for can, inps in moved.items() for i in clashes[can] if i not in inps)
    return (
        f" The rename in use (rename=, --rename) maps {maps}, a site the recording already "
        f"has: {there}. Undo that rename, or drop the renamed "
        f"channel{'s' if len(renamed) > 1 else ''}: {how_to_drop(renamed)}. Dropping {real} "
        "instead would embed the renamed channel's signal in its place and leave out the "
        "electrode recorded there."
    )


def _site_channels(site: str, channels: list[str]) -> str:
    """A site and the channels of the recording at it, for a message: ``channel 'TP7'``, or
    ``TP7 (channel 'EEG TP7-REF')`` where the label is spelled otherwise."""
    shown = ", ".join(map(repr, channels))
    return f"channel {shown}" if channels == [site] else f"{site} (channel {shown})"


def _first_names(clashes: dict[str, list[str]]) -> set[str]:
    """The input names of :func:`_check_duplicates`' groups that come first in theirs: the
    channels kept, whose name a later channel may repeat exactly."""
    return {inps[0] for inps in clashes.values()}


def _repeated_names_advice(repeated: Sequence[str], names: Sequence[str]) -> str:
    """How to keep one of channels given the very same name (``'Fp1'`` twice in an array's or
    a stream's ``ch_names``): a rename or ``--drop`` names a channel by its name, so it would
    leave them all out; the repeated rows go from the data, or get names of their own."""
    rows = {name: [i for i, n in enumerate(names) if n == name] for name in repeated}
    where = "; ".join(f"{name!r} at rows {', '.join(map(str, at))}" for name, at in rows.items())
    later = sorted(i for at in rows.values() for i in at[1:])
    return (
        f"Channels named alike cannot be told apart by name ({where} of the data), so "
        f"rename={{{', '.join(f'{name!r}: None' for name in repeated)}}} (--drop) would leave "
        f"out every one of them: remove the repeated rows from the data and their names from "
        f"ch_names (np.delete(x, {later}, axis=0)), or give each channel a name of its own"
    )
