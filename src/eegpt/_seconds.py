"""Durations written as text, as the command line takes them (``4``, ``4s``, ``"0.5 s"``): one
parser for ``eegpt``'s options (:func:`eegpt.cli_options.seconds`) and the Python configs that accept
the same strings (``PreprocessingConfig(window_seconds="4s")``). No NumPy, MNE or torch."""

from __future__ import annotations

import re


def parse_seconds(text: str) -> float:
    """``text`` as a number of seconds: a number, with ``s`` (``sec``, ``seconds``) after it or
    not. Raises ValueError that says the way to write it (a decimal comma, or no number)."""
    word = text.strip()
    if re.fullmatch(r"[-+]?\d*,\d+\s*s?", word):
        raise ValueError(
            f"{text!r}: write decimals with a point, not a comma: {word.replace(',', '.')}"
        )
    number = re.sub(r"\s*(s|sec|secs|seconds?)$", "", word, flags=re.IGNORECASE)
    try:
        return float(number)
    except ValueError:
        raise ValueError(
            f"{text!r} is no number of seconds: give one such as 4 or 0.5 (an s after it may be "
            "left out)"
        ) from None


def parse_overlap(text: str) -> float:
    """An overlap in seconds (:func:`parse_seconds`); a percentage is refused with the seconds
    it would be of a 4 s window."""
    word = text.strip()
    if word.endswith("%"):
        try:
            example = f"--overlap {4 * float(word[:-1]) / 100:g} for {word} of a 4 s window"
        except ValueError:
            example = "--overlap 2 for 50% of a 4 s window"
        raise ValueError(f"give the overlap in seconds, e.g. {example}")
    return parse_seconds(text)
