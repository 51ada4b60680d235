"""A class on a JupyterHub: the image's environment (binder/), the book's launch links, the
learners' notebooks branch and the Zero to JupyterHub values (deploy/z2jh/config.yaml)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest
import yaml
from sphinx.errors import ConfigError

from osai import paths
from osai.book import binder_env, hub_notebooks, launch

ROOT = paths.project_root()
Z2JH = Path(__file__).resolve().parent / "fixtures" / "z2jh"


def _helm_merge(base, over):
    """Helm's merge of a deployment's values over the chart's: maps merge key by key, a
    null removes the key, anything else replaces."""
    if isinstance(base, dict) and isinstance(over, dict):
        merged = dict(base)
        for key, value in over.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = _helm_merge(base[key], value) if key in base else value
        return merged
    return over


def _z2jh_problems(values: dict) -> list[str]:
    schema = json.loads((Z2JH / "values.schema.json").read_text(encoding="utf-8"))
    defaults = yaml.safe_load((Z2JH / "values.yaml").read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(_helm_merge(defaults, values))]


def test_the_z2jh_config_passes_the_charts_own_schema():
    config = yaml.safe_load((ROOT / "deploy" / "z2jh" / "config.yaml").read_text("utf-8"))
    assert _z2jh_problems(config) == []
    # what a class needs is there: the culler, limits, the exchange, LTI 1.3, JupyterLab
    assert config["cull"]["enabled"] is True
    assert config["singleuser"]["memory"]["limit"] and config["singleuser"]["cpu"]["limit"]
    mounts = {m["mountPath"] for m in config["singleuser"]["storage"]["extraVolumeMounts"]}
    assert "/srv/nbgrader/exchange" in mounts
    assert 'c.Exchange.root = "/srv/nbgrader/exchange"' in (
        config["singleuser"]["extraFiles"]["nbgrader-config"]["stringData"])
    assert config["hub"]["config"]["JupyterHub"]["authenticator_class"].endswith(
        "LTI13Authenticator")
    assert config["singleuser"]["defaultUrl"] == "/lab"


@pytest.mark.parametrize("broken", [
    {"singleuser": {"memory": {"limt": "1G"}}},          # a misspelt key
    {"cull": {"timeout": "an hour"}},                     # a wrong type
    {"singleuser": {"storage": {"type": "floppy"}}},      # a value outside the enum
])
def test_the_schema_check_catches_a_wrong_value(broken):
    config = yaml.safe_load((ROOT / "deploy" / "z2jh" / "config.yaml").read_text("utf-8"))
    assert _z2jh_problems(_helm_merge(config, broken)), broken


def test_binder_requirements_follow_the_lock_file():
    committed = (ROOT / "binder" / "requirements.txt").read_text(encoding="utf-8")
    assert committed == binder_env.requirements(ROOT), (
        "binder/requirements.txt is stale: run python -m osai.book.binder_env")
    pins = [line for line in committed.splitlines() if line and not line.startswith("#")]
    # exact pins, but for packages of other systems, kept with their marker as the bundle
    # keeps them (pywinpty on Windows): a Linux image never installs those
    loose = [p for p in pins if not re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[^=\s;]+", p)]
    assert loose and all(re.search(r"; (os_name|sys_platform|platform_system) == ", p)
                         for p in loose), loose
    assert any(p.startswith("nbgitpuller==") for p in pins)


REPO2DOCKER = shutil.which("repo2docker", path=str(Path(sys.executable).parent))


@pytest.mark.skipif(REPO2DOCKER is None, reason="repo2docker not installed")
def test_repo2docker_builds_the_image_from_binder(tmp_path):
    """repo2docker (as BinderHub and hubs run it) accepts binder/ and writes a Dockerfile
    that installs the pinned requirements, then runs postBuild (the course package)."""
    proc = subprocess.run([REPO2DOCKER, "--no-build", "--no-run", "--debug", str(ROOT)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    dockerfile = proc.stdout + proc.stderr
    assert "python=3.11" in dockerfile
    assert re.search(r'pip install --no-cache-dir -r "binder/requirements.txt"', dockerfile)
    assert "RUN ./binder/postBuild" in dockerfile
    postbuild = (ROOT / "binder" / "postBuild").read_text(encoding="utf-8")
    assert "pip install --no-cache-dir --no-deps ." in postbuild


ENV = {"OSAI_HUB_URL": "https://hub.example.edu/", "OSAI_HUB_REPO":
       "https://git.example.edu/course/osai-notebooks.git"}


def test_a_launch_link_opens_the_chapter_in_jupyterlab_through_nbgitpuller():
    settings = launch.hub_settings(ENV)
    url = launch.launch_url(settings, "03-four-organisations.ipynb")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://hub.example.edu/hub/user-redirect/git-pull")
    query = parse_qs(parts.query)
    assert query == {"repo": [ENV["OSAI_HUB_REPO"]], "branch": [launch.DEFAULT_BRANCH],
                     "targetpath": ["osai-notebooks"],
                     "urlpath": ["lab/tree/osai-notebooks/03-four-organisations.ipynb"]}


@pytest.mark.parametrize("environ, named", [
    ({"OSAI_HUB_URL": "https://hub.example.edu"}, "OSAI_HUB_REPO"),
    ({**ENV, "OSAI_HUB_URL": "\tjavascript:alert(1)"}, "OSAI_HUB_URL"),
    ({**ENV, "OSAI_HUB_REPO": "file:///etc"}, "OSAI_HUB_REPO"),
    ({**ENV, "OSAI_HUB_BRANCH": "main; rm -rf"}, "OSAI_HUB_BRANCH"),
])
def test_a_wrong_hub_setting_stops_the_build_naming_it(environ, named):
    with pytest.raises(ConfigError, match=named):
        launch.hub_settings(environ)


def test_no_hub_means_no_button(monkeypatch):
    for name in ("OSAI_HUB_URL", "OSAI_HUB_REPO", "OSAI_HUB_BRANCH"):
        monkeypatch.delenv(name, raising=False)
    assert launch.hub_settings() is None
    context = {"header_buttons": [], "ipynb_source": "chapters/03-four-organisations.ipynb"}
    launch.add_launch_button(None, "chapters/03-four-organisations", "page.html", context,
                             None)
    assert context["header_buttons"] == []
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    launch.add_launch_button(None, "chapters/03-four-organisations", "page.html", context,
                             None)
    (button,) = context["header_buttons"]
    assert button["url"].endswith("osai-notebooks%2F03-four-organisations.ipynb") or (
        "osai-notebooks/03-four-organisations.ipynb" in button["url"])
    plain = {"header_buttons": []}  # a page with no notebook (glossary, guide) gets none
    launch.add_launch_button(None, "chapters/glossary", "page.html", plain, None)
    assert plain["header_buttons"] == []


def test_the_offline_book_has_no_launch_button(book_dir):
    for page in book_dir.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "git-pull?" not in html and "osai-launch-jupyterhub" not in html, page


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_the_notebooks_branch_is_written_without_touching_the_work_tree(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    (repo / "kept.txt").write_text("the instructor's own work\n")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "03-four-organisations.ipynb").write_text('{"cells": []}\n')
    first = hub_notebooks.publish(notebooks, repo, "learner-notebooks")
    assert first and _git(repo, "ls-tree", "--name-only", "learner-notebooks").split() == [
        "03-four-organisations.ipynb", "README.md"]
    assert _git(repo, "status", "--porcelain") == "?? kept.txt"  # work tree, index as they were
    assert hub_notebooks.publish(notebooks, repo, "learner-notebooks") is None  # no change
    (notebooks / "04-community-led.ipynb").write_text('{"cells": []}\n')
    second = hub_notebooks.publish(notebooks, repo, "learner-notebooks")
    assert _git(repo, "rev-parse", "learner-notebooks^") == first != second
    with pytest.raises(hub_notebooks.PublishError, match="no notebooks"):
        hub_notebooks.publish(tmp_path / "empty", repo)


def test_hub_links_lists_every_built_notebook_for_an_lms_page(built_book, monkeypatch, capsys):
    """``make hub-links``: one launch link per notebook of the build, the book's own form."""
    monkeypatch.setenv("OSAI_HUB_URL", ENV["OSAI_HUB_URL"])
    monkeypatch.setenv("OSAI_HUB_REPO", ENV["OSAI_HUB_REPO"])
    assert launch.main() == 0
    lines = capsys.readouterr().out.splitlines()
    names = sorted(p.name for p in built_book.notebooks.glob("*.ipynb"))
    assert [line.split("\t")[0] for line in lines] == names
    settings = launch.hub_settings(ENV)
    assert all(line.split("\t")[1] == launch.launch_url(settings, line.split("\t")[0])
               for line in lines)
    monkeypatch.delenv("OSAI_HUB_URL")
    assert launch.main() == 1
    assert "OSAI_HUB_URL" in capsys.readouterr().err
