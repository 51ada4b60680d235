"""osai: the package behind the course "How open-source AI sustains itself".

Chapters call into this package; logic lives here, where it is tested.
"""

from osai.data import DataError, Dataset, load, load_dataset

__all__ = ["DataError", "Dataset", "load", "load_dataset"]
__version__ = "0.1.0"
