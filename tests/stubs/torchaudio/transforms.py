"""Stand-in torchaudio.transforms: any name resolves to a placeholder class."""

from ._missing import placeholder


def __getattr__(name: str):
    if name.startswith("__"):
        raise AttributeError(name)
    return placeholder(f"torchaudio.transforms.{name}")
