"""The SCORM packages of the book (``make scorm``, ``osai.instructor.scorm``): the SCORM 1.2 manifest is
valid against the SCORM 1.2 schemas and the SCORM 2004 4th Edition one against the 2004
schemas (offline, the files each package ships), one SCO per teaching chapter, every file
in the zip is in the manifest, paths stay inside the package, and a chapter's answers fit
in cmi.suspend_data.  The runtime side is tests/test_scorm_browser.py."""

from __future__ import annotations

import base64
import hashlib
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from osai.instructor.scorm import manifest, package, schemas
from osai.instructor.scorm.responses import SUSPEND_LIMIT, encode_suspend
from osai.quiz import load_all
from osai.syllabus import chapters



@pytest.fixture(scope="module")
def zf(scorm_zip):
    with zipfile.ZipFile(scorm_zip) as z:
        yield z


@pytest.fixture(scope="module")
def parsed(zf):
    return manifest.parse(zf.read("imsmanifest.xml"))


def _schema(zf, folder: Path):
    """The SCORM 1.2 schemas as the package ships them, loaded from ``folder`` only.

    Two known quirks of the IMS files, handled without touching what the package ships:
    ims_xml.xsd binds the default prefix to the reserved XML namespace, which a conforming
    XML parser refuses, so that one namespace (xml:lang) comes from xmlschema's own local
    copy; imsmd_rootv1p2p1.xsd breaks XSD 1.0's Unique Particle Attribution rule (an
    element next to a wildcard), which XSD 1.1 allows, so the schemas load as XSD 1.1.
    ``allow="sandbox"``: nothing outside ``folder`` (and no network) is read."""
    import xmlschema

    for name in schemas.FILES:
        (folder / name).write_bytes(zf.read(name))
    xml_ns = Path(xmlschema.__file__).parent / "schemas" / "XML" / "xml_minimal.xsd"
    return xmlschema.XMLSchema11(
        str(folder / "imscp_rootv1p1p2.xsd"), allow="sandbox",
        uri_mapper=lambda url: str(xml_ns) if url.endswith("/ims_xml.xsd") else url,
        locations=[(manifest.ADLCP, str(folder / "adlcp_rootv1p2.xsd")),
                   (manifest.IMSMD, str(folder / "imsmd_rootv1p2p1.xsd"))])


def test_manifest_validates_against_scorm12_schemas_offline(zf, tmp_path):
    schema = _schema(zf, tmp_path)
    assert {manifest.IMSCP, manifest.ADLCP, manifest.IMSMD} <= set(schema.maps.namespaces)
    (tmp_path / "imsmanifest.xml").write_bytes(zf.read("imsmanifest.xml"))
    errors = list(schema.iter_errors(str(tmp_path / "imsmanifest.xml")))
    assert errors == [], "\n".join(str(e)[:300] for e in errors[:5])


def test_schema_detects_a_broken_manifest(zf, tmp_path):
    """The validation above can fail: an adlcp:scormtype outside sco|asset, a resource
    without its identifier."""
    schema = _schema(zf, tmp_path)
    good = zf.read("imsmanifest.xml")
    for old, new in ((b'adlcp:scormtype="sco"', b'adlcp:scormtype="page"'),
                     (b'<resource identifier="common"', b'<resource')):
        (tmp_path / "bad.xml").write_bytes(good.replace(old, new, 1))
        assert not schema.is_valid(str(tmp_path / "bad.xml")), new


def test_one_sco_per_teaching_chapter_launching_its_page(zf, parsed):
    scos = {rid: r for rid, r in parsed["resources"].items() if r["scormtype"] == "sco"}
    assert sorted(scos) == sorted(f"res-{ch}" for ch in chapters())
    names = set(zf.namelist())
    for ch in chapters():
        res = scos[f"res-{ch}"]
        assert res["href"] == f"chapters/{ch}.html?sco={ch}"
        assert f"chapters/{ch}.html" in res["files"]
        assert f"chapters/{ch}.html" in names
        assert res["dependencies"] == [manifest.COMMON]
    # the outline: welcome, the chapters in book order, glossary, bibliography
    refs = [it["identifierref"] for it in parsed["items"]]
    assert refs == (["res-01-welcome"] + [f"res-{ch}" for ch in chapters()]
                    + ["res-glossary", "res-bibliography"])
    assert all(it["title"] and it["title"].strip() == it["title"] for it in parsed["items"])
    assert parsed["items"][1]["title"] != chapters()[0]  # the page's heading, not its id


def test_every_file_is_in_the_manifest_and_inside_the_package(zf, parsed):
    names = zf.namelist()
    listed = [f for r in parsed["resources"].values() for f in r["files"]]
    assert len(listed) == len(set(listed)), "a file listed twice"
    root_files = {"imsmanifest.xml", *schemas.FILES}
    assert root_files <= set(names)
    assert sorted(set(names) - root_files) == sorted(listed)
    for r in parsed["resources"].values():
        if r["href"]:
            assert r["href"].split("?")[0] in names
    for name in names + listed:
        assert not name.startswith(("/", "\\")) and ":" not in name
        assert ".." not in name.split("/") and "\\" not in name
        assert not name.endswith(".gz") and not name.startswith("test-artifacts/")
    assert "index.html" in names and "_static/osai-scorm.js" in names


def test_only_the_sco_pages_load_the_scorm_adapter(book_dir, zf, parsed):
    """The web book loads no SCORM code; in the package each SCO page loads the adapter just
    before the widget script that draws its quiz (so it listens before the quiz asks)."""
    tag = re.compile(r'<script (?:defer="defer" )?src="(?:\.\./)*_static/osai-scorm\.js">'
                     r'</script>')
    sco_pages = {r["href"].split("?")[0] for r in parsed["resources"].values() if r["href"]
                 and "sco=" in r["href"]}
    assert len(sco_pages) == len(chapters())
    pages = [n for n in zf.namelist() if n.endswith(".html")
             and not n.startswith(("vendor/", "_static/"))]
    for name in pages:
        packed = zf.read(name).decode("utf-8")
        web = (book_dir / name).read_text(encoding="utf-8")
        assert not tag.search(web), f"{name} of the web book loads the SCORM adapter"
        if name in sco_pages:
            found = tag.search(packed)
            assert found, f"{name}: no adapter in the package"
            assert packed.index("_static/osai-widgets.js") > found.start(), name
            # deferred as the widget script is, so it runs before it and blocks nothing
            assert 'defer="defer"' in found.group(), name
            assert packed.replace(found.group() + "\n    ", "", 1) == web, name
        else:
            assert not tag.search(packed), f"{name} is no SCO but loads the adapter"


def _longest_answers(bank: dict) -> dict:
    """The largest answers a learner can give: every option ticked, full maps, long numbers."""
    out = {}
    for q in bank["questions"]:
        t = q["type"]
        if t in ("single", "scenario"):
            out[q["id"]] = max((o["id"] for o in q["options"]), key=len)
        elif t == "multiple":
            out[q["id"]] = [o["id"] for o in q["options"]]
        elif t == "numeric":
            out[q["id"]] = -1.2345678901234567e+300
        else:
            out[q["id"]] = dict(q["solution"])
    return out


def test_every_chapter_fits_in_suspend_data():
    sizes = {}
    for ch, bank in load_all().items():
        # as osai-scorm.js writes it (tests/test_scorm_responses.py checks that it does)
        sizes[ch] = len(encode_suspend(_longest_answers(bank)))
    largest = max(sizes, key=sizes.get)
    limit = SUSPEND_LIMIT["1.2"]  # SCORM 1.2 cmi.suspend_data: CMIString4096
    print(f"largest suspend_data: {largest} {sizes[largest]} of {limit} characters")
    assert sizes[largest] <= limit, sizes


def test_package_is_reproducible_and_leaves_out_gz(book_dir, scorm_zip, tmp_path):
    again = package.build(book_dir, tmp_path / "again.zip")
    assert again["path"].read_bytes() == Path(scorm_zip).read_bytes()
    assert again["scos"] == len(chapters())
    gz = [p for p in book_dir.rglob("*.gz")]
    with zipfile.ZipFile(scorm_zip) as z:
        assert len(z.namelist()) == again["files"]
        assert gz == [] or not any(n.endswith(".gz") for n in z.namelist())


def test_manifest_refuses_paths_outside_the_package():
    for bad in ("../secret.html", "/etc/passwd", "a//b.html", "c:/x.html", "a\\b.html", ""):
        item = manifest.Item(ident="x", title="X", href=bad, sco=True)
        with pytest.raises(manifest.ManifestError, match="item x"):
            manifest.build("T", [item], [])
    with pytest.raises(manifest.ManifestError, match="common resource"):
        manifest.build("T", [], ["ok.html", "../up.html"])
    dup = [manifest.Item("a", "A", "a.html", True), manifest.Item("a", "B", "b.html", True)]
    with pytest.raises(manifest.ManifestError, match="unique"):
        manifest.build("T", dup, [])


def test_missing_build_is_a_clear_error(tmp_path):
    with pytest.raises(package.PackageError, match="make book"):
        package.build(tmp_path, tmp_path / "out.zip")


def test_schema_tarball_integrity_is_checked(tmp_path):
    tarball = tmp_path / "x.tgz"
    tarball.write_bytes(b"not the package")
    good = "sha512-" + base64.b64encode(hashlib.sha512(b"not the package").digest()).decode()
    schemas.check_integrity(tarball, good)
    with pytest.raises(schemas.SchemaFetchError, match="does not match"):
        schemas.check_integrity(tarball, "sha512-" + base64.b64encode(b"0" * 64).decode())
    meta = schemas.locked()
    assert meta["version"] == "0.2.7" and meta["integrity"].startswith("sha512-")


# ---------------------------------------------------------------- SCORM 2004 4th Edition

IMSSS = "http://www.imsglobal.org/xsd/imsss"
ADLSEQ = "http://www.adlnet.org/xsd/adlseq_v1p3"
ADLNAV = "http://www.adlnet.org/xsd/adlnav_v1p3"


@pytest.fixture(scope="module")
def zf2004(scorm2004_zip):
    with zipfile.ZipFile(scorm2004_zip) as z:
        yield z


@pytest.fixture(scope="module")
def schema2004(zf2004, tmp_path_factory):
    """The SCORM 2004 4th Edition schemas as the package ships them, from that folder only
    (``allow="sandbox"``: no other file, no network).  Unlike SCORM 1.2's they load as they
    are, as XSD 1.0, with the package's own xml.xsd; the sequencing and navigation schemas
    are loaded too, so a missing or broken file among the seventeen fails here."""
    import xmlschema

    folder = tmp_path_factory.mktemp("xsd2004")
    for name in schemas.files("2004"):
        (folder / name).write_bytes(zf2004.read(name))
    return xmlschema.XMLSchema10(
        str(folder / "imscp_v1p1.xsd"), allow="sandbox",
        locations=[(manifest.ADLCP_2004, str(folder / "adlcp_v1p3.xsd")),
                   (IMSSS, str(folder / "imsss_v1p0.xsd")),
                   (ADLSEQ, str(folder / "adlseq_v1p3.xsd")),
                   (ADLNAV, str(folder / "adlnav_v1p3.xsd"))])


def test_scorm2004_manifest_validates_against_its_schemas_offline(zf2004, schema2004, tmp_path):
    assert {manifest.IMSCP_2004, manifest.ADLCP_2004, IMSSS, ADLSEQ,
            ADLNAV} <= set(schema2004.maps.namespaces)
    (tmp_path / "imsmanifest.xml").write_bytes(zf2004.read("imsmanifest.xml"))
    errors = list(schema2004.iter_errors(str(tmp_path / "imsmanifest.xml")))
    assert errors == [], "\n".join(str(e)[:300] for e in errors[:5])
    good = zf2004.read("imsmanifest.xml")
    # the validation can fail: a scormType outside sco|asset, an item or a resource without
    # its identifier (an attribute the XSD does not know, such as SCORM 1.2's lower-case
    # scormtype, is allowed by IMS CP's anyAttribute: parse() checks that one below)
    for old, new in ((b'adlcp:scormType="sco"', b'adlcp:scormType="page"'),
                     (b'<item identifier="item-01-welcome"', b'<item'),
                     (b'<resource identifier="common"', b'<resource')):
        assert old in good
        (tmp_path / "bad.xml").write_bytes(good.replace(old, new, 1))
        assert not schema2004.is_valid(str(tmp_path / "bad.xml")), new


def test_scorm2004_package_has_the_same_outline_and_files(zf, parsed, zf2004):
    data = zf2004.read("imsmanifest.xml")
    p2004 = manifest.parse(data)
    assert (p2004["scorm"], p2004["schemaversion"]) == ("2004", "2004 4th Edition")
    assert (parsed["scorm"], parsed["schemaversion"]) == ("1.2", "1.2")
    root = ET.fromstring(data)
    assert root.tag == f"{{{manifest.IMSCP_2004}}}manifest"
    assert root.findtext(f"{{{manifest.IMSCP_2004}}}metadata/"
                         f"{{{manifest.IMSCP_2004}}}schema") == "ADL SCORM"
    # default sequencing: no sequencing or navigation element anywhere
    used = {el.tag.split("}")[0][1:] for el in root.iter()}
    assert used == {manifest.IMSCP_2004}
    assert p2004["items"] == parsed["items"]
    assert all(r["scormtype"] in ("sco", "asset") for r in p2004["resources"].values())
    for rid, res in parsed["resources"].items():
        other = p2004["resources"][rid]
        assert {k: other[k] for k in ("scormtype", "files", "dependencies")} == {
            k: res[k] for k in ("scormtype", "files", "dependencies")}, rid
        if res["scormtype"] == "sco":
            assert other["href"] == res["href"] + "&scorm=2004"
        else:
            assert other["href"] == res["href"]
    assert sorted(r for r, v in p2004["resources"].items() if v["scormtype"] == "sco") == sorted(
        f"res-{ch}" for ch in chapters())
    root12 = {"imsmanifest.xml", *schemas.FILES}
    root2004 = {"imsmanifest.xml", *schemas.files("2004")}
    assert set(zf2004.namelist()) - root2004 == set(zf.namelist()) - root12
    assert root2004 <= set(zf2004.namelist()) and not set(schemas.FILES) & set(zf2004.namelist())
    for name in ("imscp_v1p1.xsd", "adlcp_v1p3.xsd", "adlseq_v1p3.xsd", "adlnav_v1p3.xsd",
                 "imsss_v1p0.xsd", "xml.xsd"):
        assert name in zf2004.namelist()


def test_unknown_scorm_version_is_a_clear_error(book_dir, tmp_path):
    with pytest.raises(package.PackageError, match="1.2 or 2004"):
        package.build(book_dir, tmp_path / "x.zip", scorm="2005")
    with pytest.raises(manifest.ManifestError, match="1.2 or 2004"):
        manifest.build("T", [], [], scorm="1.3")
    with pytest.raises(schemas.SchemaFetchError, match="1.2 or 2004"):
        schemas.files("cmi5")
