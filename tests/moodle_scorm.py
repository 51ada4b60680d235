"""What Moodle's SCORM 2004 player accepts, for the SCORM tests.

Ported from Moodle's ``mod/scorm/datamodels/scorm_13.js`` (moodle/moodle at commit
139f32c2183864dd77b232f45be69bc29161fb4e): the data types its ``SetValue`` checks a value
against (``CMITime`` with at most 2 fractional digits, ``CMIShortIdentifier`` =
``[\\w.]{1,250}`` for every id inside a response, so no hyphen), the per-type rules for
``cmi.interactions.n.learner_response`` (delimiter, most nodes, unique nodes for choice,
``[.]`` pairs for matching) and its acceptance test, ``matches != null &&
(matches.join('').length > 0 || value.length == 0)``.  Each regex is the JavaScript string
of that file as JavaScript evaluates it (``'\\\\d'`` is ``\\d``, ``'\\.'`` is ``.``), run
with ASCII classes as JavaScript's are.
"""

from __future__ import annotations

import re

_A = re.ASCII
CMI_STRING_64000 = re.compile(r"^[\u0000-\uFFFF]{0,64000}$", _A)
CMI_LANG_STRING_250 = re.compile(
    r"^(\{lang=([a-zA-Z]{2,3}|i|x)(\-[a-zA-Z0-9\-]{2,8})?\})?([^\{].{0,250}$)?", _A)
CMI_TIME = re.compile(
    r"^(19[7-9]{1}[0-9]{1}|20[0-2]{1}[0-9]{1}|203[0-8]{1})((-(0[1-9]{1}|1[0-2]{1}))"
    r"((-(0[1-9]{1}|[1-2]{1}[0-9]{1}|3[0-1]{1}))(T([0-1]{1}[0-9]{1}|2[0-3]{1})"
    r"((:[0-5]{1}[0-9]{1})((:[0-5]{1}[0-9]{1})((\.[0-9]{1,2})((Z|([+|-]([0-1]{1}[0-9]{1}"
    r"|2[0-3]{1})))(:[0-5]{1}[0-9]{1})?)?)?)?)?)?)?)?$", _A)
CMI_TIMESPAN = re.compile(
    r"^P(\d+Y)?(\d+M)?(\d+D)?(T(((\d+H)(\d+M)?(\d+(.\d{1,2})?S)?)|((\d+M)(\d+(.\d{1,2})?S)?)"
    r"|((\d+(.\d{1,2})?S))))?$", _A)
CMI_DECIMAL = re.compile(r"^-?([0-9]{1,5})(\.[0-9]{1,18})?$", _A)
CMI_SHORT_IDENTIFIER = re.compile(r"^[\w.]{1,250}$", _A)
CMI_LONG_IDENTIFIER = re.compile(r"^(?:(?!urn:)\S{1,4000}|urn:[A-Za-z0-9-]{1,31}:\S{1,4000})$")
CMI_C_STATUS = re.compile(r"^completed$|^incomplete$|^not attempted$|^unknown$")
CMI_S_STATUS = re.compile(r"^passed$|^failed$|^unknown$")
CMI_EXIT = re.compile(r"^time-out$|^suspend$|^logout$|^normal$|^$")
CMI_TYPE = re.compile(r"^true-false$|^choice$|^(long-)?fill-in$|^matching$|^performance$"
                      r"|^sequencing$|^likert$|^numeric$|^other$")
CMI_RESULT = re.compile(r"^correct$|^incorrect$|^unanticipated$|^neutral$"
                        r"|^-?([0-9]{1,4})(\.[0-9]{1,18})?$", _A)

#: learner_response per interaction type: (node format, second format, most nodes,
#: delimiter, pair delimiter, unique) as scorm_13.js's ``learner_response`` table
LEARNER_RESPONSE = {
    "choice": (CMI_SHORT_IDENTIFIER, None, 36, "[,]", None, True),
    "matching": (CMI_SHORT_IDENTIFIER, CMI_SHORT_IDENTIFIER, 36, "[,]", "[.]", False),
    "sequencing": (CMI_SHORT_IDENTIFIER, None, 36, "[,]", None, False),
    "numeric": (CMI_DECIMAL, None, 1, "", None, False),
}

#: element (interaction index as n) -> its format; ranges apart
FORMATS = {
    "cmi.interactions.n.id": CMI_LONG_IDENTIFIER,
    "cmi.interactions.n.type": CMI_TYPE,
    "cmi.interactions.n.timestamp": CMI_TIME,
    "cmi.interactions.n.result": CMI_RESULT,
    "cmi.interactions.n.description": CMI_LANG_STRING_250,
    "cmi.completion_status": CMI_C_STATUS,
    "cmi.success_status": CMI_S_STATUS,
    "cmi.exit": CMI_EXIT,
    "cmi.session_time": CMI_TIMESPAN,
    "cmi.score.scaled": CMI_DECIMAL,
    "cmi.score.raw": CMI_DECIMAL,
    "cmi.score.min": CMI_DECIMAL,
    "cmi.score.max": CMI_DECIMAL,
    "cmi.suspend_data": CMI_STRING_64000,
}
RANGES = {"cmi.score.scaled": (-1, 1)}


def _accepts(pattern: re.Pattern, value: str) -> bool:
    """scorm_13.js's test of a value against a format (a JavaScript ``match``)."""
    m = pattern.search(value)
    if m is None:
        return False
    joined = "".join([m.group(0), *(g for g in m.groups() if g is not None)])
    return len(joined) > 0 or len(value) == 0


def response_problem(itype: str, value: str) -> str | None:
    fmt, fmt2, most, delim, delim2, unique = LEARNER_RESPONSE[itype]
    nodes = value.split(delim) if delim else [value]
    if not nodes or len(nodes) > most:
        return f"{len(nodes)} nodes (at most {most})"
    for i, node in enumerate(nodes):
        if delim2:
            parts = node.split(delim2)
            if len(parts) != 2 or not fmt.search(parts[0]) or not fmt2.search(parts[1]):
                return f"pair {node!r}"
        elif not fmt.search(node):
            return f"node {node!r}"
        elif unique and node and node in nodes[:i]:
            return f"repeated node {node!r}"
    return None


def problems(sets: list[tuple[str, str]]) -> list[str]:
    """Every value in ``sets`` ([(element, value)] in the order set) Moodle's SCORM 2004
    player would refuse, with the reason."""
    out, types = [], {}
    for element, value in sets:
        value = str(value)
        m = re.fullmatch(r"cmi\.interactions\.(\d+)\.(\w+)", element)
        model = f"cmi.interactions.n.{m.group(2)}" if m else element
        if m and m.group(2) == "type":
            types[m.group(1)] = value
        if m and m.group(2) == "learner_response":
            why = response_problem(types.get(m.group(1), ""), value) \
                if types.get(m.group(1)) in LEARNER_RESPONSE else "no known type before it"
            if why:
                out.append(f"{element} = {value!r}: {why}")
            continue
        fmt = FORMATS.get(model)
        if fmt is None:
            out.append(f"{element}: not an element the test knows")
        elif not _accepts(fmt, value):
            out.append(f"{element} = {value!r}: not {model}'s format")
        elif model in RANGES and not RANGES[model][0] <= float(value) <= RANGES[model][1]:
            out.append(f"{element} = {value!r}: out of range")
    return out
