"""The GitHub Pages workflow: actionlint passes, and it does what the README promises."""

from __future__ import annotations

import re
import subprocess

import pytest
import yaml

from conftest import REPO
from needs import need_tool

WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def actionlint(path) -> subprocess.CompletedProcess:
    linter = need_tool("actionlint", "pip install -r requirements-dev.txt")
    shellcheck = need_tool("shellcheck", "pip install -r requirements-dev.txt")
    return subprocess.run([linter, "-no-color", "-shellcheck", shellcheck, str(path)],
                          capture_output=True, text=True, cwd=REPO)


def test_actionlint_passes():
    done = actionlint(WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == ""


def test_actionlint_catches_a_broken_copy(tmp_path):
    """The lint is real: a wrong input and an unquoted variable in a script are errors."""
    broken = tmp_path / ".github" / "workflows" / "pages.yml"
    broken.parent.mkdir(parents=True)
    text = WORKFLOW.read_text(encoding="utf-8")
    text = text.replace("cache-dependency-path:", "cache-dependency-paths:")
    text = text.replace('"${missing[@]}"', "$missing")
    broken.write_text(text, encoding="utf-8")
    done = actionlint(broken)
    assert done.returncode == 1
    assert 'input "cache-dependency-paths" is not defined' in done.stdout
    assert "shellcheck reported issue" in done.stdout


def steps_of(workflow: dict, job: str) -> list[dict]:
    return workflow["jobs"][job]["steps"]


def uses(workflow: dict, job: str, action: str) -> dict:
    found = [s for s in steps_of(workflow, job) if s.get("uses", "").startswith(action + "@")]
    assert len(found) == 1, f"{job} should use {action} once"
    return found[0]


def test_triggers_push_to_main_a_daily_schedule_and_by_hand(workflow):
    triggers = workflow.get("on", workflow.get(True))   # YAML 1.1 reads `on` as true
    assert triggers["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in triggers
    [schedule] = triggers["schedule"]
    minute, hour, day, month, weekday = schedule["cron"].split()
    assert minute.isdigit() and hour.isdigit() and (day, month, weekday) == ("*", "*", "*")


def test_permissions_and_concurrency_as_the_pages_actions_document(workflow):
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"] == {"name": "github-pages",
                                     "url": "${{ steps.deployment.outputs.page_url }}"}
    assert uses(workflow, "deploy", "actions/deploy-pages")["id"] == "deployment"


def test_build_job_tests_builds_and_uploads_output(workflow):
    python = uses(workflow, "build", "actions/setup-python")["with"]
    assert python == {"python-version": "3.11", "cache": "pip",
                      "cache-dependency-path": "requirements*.txt"}
    runs = [s.get("run", "").strip() for s in steps_of(workflow, "build")]
    assert runs.index("make test") < runs.index("make build")
    names = [s.get("uses", "").split("@")[0] for s in steps_of(workflow, "build")]
    assert names.index("actions/checkout") < names.index("actions/setup-python")
    assert names.index("actions/configure-pages") < names.index("actions/upload-pages-artifact")
    assert runs.index("make build") < names.index("actions/upload-pages-artifact")
    assert uses(workflow, "build", "actions/upload-pages-artifact")["with"] == {"path": "output"}


def test_actions_are_the_current_major_versions(workflow):
    current = {"actions/checkout": "v7", "actions/setup-python": "v7",
               "actions/configure-pages": "v6", "actions/upload-pages-artifact": "v5",
               "actions/deploy-pages": "v5"}
    used = {}
    for job in workflow["jobs"]:
        for step in steps_of(workflow, job):
            if "uses" in step:
                name, version = step["uses"].split("@")
                used[name] = version
    assert used == current


def test_the_workflow_installs_what_ci_installs(workflow):
    """`make test` on GitHub needs the same system packages as .ci/run installs on Debian."""
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    installs = re.findall(r"apt-get install[^\n]*", ci)
    assert installs, ".ci/run should install packages with apt-get"
    packages = {word for line in installs for word in line.split()[2:]
                if not word.startswith("-") and word not in (">/dev/null", "2>&1")}
    assert "git" in packages
    step = next(s for s in steps_of(workflow, "build") if "apt-get install" in s.get("run", ""))
    in_workflow = set(re.findall(r"missing\+=\(([\w.+-]+)\)", step["run"]))
    missing = sorted(packages - in_workflow)
    assert not missing, (f"add {missing} to the workflow step '{step['name']}' "
                         f"in {WORKFLOW.relative_to(REPO)}")
