"""Recordings that hold several participants' channels (hyperscanning, group polygraphy).

Labels of two caps in one file come in two ways that :func:`eegpt.channels.map_channels`
must not take for one head:

* tagged with a participant's prefix or suffix (``A-Fp1``, ``1_Fp1``, ``Fp1_1``, ``S1_Fp1``,
  ``P1-Cz``): :func:`participant_tags` finds the tags that, taken off, leave 10-10 names, and
  :func:`refused_references` keeps labels such as ``P1-Cz, P2-Cz, P3-Cz`` (beside
  ``P1-ECG`` ...) from being read as a montage against Cz;
* the same labels twice, which MNE numbers apart in file order (``C3-0``, ``C3-1``):
  :func:`duplicated_labels` finds them, and the messages here say how to embed one
  participant (a ``rename`` table mapping that participant's channels, the others' left
  out; docs/montages.md, "Hyperscanning: two caps in one file").

Pure functions of channel names (no MNE).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from eegpt._logging import few
from eegpt.vocabulary import (
    OTHER_SIGNALS,
    REFERENCE_LABELS,
    is_other_electrode,
    label_parts,
    montage_spelling,
    normalize_channel_name,
    numbered_copy,
)

#: Where the docs tell how to embed one participant of a file of several.
DOCS_SECTION = "docs/montages.md, 'Hyperscanning: two caps in one file'"

#: A first electrode that heads derivations against this many other electrodes is a prefix
#: (``P1-Fp1, P1-F3, P1-C3``): a bipolar montage passes each electrode to one or two others.
MANY_PARTNERS = 3

#: Labels repeated this many times (different labels, each stored twice or more) make a file
#: of two caps or two recordings rather than one channel exported twice.
MANY_DUPLICATES = 3

# A tag and the separator after (prefix) or before (suffix) it: A-, 1_, S1_, A:, _1, .B
_SEPARATORS = "-_:. "


@dataclass(frozen=True)
class Tagged:
    """Labels that share a participant's tag: ``text`` is the tag with its separator as the
    labels spell it (``"A-"`` of a prefix, ``"_1"`` of a suffix), ``prefix`` whether it comes
    first, ``labels`` each label -> the vocabulary name left when the tag is taken off."""

    text: str
    prefix: bool
    labels: Mapping[str, str]


def _two_parts(name: str) -> tuple[str, str] | None:
    """The two parts (upper case) of a label of two (``"P1-ECG"`` -> ``("P1", "ECG")``,
    ``"F4:C4"``, ``"P1 GSR"``, ``"P1_EMG"``), else None."""
    parts = label_parts(name)
    if len(parts) == 1:
        parts = re.split(r"[:/]", parts[0])
    if len(parts) == 1:
        parts = re.split(r"[_\s]+", name.strip().upper())
    return (parts[0], parts[1]) if len(parts) == 2 else None


def _first_electrode(name: str) -> str | None:
    """The vocabulary name of a two-part label's first part (``"P1-ECG"`` -> ``"P1"``)."""
    parts = _two_parts(name)
    return normalize_channel_name(parts[0]) if parts else None


def _second_part(name: str) -> str:
    """The second part (upper case) of a two-part label (``"P1-ECG"`` -> ``"ECG"``), else
    ``""``."""
    parts = _two_parts(name)
    return parts[1] if parts else ""


def _is_electrode(key: str) -> bool:
    """A vocabulary name, a 10-05 electrode outside it or a reference label."""
    return (
        normalize_channel_name(key) is not None
        or is_other_electrode(key)
        or key.upper() in REFERENCE_LABELS
    )


def refused_references(names: Sequence[str], common: set[str]) -> dict[str, list[str]]:
    """Those of ``common`` (vocabulary names that derivations among ``names`` share as their
    second electrode: :func:`eegpt.vocabulary.common_references`) whose would-be first
    electrodes are, across the montage, no electrodes but tags of participants or devices:
    each such reference -> the labels that show it. A first electrode looks like a tag
    (:func:`_tag_evidence`) when it also heads a label of another signal (``P1-ECG``,
    ``P1-GSR`` beside ``P1-Cz``), derivations against :data:`MANY_PARTNERS` other electrodes
    or more (``P1-Fp1, P1-F3, P1-C3 ...``), or derivations against two of ``common`` (each
    electrode of a montage has one reference). One such head is no pattern (``Fp1-EOG`` or
    ``F3-ECG`` beside a montage ``Fp1-Cz ... O2-Cz``: an electrode's EOG or ECG lead), nor are
    two (``Fp1-EOG``, ``Fp2-EOG`` beside ``Fp1-Cz, Fp2-Cz, C3-Cz``), so a reference is
    refused only when :data:`MANY_PARTNERS` of its heads or more look like tags
    (``P1-Cz .. P4-Cz`` beside ``P1-ECG .. P4-ECG``), as a montage needs as many
    derivations against it to be read as one."""
    if not common:
        return {}
    heads: dict[str, dict[str, str]] = {}  # first electrode -> second part -> label
    for name in names:
        parts, first = _two_parts(name), _first_electrode(name)
        if parts is not None and first is not None:
            heads.setdefault(first, {}).setdefault(parts[1], name)
    refused: dict[str, list[str]] = {}
    for reference in sorted(common):
        against = {
            first: seconds
            for first, seconds in heads.items()
            if any(normalize_channel_name(s) == reference for s in seconds)
        }
        shown = {first: _tag_evidence(first, seconds, reference, common)
                 for first, seconds in against.items()}  # fmt: skip
        tags = [labels for labels in shown.values() if labels]
        if len(tags) >= MANY_PARTNERS:
            refused[reference] = list(dict.fromkeys(label for labels in tags for label in labels))
    return refused


def _tag_evidence(
    first: str, seconds: Mapping[str, str], reference: str, common: set[str]
) -> list[str]:
    """The labels that show a first electrode (``first``, heading the labels of ``seconds``:
    second part -> label, one of them against ``reference``) to be a participant's or
    device's tag: its labels of other signals (``P1-ECG``), else all its labels where it heads
    derivations against :data:`MANY_PARTNERS` other electrodes or two of ``common``; ``[]``
    where it looks like an electrode."""
    signals = [label for s, label in seconds.items() if OTHER_SIGNALS.search(s)]
    if signals:
        return signals
    partners = {normalize_channel_name(s) for s in seconds} - {None, first, reference}
    others = [label for s, label in seconds.items() if normalize_channel_name(s) in common]
    if len(partners) >= MANY_PARTNERS or len(others) > 1:
        return list(seconds.values())
    return []


def refused_note(
    refused: Mapping[str, Sequence[str]], names: Sequence[str], recipe: bool = True
) -> str:
    """A sentence on the derivations among ``names`` not read as referential to the
    references of ``refused`` (:func:`refused_references`), and why, with (``recipe``) how to
    use one participant's channel; ``""`` for none."""
    if not refused:
        return ""
    against = [name for name in names if normalize_channel_name(_second_part(name)) in refused]
    if not against:
        return ""
    firsts = list(dict.fromkeys(montage_spelling(str(_first_electrode(name))) for name in against))
    evidence = list(dict.fromkeys(label for labels in refused.values() for label in labels))
    signals = [label for label in evidence if OTHER_SIGNALS.search(_second_part(label))]
    what = (
        f"channels of other signals ({few(signals, 4)})"
        if signals
        else f"derivations against many electrodes each ({few(evidence, 4)})"
    )
    refs = few([montage_spelling(ref) for ref in refused], 4)
    first = against[0]
    site = montage_spelling(str(normalize_channel_name(_second_part(first))))
    return (
        f" {few(against, 4)} {'is' if len(against) == 1 else 'are'} not read as referential to "
        f"{refs} (as a montage against one electrode would be): their first parts "
        f"({few(firsts, 6)}) also head {what}, so they look like the tags of "
        "participants or devices, not electrodes."
    ) + (
        " If each is one participant's channel, rename the one to use, e.g. "
        f"rename={{{first!r}: {site!r}}} "
        f"and leave the others out (command line: a rename table, --rename FILE; "
        f"{DOCS_SECTION})."
        if recipe
        else ""
    )


def _splits(name: str, prefix: bool) -> tuple[str, str] | None:
    """The first way (from the label's start for a ``prefix``, else from its end) to cut a tag
    off ``name`` at a separator so that the rest is a vocabulary name: (tag with its
    separator, vocabulary name); None where there is none."""
    cuts = [i for i, c in enumerate(name) if c in _SEPARATORS and 0 < i < len(name) - 1]
    for i in cuts if prefix else reversed(cuts):
        tag, rest = (name[: i + 1], name[i + 1 :]) if prefix else (name[i:], name[:i])
        canonical = normalize_channel_name(rest)
        if canonical is not None:
            return tag, canonical
    return None


def participant_tags(names: Sequence[str]) -> list[Tagged]:
    """The participants' tags that labels among ``names`` share (``A-`` and ``B-`` of
    ``A-Fp1, B-Fp1 ...``; ``_1`` of ``Fp1_1``), those that, taken off, leave at least
    :data:`MANY_PARTNERS` different vocabulary names. A tag that is an electrode or a reference
    label itself (``Fp1-`` of ``Fp1-Cz``; ``-REF``, ``-Cz``) is none, but for a prefix that
    heads many electrodes (``P1-`` of ``P1-Fp1, P1-F3, P1-C3``). MNE's numbered copies of a
    repeated label (``Fp1-0``) are :func:`duplicated_labels`'. Largest groups first."""
    found: list[Tagged] = []
    for prefix in (True, False):
        groups: dict[str, dict[str, str]] = {}
        for name in names:
            if numbered_copy(name) is not None or normalize_channel_name(name) is not None:
                continue
            split = _splits(name, prefix)
            if split is not None:
                groups.setdefault(split[0], {})[name] = split[1]
        for text, labels in groups.items():
            key = text.strip(_SEPARATORS)
            sites = set(labels.values()) - {normalize_channel_name(key)}
            if OTHER_SIGNALS.search(key.upper()):  # P1-ECG, P2-ECG: each one's ECG
                continue
            electrode = _is_electrode(key)
            # an electrode heads a derivation against one or two others in a bipolar montage
            enough = len(sites) > MANY_PARTNERS if electrode else len(sites) >= MANY_PARTNERS
            if enough and (prefix or not electrode):
                found.append(Tagged(text, prefix, labels))
    taken: set[str] = set()
    out = []
    for group in sorted(found, key=lambda g: -len(g.labels)):  # a label in one group only
        if not taken & set(group.labels):
            out.append(group)
            taken |= set(group.labels)
    return out


def _python_table(group: Tagged) -> str:
    """The Python that gives a rename table of ``group``'s participant: its labels renamed
    without the tag, every other channel left out."""
    cut = "removeprefix" if group.prefix else "removesuffix"
    test = "startswith" if group.prefix else "endswith"
    return (
        f"{{ch: ch.{cut}({group.text!r}) if ch.{test}({group.text!r}) else None for ch in "
        "raw.ch_names}"
    )


def participants_note(names: Sequence[str], used: Sequence[str] = ()) -> str:
    """A sentence on participants' tags shared by labels among ``names``
    (:func:`participant_tags`) and how to embed one participant; ``""`` for none. ``used``:
    the vocabulary names of the channels the recording uses, which a tagged cap of the same
    sites beside them makes another participant's."""
    groups = participant_tags(names)
    if not groups:
        return ""
    where = "prefix" if groups[0].prefix else "suffix"
    tags = ", ".join(repr(g.text) for g in groups)
    example = ", ".join(f"{label} -> {montage_spelling(site)}" for label, site in
                        list(groups[0].labels.items())[:2])  # fmt: skip
    several = len(groups) > 1
    beside = not several and bool(set(groups[0].labels.values()) & set(used))
    entries = [f"{label!r}: {montage_spelling(site)!r}" for label, site in
               list(groups[0].labels.items())[:2]]  # fmt: skip
    if several:
        entries.append(f"..., {next(iter(groups[1].labels))!r}: None")
    return (
        f" The labels share the {where}{'es' if several else ''} {tags}, which, taken off, "
        f"leave{'' if several else 's'} 10-10 names ({example}, ...): "
        + (
            "the file probably holds several participants' caps (hyperscanning). "
            if several
            else "the file probably holds another participant's cap beside the channels used "
            "(hyperscanning). "
            if beside
            else "a participant's or device's tag"
            + (
                f", or the reference all of them were recorded against ({groups[0].text[1:]}; CHB-MIT's "
                "chb12_27 labels FP1-CS2, F7-CS2 ... against CS2): a montage against it is "
                "read as its electrodes by the same rename. "
                if _reference_like(groups[0])
                else ". "
            )
        )
        + "To embed one participant, map that participant's channels and leave the others "
        f"out: rename={{{', '.join(entries)}, ...}}; in Python, for the channels of "
        f"{groups[0].text!r}: rename={_python_table(groups[0])} (command line: write it with "
        f"eegpt.channels.write_rename_table(table, 'FILE.tsv'), then --rename FILE.tsv; "
        f"{DOCS_SECTION})."
    )


def _reference_like(group: Tagged) -> bool:
    """Whether ``group``'s tag is a suffix after ``-`` that names no electrode of the
    vocabulary (``-CS2``): the second part of a derivation, so the reference a montage of
    all the group's labels shares may be what it names, not a participant."""
    text = group.text
    return (
        not group.prefix
        and text.startswith("-")
        and any(char.isalpha() for char in text[1:])  # not MNE's numbered copies
        and normalize_channel_name(text[1:]) is None
    )


def duplicated_labels(names: Sequence[str]) -> dict[str, list[str]]:
    """Vocabulary labels that the file stores more than once, which MNE numbered apart in
    file order (``Fp1-0``, ``Fp1-1``): each label -> its copies among ``names``."""
    out: dict[str, list[str]] = {}
    for name in names:
        label = numbered_copy(name)
        if label is not None:
            out.setdefault(label, []).append(name)
    return {label: copies for label, copies in out.items() if len(copies) > 1}


def _first_copy_table(duplicated: Mapping[str, Sequence[str]]) -> str:
    """``rename={'C3-0': 'C3', 'C3-1': None, ...}``: the first copies of ``duplicated``
    used, the others left out, for a message."""
    label, copies = next(iter(duplicated.items()))
    entries = [f"{copies[0]!r}: {label!r}", *(f"{c!r}: None" for c in copies[1:])]
    return f"rename={{{', '.join(entries)}, ...}}"


def _copies_text(duplicated: Mapping[str, Sequence[str]]) -> str:
    """``"C3, C4, Cz ... (C3-0, C3-1, ...)"``: the repeated labels and MNE's copies."""
    labels = list(duplicated)
    copies = [c for group in duplicated.values() for c in group]
    return f"{few(labels, 6)} ({few(copies, 4)})"


def copies_note(duplicated: Mapping[str, Sequence[str]]) -> str:
    """The sentence on a file none of whose labels maps because MNE numbered its repeated
    labels apart (every label stored twice: two caps); ``""`` for none."""
    if not duplicated:
        return ""
    label, copies = next(iter(duplicated.items()))
    return (
        f" The file stores {len(duplicated)} label{'s' if len(duplicated) > 1 else ''} more "
        f"than once, {_copies_text(duplicated)}: MNE numbered the copies apart in file order "
        f"({copies[0]!r} the first {label!r}, {copies[1]!r} the next), so they no longer read "
        "as 10-10 names. "
        + (
            "A file with several labels twice most likely holds two participants' caps "
            "(hyperscanning) or two recordings. To embed one participant, map that "
            "participant's copies and leave the others out: "
            f"{_first_copy_table(duplicated)}; in Python, for the first cap: "
            "rename={ch: ch.removesuffix('-0') if ch.endswith('-0') else None for ch in "
            f"raw.ch_names}} (command line: --rename FILE; {DOCS_SECTION})."
            if len(duplicated) >= MANY_DUPLICATES
            else f"Name the copy to use: rename={{{copies[0]!r}: {label!r}}} (command line: "
            f"--rename {copies[0]}={label})."
        )
    )


def two_caps_error(duplicated: Mapping[str, Sequence[str]], used: Sequence[str]) -> str:
    """The refusal of a recording that stores :data:`MANY_DUPLICATES` labels or more twice
    (``duplicated``: :func:`duplicated_labels`) while other channels (``used``: input names)
    map: those may come from either of two heads."""
    return (
        f"the file stores {len(duplicated)} labels more than once, "
        f"{_copies_text(duplicated)}, which MNE numbered apart in file order ('-0' the "
        "first, '-1' the next). A recording with several labels twice most likely holds two "
        "participants' caps (hyperscanning, or caps of two montages under the same labels) "
        f"or two recordings, so the channels whose labels are not repeated ({few(used, 6)}) "
        "may come from either head: embedding them together would mix two heads. To embed "
        "one participant, give a rename table that maps that participant's channels and "
        f"leaves the others out, e.g. {_first_copy_table(duplicated)} (command line: "
        f"--rename FILE, an empty electrode leaving a channel out; {DOCS_SECTION}); MNE's "
        "numbers tell the caps apart only by their order in the file, so check it against "
        "how the caps were connected. If the copies are one cap's channels exported twice, "
        "name the copy of each to use: a rename that names any copy maps the recording as "
        "you say."
    )


def two_caps_note(n_electrodes: int) -> str:
    """The sentence added to the refusal of channels that map to one electrode, where
    ``n_electrodes`` electrodes (:data:`MANY_DUPLICATES` or more) are each named twice
    (``Fp1`` beside ``FP1``): two caps, whose channels dropping the later ones would mix."""
    return (
        f" With {n_electrodes} electrodes named twice, the file may hold two participants' "
        "caps (hyperscanning) or two recordings: dropping the later ones would then embed "
        "the first cap's channels with those of the second whose electrodes are not "
        "repeated. To embed one participant, give a rename table that maps that "
        f"participant's channels and leaves the others out ({DOCS_SECTION})."
    )


def copies_hint(missing: Sequence[str], names: Sequence[str]) -> str:
    """A sentence for ``rename`` keys (``missing``) that name no channel of ``names`` because
    the file stores that label more than once and MNE numbered the copies apart
    (``--rename Fz=Fz`` where the channels are ``Fz-0``, ``Fz-1``); ``""`` for none."""
    duplicated = duplicated_labels(names)
    hits = [key for key in missing if key in duplicated]
    if not hits:
        return ""
    key = hits[0]
    copies = duplicated[key]
    drops = " ".join(f"--drop {c}" for c in copies)
    return (
        f" {key!r} is stored {len(copies)} times in the file, and MNE numbered the copies apart "
        f"in file order: {few([repr(c) for c in copies], 4)}. Name the copy to use, e.g. "
        f"rename={{{copies[0]!r}: {key!r}}} (command line: --rename {copies[0]}={key}), or "
        f"drop each ({drops})"
        + (
            f"; {len(duplicated)} labels stored twice may be two participants' caps "
            f"({DOCS_SECTION})."
            if len(duplicated) >= MANY_DUPLICATES
            else "."
        )
    )
