"""LTI 1.3 login for the hub: learners arrive from Moodle or Canvas already logged in
(jupyterhub-ltiauthenticator 1.6.3, ``LTI13Authenticator``).

``jupyterhub_config.py`` beside this file loads it when ``OSAI_HUB_AUTH=lti13``; any other
JupyterHub config may ``load_subconfig`` it too.  It sets only ``c.`` settings, each from an
environment variable.  The values come from the LMS once the hub is registered there as a
tool (docs-hub.md, "The LMS launches the hub", gives each LMS's steps):

``OSAI_LTI13_ISSUER``         the platform's issuer, exactly as it sends it in ``iss``.
                              Moodle: "Platform ID" (the site's URL).  Canvas cloud:
                              ``https://canvas.instructure.com`` (beta/test:
                              ``canvas.beta``/``canvas.test.instructure.com``); self-hosted
                              Canvas: its own URL.  (required)
``OSAI_LTI13_CLIENT_ID``      the tool's client id(s) at the platform, comma-separated.
                              Moodle: "Client ID"; Canvas: the developer key's number.
                              (required)
``OSAI_LTI13_AUTHORIZE_URL``  where the hub sends the learner's browser to get the signed
                              launch.  Moodle: "Authentication request URL"
                              (``<site>/mod/lti/auth.php``); Canvas cloud:
                              ``https://sso.canvaslms.com/api/lti/authorize_redirect``.
                              (required)
``OSAI_LTI13_JWKS_URL``       the platform's public keys, which the hub fetches to check
                              each launch's signature.  Moodle: "Public keyset URL"
                              (``<site>/mod/lti/certs.php``); Canvas cloud:
                              ``https://sso.canvaslms.com/api/lti/security/jwks``. (required)
``OSAI_LTI13_USERNAME_KEY``   the id_token claim that becomes the hub user name (default
                              ``sub``, the LMS's stable user id).  ``custom_<name>`` takes
                              custom parameter ``<name>``: with the tool's custom parameter
                              ``username=$User.username`` (Moodle) or
                              ``username=$Canvas.user.loginId`` (Canvas), ``custom_username``
                              gives the LMS login name, which a hub of Unix users needs.
                              If the claim is missing, ltiauthenticator falls back to ``sub``.
``OSAI_LTI13_URI_SCHEME``     ``https`` behind a TLS proxy that does not pass
                              ``X-Forwarded-Proto``, so the redirect URI the hub sends the
                              LMS is the https one registered there (default ``auto``).

Learners are admitted by the LMS: whoever a registered platform launches with a valid
signed token may use the hub (``allow_all``), as the course's enrolment decides.
"""

import os
import sys

c = get_config()  # noqa: F821 (JupyterHub's config loader defines it)


def _lti13(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if default is None:
        sys.exit(f"{__file__}: set {name} (see the top of the file): the hub logs in "
                 "with LTI 1.3 (OSAI_HUB_AUTH=lti13)")
    return default


c.JupyterHub.authenticator_class = "ltiauthenticator.lti13.auth.LTI13Authenticator"
c.LTI13Authenticator.issuer = _lti13("OSAI_LTI13_ISSUER")
c.LTI13Authenticator.client_id = [i.strip() for i in _lti13("OSAI_LTI13_CLIENT_ID").split(",")
                                  if i.strip()]
c.LTI13Authenticator.authorize_url = _lti13("OSAI_LTI13_AUTHORIZE_URL")
c.LTI13Authenticator.jwks_endpoint = _lti13("OSAI_LTI13_JWKS_URL")
c.LTI13Authenticator.username_key = _lti13("OSAI_LTI13_USERNAME_KEY", "sub")
c.LTI13Authenticator.uri_scheme = _lti13("OSAI_LTI13_URI_SCHEME", "auto")
# the default algorithm list, said out loud: Moodle and Canvas both sign with RS256
c.LTI13Authenticator.jwks_algorithms = ["RS256"]
# JupyterHub 5+ admits nobody unless told; the LMS decides who may launch the hub
c.Authenticator.allow_all = True
