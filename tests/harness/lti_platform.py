"""An LTI 1.3 platform (the LMS's side of a launch) inside the test process, for
``tests/test_hub_lti.py``: a learner clicks a link in the "LMS" and arrives at the hub.

It plays the platform's part of the IMS Security Framework's OIDC third-party login
(https://www.imsglobal.org/spec/security/v1p0/#openid_connect_launch_flow) as Moodle and
Canvas do it, over HTTP on 127.0.0.1 (a threaded stdlib server), with its own RSA key:

1. **Launch page** (``launch_url``): the LMS page behind an activity link.  Like Moodle's
   ``mod/lti/launch.php`` and Canvas's tool launch, it answers with a form that posts the
   *login initiation* to the tool's initiate-login URL (the hub's ``/hub/lti13/oauth_login``):
   ``iss``, ``login_hint``, ``target_link_uri``, ``lti_message_hint``, ``client_id``,
   ``lti_deployment_id`` (and Canvas's ``canvas_environment``/``canvas_region``).
2. **Authorization endpoint** (``authorize_url``; Moodle's ``mod/lti/auth.php``, Canvas's
   ``/api/lti/authorize_redirect``): the hub sends the browser here with ``state``,
   ``nonce`` and ``redirect_uri``.  It checks what Moodle's ``auth.php`` checks (scope
   ``openid``, ``response_type=id_token``, the registered ``client_id`` and redirect URI,
   ``login_hint`` is the LMS user logged in, the message hint it issued,
   ``response_mode=form_post``, ``prompt`` empty or ``none``) and answers with a form that
   POSTs ``id_token`` (RS256, ``kid`` from its JWKS) and ``state`` to ``redirect_uri``.
3. **JWKS** (``jwks_url``; Moodle's ``mod/lti/certs.php``, Canvas's
   ``/api/lti/security/jwks``), which the hub fetches to check the signature.

Two profiles give each LMS's issuer form and claims (checked against real launches: a
Moodle 4.3 id_token and Canvas's "Launch Overview" and sample tokens):

``moodle``  issuer = the site's ``wwwroot`` (Moodle's "Platform ID"), which also serves
            ``mod/lti/auth.php`` and ``mod/lti/certs.php``; ``sub`` is the numeric user id;
            token lives 60 s; ``ext.user_username``, ``lis``, custom parameters.
``canvas``  issuer = ``https://canvas.instructure.com`` for every hosted Canvas (an
            identifier, never fetched), while authorization and keys are served from
            another host (``sso.canvaslms.com``; here, this server); ``sub`` is an opaque
            UUID; ``aud`` and ``azp`` are the client id; token lives an hour.

A *fault* given to :meth:`LtiPlatform.launch_url` makes that launch's id_token bad, for
the negative tests: ``foreign_key`` (signed by another key under this platform's ``kid``),
``wrong_audience`` (for another client id), ``expired``, ``replay`` (the previous launch's
id_token, with its old nonce, sent again with the new state).  :meth:`LtiPlatform.mint`
signs any claims directly.
"""

from __future__ import annotations

import html
import http.server
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

PROFILES = ("moodle", "canvas")
FAULTS = ("foreign_key", "wrong_audience", "expired", "replay")
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
ROLE_LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
ROLE_INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


@dataclass
class LmsUser:
    """A learner (or instructor) as the LMS knows them."""

    id: str  # Moodle: the numeric user id; Canvas: the opaque LTI user id (a UUID)
    username: str  # Moodle's username, Canvas's login id
    given_name: str
    family_name: str
    email: str
    instructor: bool = False


@dataclass
class _Launch:
    user: LmsUser
    link_id: str
    title: str
    fault: str | None
    target: str | None = None  # this link's own target link URI (else the tool's)
    custom: dict | None = None  # this link's custom parameters (else the tool's)


@dataclass
class LtiPlatform:
    """The platform; use as a context manager (it serves while inside)."""

    profile: str
    client_id: str
    #: the tool's initiate-login URL and its registered redirect URI(s)
    login_url: str
    redirect_uris: tuple[str, ...]
    #: where the learner should land on the hub (the LMS's "Tool URL"/"Target Link URI")
    target_link_uri: str
    #: custom parameters, substituted per user as the LMS does (Moodle's
    #: ``$User.username``, Canvas's ``$Canvas.user.loginId``); default: ``username`` set
    #: to the login name, as docs-hub.md tells a Unix-user hub to do
    custom: dict | None = None
    deployment_id: str = ""
    #: every authorization request the hub sent, as received (for assertions)
    authorizations: list = field(default_factory=list)
    #: every id_token this platform posted, encoded
    issued: list = field(default_factory=list)

    def __post_init__(self):
        if self.profile not in PROFILES:
            raise ValueError(f"profile must be one of {PROFILES}")
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = uuid.uuid4().hex[:16]
        self._launches: dict[str, _Launch] = {}
        self._sessions: dict[str, LmsUser] = {}
        self._lock = threading.Lock()
        self._server = None
        if self.custom is None:
            self.custom = {"username": "$User.username" if self.profile == "moodle"
                           else "$Canvas.user.loginId"}
        if not self.deployment_id:
            self.deployment_id = ("3" if self.profile == "moodle"
                                  else "847:" + uuid.uuid4().hex[:40])

    # -- the URLs an administrator copies into the hub's configuration --------------------
    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def issuer(self) -> str:
        if self.profile == "moodle":
            return self.base + "/moodle"  # the site's wwwroot
        return "https://canvas.instructure.com"  # every hosted Canvas; never fetched

    @property
    def authorize_url(self) -> str:
        if self.profile == "moodle":
            return self.issuer + "/mod/lti/auth.php"
        return self.base + "/api/lti/authorize_redirect"

    @property
    def jwks_url(self) -> str:
        if self.profile == "moodle":
            return self.issuer + "/mod/lti/certs.php"
        return self.base + "/api/lti/security/jwks"

    def jwks(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    # -- the learner's side --------------------------------------------------------------
    def launch_url(self, user: LmsUser, *, title: str = "Chapter 3 on the hub",
                   fault: str | None = None, target: str | None = None,
                   custom: dict | None = None) -> str:
        """The activity link a logged-in ``user`` clicks in the LMS (it logs them into the
        LMS too: a cookie on the platform's host, which its authorization endpoint reads).
        ``target`` and ``custom``: the link's own target link URI and custom parameters,
        instead of the tool's (an activity may set its own)."""
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"fault must be one of {FAULTS}")
        hint = str(len(self._launches) + 7)  # Moodle: the course module id
        with self._lock:
            self._launches[hint] = _Launch(user, uuid.uuid4().hex if self.profile == "canvas"
                                           else hint, title, fault, target, custom)
        path = "/moodle/mod/lti/launch.php" if self.profile == "moodle" else "/courses/1/launch"
        return f"{self.base}{path}?{urlencode({'id': hint, 'as': user.id})}"

    # -- the token -----------------------------------------------------------------------
    def claims(self, user: LmsUser, launch: _Launch, nonce: str) -> dict:
        """The id_token's claims for ``user``, as this profile's LMS sends them."""
        now = int(time.time())
        roles = [ROLE_INSTRUCTOR if user.instructor else ROLE_LEARNER]
        custom = {k: v.replace("$User.username", user.username)
                  .replace("$Canvas.user.loginId", user.username)
                  for k, v in (self.custom if launch.custom is None else launch.custom).items()}
        target = launch.target or self.target_link_uri
        common = {
            "nonce": nonce, "iat": now, "iss": self.issuer, "aud": self.client_id,
            "sub": user.id,
            LTI + "deployment_id": self.deployment_id,
            LTI + "target_link_uri": target,
            LTI + "message_type": "LtiResourceLinkRequest",
            LTI + "version": "1.3.0",
            LTI + "resource_link": {"title": launch.title, "description": "", "id": launch.link_id},
            LTI + "roles": roles,
            "given_name": user.given_name, "family_name": user.family_name,
            "name": f"{user.given_name} {user.family_name}", "email": user.email,
            LTI + "custom": custom,
        }
        if self.profile == "moodle":
            return {**common, "exp": now + 60,
                    LTI + "lis": {"person_sourcedid": "", "course_section_sourcedid": ""},
                    LTI + "context": {"id": "2", "label": "OSAI", "title": "Open-source AI",
                                      "type": ["CourseSection"]},
                    LTI + "ext": {"user_username": user.username, "lms": "moodle-2"},
                    LTI + "launch_presentation": {
                        "locale": "en", "document_target": "window",
                        "return_url": self.issuer + "/mod/lti/return.php"},
                    LTI + "tool_platform": {"product_family_code": "moodle",
                                            "version": "2023100900", "guid": "127.0.0.1",
                                            "name": "Test Moodle", "description": "Test Moodle"}}
        return {**common, "exp": now + 3600, "azp": self.client_id, "locale": "en",
                "picture": "https://canvas.instructure.com/images/messages/avatar-50.png",
                LTI + "lis": {"person_sourcedid": user.username,
                              "course_offering_sourcedid": "OSAI-2025"},
                LTI + "context": {"id": uuid.uuid5(uuid.NAMESPACE_URL, self.base).hex,
                                  "label": "OSAI", "title": "Open-source AI",
                                  "type": ["http://purl.imsglobal.org/vocab/lis/v2/course"
                                           "#CourseOffering"]},
                LTI + "launch_presentation": {"document_target": "window", "locale": "en",
                                              "return_url": self.base + "/courses/1"},
                LTI + "tool_platform": {"guid": "testguid:canvas-lms", "name": "Test University",
                                        "version": "cloud", "product_family_code": "canvas"},
                "https://www.instructure.com/placement": "link_selection"}

    def mint(self, claims: dict, *, key=None) -> str:
        """Sign ``claims`` with this platform's key (or ``key``), under its ``kid``."""
        return jwt.encode(claims, key or self.key, algorithm="RS256",
                          headers={"kid": self.kid, "typ": "JWT"})

    def _bad_token(self, launch: _Launch, nonce: str) -> str:
        claims = self.claims(launch.user, launch, nonce)
        if launch.fault == "foreign_key":
            other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            return self.mint(claims, key=other)
        if launch.fault == "wrong_audience":
            return self.mint({**claims, "aud": "another-tool", "azp": "another-tool"})
        if launch.fault == "expired":
            return self.mint({**claims, "iat": claims["iat"] - 7200, "exp": claims["iat"] - 3600})
        if not self.issued:
            raise RuntimeError("fault 'replay' needs an earlier launch to replay")
        return self.issued[-1]

    # -- the server ----------------------------------------------------------------------
    def __enter__(self) -> LtiPlatform:
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def answer(self, method: str, path: str, params: dict, cookies: dict):
        """(status, content type, body, extra headers) for one request."""
        if path in ("/moodle/mod/lti/certs.php", "/api/lti/security/jwks"):
            return 200, "application/json", json.dumps(self.jwks()), {}
        if path in ("/moodle/mod/lti/launch.php", "/courses/1/launch"):
            return self._initiate_login(params)
        if path in ("/moodle/mod/lti/auth.php", "/api/lti/authorize_redirect"):
            return self._authorize(params, cookies.get("lms_session"))
        return 404, "text/plain", "not found", {}

    def _initiate_login(self, params):
        hint = params.get("id", "")
        launch = self._launches.get(hint)
        if launch is None or params.get("as") != launch.user.id:
            return 400, "text/plain", "no such activity", {}
        session = uuid.uuid4().hex
        with self._lock:
            self._sessions[session] = launch.user
        fields = {"iss": self.issuer, "target_link_uri": launch.target or self.target_link_uri,
                  "login_hint": launch.user.id, "lti_message_hint": hint,
                  "client_id": self.client_id, "lti_deployment_id": self.deployment_id}
        if self.profile == "canvas":
            fields["login_hint"] = uuid.uuid5(uuid.NAMESPACE_OID, launch.user.id).hex
            fields |= {"canvas_environment": "prod", "canvas_region": "not_configured"}
        cookie = f"lms_session={session}; Path=/; HttpOnly; SameSite=Lax"
        return 200, "text/html", _autopost(self.login_url, fields, "ltiInitiateLoginForm"), {
            "Set-Cookie": cookie}

    def _authorize(self, params, session):
        self.authorizations.append(dict(params))
        user = self._sessions.get(session or "")
        problems = []
        if params.get("scope") != "openid":
            problems.append("invalid_scope")
        if params.get("response_type") != "id_token":
            problems.append("unsupported_response_type")
        if params.get("client_id") != self.client_id:
            problems.append("unauthorized_client")
        if params.get("redirect_uri") not in self.redirect_uris:
            problems.append("redirect_uri not registered")
        if params.get("response_mode") != "form_post":
            problems.append("invalid response_mode")
        if params.get("prompt") not in (None, "", "none"):
            problems.append("invalid prompt")
        if not params.get("nonce") or not params.get("state"):
            problems.append("nonce and state are required")
        launch = self._launches.get(params.get("lti_message_hint", ""))
        expected_hint = (user.id if self.profile == "moodle" else
                         uuid.uuid5(uuid.NAMESPACE_OID, user.id).hex) if user else None
        if user is None or launch is None or params.get("login_hint") != expected_hint:
            problems.append("access_denied: login_hint is not the logged-in LMS user")
        if problems:
            return 400, "text/plain", "; ".join(problems), {}
        if launch.fault:
            token = self._bad_token(launch, params["nonce"])
        else:
            token = self.mint(self.claims(launch.user, launch, params["nonce"]))
            self.issued.append(token)
        form = {"id_token": token, "state": params["state"]}
        return 200, "text/html", _autopost(params["redirect_uri"], form, "ltiAuthForm"), {}


def _autopost(action: str, fields: dict, name: str) -> str:
    """An HTML page whose form posts ``fields`` to ``action`` on load (as the LMSs do)."""
    inputs = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                     for k, v in fields.items())
    return (f'<!doctype html><html><head><title>Launching</title></head><body>'
            f'<form action="{html.escape(action)}" name="{name}" id="{name}" method="post" '
            f'enctype="application/x-www-form-urlencoded">{inputs}</form>'
            f'<script>document.{name}.submit();</script></body></html>')


def _handler(platform: LtiPlatform):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _serve(self, params):
            cookies = {k: m.value for k, m in SimpleCookie(self.headers.get("Cookie", "")).items()}
            status, ctype, body, headers = platform.answer(
                self.command, urlsplit(self.path).path, params, cookies)
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype + "; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            query = parse_qs(urlsplit(self.path).query)
            self._serve({k: v[0] for k, v in query.items()})

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode())
            self._serve({k: v[0] for k, v in form.items()})

    return Handler
