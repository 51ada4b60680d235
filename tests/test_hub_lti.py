"""The LMS launches the hub: a real LTI 1.3 launch, from a test platform into a learner's own
JupyterLab on a real JupyterHub.

The hub is ``deploy/local-hub`` with ``OSAI_HUB_AUTH=lti13`` (its ``jupyterhub_config.py``
loads ``lti13.py``, jupyterhub-ltiauthenticator 1.6.3), started by
:class:`harness.hub.HubClass` with real Unix users and LocalProcessSpawner, as
``tests/test_hub_class.py`` runs it with PAM.  An LTI 1.3 platform in this process
(:mod:`harness.lti_platform`, one per LMS profile: Moodle, Canvas, each with its own hub
since a hub trusts one issuer) has its own key, JWKS and authorization endpoint.  The tool
is registered as docs-hub.md says for a hub of Unix users: the custom parameter
``username=$User.username`` (Moodle) or ``username=$Canvas.user.loginId`` (Canvas) and
``username_key = custom_username``, so the hub user is the learner's Unix login.

In headless Chromium a learner clicks the LMS's activity link and goes through the whole
OIDC launch the way a browser does with a real LMS: login initiation posted to
``/hub/lti13/oauth_login``, the hub's redirect to the platform's authorization endpoint,
the signed ``id_token`` posted back to ``/hub/lti13/oauth_callback``; the tool URL ends in
``/hub``, so the hub starts their server and they land in JupyterLab at
``/user/<name>/lab``, served by a process running as their Unix user.  The hub is on
``localhost``, the platform on ``127.0.0.1``: different sites, as an LMS and a hub are, so
the hub's state and nonce cookies must survive a cross-site POST.  A link without the custom
parameter logs the learner in under ``sub`` (ltiauthenticator's fallback), on the hub's
home page.

Bad launches (a token signed by another key, for another client id, expired, or the
previous launch's token replayed with a new state, or a captured callback posted again
from another browser) log nobody in and start no server: the learner sees the hub's 4xx
page, ``/hub/api/user`` refuses them, and the hub's users and servers are as before.

Not tested here: a real Moodle or Canvas (their claims are copied from their own docs and
real tokens), TLS, iframe launches (third-party cookies).  Needs root (Unix users, setuid
spawning), Chromium and the built book (the course wheel).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from harness.hub import LOCAL_HUB, HubClass
from harness.lti_platform import LmsUser, LtiPlatform

FRAGMENT = LOCAL_HUB / "lti13.py"
CLIENT_ID = {"moodle": "osaiHubClient7", "canvas": "10000000000042"}
#: the learners as each LMS knows them; their login names are HubClass's Unix users
#: (``osaitest-s1``..``s3``): Moodle's username, Canvas's login id
ADA = {"moodle": LmsUser("7", "osaitest-s1", "Ada", "Lovelace", "ada@example.edu"),
       "canvas": LmsUser("535fa085-f22b-4655-b48c-d5a36a9215f6", "osaitest-s1", "Ada",
                         "Lovelace", "ada@example.edu")}
GRACE = {"moodle": LmsUser("8", "osaitest-s2", "Grace", "Hopper", "grace@example.edu"),
         "canvas": LmsUser("f2a6c1de-8d7b-4e0a-9a43-2b7bb5f0c111", "osaitest-s2", "Grace",
                           "Hopper", "grace@example.edu")}
#: the learner of the bad launches: never logged in, so never a server
EVE = {"moodle": LmsUser("9", "osaitest-s3", "Eve", "Example", "eve@example.edu"),
       "canvas": LmsUser("0d3c5a8e-27b1-4f4e-8c55-6b0f3c9a7e21", "osaitest-s3", "Eve",
                         "Example", "eve@example.edu")}
LAB = ".jp-LabShell"


@pytest.fixture(scope="module", params=["moodle", "canvas"])
def lti_hub(request, built_book):
    """(profile, platform, hub): the local hub logging in by LTI 1.3 from that LMS."""
    if os.geteuid() != 0:
        pytest.skip("a hub with real Unix users needs root")
    profile = request.param
    # the hub is configured with the platform's URLs, then the platform with the hub's
    platform = LtiPlatform(profile, CLIENT_ID[profile], login_url="", redirect_uris=(),
                           target_link_uri="")
    with platform:
        env = {"OSAI_LTI13_ISSUER": platform.issuer,
               "OSAI_LTI13_CLIENT_ID": f"some-other-registration, {CLIENT_ID[profile]}",
               "OSAI_LTI13_AUTHORIZE_URL": platform.authorize_url,
               "OSAI_LTI13_JWKS_URL": platform.jwks_url,
               "OSAI_LTI13_USERNAME_KEY": "custom_username"}
        hub = HubClass(students=3, auth="lti13", env=env, host="localhost",
                       notebooks=False).start()
        try:
            assert [u.username for u in (ADA[profile], GRACE[profile], EVE[profile])] \
                == hub.students
            platform.login_url = hub.url + "/hub/lti13/oauth_login"
            platform.redirect_uris = (hub.url + "/hub/lti13/oauth_callback",)
            # the LMS's "Tool URL" / "Target Link URI": the hub's default page, which starts
            # the learner's server (docs-hub.md)
            platform.target_link_uri = hub.url + "/hub"
            yield profile, platform, hub
        finally:
            hub.close()


@pytest.fixture
def context(chromium):
    ctx = chromium.new_context()
    yield ctx
    ctx.close()


def hub_user(page, hub: HubClass) -> tuple[int, dict | str]:
    """What ``/hub/api/user`` answers this browser (its cookies): (status, body)."""
    response = page.goto(hub.url + "/hub/api/user")
    text = response.text()
    try:
        return response.status, json.loads(text)
    except ValueError:
        return response.status, text


def running(hub: HubClass) -> dict[str, bool]:
    """Each hub user -> whether they have a server (starting or running)."""
    return {name: bool(server) for name, server in hub.servers().items()}


def test_a_learner_clicking_the_lms_link_lands_in_their_own_jupyterlab(lti_hub, context):
    profile, platform, hub = lti_hub
    name = ADA[profile].username
    page = context.new_page()
    lms_pages = []
    page.on("framenavigated", lambda f: f == page.main_frame and lms_pages.append(f.url))
    seen = len(platform.authorizations)

    page.goto(platform.launch_url(ADA[profile]))
    # no login form in between: the hub starts their server and opens JupyterLab
    page.wait_for_url(f"{hub.url}/user/{name}/lab**", timeout=120_000)
    page.wait_for_selector(LAB, timeout=60_000)
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
    assert user["name"] == name  # the LMS login name, through the custom parameter
    assert user["kind"] == "user" and user["admin"] is False
    assert hub.servers()[name].get("ready"), hub.log_tail()
    # the server is theirs: its process runs as their Unix user, and writes in their home
    pids = hub.server_pids(name)
    assert pids, hub.log_tail()
    assert {hub.process_uid(pid) for pid in pids} == {hub.uid(name)}
    runtime = hub.home(name) / ".local" / "share" / "jupyter" / "runtime"
    written = [runtime / f"jpserver-{pid}.json" for pid in pids
               if (runtime / f"jpserver-{pid}.json").exists()]
    assert written, sorted(p.name for p in runtime.glob("*"))
    assert all(f.stat().st_uid == hub.uid(name) for f in written)

    # a second learner in another browser is another hub user; the first one's session
    # stays theirs.  Their link opens the hub's home page (a tool URL of its own), so
    # nothing is started for them; in Canvas, that link lacks the custom parameter, and
    # the hub falls back to `sub`, Canvas's opaque id
    grace = GRACE[profile]
    other_ctx = context.browser.new_context()
    try:
        other = other_ctx.new_page()
        other.goto(platform.launch_url(grace, target=hub.url + "/hub/home",
                                       custom={} if profile == "canvas" else None))
        other.wait_for_url(hub.url + "/hub/home", timeout=15_000)
        second_name = grace.username if profile == "moodle" else grace.id
        assert other.get_by_text(second_name).first.is_visible(), other.content()
        assert other.locator("#start").is_visible()  # "Start My Server": their own home
        _, second = hub_user(other, hub)
        assert second["name"] == second_name
        assert not running(hub)[second_name] and not hub.server_pids(second_name)
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


def _logged_out(page, context, hub: HubClass) -> None:
    api_status, user = hub_user(page, hub)
    assert api_status == 403, user
    assert not any(c["name"].startswith("jupyterhub-session") or c["name"] == "jupyterhub-hub-login"
                   for c in context.cookies(hub.url))


@pytest.mark.parametrize("fault", sorted(BAD_LAUNCHES))
def test_a_bad_launch_logs_nobody_in(lti_hub, context, fault):
    profile, platform, hub = lti_hub
    page = context.new_page()
    if fault == "replay" and not platform.issued:
        # an earlier good launch, in another browser, whose token is then replayed
        first = context.browser.new_context()
        try:
            p = first.new_page()
            p.goto(platform.launch_url(ADA[profile], target=hub.url + "/hub/home"))
            p.wait_for_url(hub.url + "/hub/home", timeout=15_000)
        finally:
            first.close()
    before = running(hub)
    with page.expect_response(lambda r: r.url.startswith(hub.url + "/hub/lti13/oauth_callback")
                              ) as answer:
        page.goto(platform.launch_url(EVE[profile], fault=fault))
    status, message = BAD_LAUNCHES[fault]
    assert answer.value.status == status
    page.wait_for_load_state()
    body = page.locator("body").inner_text()
    assert str(status) in body and message in body, body
    assert "/hub/lti13/oauth_callback" in page.url
    _logged_out(page, context, hub)
    # nobody new on the hub, no server started
    assert running(hub) == before
    assert EVE[profile].username not in before
    assert hub.server_pids(EVE[profile].username) == []


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
    victim.goto(platform.launch_url(ADA[profile], target=hub.url + "/hub/home"))
    victim.wait_for_url(hub.url + "/hub/home", timeout=15_000)
    assert captured.get("id_token") and captured.get("state")

    before = running(hub)
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
        _logged_out(attacker, attacker_ctx, hub)
    finally:
        attacker_ctx.close()
    assert running(hub) == before


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
