"""``imsmanifest.xml`` for the SCORM 1.2 and SCORM 2004 (4th Edition) packages of the book.

The organisation a learner sees in the LMS, in book order:

* the welcome page (an *asset*: no tracking, it only introduces the course);
* one *SCO* per teaching chapter (02-08): the chapter's page, launched as
  ``chapters/<chapter>.html?sco=<chapter>`` so ``_static/osai-scorm.js`` knows that this
  page, and only this one, reports its quiz to the LMS;
* the glossary and the bibliography (assets, reference pages).

The instructor guide is in the package (pages link to it) but not in the learner's
outline.  Every other file of the book (styles, scripts, images, the other pages) is
listed once in one shared asset resource, ``common``, that each item depends on (the
spec's way to share files: IMS Content Packaging 1.1.2, ``<dependency>``).

The SCORM 2004 manifest (``version="2004"``) has the same outline and resources in the
IMS CP 1.1.4 and ADL CP 1.3 namespaces (metadata schema "ADL SCORM", schemaversion "2004
4th Edition", ``adlcp:scormType`` in camel case).  It carries no sequencing or navigation
rules: the defaults of SCORM 2004 sequencing (the learner may choose any activity, in any
order, and move forwards and back) are what the course wants, so the adlseq, adlnav and
imsss namespaces are not used (their schema files are still shipped, as ADL's own
packages do).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

IMSCP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
IMSMD = "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = (f"{IMSCP} imscp_rootv1p1p2.xsd {IMSMD} imsmd_rootv1p2p1.xsd "
                   f"{ADLCP} adlcp_rootv1p2.xsd")
IMSCP_2004 = "http://www.imsglobal.org/xsd/imscp_v1p1"
ADLCP_2004 = "http://www.adlnet.org/xsd/adlcp_v1p3"
SCHEMA_LOCATION_2004 = f"{IMSCP_2004} imscp_v1p1.xsd {ADLCP_2004} adlcp_v1p3.xsd"
#: version -> (CP namespace, ADL CP namespace, schemaLocation, schemaversion, scormtype attr)
VERSIONS = {
    "1.2": (IMSCP, ADLCP, SCHEMA_LOCATION, "1.2", "scormtype"),
    "2004": (IMSCP_2004, ADLCP_2004, SCHEMA_LOCATION_2004, "2004 4th Edition", "scormType"),
}
COMMON = "common"
_IDENT = re.compile(r"^[A-Za-z0-9_][\w.-]*$")  # "res-"/"item-" + this is an XML NCName


class ManifestError(ValueError):
    pass


@dataclass
class Item:
    """One entry of the outline and its resource."""

    #: letters, digits, _ . -; unique: the item is "item-<ident>", the resource "res-<ident>"
    ident: str
    title: str
    href: str            # the launch file, relative to the package root
    sco: bool            # True: a SCO that talks to the runtime; False: an asset
    files: list[str] = field(default_factory=list)  # besides href, files only this item uses
    query: str = ""      # appended to href in the resource's launch URL (e.g. "sco=03-x")


def _check_path(path: str, where: str) -> None:
    if (not path or path.startswith(("/", "\\")) or "\\" in path or ":" in path.split("/")[0]
            or any(part in ("", ".", "..") for part in path.split("/"))):
        raise ManifestError(f"{where}: {path!r} is not a relative path inside the package")


def build(title: str, items: list[Item], common: list[str], identifier: str = "osai-course",
          version: str = "1", scorm: str = "1.2") -> bytes:
    """The manifest as UTF-8 bytes (pretty-printed, with an XML declaration); ``version`` is
    the package's own version, ``scorm`` the SCORM version ("1.2" or "2004")."""
    if scorm not in VERSIONS:
        raise ManifestError(f"unknown SCORM version {scorm!r} (1.2 or 2004)")
    cp, adlcp, location, schemaversion, scormtype = VERSIONS[scorm]
    ET.register_namespace("", cp)
    ET.register_namespace("adlcp", adlcp)
    ET.register_namespace("xsi", XSI)
    seen: set[str] = set()
    for it in items:
        if not _IDENT.match(it.ident):
            raise ManifestError(f"item {it.ident!r}: an identifier is letters, digits, _ . -")
        if it.ident in seen:
            raise ManifestError(f"item {it.ident!r}: identifiers must be unique")
        seen.add(it.ident)
        for f in [it.href, *it.files]:
            _check_path(f, f"item {it.ident}")
    for f in common:
        _check_path(f, "common resource")

    def q(tag: str) -> str:
        return f"{{{cp}}}{tag}"

    kind = f"{{{adlcp}}}{scormtype}"
    root = ET.Element(q("manifest"), {"identifier": identifier, "version": version,
                                      f"{{{XSI}}}schemaLocation": location})
    meta = ET.SubElement(root, q("metadata"))
    ET.SubElement(meta, q("schema")).text = "ADL SCORM"
    ET.SubElement(meta, q("schemaversion")).text = schemaversion

    orgs = ET.SubElement(root, q("organizations"), {"default": "osai"})
    org = ET.SubElement(orgs, q("organization"), {"identifier": "osai"})
    ET.SubElement(org, q("title")).text = title
    for it in items:
        node = ET.SubElement(org, q("item"), {"identifier": f"item-{it.ident}",
                                              "identifierref": f"res-{it.ident}",
                                              "isvisible": "true"})
        ET.SubElement(node, q("title")).text = it.title

    resources = ET.SubElement(root, q("resources"))
    for it in items:
        href = it.href + (f"?{it.query}" if it.query else "")
        res = ET.SubElement(resources, q("resource"), {
            "identifier": f"res-{it.ident}", "type": "webcontent",
            kind: "sco" if it.sco else "asset", "href": href})
        for f in [it.href, *it.files]:
            ET.SubElement(res, q("file"), {"href": f})
        ET.SubElement(res, q("dependency"), {"identifierref": COMMON})
    shared = ET.SubElement(resources, q("resource"), {
        "identifier": COMMON, "type": "webcontent", kind: "asset"})
    for f in common:
        ET.SubElement(shared, q("file"), {"href": f})

    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"


def parse(data: bytes) -> dict:
    """Read a manifest back (either version): ``{"scorm", "schemaversion", "items": [...],
    "resources": {id: {...}}}`` (for checks)."""
    root = ET.fromstring(data)
    scorm = next((v for v, spec in VERSIONS.items() if root.tag == f"{{{spec[0]}}}manifest"),
                 None)
    if scorm is None:
        raise ManifestError(f"not an IMS CP manifest of SCORM 1.2 or 2004: {root.tag}")
    cp, adlcp, _location, _version, scormtype = VERSIONS[scorm]
    ns = {"cp": cp}
    items = []
    for node in root.iterfind("cp:organizations/cp:organization/cp:item", ns):
        items.append({"identifier": node.get("identifier"),
                      "identifierref": node.get("identifierref"),
                      "title": node.findtext("cp:title", namespaces=ns)})
    resources = {}
    for res in root.iterfind("cp:resources/cp:resource", ns):
        resources[res.get("identifier")] = {
            "scormtype": res.get(f"{{{adlcp}}}{scormtype}"), "href": res.get("href"),
            "files": [f.get("href") for f in res.iterfind("cp:file", ns)],
            "dependencies": [d.get("identifierref") for d in res.iterfind("cp:dependency", ns)]}
    return {"scorm": scorm, "items": items, "resources": resources,
            "schemaversion": root.findtext("cp:metadata/cp:schemaversion", namespaces=ns)}
