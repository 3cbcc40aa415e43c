"""CHANGELOG.md and what eegpt records of it (``eegpt.api.CHANGES_DATE``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from eegpt.api import CHANGES_DATE

CHANGELOG = Path(__file__).parents[1] / "CHANGELOG.md"


def check_changes_date(changelog: str, changes_date: str) -> None:
    """Raise AssertionError, saying what the maintainer is to change, where the newest (first)
    ``## `` section of ``changelog`` is not dated ``changes_date``: every embeddings output
    records that date as ``eegpt_changes``, so it must be raised with each new section."""
    heading = re.search(r"^## (.*)$", changelog, re.MULTILINE)
    assert heading is not None, "CHANGELOG.md has no '## YYYY-MM-DD' section"
    title = heading.group(1).strip()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", title), (
        f"CHANGELOG.md's newest section is '## {title}': title it with its date alone "
        "('## YYYY-MM-DD'), which eegpt.api.CHANGES_DATE records"
    )
    assert title == changes_date, (
        f"CHANGELOG.md's newest section is '## {title}' but eegpt.api.CHANGES_DATE is "
        f"{changes_date!r}, which every embeddings output records as eegpt_changes: set "
        f'CHANGES_DATE = "{title}" in src/eegpt/api.py'
    )


def test_changes_date_is_the_newest_changelog_section():
    """``CHANGES_DATE`` is the date of CHANGELOG.md's newest section; a new section (even one
    titled with more than its date, which a date pattern anchored at the line's end skipped in
    favour of the section below it) fails with a message naming what to set."""
    changelog = CHANGELOG.read_text(encoding="utf-8")
    check_changes_date(changelog, CHANGES_DATE)
    head, _, rest = changelog.partition("\n## ")
    for title in ("2099-01-02", "2099-01-02 (evening)"):
        added = f"{head}\n## {title}\n\n- **Area**: a change.\n\n## {rest}"
        with pytest.raises(AssertionError, match="newest section is '## 2099-01-02"):
            check_changes_date(added, CHANGES_DATE)
    with pytest.raises(AssertionError, match='set CHANGES_DATE = "2099-01-02" in src/eegpt/api.py'):
        check_changes_date(f"{head}\n## 2099-01-02\n\n## {rest}", CHANGES_DATE)
