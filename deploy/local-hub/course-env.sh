#!/bin/sh
# Configure the course environment learners run on the one-machine hub (docs-hub.md,
# section 5), after binder/requirements.txt and the course wheel are installed in it.
#
#   deploy/local-hub/course-env.sh /opt/osai/env /srv/nbgrader/exchange [course-id]
#
# - nbgrader: the course id and the exchange folder (etc/jupyter/nbgrader_config.py);
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
mkdir -p "$env/etc/jupyter" "$env/share/jupyter/lab/settings"
printf '%s\n' "c = get_config()  # noqa: F821" \
  "c.CourseDirectory.course_id = \"$course\"" \
  "c.Exchange.root = \"$exchange\"" > "$env/etc/jupyter/nbgrader_config.py"
cp "$here/lab-overrides.json" "$env/share/jupyter/lab/settings/overrides.json"
"$env/bin/jupyter" server extension disable --sys-prefix \
  nbgrader.server_extensions.formgrader >/dev/null 2>&1
"$env/bin/jupyter" labextension disable --level=sys_prefix \
  @jupyter/nbgrader:formgrader @jupyter/nbgrader:create-assignment >/dev/null 2>&1
chmod -R a+rX "$env/etc/jupyter" "$env/share/jupyter/lab/settings"
