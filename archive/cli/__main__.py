"""``python -m archive.cli``: the same as the ``archive`` command."""

import sys

from . import main

sys.exit(main())
