"""``python -m osai.instructor.grading ...`` runs the ``osai grade`` command line."""

import sys

from osai.instructor.grading.cli import main

sys.exit(main())
