"""``python -m eegpt``: the ``eegpt`` command (:func:`eegpt.cli.main`)."""

import sys

from eegpt.cli import main

if __name__ == "__main__":
    sys.exit(main())
