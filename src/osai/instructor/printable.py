"""Text from outside (file names, archive entries, cells) made safe for one terminal line.

Control characters, line and paragraph separators, zero-width and bidirectional override
characters are written as ``\\uXXXX``, so a hostile name is one line and reads as what it
is (no hidden text, no reversed extension).  Used by the grading commands' entry reports
and the quiz report's skip lines.
"""

from __future__ import annotations

import re

__all__ = ["printable"]

_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e"
                          "\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff]")


def printable(text: object) -> str:
    """``text`` with every control or invisible direction character written as ``\\uXXXX``."""
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", str(text))
