"""The --help of every command and subcommand, checked as a new user reads it: it names only
options the command has (or says whose they are), and an option shared by several commands is
shown the same way in each."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator

import pytest

from eegpt.cli import build_parser

#: Words that say whose an option named after them is: another eegpt command's
#: (``probe predict --events``, ``eegpt fetch --list``) or another program's (``docker --cpus``).
OWNER_WORDS = {
    "embed", "embed-dataset", "probe", "train", "predict", "evaluate", "channels", "info",
    "export", "anonymize", "convert", "fetch", "demo", "docker", "mne",
}  # fmt: skip


def _parsers(
    parser: argparse.ArgumentParser, words: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """``(words, parser)`` of ``eegpt`` and each command and subcommand under it."""
    yield words, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, (*words, name))


def _options(parser: argparse.ArgumentParser) -> set[str]:
    """The option strings of ``parser`` and of every subcommand under it."""
    return {s for _, p in _parsers(parser) for a in p._actions for s in a.option_strings}


ALL = list(_parsers(build_parser()))


def _help(parser: argparse.ArgumentParser, monkeypatch: pytest.MonkeyPatch) -> str:
    """``parser``'s --help unwrapped (a terminal wide enough for each paragraph on a line:
    an option's name is never split at its hyphens)."""
    monkeypatch.setenv("COLUMNS", "100000")
    return parser.format_help()


@pytest.mark.parametrize(("words", "parser"), ALL, ids=[" ".join(w) or "eegpt" for w, _ in ALL])
def test_help_names_only_options_the_command_has(words, parser, monkeypatch):
    """An option a command's --help names is one of its own (``eegpt`` and ``eegpt probe``:
    one of their commands'), or is said to be another command's or program's by the word
    before it (``as embed --overlap``, ``docker --cpus``). probe predict's --start once gave
    ``--window 30 --start 17`` and ``--val-data ones last`` (options of probe train only),
    embed-dataset's --marker-spans ``own or --annotations'`` (an option of embed only)."""
    own = _options(parser) | {"--option"}  # --option=@value: the argument files' placeholder
    text = _help(parser, monkeypatch)
    strays = []
    for match in re.finditer(r"(\S*)\s+(--[a-z][a-z0-9-]*)", text):
        before, option = match.group(1).strip("'\"(`"), match.group(2)
        if option not in own and before not in OWNER_WORDS:
            strays.append(text[max(0, match.start() - 50) : match.end() + 10])
    assert not strays, f"eegpt {' '.join(words)} --help names options it has not: {strays}"
