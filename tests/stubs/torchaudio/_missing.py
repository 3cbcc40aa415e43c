"""Placeholders for torchaudio names: importable and subclassable, unusable when called."""


def placeholder(name: str):
    class _Missing:
        def __init__(self, *args, **kwargs):
            raise NotImplementedError(f"torchaudio stand-in: {name} is not available here")

    _Missing.__name__ = _Missing.__qualname__ = name.rsplit(".", 1)[-1]
    return _Missing
