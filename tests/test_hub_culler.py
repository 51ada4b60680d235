"""The one-machine hub stops a learner's idle server (jupyterhub-idle-culler), so the
machine's memory goes to the learners at work.

``deploy/local-hub`` with ``OSAI_HUB_IDLE=6``: a student's server is started and left alone;
within a minute the hub has stopped it and no process of theirs is left.  Needs root and
the built book, as ``tests/test_hub_class.py`` (whose hub must be closed first: one hub
class at a time on a machine).
"""

from __future__ import annotations

import os
import time

import pytest

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="a hub with real Unix users needs root")


def test_an_idle_learners_server_is_stopped(built_book):
    from harness.hub import HubClass

    hub = HubClass(students=1, notebooks=False, env={"OSAI_HUB_IDLE": "6"}).start()
    try:
        student = hub.students[0]
        hub.start_server(student)
        assert hub.server_pids(student), "the server did not start"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and hub.servers().get(student):
            time.sleep(1)
        assert not hub.servers().get(student), f"still running after 60 s:\n{hub.log_tail()}"
        assert "idle-culler" in hub.log.read_text()
        for _ in range(20):  # the spawner's stop has returned: the process goes with it
            if not hub.server_pids(student):
                break
            time.sleep(0.5)
        assert hub.server_pids(student) == []
    finally:
        hub.close()
