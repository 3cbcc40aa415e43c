"""Cap tables (``--rename biosemi64``) and the recordings they are applied to or not."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

from eegpt.channels import map_channels

# a polygraphy (sleep) file: six EEG electrodes with the ear electrodes, and the other signals
# a PSG records beside them
_PSG_EEG = ["F3", "F4", "C3", "C4", "O1", "O2", "A1", "A2"]
_PSG_OTHER = ["LOC", "ROC", "Chin1", "Chin2", "ECG", "Flow", "Thor", "Abdo", "SpO2", "Pleth"]


@pytest.mark.parametrize("n_other", [0, 4, 5, len(_PSG_OTHER)])
def test_a_cap_table_is_not_applied_to_a_psg_however_many_other_signals(n_other):
    """--rename biosemi64 over a corpus with a polygraphy file: its ear electrodes A1/A2 stay
    ear electrodes (left out, with the 'not applied' warning), not BioSemi's sockets A1/A2
    (Fp1, AF7), whether its ECG, EOG, chin EMG, flow ... channels are few or more than half of
    its labels (those are no electrodes: they do not count against its 10-10 names)."""
    names = _PSG_EEG + _PSG_OTHER[:n_other]
    with pytest.warns(RuntimeWarning, match="the table is not applied to it") as record:
        mapping = map_channels(names, rename="biosemi64", on_missing="ignore")
    assert mapping.names == ("F3", "F4", "C3", "C4", "O1", "O2")
    assert {"A1", "A2"} <= set(mapping.dropped)
    assert sum("not applied" in str(w.message) for w in record) == 1


def test_a_psg_with_fp1_under_a_cap_table_is_no_duplicate():
    """A polygraphy file that also has Fp1, with more other signals than electrodes: under
    --rename biosemi64 its A1 is no second Fp1 (socket A1) but an ear electrode left out,
    with the 'not applied' warning, not a duplicates error."""
    names = ["Fp1", *_PSG_EEG, *_PSG_OTHER]
    with pytest.warns(RuntimeWarning, match="not applied"):
        mapping = map_channels(names, rename="biosemi64", on_missing="ignore")
    assert mapping.names == ("FP1", "F3", "F4", "C3", "C4", "O1", "O2")


def test_a_socket_file_with_other_signals_still_gets_the_cap_table():
    """A BioSemi file labelled by sockets (A1..B32) with its external and other channels
    (EXG1..EXG8, ECG, Resp): the table applies, with no 'not applied' warning."""
    sockets = [f"{bank}{i}" for bank in "AB" for i in range(1, 33)]
    names = [*sockets, *(f"EXG{i}" for i in range(1, 9)), "ECG", "Resp"]
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        mapping = map_channels(names, rename="biosemi64", on_missing="ignore")
    assert not any("not applied" in str(w.message) for w in record)
    assert mapping.names[:2] == ("FP1", "AF7") and len(mapping) == 60


def _sockets(banks: str) -> list[str]:
    return [f"{bank}{i}" for bank in banks for i in range(1, 33)]


_MONTAGES = Path(__file__).resolve().parents[1] / "docs" / "montages.md"


def _docs_biosemi_recipe() -> tuple[str, str]:
    """docs/montages.md's recipe for two BioSemi caps in one file: its paragraph and Python."""
    text = _MONTAGES.read_text(encoding="utf-8")
    start = text.index("BioSemi socket labels cannot tell one cap from two")
    paragraph, _, rest = text[start:].partition("```python\n")
    return paragraph, rest.partition("```")[0]


@pytest.mark.parametrize("banks", ["ABCD", "AB"])
def test_socket_hints_point_to_the_docs_for_a_hyperscanning_file(banks):
    """Two BioSemi caps in one file (128 sockets A1..D32: two 64-electrode caps; 64 sockets
    A1..B32: two 32-electrode caps) look like one larger cap: the refusal, after its advice
    for one cap, says in one short sentence where the docs tell how to embed one
    participant at a time (the common single-cap files get no long recipe)."""
    with pytest.raises(ValueError, match="BioSemi socket labels") as err:
        map_channels(_sockets(banks))
    message = str(err.value)
    hint = (
        " If the file holds several caps (hyperscanning), see docs/montages.md, "
        "'Hyperscanning: two caps in one file', to embed one participant at a time."
    )
    assert message.endswith(hint)
    assert "\n## Hyperscanning: two caps in one file\n" in _MONTAGES.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("banks", "cap", "rest"), [("ABCD", "biosemi64", "CD"), ("AB", "biosemi32", "B")]
)
def test_the_docs_recipe_embeds_one_participant_of_two_biosemi_caps(banks, cap, rest, tmp_path):
    """Following docs/montages.md's recipe gives each participant's electrodes alone: the first by
    the cap's table with the other banks dropped (a table file as its printf writes it, or its
    Python), the second by its Python's table naming the other banks as the cap names the
    first's."""
    from eegpt.channels import cap_rename, read_rename_table

    paragraph, python = _docs_biosemi_recipe()
    assert "--rename biosemi64 --rename drop_CD.tsv" in paragraph
    printf = re.search(r"printf '%s\\t\\n' ((?:[A-D]\{1\.\.32\} ?)+)> drop_CD\.tsv", paragraph)
    assert printf is not None and printf[1].split() == ["C{1..32}", "D{1..32}"]
    names = _sockets(banks)
    drop = tmp_path / f"drop_{rest}.tsv"  # what the printf writes, for these banks
    drop.write_text("".join(f"{label}\t\n" for label in _sockets(rest)))
    first = map_channels(names, rename={**cap_rename(cap), **read_rename_table(drop)})
    assert all(not name.startswith(tuple(rest)) for name in first.input_names)
    assert first.names == map_channels(names[: len(names) - len(_sockets(rest))], rename=cap).names
    setting = '"biosemi64", "AB", "CD"'
    assert setting in python and '"biosemi32", "A", "B"' in python
    given: dict[str, object] = {}
    own = "".join(sorted(set(banks) - set(rest)))
    exec(python.replace(setting, f"{cap!r}, {own!r}, {rest!r}"), given)  # the docs' Python
    assert map_channels(names, rename=given["first"]).names == first.names  # type: ignore[arg-type]
    second = map_channels(names, rename=given["second"])  # type: ignore[arg-type]
    assert second.names == first.names
    assert all(name.startswith(tuple(rest)) for name in second.input_names)


def test_a_socket_hint_of_one_cap_says_nothing_of_hyperscanning():
    """Sockets of one bank (a 32-electrode cap) or of banks not filled (A1..A32 with B1..B16)
    are no pair of caps: no hyperscanning note."""
    for names in (_sockets("A"), [*_sockets("A"), *(f"B{i}" for i in range(1, 17))]):
        with pytest.raises(ValueError, match="BioSemi socket labels") as err:
            map_channels(names)
        assert "hyperscanning" not in str(err.value)
