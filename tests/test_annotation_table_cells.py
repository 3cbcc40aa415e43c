"""The cells of a table of onsets given as annotations (a .csv/.tsv of onset, duration and a
description, as Excel in a comma-decimal locale writes it too): rows longer than the header,
numbers with a decimal comma or thousands separators where they are not read, negative
durations: refused, naming the file, the row and the cell, rather than read otherwise."""

from __future__ import annotations

import pytest

from eegpt.annotations import read_annotations
from eegpt.errors import RecordingError


@pytest.mark.parametrize(
    ("text", "cells"),
    [
        # a decimal comma in a table of one column: onset 2, the 5 lost
        ("onset\n1\n2,5\n", "'2', '5'"),
        # one in a ,-separated table: onset 2, duration 5, description '1'
        ("onset,duration,description\n1,0,a\n2,5,1,0,go\n", "'2', '5', '1', '0', 'go'"),
        # a description holding the separator, unquoted: 'go' and a lost ' left'
        ("onset;duration;description\n1;0;a\n2;1;go; left\n", "'2', '1', 'go', 'left'"),
    ],
)
def test_a_row_with_more_cells_than_the_header_is_refused(tmp_path, text, cells):
    """A row holding more cells than the header names was read with the cells beyond it left
    out, silently: ``2,5`` under a header of one column read onset 2."""
    table = tmp_path / "events.csv"
    table.write_text(text)
    said = f"its row 2 after the header has \\d cells separated by .*\\({cells}\\)"
    with pytest.raises(RecordingError, match=said + r".*write numbers with a decimal point") as e:
        read_annotations(table)
    assert str(table) in str(e.value)


def test_empty_cells_beyond_the_header_are_read_as_before(tmp_path):
    """Excel writes an empty cell for each empty column after the last named one
    (``2,5;1;go;;``): the row is read."""
    table = tmp_path / "excel.csv"
    table.write_text("onset;duration;description\n2,5;1;go;;\n3,5;1;stop;;\n")
    found = read_annotations(table)
    assert list(zip(found.onset, found.duration, found.description, strict=True)) == [
        (2.5, 1.0, "go"), (3.5, 1.0, "stop")
    ]  # fmt: skip
