"""``python -m osai.instructor.grading ...`` runs the ``osai grade`` command line."""

import sys

from osai.instructor.grading.commands import main

sys.exit(main())
