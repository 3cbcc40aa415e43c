"""The ``filters`` of :func:`read_embeddings <eegpt.read_embeddings>` checked against the
rows stored: a text column compared with a number refused, saying the filter to write
(:func:`_check_text_filters`), and ``==``/``in`` values that select no row but name rows in
another spelling warned of (:func:`_warn_other_normalisation`: a Unicode normalisation of an id,
a BIDS entity label as the command line reads it).

pyarrow is imported where the filters are checked, never at import.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eegpt._logging import few
from eegpt._logging import warn as _warn


def _flat_filters(filters: Any) -> list[Any]:
    """The (column, op, value) tuples of pandas-style filters (a list of them, or a list of
    such lists, any of which may hold)."""
    flat: list[Any] = []
    for item in filters:
        if isinstance(item, (list, tuple)) and item and isinstance(item[0], (list, tuple)):
            flat.extend(item)
        elif isinstance(item, (list, tuple)) and item and isinstance(item[0], str):
            flat.append(item)
    return flat


#: String id columns whose ``==``/``in`` filters say when a value is stored in another Unicode
#: normalisation (:func:`_warn_other_normalisation`).
NORMALISED_ID_COLUMNS = ("recording_id", "path")


def _label_key(column: str, value: str) -> str:
    """A BIDS entity label (of the entity ``column``: ``subject``, ``session`` ...) as the
    command line's ``--subject``/``--session``/``--run`` compare it: without the file name's
    key (``sub-01`` is ``01``) and a number without its leading zeros (``01`` is ``1``)."""
    from eegpt.bids import _KEYS

    text = value.strip().removeprefix(f"{_KEYS[column]}-")
    return str(int(text)) if text.isascii() and text.isdigit() else text


def _stored_labels(dataset: Any, column: str) -> list[str]:
    """The distinct non-null values of the text column ``column`` of ``dataset`` (reading that
    column alone), numbers first in numeric order, then the rest as text."""
    values = dataset.to_table(columns=[column]).column(column).unique().to_pylist()
    texts = {str(v) for v in values if v is not None}
    return sorted(texts, key=lambda t: (not (t.isascii() and t.isdigit()), len(t), t))


def _meant_labels(column: str, value: str, stored: Sequence[str]) -> list[str]:
    """The ``stored`` labels of the BIDS entity ``column`` that ``value`` names as the command
    line reads a label (:func:`_label_key`: ``sub-01`` is ``01``, ``1`` is ``01``)."""
    key = _label_key(column, value)
    return [label for label in stored if _label_key(column, label) == key]


def _check_text_filters(dataset: Any, flat: Sequence[Any]) -> None:
    """Refuse a filter that compares a text column with a number (``("run", "==", 1)``), which
    pyarrow cannot compare (``ArrowNotImplementedError``), saying the value to give instead
    for ``==``, ``!=``, ``in``, ``not in``; for ``<``, ``<=``, ``>``, ``>=`` no text value
    would do (text orders '9' after '30'): the message says to convert in pandas instead.

    Raises
    ------
    TypeError
        If a filter value (or one of an ``in`` list) is a number or boolean and its column
        holds text; the message names the stored labels of a BIDS entity column.
    """
    import numbers

    import pyarrow as pa

    from eegpt.bids import BIDS_FILTERS

    for item in flat:
        if len(item) != 3 or item[0] not in dataset.schema.names:
            continue
        kind = dataset.schema.field(item[0]).type
        if pa.types.is_dictionary(kind):
            kind = kind.value_type
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            continue
        column, op, given = item
        values = list(given) if op in ("in", "not in") and not isinstance(given, str) else [given]
        numbers_given = [v for v in values if isinstance(v, numbers.Number)]
        if not numbers_given:
            continue
        entity = column in BIDS_FILTERS
        stored = _stored_labels(dataset, column)
        texts = []
        for v in values:
            text = str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)  # 1.0
            meant = _meant_labels(column, text, stored) if entity else []
            texts.append(v if isinstance(v, str) else meant[0] if meant else text)
        shown = texts if op in ("in", "not in") else texts[0]
        what = (
            f"BIDS labels are stored as text: {', '.join(map(repr, stored[:4]))}"
            + (f" and {len(stored) - 4} more" if len(stored) > 4 else "")
            if entity
            else f"e.g. {', '.join(map(repr, stored[:3]))}"
        )
        said = (
            f"read_embeddings: column {column!r} holds text ({what}), which a filter cannot "
            f"compare with the number {numbers_given[0]!r}"
        )
        if op in ("<", "<=", ">", ">="):  # a text value would order as text: '9' > '30'
            raise TypeError(
                f"{said}; ordering compares text ('9' > '30', '100' < '30'), so read without "
                f"that filter and compare numbers in pandas, e.g. "
                f"table[pd.to_numeric(table[{column!r}], errors='coerce') {op} {given!r}]"
            )
        raise TypeError(f"{said}; filter with ({column!r}, {op!r}, {shown!r})")


def _warn_other_normalisation(dataset: Any, flat: Sequence[Any], found: Any) -> None:
    """Warn for each ``==``/``in`` filter value that selects no row but names one in another
    spelling, which the filter silently misses: of an id column (:data:`NORMALISED_ID_COLUMNS`)
    stored in another Unicode normalisation (NFD, as macOS writes file names, against NFC as
    typed on Linux), and of a BIDS entity column (``subject``, ``session``, ``task``,
    ``acquisition``, ``run``: :data:`eegpt.bids.BIDS_FILTERS`) any value no row has, naming the
    labels stored and the one the command line's ``--session``... would take it for
    (:func:`_meant_labels`: ``sub-01`` is ``01``, ``1`` is ``01``). The filter is not widened.
    Only values that the rows read (``found``, a table) lack are looked up (reading that
    column alone), of an id column only those with non-ASCII characters."""
    import unicodedata

    from eegpt.bids import BIDS_FILTERS

    names = dataset.schema.names
    asked: dict[str, list[str]] = {}
    for item in flat:
        if (
            len(item) != 3
            or item[0] not in (*NORMALISED_ID_COLUMNS, *BIDS_FILTERS)
            or item[0] not in names
            or item[1] not in ("==", "=", "in")
        ):
            continue
        values = [item[2]] if item[1] != "in" else list(item[2])
        entity = item[0] in BIDS_FILTERS
        odd = [v for v in values if isinstance(v, str) and (entity or not v.isascii())]
        if odd and item[0] in found.column_names:  # values the rows read have were stored
            read = set(found.column(item[0]).unique().to_pylist())
            odd = [v for v in odd if v not in read]
        asked.setdefault(item[0], []).extend(odd)
    for column, values in asked.items():
        if not values:
            continue
        if column in BIDS_FILTERS:
            _warn_entity_labels(column, list(dict.fromkeys(values)), dataset)
            continue
        stored = set(dataset.to_table(columns=[column]).column(column).unique().to_pylist())
        by_nfc: dict[str, list[str]] = {}
        for value in stored:
            if isinstance(value, str):
                by_nfc.setdefault(unicodedata.normalize("NFC", value), []).append(value)
        for value in dict.fromkeys(values):
            if value in stored:
                continue
            same = sorted(by_nfc.get(unicodedata.normalize("NFC", value), []))
            if same:
                _warn(
                    f"read_embeddings: no row has {column} {ascii(value)}, but "
                    f"{' and '.join(ascii(v) for v in same)} differ{'s' if len(same) == 1 else ''} "
                    "from it only in Unicode normalisation (they look the same; names from a Mac "
                    f"are NFD), so the filter selects none of its rows. Filter on the stored "
                    f"spelling: filters=[({column!r}, '==', {ascii(same[0])})] (or list both "
                    f"spellings with 'in'), or read the {column} column and compare "
                    "unicodedata.normalize('NFC', ...) of both"
                )


def _warn_entity_labels(column: str, values: Sequence[str], dataset: Any) -> None:
    """Warn for each of ``values`` (filter values of the BIDS entity ``column``) that no row of
    ``dataset`` has, naming the labels stored and the one it was likely meant as."""
    from eegpt.bids import _KEYS

    stored = _stored_labels(dataset, column)
    for value in values:
        if value in stored:
            continue
        meant = _meant_labels(column, value, stored)
        listed = few([repr(s) for s in stored], 8) if stored else "none (all missing)"
        guess = f"; did you mean {' or '.join(map(repr, meant))}?" if meant else "."
        _warn(
            f"read_embeddings: {column} {value!r} matches no row, so the filter selects none "
            f"for it; the stored {column} labels are {listed} (BIDS labels as the file names "
            f"write them, as text, without '{_KEYS[column]}-'){guess} The filter compares the "
            "text as given (unlike --subject/--session/--run of embed-dataset)"
        )
