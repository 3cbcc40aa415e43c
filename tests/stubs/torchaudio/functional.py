"""Stand-in torchaudio.functional: any name resolves to a placeholder that raises when called."""

from ._missing import placeholder


def __getattr__(name: str):
    if name.startswith("__"):
        raise AttributeError(name)
    return placeholder(f"torchaudio.functional.{name}")
