"""The cells of a table of onsets given as annotations (a .csv/.tsv of onset, duration and a
description, as Excel in a comma-decimal locale writes it too): rows longer than the header,
numbers with a decimal comma or thousands separators where they are not read, negative
durations: refused, naming the file, the row and the cell, rather than read otherwise."""

from __future__ import annotations

import warnings

import pytest

from eegpt.annotations import read_annotations
from eegpt.errors import EEGPTWarning, RecordingError


@pytest.mark.parametrize(
    ("text", "cells", "how"),
    [
        # a decimal comma in a table of one column: onset 2, the 5 lost
        ("onset\n1\n2,5\n", "'2', '5'", "write numbers with a decimal point"),
        # one in a ,-separated table: onset 2, duration 5, description '1'
        ("onset,duration,description\n1,0,a\n2,5,1,0,go\n", "'2', '5', '1', '0', 'go'",
         "write numbers with a decimal point"),
        # a description holding the separator, unquoted: 'go' and a lost ' left'
        ("onset;duration;description\n1;0;a\n2;1;go; left\n", "'2', '1', 'go', 'left'",
         "a text holding a ';' is split there"),
        # a column the header does not name (a BIDS table's tabs): no decimal comma splits
        ("onset\tduration\ttrial_type\n1\t0\tgo\n2\t0\tgo\tn/a\n", "'2', '0', 'go', 'n/a'",
         "a text holding a tab is split there, and a column the header does not name"),
    ],
)  # fmt: skip
def test_a_row_with_more_cells_than_the_header_is_refused(tmp_path, text, cells, how):
    """A row holding more cells than the header names was read with the cells beyond it left
    out, silently: ``2,5`` under a header of one column read onset 2. The refusal says what
    splits cells by the table's separator: a decimal comma only where it is a comma (it
    advised writing 2.5 for a ;- or tab-separated table, where a comma splits nothing)."""
    table = tmp_path / "events.csv"
    table.write_text(text)
    said = f"its row 2 after the header has \\d cells separated by .*\\({cells}\\)"
    with pytest.raises(RecordingError, match=said + f".*{how}") as e:
        read_annotations(table)
    assert str(table) in str(e.value)
    assert ("decimal comma" in str(e.value)) == ("decimal point" in how)


def test_empty_cells_beyond_the_header_are_read_as_before(tmp_path):
    """Excel writes an empty cell for each empty column after the last named one
    (``2,5;1;go;;``): the row is read."""
    table = tmp_path / "excel.csv"
    table.write_text("onset;duration;description\n2,5;1;go;;\n3,5;1;stop;;\n")
    found = read_annotations(table)
    assert list(zip(found.onset, found.duration, found.description, strict=True)) == [
        (2.5, 1.0, "go"), (3.5, 1.0, "stop")
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "said", "unsaid"),
    [
        # Excel's "Unicode Text" (tabs) where the decimal separator is a comma: every onset
        ("onset\tduration\tdescription\n1,5\t0\ta\n2,5\t0\tb\n", r"'1,5' has a decimal comma, "
         r"read only in a table whose cells are separated by ';': write 1\.5\)", "thousands"),
        # a thousands separator, as English Excel quotes it in a ,-separated table: either
        ('onset,duration,description\n12.5,0,a\n"1,234",0,b\n', r"'1,234' is ambiguous: .* "
         r"thousands separator \(1234\) as well as a decimal comma \(1\.234\)", "write 1.234)"),
        ('onset,duration,description\n"1,234",0,a\n"2,000",0,b\n', r"'1,234' is ambiguous", ""),
        # a comma no thousands separator makes, in a ;-table whose numbers use a point
        ("onset;duration;description\n12.5;0;a\n2,5;0;b\n", r"'2,5' has a decimal comma, but "
         r"the table's other numbers use a decimal point: write 2\.5\)", "thousands"),
        ('onset,duration,description\n1,0,a\n"1,234,567",0,b\n', r"'1,234,567' has thousands "
         r"separators: write 1234567\)", ""),
        ("onset;duration;description\n1;0;a\n1.234,5;0;b\n", r"'1\.234,5' has thousands "
         r"separators and a decimal comma: write 1234\.5\)", ""),
        ("onset;duration;description\n1;0;a\n1\u202f234,5;0;b\n", r"'1\\u202f234,5' has "
         r"thousands separators and a decimal comma: write 1234\.5\)", ""),
        ("onset,duration,description\n1,0,a\n1'234.5,0,b\n", r"\"1'234\.5\" has thousands "
         r"separators: write 1234\.5\)", ""),
    ],
)  # fmt: skip
def test_a_number_not_read_says_how_to_write_it(tmp_path, text, said, unsaid):
    """An onset with a comma that is not read says what the comma may be and how to write the
    number: a decimal comma where every onset has one (the table was taken for none eegpt
    reads), ``1,234`` as both readings (it was said to be a decimal comma: write 1.234, where
    a quoted ``1,234`` in a ,-separated table is 1234 in English Excel), ``2,5`` as no
    thousands separator (it was said to be one, 25)."""
    table = tmp_path / ("events.tsv" if "\t" in text else "events.csv")
    table.write_text(text)
    with pytest.raises(RecordingError, match=r"the onset .* after the header is not a number "
                       "of seconds.*" + said) as e:  # fmt: skip
        read_annotations(table)
    assert str(table) in str(e.value)
    assert not unsaid or unsaid not in str(e.value)


def test_names_on_rows_without_an_onset_are_not_advised(tmp_path):
    """A BIDS events.tsv whose only trial_type sits on a row with an n/a onset is named by
    value (as MNE-BIDS names it: 2036c53); the warning on coded names looked at that row too,
    and advised 'replace the n/a 'trial_type' column by 'trial_type' to use it'."""
    table = tmp_path / "sub-01_task-v_events.tsv"
    table.write_text("onset\tduration\ttrial_type\tvalue\nn/a\t0\tgo\t1\n2\t0\tn/a\t3\n")
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        found = read_annotations(table)
    assert list(zip(found.onset, found.description, strict=True)) == [(2.0, "3")]
    assert not [str(w.message) for w in said if "names them" in str(w.message)]
    # a column of names on the rows read is still advised
    named = tmp_path / "sub-01_task-w_events.tsv"
    named.write_text("onset\tduration\tvalue\tcondition\n1\t0\t1\tleft\n")
    with pytest.warns(EEGPTWarning, match=r"'value' \(codes 1\); 'condition' also names them"):
        read_annotations(named)


def test_a_negative_duration_is_refused(tmp_path):
    """A negative duration was read as given: it labelled no window (window_labels skips
    it) and failed MNE's Annotations.crop with a bare AssertionError (raw.set_annotations);
    refused, naming the file, row and cell. A duration 0 is read as before."""
    table = tmp_path / "sub-01_task-x_events.tsv"
    table.write_text("onset\tduration\ttrial_type\n1\t0\tgo\n2\t-0.5\tstop\n")
    with pytest.raises(RecordingError, match=r"the duration '-0\.5' of its row 2 after the "
                       "header is negative") as e:  # fmt: skip
        read_annotations(table)
    assert str(table) in str(e.value)
    semi = tmp_path / "excel.csv"
    semi.write_text("onset;duration;description\n1;-2,5;go\n")
    with pytest.raises(RecordingError, match=r"the duration '-2,5' of its row 1 .* negative"):
        read_annotations(semi)
    table.write_text("onset\tduration\ttrial_type\n1\t0\tgo\n2\t0.5\tstop\n")
    assert list(read_annotations(table).duration) == [0.0, 0.5]


@pytest.mark.parametrize(
    "text",
    [
        "onset;duration;description\n1.234;2,5;a\n500;1,5;b\n",  # German Excel, #.##0
        "onset;duration;description\n2,5;0;a\n-1.000;1.500;b\n",
    ],
)
def test_a_thousands_point_beside_a_decimal_comma_is_refused(tmp_path, text):
    """A ;-separated table (German Excel with thousands shown) holding 1.234 (1234) beside
    2,5 (2.5) was read with a decimal point: 2,5 was refused advising 2.5, after which 1.234
    read 1.234 s silently. Both cells are named and how to write them."""
    table = tmp_path / "events.csv"
    table.write_text(text)
    with pytest.raises(RecordingError, match=r"decimal comma \('\d,5'\) beside .*thousands"):
        read_annotations(table)


def test_points_that_are_decimals_beside_a_decimal_comma_keep_their_refusal(tmp_path):
    """12.5 is no thousands separator: the table's numbers use a decimal point, and 2,5 is
    refused as before, advising 2.5."""
    table = tmp_path / "events.csv"
    table.write_text("onset;duration;description\n12.5;2,5;a\n")
    with pytest.raises(RecordingError, match="has a decimal comma, but the table's other"):
        read_annotations(table)
