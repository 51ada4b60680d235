"""`osai grade plot` pages: hostile names stay text, and no student data is written."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from osai.instructor.grading.plot import ScriptSafeJSON, grade_chart

HOSTILE = [
    "a</script><script>alert(1)</script>",
    "a</SCRIPT ><img src=x onerror=alert(1)>",
    "a<!--<script>",
    "a\u2028b\u2029c & <b>",
]


class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts: list[str] = []
        self._in = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._in = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in = False

    def handle_data(self, data):
        if self._in:
            self.scripts[-1] += data


def _page(name: str) -> str:
    rows = [{"assignment": name, "score": s, "max_score": 10.0, "student_id": f"st{s}x",
             "email": f"st{s}@example.org"} for s in (3, 7, 10)]
    return grade_chart(rows, name).to_html(json_kwds={"cls": ScriptSafeJSON})


@pytest.mark.parametrize("name", HOSTILE)
def test_assignment_name_stays_inside_the_chart_spec(name):
    benign = _Scripts()
    benign.feed(_page("a1"))
    hostile = _Scripts()
    hostile.feed(_page(name))
    # the same scripts as for a plain name: nothing ended a script early or added one
    assert len(hostile.scripts) == len(benign.scripts)
    spec_script = next(s for s in hostile.scripts if "var spec" in s)
    spec = json.loads(re.search(r"var spec = (\{.*?\});\n", spec_script, re.S).group(1))
    assert spec["title"]["text"] == f"{name}: grade distribution"
    assert not re.search(r"</script|<!--", spec_script, re.I)


def test_no_student_data_in_the_page():
    html = _page("a1")
    assert "st3x" not in html and "@example.org" not in html
    spec = json.loads(re.search(r"var spec = (\{.*?\});\n", html, re.S).group(1))
    values = [v for d in spec["datasets"].values() for v in d]
    assert sorted(v["percent"] for v in values if "percent" in v) == [30.0, 70.0, 100.0]
