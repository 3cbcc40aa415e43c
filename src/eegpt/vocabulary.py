"""The EEGPT channel vocabulary and what a channel's label says about it.

:data:`VOCABULARY` holds the 62 electrode names whose rows are EEGPT's channel embeddings, and
the channel sets taken from it (:data:`PRETRAINING_CHANNELS`, :data:`CHANNEL_SETS`).
:func:`normalize_channel_name` reads one label as a vocabulary name (``"EEG FP1-REF"`` ->
``FP1``, ``T3`` -> ``T7``); the other functions tell what else a label may be (a reference
label, an electrode outside the vocabulary, another signal, a bipolar derivation, an
intracranial contact), match labels as typed (:func:`plain_label`, :func:`spelling_hint`) and
show them (:func:`printable_name`). :mod:`eegpt.channels` re-exports the public names.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

from eegpt._logging import few

__all__ = [
    "CHANNEL_INDEX",
    "PRETRAINING_CHANNELS",
    "PROBE_19_CHANNELS",
    "UNSEEN_IN_PRETRAINING",
    "VOCABULARY",
    "CHANNEL_SETS",
    "normalize_channel_name",
]


# fmt: off
VOCABULARY: tuple[str, ...] = (
    "FP1", "FPZ", "FP2",
    "AF7", "AF3", "AF4", "AF8",
    "F7", "F5", "F3", "F1", "FZ", "F2", "F4", "F6", "F8",
    "FT7", "FC5", "FC3", "FC1", "FCZ", "FC2", "FC4", "FC6", "FT8",
    "T7", "C5", "C3", "C1", "CZ", "C2", "C4", "C6", "T8",
    "TP7", "CP5", "CP3", "CP1", "CPZ", "CP2", "CP4", "CP6", "TP8",
    "P7", "P5", "P3", "P1", "PZ", "P2", "P4", "P6", "P8",
    "PO7", "PO5", "PO3", "POZ", "PO4", "PO6", "PO8",
    "O1", "OZ", "O2",
)
"""The 62 EEGPT channel names; a name's position is its row in the channel-embedding table."""

PROBE_19_CHANNELS: tuple[str, ...] = (
    "FP1", "FP2", "F7", "F3", "FZ", "F4", "F8", "T7", "C3", "CZ",
    "C4", "T8", "P7", "P3", "PZ", "P4", "P8", "O1", "O2",
)
"""The 19-channel (10-20) montage of the original linear-probe experiments."""
# fmt: on

CHANNEL_INDEX: dict[str, int] = {name: i for i, name in enumerate(VOCABULARY)}
"""Vocabulary name -> row of the channel-embedding table."""

UNSEEN_IN_PRETRAINING: tuple[str, ...] = ("AF7", "AF8", "PO5", "PO6")
"""Vocabulary channels left out of the 58 channels EEGPT was pretrained on (the public EEGPT
code's ``use_channels_names``), so their embeddings are untrained. Some pretraining datasets
hold some of them (PhysioNet's motor imagery recordings have AF7 and AF8), but pretraining did
not use them."""

PRETRAINING_CHANNELS: tuple[str, ...] = tuple(
    name for name in VOCABULARY if name not in UNSEEN_IN_PRETRAINING
)
"""The 58 channels seen during pretraining, in vocabulary order."""

CHANNEL_SETS: dict[str, tuple[str, ...]] = {"10-20": PROBE_19_CHANNELS}
"""Built-in sets of vocabulary channels for ``keep=`` (:func:`eegpt.channels.map_channels`; command line
``--keep-channels 10-20``): ``"10-20"`` is the 19 electrodes of the 10-20 system under their
10-10 names (T7/T8/P7/P8 for T3/T4/T5/T6)."""


def printable_name(name: str) -> str:
    """``name`` with characters that do not print (a control byte a header decoded as
    Latin-1, ``"EEG Fpz\x96Cz"``) written as escapes, as Python and bash ``$'...'`` read
    them: what a table shows and what can be typed back."""
    return name if name.isprintable() else name.encode("unicode_escape").decode("ascii")


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: 2 for East-Asian wide and full-width characters
    (``"Ｆｐ１"`` is 6), 0 for combining marks and other zero-width characters (format
    characters, ``"e\u0301"`` is 1), 1 for the others."""
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("F", "W") else 1
    return width


def padded(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` terminal columns (:func:`display_width`),
    as ``text.ljust(width)`` is for text of narrow characters only."""
    return text + " " * max(0, width - display_width(text))


def typed_name(name: str) -> str:
    """A channel name as typed on a command line or in a table: bytes that were not UTF-8
    (Python holds them as surrogate escapes, ``"\\udc96"``) as the Latin-1 characters MNE
    reads from headers (``"\x96"``), and the escapes :func:`printable_name` shows
    (``\x96`` typed as four characters) as those characters, so ``--rename 'EEG
    Fpz\x96Cz=Fpz'`` (or ``$'...'`` in bash) finds the channel."""
    name = re.sub("[\udc80-\udcff]", lambda m: chr(ord(m.group()) - 0xDC00), name)
    return re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), name)


# Old 10-20 names of the temporal/parietal electrodes and their 10-10 (vocabulary) names.
_ALIASES: dict[str, str] = {"T3": "T7", "T4": "T8", "T5": "P7", "T6": "P8"}

# The reference labels, each with the reference it names (its key). A label names a reference,
# not a second electrode, after a '-' (a montage derivation such as ``FP1-F7`` is not a single
# channel). ``CZ`` and other electrodes are absent: one such label is indistinguishable from a
# bipolar pair, and only a montage that has one electrode as the second of several channels
# reads as referential to it (:func:`common_references`). Labels of one key name one
# reference in other words (for the warning on channels against different references); a label
# that is its own key is a reference of its own (A1, A2, M1 and M2 each one side's ear or
# mastoid; REF1 and REF2 two inputs; RE, EAR). G2, the reference input of Nihon Kohden and
# Natus amplifiers, is the recording's own reference that REF names: an export with Fp1-REF
# beside C3-G2 is on one reference. Linked ears written as a sum or mean (``A1+A2``,
# ``(A1+A2)/2``) read as A1A2.
REFERENCE_KEYS: dict[str, str] = {
    # the recording's own
    **dict.fromkeys(("REF", "REFERENCE", "COM", "ORG", "ORIG", "G2"), "REF"),
    **dict.fromkeys(("AVG", "AV", "AVE", "AVERAGE", "CAR", "AR"), "AVG"),  # the average
    **dict.fromkeys(("LE", "LINKED", "LINKEDEARS", "EARS", "A1A2", "A12"), "LE"),  # linked ears
    **dict.fromkeys(("LM", "M1M2", "M12", "MASTOIDS"), "LM"),  # linked mastoids
    **dict.fromkeys(("MASTOID", "MAST"), "MASTOID"),
    # references of their own
    **{label: label for label in ("REF1", "REF2", "RE", "A1", "A2", "M1", "M2", "EAR")},
}
# The labels that, after a '-', name a reference (the keys of :data:`REFERENCE_KEYS`).
REFERENCE_LABELS: frozenset[str] = frozenset(REFERENCE_KEYS)

# Prefixes of EEG channel labels: "EEG Fp1" (EDF), "POL C3" (Nihon Kohden's exports),
# "EEG.AF3" (Emotiv's EDF exports)
_PREFIX = re.compile(r"^(?:EEG|POL)[\s_\-:.]+")
_SPACES = re.compile(r"\s+")
# a reference suffix after "_", ":", "/" or a space, or in parentheses: "C3_REF", "F4:M1"
# (Somnomedics, Embla), "C3/A2", "C4 REF", "Cz (REF)", "C3 (A1+A2)/2"
# a unit of voltage in brackets at the end, as some exports label channels: "Fz [uV]",
# "EEG Fz (µV)" (upper-cased, µ/μ as Greek capital mu): it names no site
_UNIT_SUFFIX = re.compile(r"\s*[\[(]\s*[UΜMN]?V\s*[\])]$")
_OTHER_SUFFIX = re.compile(r"^([^-]*?[^\s_(:/-])(?:[\s_:/]+|\s*(?=\())(\(?[A-Z0-9+]+\)?(?:/2)?)$")

# --------------------------------------------------------------------------------------------
# names
# --------------------------------------------------------------------------------------------


def normalize_channel_name(name: str) -> str | None:
    """Map one channel name as found in a file onto the EEGPT vocabulary.

    Handled: any case and surrounding whitespace (``" fp1 "``), leading and trailing dots
    (``"Fc5."``, ``"Fc5.."`` as in PhysioNet EEGMMIDB), an ``EEG`` prefix (or Nihon Kohden's
    ``POL``) followed by a space, ``-``, ``_``, ``:`` or ``.`` (``"EEG Fp1"``, ``"EEG-Fz"``,
    ``"POL C3"``, Emotiv's ``"EEG.AF3"``), a reference suffix after ``-`` that is a known reference label
    (``"FP1-REF"``, ``"Fp1-Ref1"``, ``"T3-LE"``, ``"Cz-AVG"``, ``"O1-A2"``, ``"Fp1-A1+A2"``
    or ``"Fp1-A2+A1"``, ``"C3-(A1+A2)/2"``, ``"FP1-Ear"``, ``"EEG Fp1-G2"``; TUH style
    ``"EEG FP1-REF"``; also after ``_``, ``:``, ``/`` or a space, or in parentheses:
    ``"C3_REF"``, ``"F4:M1"``, ``"C3/A2"``, ``"C4 REF"``, ``"Cz (REF)"``, ``"C3 (A1+A2)/2"``), a unit of voltage in
    brackets at the end (``"Fz [uV]"``, ``"EEG Fz (µV)"``, ``"Cz-REF (mV)"``) and the old 10-20
    names T3/T4/T5/T6 (-> T7/T8/P7/P8), also beside their 10-10 names in one label
    (``"T3/T7"``, ``"T5-P7"``, ``"T7 (T3)"`` -> T7, P7, T7, and so with a prefix and reference
    suffix, ``"EEG T4 (T8)-REF"`` -> T8: :func:`both_names_site`), which is one site labelled
    twice, not a derivation.

    Parameters
    ----------
    name : str
        Channel name as stored in the recording.

    Returns
    -------
    str or None
        The vocabulary name (e.g. ``"FP1"``), or ``None`` when the name is not a scalp electrode
        of the vocabulary: other signals (``"EKG"``, ``"PHOTIC-REF"``, ``"STI 014"``), electrodes
        outside the vocabulary (``"A1"``, ``"T1"``, ``"Iz"``) and bipolar derivations
        (``"FP1-F7"``, also ``"FP1-CZ"``: one Cz-referenced channel is indistinguishable from a
        bipolar pair by name; :func:`eegpt.channels.map_channels` reads a montage whose channels share Cz as
        their second electrode as referential to Cz, and ``rename=`` keeps any one).
    """
    if not isinstance(name, str):
        raise TypeError(f"channel names must be str, got {type(name).__name__}: {name!r}")
    parts = label_parts(name)
    if len(parts) == 2 and parts[1] in REFERENCE_LABELS:
        key = parts[0]
    elif len(parts) == 1:
        key = parts[0]
    else:  # bipolar derivation or otherwise composite label, unless one site named twice
        return both_names_site(name)
    key = key.strip(".")
    key = _ALIASES.get(key, key)
    return key if key in CHANNEL_INDEX else both_names_site(name)


# Characters that stand for '-' in labels: Unicode dashes and the minus sign (U+2010..U+2015,
# U+2212), and cp1252's en and em dash bytes as MNE decodes EDF headers, with Latin-1 (where
# they are C1 control characters, which no label holds as such).
_DASHES = re.compile("[\u2010-\u2015\u2212\x96\x97]")
# Cyrillic and Greek letters that show as Latin ones (a label typed on a Cyrillic or Greek
# keyboard layout: Cyrillic "С3" is C3, Greek "Ο1" is O1), as those Latin letters.
_LATIN_LOOKALIKES = str.maketrans(
    "АВЕКМНОРСТХаеорсхΑΒΕΖΗΙΚΜΝΟΡΤΥΧο",
    "ABEKMHOPCTXaeopcxABEZHIKMNOPTYXo",
)


def _plain_characters(name: str) -> str:
    """``name`` with the look-alikes of plain characters made plain: format characters
    (Unicode category Cf: a zero-width space, a left-to-right mark, a byte-order mark on a
    file's first label) removed, compatibility characters folded (NFKC: full-width ``"Ｆ３"``
    -> ``"F3"``, a no-break or ideographic space -> ``" "``), dashes as ``-``
    (:data:`_DASHES`: ``"F7–Ref"`` -> ``"F7-Ref"``) and Cyrillic or Greek letters that show as
    Latin ones as those (:data:`_LATIN_LOOKALIKES`: Cyrillic ``"С3"`` -> ``"C3"``). Labels of
    other sites are written so, and the labels that show the same must match alike; the
    recording keeps its own."""
    if name.isascii():
        return name
    name = "".join(c for c in name if unicodedata.category(c) != "Cf")
    return _DASHES.sub("-", unicodedata.normalize("NFKC", name)).translate(_LATIN_LOOKALIKES)


def plain_label(name: str) -> str:
    """A channel label as rename keys (``--rename``, ``--drop``) and bads are matched to the
    recording's labels: with look-alike characters made plain (:func:`_plain_characters`) and without
    surrounding spaces, inner runs of them collapsed (``" EEG  F7–Ref\\u200b"`` ->
    ``"EEG F7-Ref"``). Letter case counts."""
    return " ".join(_plain_characters(name).split())


def label_parts(name: str) -> list[str]:
    """``name`` upper-cased, with look-alike characters made plain (:func:`_plain_characters`), without
    dots around it, an ``EEG`` prefix, a unit of voltage in brackets at its end (``"Fz [uV]"``,
    ``"EEG Fz (µV)"``) or spaces, split at ``-``: ``"EEG Fp1-REF"`` ->
    ``["FP1", "REF"]``; a reference label after ``_`` or a space or in parentheses is split off
    alike (``"C3_REF"``, ``"Cz (REF)"`` -> ``["C3", "REF"]``)."""
    key = _plain_characters(name).strip().strip(".").strip().upper()
    key = _PREFIX.sub("", _UNIT_SUFFIX.sub("", key))
    suffix = _OTHER_SUFFIX.match(key)
    if suffix and _reference_spelling(suffix[2]) in REFERENCE_LABELS:
        return [_SPACES.sub("", suffix[1]), _reference_spelling(suffix[2])]
    parts = [_SPACES.sub("", part) for part in key.split("-")]
    if len(parts) == 2:
        parts[1] = _reference_spelling(parts[1])
    return parts


def _reference_spelling(label: str) -> str:
    """A reference label as :data:`REFERENCE_LABELS` spells it: linked ears or mastoids written
    as a sum or a mean, in either order (``"A1+A2"``, ``"A2+A1"``, ``"(A1+A2)/2"``) ->
    ``"A1A2"``; a label in parentheses without them (``"(REF)"`` -> ``"REF"``); any other label
    as it is."""
    inner = re.sub(r"^\((.+)\)(?:/2)?$", r"\1", label)
    joined = "".join(sorted(inner.split("+")))
    return joined if joined in REFERENCE_LABELS else label


# Scalp electrodes of the 10-10 and 10-05 systems (and ear/mastoid sites) that are not among the
# 62 vocabulary names: recognised only to say so when they are dropped.
_OTHER_ELECTRODES = frozenset(
    {
        "NZ", "AFZ", "F9", "F10", "FT9", "FT10", "T9", "T10", "TP9", "TP10", "P9", "P10",
        "PO9", "PO10", "O9", "O10", "IZ", "I1", "I2", "A1", "A2", "M1", "M2", "T1", "T2",
        "SP1", "SP2", "PG1", "PG2",  # sphenoidal and nasopharyngeal (clinical recordings)
    }
)  # fmt: skip
_TEN_FIVE = re.compile(r"^(AFP|AFF|FFT|FFC|FTT|FCC|TTP|CCP|TPP|CPP|PPO|POO|OI)(\d{1,2}H|Z)$")
# The numbers that the 10-05 system (MNE's colin27_1005 montage) gives each letter prefix, with
# the clinical ear electrodes T1/T2 and old temporal names T3..T6, ear and mastoid sites A1/A2,
# M1/M2, and the sphenoidal, nasopharyngeal and cerebellar pairs: numbers beyond these, in a
# row, are those of intracranial contacts (:func:`contact_runs`).
_TEN_FIVE_NUMBERS: dict[str, frozenset[int]] = {
    **dict.fromkeys(("FP", "I", "OI", "A", "M", "SP", "PG", "CB"), frozenset({1, 2})),
    "O": frozenset({1, 2, 9, 10}),
    "T": frozenset(range(1, 11)),
    **dict.fromkeys(("AFP", "AF", "AFF", "F", "P", "PPO", "PO", "POO"), frozenset(range(1, 11))),
    **dict.fromkeys(("FFC", "FC", "FCC", "C", "CCP", "CP", "CPP"), frozenset(range(1, 7))),
    **dict.fromkeys(("FFT", "FT", "FTT", "TTP", "TP", "TPP"), frozenset(range(7, 11))),
}
# Labels of signals other than EEG (files without channel types, such as EDF, call them EEG).
# (ROC/LOC: the outer canthi's EOG; CHIN, LEG: EMG; SNORE, THOR, ABD, FLOW, POSITION: sleep
# recordings' other sensors; HEO/VEO, and HEOL/HEOR, VEOU/VEOL: Neuroscan's EOG channels;
# IBI, BURSTS, SUPPR: clinical systems' derived traces; LUC, RLC
# (and LLC, RUC): eye channels at the canthi, as in TUH EEG; TEMPERATURE anywhere, and TEMP, a
# temperature sensor -- Temp, TEMP1, Temp rectal, Rectal/Nasal/Esoph/Body/Skin temp -- matched
# from the label's start (its key has no spaces: "Temp rectal" -> TEMPRECTAL), after a body
# site (_TEMP_SITES) or alone, and not when more letters follow than a body site, so that
# temporal-lobe names (TEMPORAL, L TEMPORAL, LTEMP, RTEMP, TEMPL) are not taken for one; ORAL
# is a site only before TEMP, as TEMP+ORAL is TEMPORAL. Headsets' housekeeping channels, as
# Emotiv's exports name them: COUNTER, INTERPOLATED, RAW_CQ and the CQ./EQ. contact quality,
# GYRO*, ACC[XYZ]/ACCEL*, MAG[XYZ] and MOT.* motion, POW.* band powers, BATTERY, TIMESTAMP, the
# SATURATION/HIGHBITFLEX flags.)
_TEMP_SITES = r"RECTAL|NASAL|ESOPH(?:AGEAL)?|OESOPH(?:AGEAL)?|CORE|BODY|SKIN|AXILLA(?:RY)?|TYMPANIC"
# (Accelerometers as ACCX, ACC_X, ACC.X, ACCEL*: not ACC1.., sEEG contacts of the anterior
# cingulate, nor ACCUMBENS)
_HOUSEKEEPING = (
    r"COUNTER|INTERPOLATED|RAW_?CQ|^CQ[._]|_CQ$|^EQ[._]|GYRO|^ACC(?:EL|\.|_?[XYZ]$)|^MAG[XYZ]$"
    r"|^MOT[._]|^POW[._]|BATTERY|TIME_?STAMP|^SYNC$|SATURATION|HIGHBITFLEX"
)
OTHER_SIGNALS = re.compile(
    r"EOG|^HEO|^VEO|ECG|EKG|EMG|EXG|RESP|PHOTIC|PLETH|^PLET$|SPO2|SAO2|STATUS|TRIG|STIM|STI\b|^STI\d|PULSE|BREATH|GSR|EDA"
    r"|^ROC|^LOC|^LUC|^RLC|^LLC|^RUC|CHIN|LEG|SNORE|THOR|ABD|FLOW|POSITION|^IBI$|^BURSTS$|^SUPPR$|EVENT|MARKER"
    rf"|{_HOUSEKEEPING}"
    rf"|TEMPERATURE|^(?:{_TEMP_SITES}|ORAL)?TEMP(?:{_TEMP_SITES})?(?![A-Z])"
)
# AASM's EOG electrodes (E1-M2, E2-M2): EOG unless the file numbers its electrodes E1, E2, E3 ...
# (an EGI net's EEG)
AASM_EOG = re.compile(r"^E[12]$")
# Reference labels naming one side's ear or mastoid: channels against both sides are not on
# one reference (AASM sleep montages: C3-M2, C4-M1).
_LEFT_REFERENCES = frozenset({"A1", "M1"})
_RIGHT_REFERENCES = frozenset({"A2", "M2"})
# The ear and mastoid references of either side (A1, M1; A2, M2).
SIDED_REFERENCES = _LEFT_REFERENCES | _RIGHT_REFERENCES


def both_sides(references: set[str]) -> bool:
    """``references`` (reference labels) are ears or mastoids of the left and the right side
    alone (``{"M1", "M2"}``, ``{"A1", "M2"}``; not ``{"A1", "M1"}``, both left)."""
    return (
        references <= SIDED_REFERENCES
        and bool(references & _LEFT_REFERENCES)
        and bool(references & _RIGHT_REFERENCES)
    )


_COPY = re.compile(r"^(.+)-(\d+)$")


def numbered_copy(name: str) -> str | None:
    """``"Cz-0"`` -> ``"Cz"`` when the part before the number is a vocabulary name (MNE numbers
    duplicate channel labels ``-0``, ``-1``, ...), else None."""
    match = _COPY.match(name)
    if match and normalize_channel_name(match.group(1)) is not None:
        return match.group(1)
    return None


def shortened_list(names: Sequence[str], limit: int = 12) -> str:
    """``names`` as a Python list for a message, the first ``limit`` of a longer one then how
    many are left: ``"['E1', 'E2'] and 126 more"`` (:func:`eegpt._logging.few` with
    ``as_list``; without it, the names in words: ``"E1, E2, E3 and 125 more"``)."""
    return few(names, limit, as_list=True)


def electrode_key(name: str) -> str:
    """The electrode part of a label: ``"EEG TP9-REF"`` -> ``"TP9"`` (else the whole label)."""
    parts = label_parts(name)
    return parts[0] if len(parts) == 2 and parts[1] in REFERENCE_LABELS else "-".join(parts)


#: Channel types of other modalities than scalp EEG, by what they record (MNE's channel
#: types; here, not in :mod:`eegpt.channel_picks`, so that ``eegpt info`` can use it without
#: importing mne): channels of these types are never offered as EEG typed otherwise (sEEG
#: contacts are often named F1, C3 ...), and using them is warned about
#: (:func:`eegpt.channel_picks.warn_not_scalp`).
NOT_SCALP_TYPES: dict[str, str] = {
    **dict.fromkeys(("seeg", "ecog", "dbs"), "intracranial EEG"),
    **dict.fromkeys(("meg", "mag", "grad", "ref_meg"), "MEG"),
    **dict.fromkeys(
        ("fnirs", "hbo", "hbr", "fnirs_cw_amplitude", "fnirs_fd_ac_amplitude",
         "fnirs_fd_phase", "fnirs_od"),
        "fNIRS",
    ),
}  # fmt: skip


# A numbered label: letters (an sEEG shaft's may end in a prime, ``C'1``), then its number.
_NUMBERED = re.compile(r"([A-Z]+'?)(\d{1,2})")
# Prefixes of numbered labels that name an amplifier's inputs, not an electrode's contacts:
# Nihon Kohden's X1.. and DC01.., EGI's E1.., generic Ch1.., BioSemi's EXG1.., AUX1..
_INPUT_PREFIXES = frozenset({"X", "DC", "E", "CH", "CHAN", "AUX", "IN", "EXG", "EEG", "AIN"})


def label_prefix(name: str) -> str:
    """The letters of a label before its number (``"EEG C7-REF"`` -> ``"C"``)."""
    return electrode_key(name).rstrip("0123456789")


def _numbered_runs(names: Sequence[str]) -> dict[str, list[int]]:
    """The letter prefixes of ``names`` (``C`` of ``C1``, ``EEG C7-REF``; ``C'`` of ``C'1``)
    with three or more numbers in a row (``C1``, ``C2``, ``C3``): prefix -> all its numbers
    among ``names``, sorted."""
    numbers: dict[str, set[int]] = {}
    for name in names:
        if match := _NUMBERED.fullmatch(electrode_key(name)):
            numbers.setdefault(match[1], set()).add(int(match[2]))
    return {
        prefix: sorted(got)
        for prefix, got in numbers.items()
        if any({n, n + 1, n + 2} <= got for n in got)
    }


def _aliased_pairs(prefix: str, got: Iterable[int]) -> list[tuple[str, str]]:
    """The old 10-20 names and their 10-10 names of one letter (``T3`` and ``T7``, ``T4``
    and ``T8``) that ``got``, the numbers of ``prefix``, holds both of within one run from
    ``2`` or below without a gap (``T1`` .. ``T8``): one scalp site under two names each, so a
    shaft's contacts (a montage's list of names, ``T3`` .. ``T10``, has no ``T2``)."""
    numbers = set(got)
    pairs = []
    for old, new in _ALIASES.items():
        if old[:-1] == new[:-1] == prefix:
            high = max(int(old[-1]), int(new[-1]))
            if set(range(2, high + 1)) <= numbers:
                pairs.append((old, new))
    return pairs


def contact_runs(names: Sequence[str]) -> dict[str, list[int]]:
    """The prefixes of :func:`_numbered_runs` that look like the contacts of an sEEG shaft or
    ECoG strip: numbers that run on, three or more in a row, past those the 10-05 system gives
    that prefix (:data:`_TEN_FIVE_NUMBERS`: ``C1`` .. ``C8``, ``O1`` .. ``O8``, ``LA1`` ..
    ``LA8``), or a run that holds a site under its old and new names (``T1`` .. ``T8``:
    :func:`_aliased_pairs`). Amplifier inputs (``X1``, ``DC01``, EGI's ``E1``:
    :data:`_INPUT_PREFIXES`) and other signals (``EMG1``) are none."""
    runs = {}
    for prefix, got in _numbered_runs(names).items():
        if prefix in _INPUT_PREFIXES or OTHER_SIGNALS.search(prefix):
            continue
        scalp = _TEN_FIVE_NUMBERS.get(prefix, frozenset())
        row = [{n, n + 1, n + 2} for n in got]
        if any(three <= set(got) and not three <= scalp for three in row):
            runs[prefix] = got
        elif _aliased_pairs(prefix, got):
            runs[prefix] = got
    return runs


def _runs_text(runs: Mapping[str, list[int]]) -> str:
    """``{"C": [1, ..., 8], "O": [1, 2, 5]}`` -> ``"C1..C8, O1, O2, O5"``."""
    return ", ".join(
        f"{p}{n[0]}..{p}{n[-1]}"
        if n == list(range(n[0], n[-1] + 1))
        else ", ".join(f"{p}{i}" for i in n)
        for p, n in runs.items()
    )


def _contact_evidence(runs: Mapping[str, list[int]]) -> str:
    """Why the labels of ``runs`` (:func:`contact_runs`) are no scalp electrodes' names:
    ``"C7, C8 are no 10-05 names"``, ``"T3 beside T7 ... names one site twice"``."""
    beyond = [
        f"{p}{i}" for p, n in runs.items() for i in n if i not in _TEN_FIVE_NUMBERS.get(p, ())
    ]
    pairs = [pair for p, n in runs.items() for pair in _aliased_pairs(p, n)]
    parts = [f"{few(beyond, 6)} are no 10-05 names"] if beyond else []
    if pairs:
        twice = ", ".join(f"{old} beside {new}" for old, new in pairs)
        parts.append(f"{twice} would name one scalp site twice (its 10-20 and 10-10 names)")
    return "; ".join(parts)


def contact_advice() -> str:
    """What to do about labels that look like intracranial contacts."""
    return (
        "EEGPT is a scalp-EEG model: do not embed intracranial recordings with it. If these "
        "are scalp electrodes under unusual labels, rename them to their 10-10 sites "
        "(rename={NAME: VOCAB}; command line: --rename 'NAME=VOCAB')."
    )


def contacts_text(runs: Mapping[str, list[int]]) -> str:
    """``"the labels C1..C8 look like the contacts of intracranial electrodes (...): C7, C8
    are no 10-05 names"``, for the contact runs ``runs`` (:func:`contact_runs`)."""
    return (
        f"the labels {_runs_text(runs)} look like the contacts of intracranial electrodes "
        "(sEEG shafts or ECoG strips, numbered along each), not scalp electrodes: "
        f"{_contact_evidence(runs)}"
    )


def _named_text(used: Sequence[str], numbered: Mapping[str, list[int]]) -> str:
    """The channels ``used`` in short: the runs of ``numbered`` their prefixes have
    (``"F1..F8"``), then the others by name."""
    prefixes = {label_prefix(name) for name in used}
    runs = {p: n for p, n in numbered.items() if p in prefixes}
    rest = [name for name in used if label_prefix(name) not in runs]
    return ", ".join(filter(None, [_runs_text(runs), few(rest, 8)]))


def _long_runs(runs: Mapping[str, list[int]]) -> list[str]:
    """The prefixes of ``runs`` numbered from 1 to 5 or more without a gap (``G1`` ..
    ``G64``, ``LA1`` .. ``LA8``): strong evidence of intracranial electrodes, whose shafts
    have 5 to 18 contacts and grids 16 to 64, where a scalp cap's groups of auxiliary inputs
    are short (``BIP1`` .. ``BIP4``, ``MISC1`` .. ``MISC3``, ``EXT1`` .. ``EXT4``)."""
    return [prefix for prefix, got in runs.items() if set(range(1, 6)) <= set(got)]


def contacts_warning(
    used: Sequence[str], names: Sequence[str], where: str, renamed: Sequence[str] = ()
) -> str | None:
    """The warning for channels ``used`` (mapped to scalp sites by their own names) that may
    be intracranial contacts, as in sEEG or ECoG exported to EDF, which types every channel
    EEG; else None. Where ``names`` hold contact runs (:func:`contact_runs`), the used
    channels of those runs are named, with the other numbered runs of used channels
    (``F1`` .. ``F8``: 10-05 names, but in such a file they may be contacts too). Only where
    a contact run is long, numbered 1 to 5 or more (:func:`_long_runs`: ``G1`` .. ``G64``,
    not an auxiliary group ``BIP1`` .. ``BIP4``), are used labels of one letter and a number
    (``C3``) named as possible contacts too, and used channels outside every contact run
    warned of. Without contact runs, see :func:`_lone_runs_warning` (``renamed``: the
    channels used that a rename named, which count as other electrodes)."""
    runs = contact_runs(names)
    if not runs:
        return _lone_runs_warning(used, names, where, renamed)
    numbered = _numbered_runs(names)
    at_stake = [name for name in used if label_prefix(name) in runs]
    strong = bool(_long_runs(runs))
    maybe = [
        name
        for name in used
        if name not in at_stake
        and (
            label_prefix(name) in numbered
            or (strong and re.fullmatch(r"[A-Z]\d{1,2}", electrode_key(name)) is not None)
        )
    ]
    if at_stake:
        perhaps = f"; {_named_text(maybe, numbered)} may be contacts too" if maybe else ""
        used_text = (
            f"Yet {_named_text(at_stake, _numbered_runs(at_stake))} were used as the scalp "
            f"sites of those names{perhaps}."
        )
    elif strong and maybe:
        used_text = (
            f"Yet {_named_text(maybe, numbered)} were used as scalp sites: beside such labels, "
            "they may be contacts too."
        )
    else:
        return None
    return f"{where}{contacts_text(runs)}. {used_text} {contact_advice()}"


def _lone_runs_warning(
    used: Sequence[str], names: Sequence[str], where: str, renamed: Sequence[str] = ()
) -> str | None:
    """The warning for a recording whose channels ``used`` are all numbered runs of a single
    letter each (``F1`` .. ``F8``, ``P1`` .. ``P8``; :func:`_numbered_runs` of ``names``) with
    no other electrode beside them (none ``renamed`` either), two letters or more of them
    numbered 1 to 5 or more (:func:`_long_runs`): 10-05 names, but a scalp cap has others
    (the midline's ``Fz``, ``Cz``, ``Pz``, two-letter sites), so they may be contacts; else
    None. A motor-imagery montage (``C1`` .. ``C6``; ``C5``, ``C3``, ``C1``, ``C4``, ``C6``)
    has one letter: no warning."""
    numbered = _numbered_runs(names)
    if (
        not used
        or renamed
        or not all(
            re.fullmatch(r"[A-Z]\d{1,2}", electrode_key(name)) and label_prefix(name) in numbered
            for name in used
        )
        or len(_long_runs({p: n for p, n in numbered.items() if p in map(label_prefix, used)})) < 2
    ):
        return None
    first = used[0]
    site = montage_spelling(normalize_channel_name(first) or electrode_key(first))
    return (
        f"{where}the channels used, {_named_text(used, numbered)}, are numbered runs with no "
        "other scalp electrode beside them (no midline Fz, Cz, Pz): their labels fit the "
        "10-05 system, but they may be the contacts of intracranial electrodes (sEEG shafts "
        "or ECoG strips, numbered along each). EEGPT is a scalp-EEG model: do not embed "
        "intracranial recordings with it. If they are scalp electrodes, name them so to "
        f"silence this (rename={{{first!r}: {site!r}, ...}}; channels you rename are not "
        "checked)."
    )


def contacts_of(names: Sequence[str]) -> str:
    """A sentence for errors on the labels among ``names`` that look like intracranial
    contacts (:func:`contact_runs`); ``""`` for none."""
    runs = contact_runs(names)
    if not runs:
        return ""
    text = contacts_text(runs)
    return f" {text[0].upper()}{text[1:]}."


def is_ten_five_site(name: str) -> bool:
    """A numbered site of the 10-10/10-05 systems (:data:`_TEN_FIVE_NUMBERS`: ``C1``, ``F10``,
    the ear sites ``A1``/``A2``), whose label may look like an amplifier socket's (``C1``):
    ``A3`` or ``B7`` is none."""
    if not (match := re.fullmatch(r"([A-Z]+)(\d{1,2})", electrode_key(name))):
        return False
    return int(match[2]) in _TEN_FIVE_NUMBERS.get(match[1], frozenset())


def is_other_electrode(name: str) -> bool:
    """A scalp electrode of the 10-10/10-05 systems outside the vocabulary (``TP9``, ``AF1``,
    ``PO2``, ``AFF1``, ``C3h``, ``OI1``), an ear or mastoid site (``A1``, ``M2``) or a
    cerebellar electrode (``CB1``/``CB2`` of Neuroscan caps, as in SEED)."""
    key = electrode_key(name)
    if key in _OTHER_ELECTRODES or _TEN_FIVE.match(key):
        return True
    # the other numbered sites of :data:`_TEN_FIVE_NUMBERS`, and their half positions ("h")
    match = re.fullmatch(r"([A-Z]+)(\d{1,2})(H?)", key)
    return (
        match is not None
        and int(match[2]) in _TEN_FIVE_NUMBERS.get(match[1], frozenset())
        and (match[3] == "H" or normalize_channel_name(key) is None)
    )


def may_be_electrode(name: str) -> bool:
    """Whether a channel name that maps to no vocabulary name could still be an EEG electrode
    of it under another spelling: not a known electrode outside the vocabulary (``A1``), nor
    named like another signal (``EKG1``, ``PHOTIC-REF``, ``EOG``...), nor a derivation between
    two electrodes (``F4:C4``; a copy of one MNE numbered apart, ``T8-P8-1``) or an electrode
    against itself (``Cz-Cz``)."""
    return (
        not is_other_electrode(name)
        and not OTHER_SIGNALS.search(electrode_key(name))
        and copied_derivation(name) is None
    )


def _without_reference(parts: list[str]) -> list[str]:
    """``parts`` (of :func:`label_parts`) without a last part that names a reference
    (``["T3/T7", "REF"]`` -> ``["T3/T7"]``, ``["T5", "P7", "LE"]`` -> ``["T5", "P7"]``); a
    label of one part, or without such a last part, as it is."""
    if len(parts) > 1 and _reference_spelling(parts[-1]) in REFERENCE_LABELS:
        return parts[:-1]
    return parts


def _two_parts(name: str) -> list[str] | None:
    """The two parts of a label that joins two names by ``-``, ``:`` or ``/`` (``"EEG FP1-F7"``
    -> ``["FP1", "F7"]``, ``"F4:C4"``, ``"T3/T7"``) or gives a second in parentheses
    (``"T7 (T3)"`` -> ``["T7", "T3"]``), upper-cased (:func:`label_parts`), after a reference
    label that follows them is left out (``"T4 (T8)-REF"`` -> ``["T4", "T8"]``, ``"T5-P7-LE"``
    -> ``["T5", "P7"]``: :func:`_without_reference`); None for others."""
    parts = _without_reference(label_parts(name))
    if len(parts) == 1:
        bracketed = re.fullmatch(r"([^()]+)\(([^()]+)\)", parts[0])
        parts = list(bracketed.groups()) if bracketed else re.split(r"[:/]", parts[0])
    return parts if len(parts) == 2 else None


def both_names_site(name: str) -> str | None:
    """The vocabulary site of a label that names one electrode by its old 10-20 name and its
    10-10 name, in either order (``"T3/T7"``, ``"T5-P7"``, ``"T8:T4"``, ``"T7 (T3)"`` ->
    ``"T7"``, ``"P7"``, ``"T8"``, ``"T7"``), with or without the prefix and reference suffix
    of other labels (``"EEG T4 (T8)-REF"``, ``"T3/T7-REF"``, ``"T5-P7-LE"`` -> ``"T8"``,
    ``"T7"``, ``"P7"``): T3, T4, T5 and T6 are the sites T7, T8, P7 and P8
    renamed, so such a label is neither a derivation (the same electrode against itself
    would be flat) nor two electrodes, but one site labelled twice, which
    :func:`normalize_channel_name` reads as that site; None for any other label (two sites,
    ``"F7-T3"``, ``"T3/T8-REF"``, are no one site)."""
    parts = _two_parts(name)
    if parts is None:
        return None
    first, second = (part.strip(".") for part in parts)
    if first == second or {first, second} - {*_ALIASES, *_ALIASES.values()}:
        return None
    site = _ALIASES.get(first, first)
    return site if _ALIASES.get(second, second) == site else None


def reference_label(name: str) -> str | None:
    """The reference label (:data:`REFERENCE_LABELS`) that ``name`` gives after its electrode
    (``"EEG Fp1-REF"`` -> ``"REF"``, ``"C3-A1+A2"`` -> ``"A1A2"``), also after a site named by
    both its names (``"T5-P7-LE"`` -> ``"LE"``: :func:`both_names_site`); None for a label
    without one (``"Fp1"``, ``"Fp1-F7"``)."""
    parts = label_parts(name)
    if len(parts) == 2 and parts[1] in REFERENCE_LABELS:
        return parts[1]
    if len(parts) == 3 and both_names_site(name) is not None:
        return _reference_spelling(parts[2])  # the reference that both_names_site left out
    return None


def derivation_electrodes(name: str) -> tuple[str, str] | None:
    """The two vocabulary electrodes of a derivation label (``"EEG FP1-F7"``, ``"F4:C4"``,
    ``"Fp1/T3"`` -> ``("FP1", "T7")``), first and second; None for any other label, and for
    one naming a site by its 10-20 and 10-10 names (``"T3/T7"``: :func:`both_names_site`)."""
    parts = label_parts(name)
    if len(parts) == 1:
        parts = re.split(r"[:/]", parts[0])
    if len(parts) != 2 or both_names_site(name) is not None:
        return None
    first, second = (normalize_channel_name(part) for part in parts)
    return None if first is None or second is None else (first, second)


def copied_derivation(name: str) -> tuple[str, str] | None:
    """The two vocabulary electrodes of a derivation label (:func:`derivation_electrodes`),
    also of a copy that MNE numbered apart (a label given twice, CHB-MIT's ``"T8-P8"``, is
    read as ``"T8-P8-0"`` and ``"T8-P8-1"`` -> ``("T8", "P8")``); None for any other label."""
    pair = derivation_electrodes(name)
    if pair is None and (match := _COPY.match(name)) is not None:
        pair = derivation_electrodes(match.group(1))
    return pair


def is_bipolar(name: str) -> bool:
    """``name`` is a derivation between two vocabulary electrodes (``"EEG FP1-F7"``,
    ``"F4:C4"``, ``"Fp1/F7"``), or a copy of one that MNE numbered apart (``"T8-P8-0"``:
    :func:`copied_derivation`), or one between scalp sites of the 10-05 system of which one
    or both lie outside the vocabulary (CHB-MIT's ``"T7-FT9"``, ``"FT9-FT10"``:
    :func:`_site_derivation`); an electrode against itself (``"Cz-Cz"``) is none, and neither
    is one against an ear or mastoid site (``"Fp1-A1"``: referential)."""
    pair = derivation_sites(name)
    return pair is not None and pair[0] != pair[1]


def derivation_sites(name: str) -> tuple[str, str] | None:
    """The two sites of a derivation label as :func:`is_bipolar` reads it, first and second:
    vocabulary electrodes (:func:`copied_derivation`), else 10-05 scalp sites of which one or
    both lie outside the vocabulary (``"FT9-Cz"`` -> ``("FT9", "CZ")``: :func:`_site_derivation`),
    also of a copy MNE numbered apart; None for any other label."""
    pair = copied_derivation(name)
    if pair is None:  # of sites outside the vocabulary (T7-FT9), or a copy of one (-1)
        match = _COPY.match(name)
        pair = _site_derivation(name)
        if pair is None and match is not None:
            pair = _site_derivation(match.group(1))
    return pair


#: Ear and mastoid sites: a label against one of them (``"C3-A2"``) is referential
_EAR_SITES = frozenset({"A1", "A2", "M1", "M2"})


def _site_derivation(name: str) -> tuple[str, str] | None:
    """The two scalp sites of a derivation label (``"T7-FT9"`` -> ``("T7", "FT9")``), each a
    vocabulary name or, outside the vocabulary, a 10-05 site (:func:`is_other_electrode`: the
    ``FT9``, ``TP10`` of clinical montages; not an ear or mastoid site, the reference of a
    referential label); None for any other label."""
    parts = label_parts(name)
    if len(parts) == 1:
        parts = re.split(r"[:/]", parts[0])
    if len(parts) != 2 or both_names_site(name) is not None:
        return None
    sites = []
    for part in parts:
        site = normalize_channel_name(part)
        key = electrode_key(part)
        if site is None and is_other_electrode(part) and key not in _EAR_SITES:
            site = key
        if site is None:
            return None
        sites.append(site)
    return sites[0], sites[1]


def self_reference(name: str) -> str | None:
    """The electrode (vocabulary name) of a label naming an electrode against itself
    (``"Cz-Cz"``, ``"EEG CZ-CZ"`` -> ``"CZ"``): the reference channel of a montage against that
    electrode, exported beside the others and flat (all zeros); None for any other label."""
    pair = derivation_electrodes(name)
    return pair[0] if pair is not None and pair[0] == pair[1] else None


def common_references(names: Sequence[str]) -> set[str]:
    """The electrodes (vocabulary names) that derivation labels among ``names`` share as their
    reference: the second electrode of at least three of them, whose first electrodes all
    differ, and the first electrode of none (``Fp1-Cz, C3-Cz, O1-Cz``: a montage referential
    to Cz, as in neonatal EEG). A bipolar chain (``Fp1-F7, F7-T3, T3-T5``) has no such
    electrode: each one it passes is the second of one pair and the first of the next. The
    reference's channel against itself (``Cz-Cz``, flat) is no derivation and counts for none;
    :func:`eegpt.channels.map_channels` passes the names left after the channels the user leaves out."""
    derivations = [pair for name in names if (pair := derivation_electrodes(name)) is not None]
    pairs = [(first, second) for first, second in derivations if first != second]
    firsts = {first for first, _ in pairs}
    by_second: dict[str, list[str]] = {}
    for first, second in pairs:
        by_second.setdefault(second, []).append(first)
    return {
        second
        for second, group in by_second.items()
        if len(group) >= 3 and len(set(group)) == len(group) and second not in firsts
    }


def montage_spelling(name: str) -> str:
    """A vocabulary name as montages spell it (``FP1`` -> ``Fp1``, ``FCZ`` -> ``FCz``)."""
    name = "Fp" + name[2:] if name.startswith("FP") else name
    return name[:-1] + "z" if name.endswith("Z") else name


def vocabulary_hint(targets: Iterable[str]) -> str:
    """A sentence naming, for each of ``targets`` (rename targets outside the vocabulary), the
    vocabulary name it is probably a misspelling of (``"FCZZ"`` -> ``"FCZ"``; none for
    ``"M1"``, ``"TP9"`` or ``"F10"``, electrodes of their own); ``""`` when there is none."""
    hints = [f"{t!r} -> {close!r}" for t in targets if (close := _closest_vocabulary(t))]
    return f" Did you mean {', '.join(hints)}?" if hints else ""


def _closest_vocabulary(name: str) -> str | None:
    """The vocabulary name that ``name`` (not one) is most probably a misspelling of
    (``"FCZZ"`` -> ``"FCZ"``); None when none is close (``"M1"``), and for a 10-10/10-05
    electrode outside the vocabulary (``"F10"``, ``"FCCz"``), a site of its own that a near
    spelling (``"F1"``) would put elsewhere on the head."""
    if is_other_electrode(name):
        return None
    close = difflib.get_close_matches(electrode_key(name), VOCABULARY, n=1, cutoff=0.7)
    return close[0] if close else None


def zero_for_o(name: str) -> str | None:
    """The vocabulary name that the label ``name`` reads as with each digit 0 taken for the
    letter O (KaggleERN's ``"P08"`` -> ``"PO8"``, ``"P0z"`` -> ``"POz"``, as montages spell
    it): no 10-10 name holds a zero, so such a label is probably one typed wrong. None where
    there is none (``"F10"``). A suggestion only: channel names are never guessed."""
    key = electrode_key(name)
    if "0" not in key:
        return None
    found = normalize_channel_name(key.replace("0", "O"))
    return None if found is None else montage_spelling(found)


def _folded(name: str) -> str:
    """A channel name without case, with its spaces collapsed and look-alike characters made
    plain (``' Fc1 '`` -> ``'fc1'``; :func:`plain_label`)."""
    return plain_label(name).casefold()


def present_keys(rename: dict[str, str | None], names: Sequence[str]) -> dict[str, str | None]:
    """The entries of ``rename`` whose key names one of ``names`` as :func:`eegpt.channels.map_channels`
    matches keys (spaces around a label and look-alike characters ignored: :func:`plain_label`)."""
    plain = {plain_label(name) for name in names}
    return {key: value for key, value in rename.items() if plain_label(key) in plain}


def matched_keys(rename: dict[str, str | None], names: Sequence[str]) -> dict[str, str | None]:
    """``rename`` with each key that is not a channel name but is one when surrounding and
    repeated spaces and look-alike characters are ignored (:func:`plain_label`) replaced by that
    channel's name (``'fc1'`` for a label stored as ``'fc1 '``: the command line strips what is
    typed; ``'F7-Ref'`` for one stored as ``'F7–Ref'`` or, in an EDF file written with cp1252,
    ``'F7\\x96Ref'``: what is typed has a plain ``-``). An exact name wins. Case is not ignored:
    in a corpus,
    ``--drop FP1`` meant for one file's duplicate must not take another file's ``Fp1``; a key
    in another case gets a hint instead (:func:`spelling_hint`). A key that fits several names
    is an error."""
    exact = set(names)
    by_plain: dict[str, list[str]] = {}
    for name in dict.fromkeys(names):
        by_plain.setdefault(plain_label(name), []).append(name)
    out: dict[str, str | None] = {}
    for key, value in rename.items():
        hits = [] if key in exact else by_plain.get(plain_label(key), [])
        if len(hits) > 1:
            raise ValueError(
                f"rename key {key!r} matches several channels when spaces and look-alike "
                f"characters (dashes, full-width letters) are ignored ({hits}); give the exact "
                "name"
            )
        name = hits[0] if hits else key
        if name in out and out[name] != value:
            raise ValueError(f"rename keys name channel {name!r} twice, with different targets")
        out[name] = value
    return out


def _other_number(a: str, b: str) -> bool:
    """``a`` and ``b`` differ in their numbers, and else at most in case and separators
    (``"EEG-0"``, ``"EEG 8"``): other channels of one numbering, not misspellings of each other
    (``"TP09"`` and ``"TP9"`` are)."""
    numbers = [[int(n) for n in re.findall(r"\d+", x)] for x in (a, b)]
    letters = [re.sub(r"[\s_.-]+", "", re.sub(r"\d+", "0", x)).casefold() for x in (a, b)]
    return letters[0] == letters[1] and numbers[0] != numbers[1]


def spelling_hint(keys: Sequence[str], names: Sequence[str]) -> str:
    """A sentence naming, for each of ``keys`` (rename/drop keys that matched no channel), the
    channel of ``names`` it was probably meant for: the same letters in another case or with
    other spacing; for an electrode name, the channel that maps to that electrode ('Fp1' ->
    'EEG Fp1-REF'); for any other key, a close spelling (difflib: 'Chl' -> 'Ch1'; never
    another electrode for an electrode, so 'Fp1' does not suggest 'Fp2', nor a label that
    differs only in its number, 'EEG-0' -> 'EEG-8'). Labels are compared with look-alike
    characters made plain (:func:`plain_label`). The sentence says that letter case counts
    when a suggestion differs from its key in case, and names the characters that differ
    (escaped, as they do not show) when a suggestion differs from its key in look-alikes
    (``'Fp1–Ref'`` for a label decoded as ``'Fp1\\x96Ref'``). A key the file gives several
    times, which MNE numbers apart (``'T8-P8'`` read as ``'T8-P8-0'`` and ``'T8-P8-1'``), is
    said to be so, with its copies to name. ``""`` when none is found."""
    folded: dict[str, str] = {}
    electrodes: dict[str, str] = {}
    for name in names:
        folded.setdefault(_folded(name), name)
        canonical = normalize_channel_name(name)
        if canonical is not None:
            electrodes.setdefault(canonical, name)
    found = []
    by_plain: dict[str, str] = {}  # difflib compares labels made plain
    for name in names:
        by_plain.setdefault(plain_label(name), name)
    case = False
    lookalikes: list[str] = []
    copied: list[str] = []  # keys that the file gives several times, MNE numbering them apart
    for key in keys:
        copies = [n for n in names if (m := _COPY.match(n)) and _folded(m[1]) == _folded(key)]
        if len(copies) > 1:
            copied.append(
                f"{key!r} is given {len(copies)} times in the file, which MNE reads as "
                f"{few([repr(c) for c in copies], 4)} (numbered in the file's order): "
                "name the copy to rename"
            )
            continue
        hit = folded.get(_folded(key))
        canonical = normalize_channel_name(key)
        if hit is None and canonical is not None:
            hit = electrodes.get(canonical)
        elif hit is None:
            close = difflib.get_close_matches(plain_label(key), list(by_plain), n=3, cutoff=0.6)
            hit = next(
                (by_plain[name] for name in close if not _other_number(plain_label(key), name)),
                None,
            )
        if hit is None or hit == key:
            continue
        found.append(f"{key!r} -> {hit!r}")
        if _folded(key) != _folded(hit):
            continue  # another spelling: neither case nor look-alikes explain it
        case = case or plain_label(key) != plain_label(hit)
        if " ".join(key.split()).casefold() != " ".join(hit.split()).casefold():
            lookalikes.append(f"{ascii(hit)} in the file, {ascii(key)} given")
    copied_note = "".join(f" {text}." for text in copied)
    if not found:
        return copied_note
    notes = " Letter case counts." if case else ""
    if lookalikes:
        notes += (
            " The file's label holds a different character that looks alike (escaped: "
            + "; ".join(lookalikes)
            + ")."
        )
    return f" Did you mean: {', '.join(found)}?{notes}{copied_note}"
