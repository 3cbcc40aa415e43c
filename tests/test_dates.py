"""ISO 8601 text read alike on Python 3.10 and 3.11+ (eegpt._dates.parse_iso): the dates eegpt
writes with ``time.strftime``'s ``%z`` (probe provenance, run logs) and those users write in
BIDS scans.tsv (``Z``, short fractions) must not be dropped on 3.10, whose
``datetime.fromisoformat`` reads only its own ``isoformat`` output."""

from __future__ import annotations

import datetime
import re

import pytest

from eegpt._dates import iso_text_for_python310, parse_iso
from eegpt.anonymize import _shifted

# What Python 3.10's datetime.fromisoformat reads: YYYY-MM-DD[Thh:mm[:ss[.ffffff|.fff]]][+hh:mm]
_PY310_FORM = re.compile(
    r"^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d{3}|\.\d{6})?)?([+-]\d\d:\d\d)?)?$"
)
UTC = datetime.timezone.utc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-06T05:35:43+0000", datetime.datetime(2026, 12, 6, 5, 35, 43, tzinfo=UTC)),
        ("2024-01-02T12:00:00Z", datetime.datetime(2024, 1, 2, 12, tzinfo=UTC)),
        ("2024-01-02T12:00:00.5", datetime.datetime(2024, 1, 2, 12, 0, 0, 500000)),
        ("2024-01-02T12:00:00.25Z", datetime.datetime(2024, 1, 2, 12, 0, 0, 250000, tzinfo=UTC)),
        ("2024-01-02T12:00:00.1234567", datetime.datetime(2024, 1, 2, 12, 0, 0, 123456)),
        (
            "2024-01-02 12:00:00-0130",
            datetime.datetime(
                2024, 1, 2, 12, tzinfo=datetime.timezone(-datetime.timedelta(hours=1, minutes=30))
            ),
        ),
        ("2024-01-02T12:00:00+01:00", datetime.datetime(2024, 1, 2, 11, tzinfo=UTC)),
        ("2024-01-02T12:00:00-05", datetime.datetime(2024, 1, 2, 17, tzinfo=UTC)),
        ("2024-01-02", datetime.datetime(2024, 1, 2)),
    ],
)
def test_iso_text_is_put_in_the_form_python_310_reads(
    text: str, expected: datetime.datetime
) -> None:
    narrow = iso_text_for_python310(text)
    assert _PY310_FORM.match(narrow), narrow
    assert parse_iso(text) == expected


def test_text_that_is_no_date_is_still_refused() -> None:
    assert iso_text_for_python310("yesterday") == "yesterday"
    with pytest.raises(ValueError):
        parse_iso("yesterday")


def test_a_strftime_date_is_shifted_back_in_its_own_notation() -> None:
    # the probe provenance's "created" (time.strftime("%Y-%m-%dT%H:%M:%S%z")): anonymize
    # --daysback shifted it on 3.11 but dropped it on 3.10 (fromisoformat refused "+0000")
    assert _shifted("2026-12-06T05:35:43+0000", 3) == "2026-12-03T05:35:43+0000"
    assert _shifted("2026-12-06T05:35:43.250000+00:00", 1) == "2026-12-05T05:35:43.250000+00:00"
