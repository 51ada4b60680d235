"""``python -m osai.grading ...`` runs the ``osai grade`` command line."""

import sys

from .cli import main

sys.exit(main())
