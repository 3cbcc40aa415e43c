"""Tables of spans (``start,stop,label``, as seizure lists are kept) read as annotations:
onset the start, duration the stop less the start."""

from __future__ import annotations

import pytest

from eegpt.annotation_files import read_annotations
from eegpt.errors import RecordingError


@pytest.mark.parametrize(
    "text",
    [
        "start,stop,label\n10,20,seizure\n100,130.5,seizure\n",
        "Start\tEnd\tdescription\n10\t20\tseizure\n100\t130.5\tseizure\n",
    ],
)
def test_a_table_of_start_and_stop_is_read_as_spans(tmp_path, text):
    """start/stop (or End) and a name: each row an annotation from its start, lasting to its
    stop, named by its label (was: a bare KeyError 'onset' from MNE's reader)."""
    path = tmp_path / ("seizures.csv" if "," in text else "seizures.tsv")
    path.write_text(text)
    found = read_annotations(path)
    assert found.onset.tolist() == [10.0, 100.0]
    assert found.duration.tolist() == [10.0, 30.5]
    assert found.description.tolist() == ["seizure", "seizure"]


def test_a_span_that_stops_before_it_starts_is_refused(tmp_path):
    """A stop before its start (a column of durations named stop) and a stop that is no
    number are refused, naming the row and the cell."""
    path = tmp_path / "seizures.csv"
    path.write_text("start,stop,label\n10,20,seizure\n100,30,seizure\n")
    with pytest.raises(RecordingError, match=r"its row 2 after the header stops \(stop 30\) "):
        read_annotations(path)
    path.write_text("start,stop,label\n10,20 s,seizure\n")
    with pytest.raises(RecordingError, match=r"the stop '20 s' of its row 1 after the header"):
        read_annotations(path)
