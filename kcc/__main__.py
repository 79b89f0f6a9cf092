"""``python -m kcc``: the same as the ``kcc`` command."""

import sys

from kcc.cli import main

sys.exit(main())
