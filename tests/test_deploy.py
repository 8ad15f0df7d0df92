"""`resnetgen deploy`: into a local bare repository (file://), read back by cloning gh-pages."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import NOW, REPO, snapshot
from needs import need_tool
from resnetgen.cli import main
from resnetgen.deploy import extra_files

RICH = REPO / "tests" / "sites" / "rich"
CNAME = "chats.example.org"


@pytest.fixture(autouse=True)
def git_env(monkeypatch, tmp_path):
    """A fixed identity and no machine or user git configuration: same result everywhere."""
    need_tool("git", "apt-get install git")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Deploy Test")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "deploy@example.org")
        monkeypatch.delenv(f"GIT_{role}_DATE", raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)


def git(cwd: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {done.stderr}")
    return done.stdout.strip()


def make_repo(tmp_path: Path, cname: str = CNAME, remote: bool = True) -> tuple[Path, Path]:
    """The rich fixture site as a git repository with a bare 'origin' beside it."""
    src = tmp_path / "src"
    shutil.copytree(RICH, src)
    if cname:
        toml = (src / "site.toml").read_text(encoding="utf-8")
        (src / "site.toml").write_text(f'cname = "{cname}"\n' + toml, encoding="utf-8")
    (src / ".gitignore").write_text("/output/\n", encoding="utf-8")
    git(src, "init", "--quiet", "--initial-branch=main")
    git(src, "add", "--all")
    git(src, "commit", "--quiet", "--message", "The site")
    bare = tmp_path / "remote.git"
    if remote:
        git(tmp_path, "init", "--quiet", "--bare", str(bare))
        git(src, "remote", "add", "origin", bare.as_uri())
    return src, bare


def deploy(capsys, src: Path, *options: str) -> tuple[int, str, str]:
    code = main(["--site", str(src), "deploy", "--now", NOW.isoformat(), *options])
    out, err = capsys.readouterr()
    return code, out, err


def published(bare: Path, dest: Path, branch: str = "gh-pages") -> dict[str, bytes]:
    git(bare.parent, "clone", "--quiet", "--branch", branch, bare.as_uri(), str(dest))
    return {path: data for path, data in snapshot(dest).items() if not path.startswith(".git/")}


def expected_site(src: Path, cname: str = CNAME) -> dict[str, bytes]:
    files = {**snapshot(src / "output"), ".nojekyll": b""}
    if cname:
        files["CNAME"] = f"{cname}\n".encode()
    return files


def remote_refs(bare: Path) -> str:
    return git(bare, "for-each-ref", "--format=%(refname) %(objectname)")


def user_state(src: Path) -> dict[str, object]:
    """Everything of the user's checkout that deploy must leave alone (output/ aside)."""
    return {
        "head": git(src, "symbolic-ref", "HEAD"),
        "head_commit": git(src, "rev-parse", "HEAD"),
        "branches": git(src, "for-each-ref", "refs/heads", "--format=%(refname) %(objectname)"),
        "status": git(src, "status", "--porcelain", "--untracked-files=all"),
        "index": git(src, "ls-files", "--stage"),
        "staged": git(src, "diff", "--cached"),
        "unstaged": git(src, "diff"),
        "files": {path: data for path, data in snapshot(src).items()
                  if not path.startswith((".git/", "output/"))},
    }


def test_deploy_publishes_exactly_the_built_site_plus_nojekyll_and_cname(tmp_path, capsys):
    src, bare = make_repo(tmp_path)
    code, out, err = deploy(capsys, src)
    assert code == 0, err
    assert "Deployed" in out and "gh-pages on origin" in out

    files = published(bare, tmp_path / "clone")
    assert files == expected_site(src)
    assert files["CNAME"] == b"chats.example.org\n"
    home = BeautifulSoup(files["index.html"], "html.parser")
    assert "Rich Test Network" in home.title.get_text()

    # Only the pages branch reaches the remote; its one commit names the source commit.
    assert [line.split()[0] for line in remote_refs(bare).splitlines()] == ["refs/heads/gh-pages"]
    assert git(bare, "rev-list", "--count", "gh-pages") == "1"
    message = git(bare, "log", "-1", "--format=%B", "gh-pages")
    source = git(src, "rev-parse", "HEAD")
    assert f"Source commit: {source}" in message
    assert "dirty" not in message
    assert git(bare, "log", "-1", "--format=%at", "gh-pages") == str(int(NOW.timestamp()))


def test_second_deploy_of_the_same_site_adds_no_commit(tmp_path, capsys):
    src, bare = make_repo(tmp_path)
    assert deploy(capsys, src)[0] == 0
    before = remote_refs(bare)
    code, out, err = deploy(capsys, src)
    assert code == 0, err
    assert "Nothing to deploy" in out
    assert remote_refs(bare) == before
    assert git(bare, "rev-list", "--count", "gh-pages") == "1"


def test_a_changed_site_is_one_commit_on_top_and_loses_its_stale_files(tmp_path, capsys):
    src, bare = make_repo(tmp_path)
    assert deploy(capsys, src)[0] == 0
    first = git(bare, "rev-parse", "gh-pages")
    git(src, "rm", "--quiet", "content/2017/2017-12-01-plain-post.md")
    git(src, "commit", "--quiet", "--message", "Remove the plain post")

    code, out, err = deploy(capsys, src)
    assert code == 0, err
    assert git(bare, "rev-parse", "gh-pages^") == first
    files = published(bare, tmp_path / "clone")
    assert "2017/12/plain-post/index.html" not in files
    assert files == expected_site(src)


def test_a_failing_build_pushes_nothing(tmp_path, capsys):
    src, bare = make_repo(tmp_path)
    assert deploy(capsys, src)[0] == 0
    before = remote_refs(bare)
    (src / "content" / "2019" / "broken.md").write_text(
        "---\ntitle: No date\n---\nText.\n", encoding="utf-8")

    code, out, err = deploy(capsys, src)
    assert code == 1
    assert "content/2019/broken.md:" in err
    assert err.strip().splitlines()[-1] == "resnetgen deploy: the build failed, so nothing was pushed"
    assert "Traceback" not in err
    assert remote_refs(bare) == before


def test_the_users_branch_index_and_working_tree_are_untouched_even_when_dirty(tmp_path, capsys):
    src, bare = make_repo(tmp_path)
    git(src, "switch", "--quiet", "--create", "drafts")
    about = src / "content" / "pages" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\nUnsaved words.\n", encoding="utf-8")
    people = src / "content" / "people.toml"
    people.write_text(people.read_text(encoding="utf-8") + "\n# staged\n", encoding="utf-8")
    git(src, "add", "content/people.toml")
    (src / "notes.txt").write_text("untracked\n", encoding="utf-8")
    before = user_state(src)
    assert before["status"] and before["staged"] and before["unstaged"]

    code, out, err = deploy(capsys, src)
    assert code == 0, err
    assert user_state(src) == before
    assert "with uncommitted changes" in out
    # What is published is what was built: the working tree, uncommitted words included.
    files = published(bare, tmp_path / "clone")
    page = BeautifulSoup(files["about/index.html"], "html.parser")
    assert "Unsaved words." in page.get_text()
    message = git(bare, "log", "-1", "--format=%B", "gh-pages")
    assert f"Source commit: {before['head_commit']} (dirty" in message


def test_same_source_and_clock_give_the_same_commit(tmp_path, capsys):
    src, bare = make_repo(tmp_path)
    assert deploy(capsys, src)[0] == 0
    other = tmp_path / "other.git"
    git(tmp_path, "init", "--quiet", "--bare", str(other))
    git(src, "remote", "add", "mirror", other.as_uri())
    assert deploy(capsys, src, "--remote", "mirror")[0] == 0
    assert git(other, "rev-parse", "gh-pages") == git(bare, "rev-parse", "gh-pages")


def test_branch_and_message_options(tmp_path, capsys):
    src, bare = make_repo(tmp_path, cname="")
    code, out, err = deploy(capsys, src, "--branch", "site", "--message", "Publish the March chat")
    assert code == 0, err
    assert git(bare, "log", "-1", "--format=%s", "site") == "Publish the March chat"
    assert f"Source commit: {git(src, 'rev-parse', 'HEAD')}" in git(
        bare, "log", "-1", "--format=%b", "site")
    files = published(bare, tmp_path / "clone", branch="site")
    assert "CNAME" not in files
    assert files == expected_site(src, cname="")


def test_refuses_without_the_remote(tmp_path, capsys):
    src, _ = make_repo(tmp_path, remote=False)
    code, out, err = deploy(capsys, src)
    assert code == 1
    assert err.startswith("resnetgen deploy: no remote 'origin'")
    assert len(err.strip().splitlines()) == 1
    assert not (src / "output").exists()   # refused before building


def test_refuses_outside_a_git_repository(tmp_path, capsys):
    src = tmp_path / "plain"
    shutil.copytree(RICH, src)
    code, out, err = deploy(capsys, src)
    assert code == 1
    assert "is not in a git repository" in err
    assert len(err.strip().splitlines()) == 1


def test_refuses_without_git(tmp_path, capsys, monkeypatch):
    src, _ = make_repo(tmp_path)
    empty = tmp_path / "no-tools"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    code, out, err = deploy(capsys, src)
    assert code == 1
    assert err.startswith("resnetgen deploy: git is not installed")
    assert len(err.strip().splitlines()) == 1


def test_a_rejected_push_is_reported_and_changes_nothing(tmp_path, capsys):
    src, bare = make_repo(tmp_path)
    hook = bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'the pages branch is frozen' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    code, out, err = deploy(capsys, src)
    assert code == 1
    assert err.startswith("resnetgen deploy: the push to gh-pages on origin was rejected")
    assert len(err.strip().splitlines()) == 1
    assert remote_refs(bare) == ""


def test_an_unreachable_remote_is_reported(tmp_path, capsys):
    src, _ = make_repo(tmp_path, remote=False)
    git(src, "remote", "add", "origin", (tmp_path / "missing.git").as_uri())
    code, out, err = deploy(capsys, src)
    assert code == 1
    assert err.startswith("resnetgen deploy: cannot reach remote 'origin'")
    assert len(err.strip().splitlines()) == 1


def test_extra_files_for_github_pages():
    assert extra_files("") == {".nojekyll": b""}
    assert extra_files(" chats.example.org ") == {".nojekyll": b"", "CNAME": b"chats.example.org\n"}
