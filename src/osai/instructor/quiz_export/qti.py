"""IMS QTI 1.2 package as Canvas (Classic Quizzes) imports it, laid out as Canvas exports it.

A zip with ``imsmanifest.xml`` at its root and one assessment per chapter,
``<ident>/<ident>.xml`` (resource type ``imsqti_xmlv1p2``); the optional Canvas
``assessment_meta.xml`` is left out (Canvas then takes the quiz title from the assessment).
Items follow Canvas' own exporter (``lib/cc/qti/qti_items.rb``): ``question_type`` and
``points_possible`` in ``qtimetadata``, ``resprocessing`` with a ``SCORE`` decvar,
``itemfeedback`` ``correct_fb`` / ``general_incorrect_fb`` / ``general_fb`` and one
``<answer ident>_fb`` per option, shown through ``displayfeedback``.

=====================  ===========================================================
bank type              Canvas question_type
=====================  ===========================================================
single, scenario       ``multiple_choice_question``
multiple               ``multiple_answers_question`` (all right options and no
                       wrong one)
numeric                ``numerical_question``: exact answer with a margin (the
                       tolerance); the unit is written in the question text
matching               ``matching_question``: per-item feedback as each item's
                       ``_fb``; distractors are extra choices
ordering               ``matching_question``: each event matched to its position
                       ("1st" ... "Nth"); each event's date is its feedback, the
                       right order in the general feedback
=====================  ===========================================================

The chapter and the objective are in each item's title (``<id> (<chapter>; objective
<objective>)``), which Canvas keeps as the question's name; the chapter is also in the
assessment's title, which names the quiz and its question bank.  Canvas' QTI converter
(instructure/QTIMigrationTool, ``lib/imsqtiv1.py``: ``QTIMetadataField.CloseObject``)
drops item metadata it does not know, so ``osai_chapter`` and ``osai_objective`` are kept
only for other tools.  A question with variants becomes a section inside the root
section, titled with the chapter, the question and its objective, whose
``selection_ordering`` selects 1 (``selection_number``): Canvas' question group that
picks one of them.  Texts are ``mattext texttype="text/html"``:
HTML from :func:`~osai.instructor.quiz_export.markup.html_text`, then XML-escaped by ElementTree.
Matching choices are plain text, as Canvas writes them.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile

from osai.instructor.quiz_export.markup import as_matching, html_text, number, \
    order_feedback_html, question_html
from osai.quiz.model import fill_answer

__all__ = ["QTI_NS", "group_title", "item_title", "qti_zip"]

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
TYPES = {"single": "multiple_choice_question", "scenario": "multiple_choice_question",
         "multiple": "multiple_answers_question", "numeric": "numerical_question",
         "matching": "matching_question", "ordering": "matching_question"}
#: a fixed date for every zip entry, so the same banks give the same bytes
_STAMP = (2000, 1, 1, 0, 0, 0)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def _mattext(parent: ET.Element, html: str, texttype: str = "text/html") -> None:
    _sub(_sub(parent, "material"), "mattext", html, texttype=texttype)


def _meta(parent: ET.Element, label: str, entry: str) -> None:
    field = _sub(parent, "qtimetadatafield")
    _sub(field, "fieldlabel", label)
    _sub(field, "fieldentry", entry)


def _feedback(item: ET.Element, ident: str, html: str) -> None:
    if html:
        fb = _sub(item, "itemfeedback", ident=ident)
        _mattext(_sub(fb, "flow_mat"), html)


def _show(cond: ET.Element, ident: str) -> None:
    _sub(cond, "displayfeedback", feedbacktype="Response", linkrefid=ident)


def item_title(q: dict, chapter: str) -> str:
    """The item's title, which Canvas keeps as the question's name: the question id, the
    chapter and the objective (Canvas' converter drops unknown item metadata)."""
    return f"{q['id']} ({chapter}; objective {q['objective']})"


def group_title(q: dict, chapter: str) -> str:
    """The title of the section holding a question and its variants (Canvas: the question
    group's name)."""
    return f"{chapter}: {q['id']} and variants (objective {q['objective']}), pick 1"


def _item(section: ET.Element, q: dict, chapter: str, n: int) -> None:
    qtype = TYPES[q["type"]]
    item = _sub(section, "item", ident=f"{chapter}-{q['id']}", title=item_title(q, chapter))
    meta = _sub(_sub(item, "itemmetadata"), "qtimetadata")
    _meta(meta, "question_type", qtype)
    _meta(meta, "points_possible", "1.0")
    _meta(meta, "osai_chapter", chapter)
    _meta(meta, "osai_objective", q["objective"])
    pres = _sub(item, "presentation")
    _mattext(pres, question_html(q, unit=True))
    res = _sub(item, "resprocessing")
    _sub(_sub(res, "outcomes"), "decvar", maxvalue="100", minvalue="0", varname="SCORE",
         vartype="Decimal")
    fb = q.get("feedback") or {}
    right_fb = html_text(fill_answer(fb["correct"], q)) if fb.get("correct") else ""
    wrong_fb = html_text(fill_answer(fb["incorrect"], q)) if fb.get("incorrect") else ""
    answer_fb: list[tuple[str, str]] = []
    general = ""

    if q["type"] in ("single", "scenario", "multiple"):
        ids = {o["id"]: f"{n}{i:02d}" for i, o in enumerate(q["options"], 1)}
        _meta(meta, "original_answer_ids", ",".join(ids.values()))
        lid = _sub(pres, "response_lid", ident="response1",
                   rcardinality="Multiple" if q["type"] == "multiple" else "Single")
        choice = _sub(lid, "render_choice")
        for o in q["options"]:
            _mattext(_sub(choice, "response_label", ident=ids[o["id"]]), html_text(o["text"]))
            answer_fb.append((ids[o["id"]], html_text(o["feedback"])))
        for ident, _ in answer_fb:
            cond = _sub(res, "respcondition", **{"continue": "Yes"})
            _sub(_sub(cond, "conditionvar"), "varequal", ident, respident="response1")
            _show(cond, f"{ident}_fb")
        cond = _sub(res, "respcondition", **{"continue": "No"})
        var = _sub(cond, "conditionvar")
        if q["type"] == "multiple":
            both = _sub(var, "and")
            for o in q["options"]:
                if o["id"] in q["correct"]:
                    _sub(both, "varequal", ids[o["id"]], respident="response1")
                else:
                    _sub(_sub(both, "not"), "varequal", ids[o["id"]], respident="response1")
        else:
            _sub(var, "varequal", ids[q["correct"][0]], respident="response1")
        _sub(cond, "setvar", "100", action="Set", varname="SCORE")
    elif q["type"] == "numeric":
        _meta(meta, "original_answer_ids", f"{n}01")
        lid = _sub(pres, "response_str", ident="response1", rcardinality="Single")
        _sub(_sub(lid, "render_fib", fibtype="Decimal"), "response_label", ident="answer1")
        cond = _sub(res, "respcondition", **{"continue": "No"})
        either = _sub(_sub(cond, "conditionvar"), "or")
        answer, tol = float(q["answer"]), float(q["tolerance"])
        _sub(either, "varequal", number(answer), respident="response1")
        both = _sub(either, "and")
        _sub(both, "vargte", number(answer - tol), respident="response1")
        _sub(both, "varlte", number(answer + tol), respident="response1")
        _sub(cond, "setvar", "100", action="Set", varname="SCORE")
        if right_fb:
            _show(cond, "correct_fb")
    else:  # matching, ordering: Canvas matching
        m = as_matching(q)
        rights = {r["id"]: f"{n}{i + 50:02d}" for i, r in enumerate(m["right"])}
        lefts = {x["id"]: f"{n}{i:02d}" for i, x in enumerate(m["left"], 1)}
        _meta(meta, "original_answer_ids", ",".join(lefts.values()))
        points = f"{100.0 / len(m['left']):.2f}"
        for x in m["left"]:
            lid = _sub(pres, "response_lid", ident=f"response_{lefts[x['id']]}")
            _mattext(lid, html_text(x["text"]))
            choice = _sub(lid, "render_choice")
            for r in m["right"]:
                _mattext(_sub(choice, "response_label", ident=rights[r["id"]]), str(r["text"]),
                         texttype="text/plain")
            cond = _sub(res, "respcondition")
            _sub(_sub(cond, "conditionvar"), "varequal", rights[m["solution"][x["id"]]],
                 respident=f"response_{lefts[x['id']]}")
            _sub(cond, "setvar", points, varname="SCORE", action="Add")
            if x.get("feedback"):
                answer_fb.append((lefts[x["id"]], html_text(x["feedback"])))
                cond = _sub(res, "respcondition")
                _sub(_sub(_sub(cond, "conditionvar"), "not"), "varequal",
                     rights[m["solution"][x["id"]]], respident=f"response_{lefts[x['id']]}")
                _show(cond, f"{lefts[x['id']]}_fb")
        if q["type"] == "ordering":
            general = order_feedback_html(q)
    if wrong_fb and q["type"] not in ("matching", "ordering"):
        cond = _sub(res, "respcondition", **{"continue": "Yes"})
        _sub(_sub(cond, "conditionvar"), "other")
        _show(cond, "general_incorrect_fb")
    _feedback(item, "general_fb", general)
    _feedback(item, "correct_fb", right_fb)
    _feedback(item, "general_incorrect_fb", wrong_fb)
    for ident, html in answer_fb:
        _feedback(item, f"{ident}_fb", html)


def assessment_xml(bank: dict, ident: str) -> bytes:
    """One chapter's assessment (``questestinterop``), UTF-8 bytes."""
    root = ET.Element("questestinterop", {
        "xmlns": QTI_NS, "xmlns:xsi": XSI,
        "xsi:schemaLocation": f"{QTI_NS} http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"})
    chapter = bank["chapter"]
    title = f"{chapter}: {bank.get('title') or chapter}"
    asmt = _sub(root, "assessment", ident=ident, title=title)
    meta = _sub(asmt, "qtimetadata")
    _meta(meta, "cc_maxattempts", "unlimited")
    section = _sub(asmt, "section", ident="root_section")
    for n, q in enumerate(bank["questions"], 1):
        variants = q.get("variants") or []
        if not variants:
            _item(section, q, chapter, n)
            continue
        # a question group that draws one of the question and its variants
        group = _sub(section, "section", ident=f"{chapter}-{q['id']}-group",
                     title=group_title(q, chapter))
        _sub(_sub(_sub(group, "selection_ordering"), "selection"), "selection_number", "1")
        for v in (q, *variants):
            _item(group, v, chapter, n)
    ET.indent(root)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"


def manifest_xml(entries: list[tuple[str, str, str]]) -> bytes:
    """``imsmanifest.xml``: one ``imsqti_xmlv1p2`` resource per (ident, href, title)."""
    root = ET.Element("manifest", {
        "identifier": "osai-quizzes", "xmlns": CP_NS,
        "xmlns:imsmd": "http://www.imsglobal.org/xsd/imsmd_v1p2", "xmlns:xsi": XSI,
        "xsi:schemaLocation": f"{CP_NS} http://www.imsglobal.org/xsd/imscp_v1p1.xsd"})
    meta = _sub(root, "metadata")
    _sub(meta, "schema", "IMS Content")
    _sub(meta, "schemaversion", "1.1.3")
    _sub(root, "organizations")
    resources = _sub(root, "resources")
    for ident, href, _title in entries:
        res = _sub(resources, "resource", identifier=ident, type="imsqti_xmlv1p2", href=href)
        _sub(res, "file", href=href)
    ET.indent(root)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"


def qti_zip(banks: dict[str, dict]) -> bytes:
    """The QTI package (zip bytes): manifest + one assessment per chapter."""
    files: list[tuple[str, bytes]] = []
    entries = []
    for chapter, bank in banks.items():
        ident = f"osai-{chapter}"
        href = f"{ident}/{ident}.xml"
        files.append((href, assessment_xml(bank, ident)))
        entries.append((ident, href, bank.get("title") or chapter))
    files.insert(0, ("imsmanifest.xml", manifest_xml(entries)))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=_STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buf.getvalue()
