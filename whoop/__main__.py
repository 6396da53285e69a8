"""``python -m whoop``: see :mod:`whoop.cli`."""

import sys

from whoop.cli import main

if __name__ == "__main__":
    sys.exit(main())
