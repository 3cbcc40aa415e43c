"""Channels marked bad that the channels to keep or the drops leave out anyway: not warned of.

Reading a recording warns of the channels of ``info["bads"]`` it leaves out
(:func:`eegpt.channel_picks`). Where ``--keep-channels`` (``keep=``) or ``--drop``
(``rename={NAME: None}``) leave every one of them out as well, marking them bad changes
nothing: :func:`unused_bads_quiet` makes that warning a log line. No MNE.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from eegpt._logging import give_messages, held_messages

#: The words of :func:`eegpt.channel_picks`' warning that channels marked bad were left out.
BADS_LEFT_OUT = "channel(s) marked bad were left out: "


@contextlib.contextmanager
def unused_bads_quiet(
    keep: str | Sequence[str] | None, rename: Any, verbose: Any
) -> Iterator[list[Any]]:
    """Around reading one recording (the block appends what it read, anything with ``bads``,
    the channels left out as bad, and ``source``, to the list it is given): the warning that
    channels marked bad were left out becomes a log line where ``keep`` or ``rename``'s
    drops leave every one of them out as well (:func:`left_out_anyway`); the block's other
    messages are given as they were, in order. A read that fails gives all of them."""
    read: list[Any] = []
    held: list[tuple[Any, ...]] = []
    try:
        with held_messages() as held:
            yield read
    finally:
        bads = list(getattr(read[0], "bads", None) or ()) if read else []
        if bads and left_out_anyway(bads, keep, rename):
            line = (
                f"{read[0].source}: channel(s) marked bad {bads} are left out, as "
                "--keep-channels/--drop (keep=, rename=) leave them out too"
            )
            held = [
                ("log", line, verbose, False)
                if what == "warn" and BADS_LEFT_OUT in str(message)
                else (what, message, first, second)
                for what, message, first, second in held
            ]
        give_messages(held)


def left_out_anyway(bads: Sequence[str], keep: str | Sequence[str] | None, rename: Any) -> bool:
    """Whether every channel of ``bads`` (a recording's labels) is outside the channels to
    keep (``keep``: vocabulary names and sets, :func:`eegpt.channels.kept_channels`) or
    dropped by ``rename`` (a label mapped to None; a rename table's file is not read)."""
    from eegpt.vocabulary import normalize_channel_name

    kept = _kept(keep)
    given = {str(k).casefold(): v for k, v in rename.items()} if isinstance(rename, Mapping) else {}
    for bad in bads:
        target = given.get(bad.casefold(), bad)
        if target is None:  # dropped
            continue
        if kept is not None and normalize_channel_name(target) not in kept:
            continue
        return False
    return True


def _kept(keep: str | Sequence[str] | None) -> set[str] | None:
    """The vocabulary names ``keep`` stands for; None for None."""
    if keep is None:
        return None
    from eegpt.channels import kept_channels

    return set(kept_channels(keep) or ())
