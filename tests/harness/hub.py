"""A real JupyterHub for one class on this machine (tests and bench), as root.

:class:`HubClass` does what a school's administrator does with ``deploy/local-hub``:

* the course environment (:func:`user_env`): a venv every user can read, from Debian's
  Python, with ``binder/requirements.txt`` and the course wheel, as the hub image is built;
  kept in ``/var/tmp`` by the hash of what went in, so a second run reuses it;
* Unix users: an instructor and students, in a group the hub lets in, each with a home only
  they can read and a random password (PAM checks it);
* nbgrader's exchange folder (mode 1777), and the course's config in the environment;
* the learners' notebooks as a git branch (``osai.book.hub_notebooks``) served over git's
  smart HTTP (``git http-backend``), which nbgitpuller clones as it would from GitHub;
* ``jupyterhub -f deploy/local-hub/jupyterhub_config.py`` with the pinned
  configurable-http-proxy, plus an admin service token for the test's REST calls; learners
  log in with their Unix password (``auth="pam"``) or arrive from an LMS (``auth="lti13"``,
  ``deploy/local-hub/lti13.py``, its ``OSAI_LTI13_*`` settings given in ``env``).

Everything is removed on :meth:`HubClass.close` (users with their homes, processes, folders).
"""

from __future__ import annotations

import grp
import hashlib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from osai import paths

ROOT = paths.project_root()
LOCAL_HUB = ROOT / "deploy" / "local-hub"
#: the system's Python of the course's version, which every user can run (the project's own
#: may live where only root can go, as pyenv's does under /root)
SYSTEM_PYTHON = "/usr/bin/python3.11"
COURSE_ID = "osai"
#: held while a hub class lives (see :meth:`HubClass.start`)
LOCK = "/var/tmp/osai-hub.lock"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(cmd, **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("check", True)
    kwargs.setdefault("capture_output", True)
    kwargs.setdefault("text", True)
    try:
        return subprocess.run([str(c) for c in cmd], **kwargs)
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({exc.returncode}):\n"
                           f"{exc.stdout}\n{exc.stderr}") from None


def wheel() -> Path:
    wheels = sorted((ROOT / "_build" / "dist").glob("*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"expected one course wheel in _build/dist (make book): {wheels}")
    return wheels[0]


#: the course environments whose wheel this process installed: (env, wheel, its mtime)
_INSTALLED: set = set()


def _reachable(path: Path) -> bool:
    """Every user can reach and run ``path`` (each folder above it is world-searchable)."""
    path = path.resolve()
    return all(os.stat(p).st_mode & 0o001 for p in [path, *path.parents])


def interpreter() -> str:
    """A Python of the course's version that every learner's account can run: the one
    running this (when no folder above it is closed), else the system's; RuntimeError
    naming both when neither is."""
    here = Path(sys.executable).resolve()
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    base = Path(sys.base_prefix) / "bin" / f"python{version}"
    for candidate in (base, Path(SYSTEM_PYTHON)):
        if candidate.exists() and _reachable(candidate):
            probe = subprocess.run([str(candidate), "-c", "import sys; print("
                                    "'%d.%d' % sys.version_info[:2])"],
                                   capture_output=True, text=True)
            if probe.stdout.strip() == version:
                return str(candidate)
    raise RuntimeError(f"no Python {version} every user can run: {base} (this one, "
                       f"behind a closed folder: {here}) nor {SYSTEM_PYTHON}; install "
                       f"Debian's python{version}")


def user_env() -> Path:
    """The course environment every hub user runs (``binder/requirements.txt`` and the
    wheel), made once per content in ``/var/tmp/osai-hub-env-<hash>``; the wheel is
    installed once per process (per build of it)."""
    reqs = ROOT / "binder" / "requirements.txt"
    python = interpreter()
    digest = hashlib.sha256(reqs.read_bytes() + python.encode()).hexdigest()[:16]
    env = Path(f"/var/tmp/osai-hub-env-{digest}")
    # this process's pip installs into the new venv (pip --python), so the system's Python
    # needs no ensurepip (Debian ships it apart, in python3-venv)
    pip = [sys.executable, "-m", "pip", "--python", env / "bin" / "python", "install",
           "--quiet", "--disable-pip-version-check"]
    if not (env / ".complete").exists():
        for stale in Path("/var/tmp").glob("osai-hub-env-*"):
            shutil.rmtree(stale, ignore_errors=True)
        _run([python, "-m", "venv", "--without-pip", env])
        _run(pip + ["-r", reqs], timeout=1200)
        os.chmod(env, 0o755)
        (env / ".complete").write_text("ok\n")
    # the course package itself, as postBuild installs it: always this build's wheel
    built = wheel()
    key = (env, built, built.stat().st_mtime_ns)
    if key not in _INSTALLED:
        _run(pip + ["--no-deps", "--force-reinstall", built], timeout=300)
        _INSTALLED.add(key)
    return env


def configure_env(env: Path, exchange: Path) -> None:
    """The course's nbgrader and JupyterLab settings inside the environment, as the
    administrator sets them (``deploy/local-hub/course-env.sh``), and one setting for the
    test: every cell in the page, so it can read each one (JupyterLab 4 windows them)."""
    _run(["sh", LOCAL_HUB / "course-env.sh", env, exchange, COURSE_ID], timeout=300)
    overrides = env / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    settings = json.loads(overrides.read_text())
    settings["@jupyterlab/notebook-extension:tracker"] = {"windowingMode": "none"}
    overrides.write_text(json.dumps(settings))


class GitHttp:
    """A bare repository served read-only over git's smart HTTP (``git http-backend``)."""

    def __init__(self, repo: Path):
        backend = _run(["git", "--exec-path"]).stdout.strip() + "/git-http-backend"

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self._cgi()

            def do_POST(self):
                self._cgi()

            def _cgi(self):
                path, _, query = self.path.partition("?")
                env = {"GIT_PROJECT_ROOT": str(repo.parent), "GIT_HTTP_EXPORT_ALL": "1",
                       "PATH_INFO": path, "QUERY_STRING": query,
                       "REQUEST_METHOD": self.command, "REMOTE_ADDR": "127.0.0.1",
                       "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                       "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
                if self.headers.get("Content-Encoding"):
                    env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if self.headers.get("Transfer-Encoding") == "chunked":
                    body = self._chunked()
                env["CONTENT_LENGTH"] = str(len(body))
                out = subprocess.run([backend], input=body, env=env, capture_output=True).stdout
                head, _, payload = out.partition(b"\r\n\r\n")
                status = 200
                headers = []
                for line in head.decode("latin-1").split("\r\n"):
                    key, _, value = line.partition(":")
                    if key.lower() == "status":
                        status = int(value.split()[0])
                    elif key:
                        headers.append((key, value.strip()))
                self.send_response(status)
                for key, value in headers:
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _chunked(self) -> bytes:
                data = b""
                while True:
                    size = int(self.rfile.readline().strip(), 16)
                    if size == 0:
                        self.rfile.readline()
                        return data
                    data += self.rfile.read(size)
                    self.rfile.readline()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/{repo.name}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class HubClass:
    """A hub with ``students`` and one instructor (see the module's docstring).

    ``auth`` is ``OSAI_HUB_AUTH`` (``pam`` or ``lti13``); ``env`` adds to the hub's
    environment (``OSAI_LTI13_*``).  The hub listens on 127.0.0.1; ``host`` is the name the
    browser uses in :attr:`url` (``localhost`` makes the hub another site than a server on
    127.0.0.1, as an LMS is).  ``notebooks=False`` serves no notebooks branch (:attr:`git`
    stays ``None``).
    """

    GROUP = "osai-class"

    def __init__(self, students: int = 3, prefix: str = "osaitest", *, auth: str = "pam",
                 env: dict[str, str] | None = None, host: str = "127.0.0.1",
                 notebooks: bool = True):
        if auth not in ("pam", "lti13"):
            raise ValueError(f"auth must be pam or lti13, not {auth!r}")
        self.prefix = prefix
        self.auth = auth
        self.extra_env = dict(env or {})
        self.host = host
        self.notebooks = notebooks
        self.instructor = f"{prefix}-teacher"
        self.students = [f"{prefix}-s{i}" for i in range(1, students + 1)]
        self.passwords: dict[str, str] = {}
        self.proc: subprocess.Popen | None = None
        self.git: GitHttp | None = None
        self.place = Path(tempfile.mkdtemp(prefix="osai-hub-", dir="/tmp"))
        os.chmod(self.place, 0o755)
        self.exchange = self.place / "exchange"
        self.state = self.place / "state"
        self.log = self.place / "jupyterhub.log"
        self.token = secrets.token_hex(24)
        self.url = ""  # what the browser opens: http://<host>:<port>
        self.bind = ""  # where the hub listens (its REST API is called there)

    # ------------------------------------------------------------------ set-up
    def start(self) -> "HubClass":
        # one class at a time on this machine: the Unix users and the group are shared by
        # name, so a second run (another worktree, the bench) waits for the first to close
        import fcntl

        self._lock = open(LOCK, "a+")
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        try:
            self._users()
            self.exchange.mkdir()
            os.chmod(self.exchange, 0o1777)  # everyone writes, nobody removes another's
            # the course's folder, the instructor's before any learner can make it
            _run(["install", "-d", "-o", self.instructor, "-m", "755",
                  self.exchange / COURSE_ID])
            self.env = user_env()
            configure_env(self.env, self.exchange)
            if self.notebooks:
                self._notebooks()
            self._proxy()
            self._hub()
        except BaseException:
            self.close()
            raise
        return self

    def _users(self) -> None:
        self._remove_users()  # what a killed run left
        _run(["groupadd", self.GROUP])
        for user in [self.instructor] + self.students:
            _run(["useradd", "--create-home", "--shell", "/bin/bash", "--groups",
                  self.GROUP, "--comment", "osai hub test user", user])
            home = Path(pwd.getpwnam(user).pw_dir)
            os.chmod(home, 0o700)
            self.passwords[user] = secrets.token_urlsafe(12)
            _run(["chpasswd"], input=f"{user}:{self.passwords[user]}\n")

    def _remove_users(self) -> None:
        for entry in pwd.getpwall():
            if entry.pw_name.startswith(self.prefix + "-"):
                subprocess.run(["pkill", "-KILL", "-u", entry.pw_name], capture_output=True)
                time.sleep(0.2)
                subprocess.run(["userdel", "--remove", entry.pw_name], capture_output=True)
        try:
            grp.getgrnam(self.GROUP)
            subprocess.run(["groupdel", self.GROUP], capture_output=True)
        except KeyError:
            pass

    def _notebooks(self) -> None:
        from osai.book.hub_notebooks import publish

        repo = self.place / "git" / "course-notebooks.git"
        repo.parent.mkdir()
        _run(["git", "init", "--quiet", "--bare", repo])
        publish(ROOT / "_build" / "notebooks", repo)
        _run(["git", "-C", repo, "update-server-info"])
        self.git = GitHttp(repo)

    def _proxy(self) -> None:
        if not (LOCAL_HUB / "node_modules" / ".bin" / "configurable-http-proxy").exists():
            from osai.book.assets import npm_command

            _run(npm_command() + ["ci", "--no-audit", "--no-fund", "--silent"],
                 cwd=LOCAL_HUB, timeout=600)

    def _hub(self) -> None:
        port = free_port()
        self.bind = f"http://127.0.0.1:{port}"
        self.url = f"http://{self.host}:{port}"
        config = self.place / "test_config.py"
        config.write_text(
            "c = get_config()  # noqa: F821\n"
            f"load_subconfig({str(LOCAL_HUB / 'jupyterhub_config.py')!r})  # noqa: F821\n"
            "c.JupyterHub.services.extend([\n"
            f"    {{'name': 'osai-test', 'api_token': {self.token!r}}}])\n"
            "# the test reads JupyterLab's own model of the cells (window.jupyterapp)\n"
            "c.Spawner.args = ['--LabApp.expose_app_in_browser=True']\n"
            "c.JupyterHub.load_roles.extend([\n"
            "    {'name': 'osai-test', 'services': ['osai-test'], 'scopes': ['admin:users',\n"
            "     'admin:servers', 'tokens', 'admin-ui', 'list:users', 'read:users']}])\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith("OSAI_LTI13_")}
        env.update(OSAI_HUB_USER_ENV=str(self.env), OSAI_HUB_STATE=str(self.state),
                   OSAI_HUB_BIND=self.bind, OSAI_HUB_PORTS=f"{free_port()},{free_port()}",
                   OSAI_HUB_GROUP=self.GROUP, OSAI_HUB_ADMINS=self.instructor,
                   OSAI_HUB_AUTH=self.auth, **self.extra_env)
        env.pop("OSAI_CONTEXT", None)
        hub = Path(sys.executable).parent / "jupyterhub"
        self.proc = subprocess.Popen([str(hub), "-f", str(config)], cwd=self.place, env=env,
                                     stdout=open(self.log, "w"), stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyterhub exited:\n{self.log_tail()}")
            try:
                self.api("GET", "/hub/api/")
                return
            except (OSError, urllib.error.URLError):
                time.sleep(0.5)
        raise RuntimeError(f"jupyterhub did not answer in 90 s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log.read_text().splitlines()[-lines:])
        except OSError:
            return ""

    # ------------------------------------------------------------------ using it
    def api(self, method: str, path: str, body=None, token: str | None = None,
            timeout: float = 30):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.bind + path, data=data, method=method, headers={
            "Authorization": f"token {token or self.token}",
            "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            text = resp.read()
        return json.loads(text) if text.strip() else None

    def user_token(self, user: str) -> str:
        self.ensure_user(user)
        return self.api("POST", f"/hub/api/users/{user}/tokens",
                        {"note": "osai test", "expires_in": 3600})["token"]

    def ensure_user(self, user: str) -> None:
        """The hub's record of ``user`` (made at their first login, or here)."""
        try:
            self.api("GET", f"/hub/api/users/{user}")
        except urllib.error.HTTPError as exc:
            if exc.code != 404:
                raise
            self.api("POST", f"/hub/api/users/{user}")

    def start_server(self, user: str, timeout: float = 120) -> None:
        self.ensure_user(user)
        try:
            self.api("POST", f"/hub/api/users/{user}/server")
        except urllib.error.HTTPError as exc:
            if exc.code != 400:  # 400: already running
                raise
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.api("GET", f"/hub/api/users/{user}")
            server = (model.get("servers") or {}).get("")
            if server and server.get("ready"):
                return
            time.sleep(0.5)
        raise RuntimeError(f"{user}'s server did not start:\n{self.log_tail()}")

    def server_call(self, user: str, token: str, method: str, path: str, body=None,
                    form: dict | None = None, timeout: float = 120):
        """A request to ``user``'s own server through the hub's proxy, with their token."""
        from urllib.parse import urlencode

        headers = {"Authorization": f"token {token}"}
        data = None
        if form is not None:
            data = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(f"{self.bind}/user/{user}{path}", data=data,
                                     method=method, headers=headers)
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            text = resp.read()
        return json.loads(text) if text.strip() else None

    def servers(self) -> dict[str, dict]:
        """Each hub user's name -> their default server's model (``{}``: none)."""
        return {u["name"]: (u.get("servers") or {}).get("", {})
                for u in self.api("GET", "/hub/api/users")}

    def server_pids(self, user: str) -> list[int]:
        """The ``jupyterhub-singleuser`` processes serving ``user`` (by their
        ``JUPYTERHUB_USER``), whoever runs them."""
        found = []
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                if b"jupyterhub-singleuser" not in (proc / "cmdline").read_bytes():
                    continue
                environ = (proc / "environ").read_bytes().split(b"\0")
            except OSError:
                continue
            if f"JUPYTERHUB_USER={user}".encode() in environ:
                found.append(int(proc.name))
        return found

    @staticmethod
    def process_uid(pid: int) -> int:
        """The real uid process ``pid`` runs as."""
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("Uid:"):
                return int(line.split()[1])
        raise RuntimeError(f"no Uid line for process {pid}")

    def home(self, user: str) -> Path:
        return Path(pwd.getpwnam(user).pw_dir)

    def uid(self, user: str) -> int:
        return pwd.getpwnam(user).pw_uid

    def run_as(self, user: str, cmd, prefix=(), **kwargs) -> subprocess.CompletedProcess:
        """``cmd`` as ``user`` (a login-like environment: their HOME, the course's PATH)."""
        env = {"HOME": str(self.home(user)), "USER": user, "LOGNAME": user,
               "PATH": f"{self.env / 'bin'}:/usr/bin:/bin", "LANG": "C.UTF-8"}
        kwargs.setdefault("check", False)
        kwargs.setdefault("capture_output", True)
        kwargs.setdefault("text", True)
        # setpriv becomes the user in place (runuser would stay as a parent, in the cgroup
        # a prefix may have put this process in)
        full = list(prefix) + ["setpriv", f"--reuid={user}", f"--regid={user}",
                               "--init-groups", "--", "env", "-i"] \
            + [f"{k}={v}" for k, v in env.items()] + [str(c) for c in cmd]
        return subprocess.run(full, cwd=str(self.home(user)), **kwargs)

    # ------------------------------------------------------------------ tearing down
    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:  # everyone the hub knows (an LMS may have logged in others)
                users = set(self.servers())
            except (OSError, urllib.error.URLError, ValueError):
                users = set()
            for user in sorted(users | {self.instructor, *self.students}):
                try:
                    self.api("DELETE", f"/hub/api/users/{user}/server", timeout=10)
                except (OSError, urllib.error.URLError):
                    pass
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        for pidfile in ("jupyterhub-proxy.pid",):
            try:
                os.kill(int((self.state / pidfile).read_text()), signal.SIGTERM)
            except (OSError, ValueError):
                pass
        if self.git is not None:
            self.git.close()
        self._remove_users()
        shutil.rmtree(self.place, ignore_errors=True)
        if getattr(self, "_lock", None) is not None:
            self._lock.close()  # releases the flock
            self._lock = None


@contextmanager
def delegated_cgroup(user: str):
    """A cgroup (memory and pids) owned by ``user``, as systemd's ``Delegate=yes`` gives a
    service or a user's session: yields the command prefix that puts a process into it (as
    its only process), so ``osai grade autograde`` run as ``user`` makes a capped group for
    each submission under it (on cgroup v2 the grader first moves itself into a leaf of it:
    :func:`osai.instructor.grading.cgroups._delegated`)."""
    name = f"osai-delegate-{os.getpid()}"
    uid = pwd.getpwnam(user).pw_uid
    own = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for c in controllers.split(",") if controllers else [""]:
            own[c] = path
    groups = []
    if Path("/sys/fs/cgroup/cgroup.controllers").exists():  # cgroup v2, unified
        point = Path("/sys/fs/cgroup")
        base = point / own[""].lstrip("/")
        parent = base.parent if base != point else base
        if not {"memory", "pids"} <= set((parent / "cgroup.subtree_control").read_text()
                                         .split()):
            (parent / "cgroup.subtree_control").write_text("+memory +pids")
        groups = [parent / name]
    else:
        for controller in ("memory", "pids"):
            groups.append(Path("/sys/fs/cgroup") / controller
                          / own.get(controller, "/").lstrip("/") / name)
    for group in groups:
        group.mkdir()
        os.chown(group, uid, -1)
        for file in ("cgroup.procs", "cgroup.subtree_control", "cgroup.threads", "tasks"):
            if (group / file).exists():
                os.chown(group / file, uid, -1)
    script = "; ".join(f"echo $$ > {g / 'cgroup.procs'}" for g in groups) + '; exec "$@"'
    try:
        yield ["sh", "-c", script, "sh"]
    finally:
        for group in groups:
            for child in sorted(group.rglob("*"), key=lambda p: -len(p.parts)):
                if child.is_dir():
                    try:
                        child.rmdir()
                    except OSError:
                        pass
            try:
                group.rmdir()
            except OSError:
                pass
