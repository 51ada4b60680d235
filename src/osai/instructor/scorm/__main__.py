"""``osai scorm [--version 1.2|2004] [--html DIR] [--out FILE]``: write the SCORM
package of the book (SCORM 1.2 by default; 2004 is SCORM 2004 4th Edition)."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from osai.instructor.scorm import package, schemas


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="osai scorm", description=__doc__)
    parser.add_argument("--html", type=Path, default=package.BUILD,
                        help="the built book (default: _build/html)")
    parser.add_argument("--version", choices=sorted(package.LAUNCH_QUERY), default="1.2",
                        help="the SCORM version (default: 1.2)")
    parser.add_argument("--out", type=Path, default=None,
                        help="the zip to write (default: _build/osai-course-scorm12.zip, "
                             "or _build/osai-course-scorm2004.zip with --version 2004)")
    args = parser.parse_args(argv)
    try:
        res = package.build(args.html, args.out, scorm=args.version)
    except (package.PackageError, schemas.SchemaFetchError, OSError,
            subprocess.CalledProcessError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {res['path']} (SCORM {res['scorm']}): {res['scos']} SCOs, {res['files']} files, "
          f"{res['bytes'] / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
