#!/bin/sh
# Configure the course environment learners run on the one-machine hub (docs-hub.md,
# section 5), after binder/requirements.txt and the course wheel are installed in it.
#
#   deploy/local-hub/course-env.sh /opt/osai/env /srv/nbgrader/exchange [course-id]
#
# - nbgrader: the course id (default osai, osai grade's default) and the exchange folder
#   (etc/jupyter/nbgrader_config.py);
# - JupyterLab: no news or update checks (a classroom may have no way out; the book's
#   "no outside request" holds in the learner's JupyterLab too);
# - nbgrader's instructor tools (formgrader, create assignment) off for learners; an
#   instructor turns them on for themselves (docs-hub.md). Run as root; tests/harness/hub.py
#   runs it for the hub the tests start.
set -eu
env=${1:?the course environment (a venv)}
exchange=${2:?the nbgrader exchange folder}
course=${3:-osai}
here=$(dirname "$0")
case $course in
  [A-Za-z0-9]*) ;;
  *) echo "course-env.sh: the course id must start with a letter or digit: $course" >&2; exit 2 ;;
esac
case $course in
  *[!A-Za-z0-9._-]*) echo "course-env.sh: use letters, digits, '.', '_', '-' in the course id: $course" >&2; exit 2 ;;
esac
[ -x "$env/bin/jupyter" ] || { echo "course-env.sh: no $env/bin/jupyter: install binder/requirements.txt there first" >&2; exit 2; }
mkdir -p "$env/etc/jupyter" "$env/share/jupyter/lab/settings"
# the values written as Python literals by Python itself (any path is quoted right)
"$env/bin/python" - "$course" "$exchange" > "$env/etc/jupyter/nbgrader_config.py" <<'PY'
import sys
course, exchange = sys.argv[1:3]
print("c = get_config()  # noqa: F821 (written by deploy/local-hub/course-env.sh)")
print(f"c.CourseDirectory.course_id = {course!r}")
print(f"c.Exchange.root = {exchange!r}")
PY
cp "$here/lab-overrides.json" "$env/share/jupyter/lab/settings/overrides.json"
"$env/bin/jupyter" server extension disable --sys-prefix \
  nbgrader.server_extensions.formgrader >/dev/null
"$env/bin/jupyter" labextension disable --level=sys_prefix \
  @jupyter/nbgrader:formgrader @jupyter/nbgrader:create-assignment >/dev/null
# locked, so a learner cannot turn them back on in JupyterLab's plugin manager
"$env/bin/jupyter" labextension lock --level=sys_prefix \
  @jupyter/nbgrader:formgrader @jupyter/nbgrader:create-assignment >/dev/null
chmod -R a+rX "$env/etc/jupyter" "$env/share/jupyter/lab/settings"
