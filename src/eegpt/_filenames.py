"""File names as text: what eegpt records of a name (:func:`path_text`) and the form file calls
take (:func:`os_path`), which differ where the locale cannot decode a name's bytes.

No imports beyond the standard library: :mod:`eegpt._logging` uses it for the warnings it
records.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

_SURROGATE = re.compile("[\\ud800-\\udfff]")


def path_text(path: str | os.PathLike[str]) -> str:
    """``path`` as the text eegpt records for it (an output's ``source``, a run's ``path`` and
    ``recording_id`` columns): the file's real name.

    Without Python's UTF-8 mode, under a locale whose encoding cannot decode a name's bytes
    (``LC_ALL=C``), Python hands the name over with those bytes as surrogate escapes
    (``'S\\udcc3\\udca3o'`` for the UTF-8 name ``São``): text that no UTF-8 file (Parquet,
    CSV, JSON) can hold, and that reads back as another name. Here those bytes are decoded as
    UTF-8, the encoding of names on disk today. Bytes that are no UTF-8 either (a Latin-1
    name) become ``\\xNN`` escapes (``'S\\xe3o'``): the file is still read and embedded, and
    its record says which bytes its name holds, rather than failing a readable recording
    over its name. Text without surrogates is returned as it is.
    """
    text = os.fspath(path)
    if not _SURROGATE.search(text):
        return text
    try:
        raw = os.fsencode(text)  # the name's bytes, as the file system gave them
    except UnicodeEncodeError:  # real characters beside the escapes: escapes of UTF-8 bytes
        try:
            raw = text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:  # surrogates that escape no byte: show them
            return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def os_path(text: str) -> str:
    """A name given as text (a manifest's or a run's report's ``path``) in the form this
    process's file calls take: :func:`path_text`'s inverse. Text the file-system encoding
    cannot hold (a UTF-8 name under ``LC_ALL=C``) becomes its UTF-8 bytes as surrogate
    escapes, which name the file on disk; other text is returned as it is.

    Where no file has the name as written and it holds ``\\xNN`` escapes (:func:`path_text`'s
    record of bytes that are no UTF-8, a Latin-1 ``S\\xe3o``), those escapes are read back as
    the bytes they stand for, and that name is taken if a file has it. A file whose name
    holds those four characters themselves is found first, as written. Relative text is
    looked up from the current folder: join it to its base before."""
    path = _encodable(text)
    if "\\x" not in text or os.path.lexists(path):
        return path
    parts = _BYTE_ESCAPE.split(text)  # text, escaped byte, text, ...
    try:
        raw = b"".join(
            bytes([int(part, 16)]) if i % 2 else part.encode("utf-8", "surrogateescape")
            for i, part in enumerate(parts)
        )
    except UnicodeEncodeError:  # surrogates that escape no byte: no file has that name
        return path
    unescaped = os.fsdecode(raw)
    return unescaped if os.path.lexists(unescaped) else path


_BYTE_ESCAPE = re.compile(r"\\x([0-9a-fA-F]{2})")


def _encodable(text: str) -> str:
    """``text`` in a form the file-system encoding can hold (see :func:`os_path`)."""
    try:
        os.fsencode(text)
        return text
    except UnicodeEncodeError:
        try:
            return os.fsdecode(text.encode("utf-8", "surrogateescape"))
        except UnicodeEncodeError:  # surrogates that escape no byte: no file has that name
            return text


def command_word(path: str | os.PathLike[str]) -> str:
    """``path`` as one word of a command line a message suggests, so that the command runs as
    it is shown: shell-quoted (``'my file.edf'``), and a relative path that begins with '-'
    (which a command takes for an option) as ``./-dash.edf``."""
    import shlex

    text = os.fspath(path)
    if text.startswith("-"):
        text = f"./{text}"
    return shlex.quote(text)


def user_path(path: str | os.PathLike[str]) -> Path:
    """A path the user gave (a command line's argument, a Python call's ``path``), as eegpt
    uses it: ``~`` and ``~user`` expanded (:meth:`pathlib.Path.expanduser`), as a shell
    expands them before a command sees its words. One rule for inputs and outputs alike, so
    that ``-o '~/x.parquet'`` (quoted, or ``--output=~/x.parquet``, where no shell expands
    it) writes under the home folder rather than into a folder named ``~``."""
    return Path(path).expanduser()


def same_recording(name: str, stem: str) -> bool:
    """Whether a label file's recording ``name`` is the recording of file stem ``stem``: the
    same, in any case, or one the other followed by a separator
    (``aaaaaajy_s001_t000`` and ``aaaaaajy_s001_t000_raw``)."""
    a, b = name.lower(), stem.lower()
    short, long = sorted((a, b), key=len)
    return a == b or (long.startswith(short) and not long[len(short)].isalnum())


#: How ``--val-by subject`` finds the subject in a path: a BIDS ``sub-LABEL`` folder or entity,
#: else a TUH file name's patient (``PATIENT_sNNN_tNNN``: the part before ``_sNNN``).
SUBJECT_PATTERNS = (r"(?:^|[/\\_])(sub-[A-Za-z0-9]+)(?=[/\\_.]|$)", r"^(.+?)_s\d+(?:_|\.|$)")
SUBJECT_PATTERNS_TEXT = "BIDS sub-LABEL, else TUH PATIENT_sNNN"


def subject_of(path: str | os.PathLike[str], *, tuh: bool = True) -> str | None:
    """The subject of a recording's path (:data:`SUBJECT_PATTERNS`): its BIDS ``sub-LABEL``
    (the last one, folder or file name entity), else (with ``tuh``) the patient of a TUH file
    name (``aaaaaaab_s002_t000.edf``: ``aaaaaaab``); None where it has neither."""
    text = Path(path).as_posix()
    bids = re.findall(SUBJECT_PATTERNS[0], text)
    if bids:
        return str(bids[-1])
    if not tuh:
        return None
    patient = re.match(SUBJECT_PATTERNS[1], Path(path).name)
    return patient.group(1) if patient else None


#: Table columns taken to name each row's subject (compared in lower case): an
#: ``epochs.metadata`` column, a corpus manifest's.
SUBJECT_COLUMNS = (
    "subject",
    "subject_id",
    "participant",
    "participant_id",
    "patient",
    "patient_id",
)


def subject_column(columns: Iterable[Any]) -> Any:
    """The first of ``columns`` that names subjects (:data:`SUBJECT_COLUMNS`, in any case), or
    None."""
    return next((c for c in columns if str(c).lower() in SUBJECT_COLUMNS), None)
