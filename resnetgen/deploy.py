"""`resnetgen deploy`: build the site, then publish output/ as the whole gh-pages branch.

Only git plumbing, never a checkout: a temporary index file (GIT_INDEX_FILE) is filled
from output/ (--work-tree), `.nojekyll` and `CNAME` are added to it, `write-tree` and
`commit-tree` make a commit whose parent is the remote branch's tip, and that commit is
pushed. The user's working tree, index and current branch are never touched, even when
they hold uncommitted work.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from resnetgen import __version__


class DeployError(Exception):
    """A reason not to deploy, printed as one line: `resnetgen deploy: <message>`."""


def add_command(subparsers) -> None:
    parser = subparsers.add_parser(
        "deploy", help="build the site and publish it to the gh-pages branch of a remote")
    parser.add_argument("--remote", default="origin", help="the git remote (default: origin)")
    parser.add_argument("--branch", default="gh-pages",
                        help="the branch that holds the published site (default: gh-pages)")
    parser.add_argument("--message", help="the commit message (the source commit is "
                        "always added below it)")
    parser.add_argument("--now", help="the build's clock, as an ISO date-time (default: "
                        "SOURCE_DATE_EPOCH, else the current time)")
    parser.set_defaults(func=run_deploy)


def run_deploy(args: argparse.Namespace) -> int:
    from resnetgen.build import BuildOptions, build
    from resnetgen.cli import print_problems
    from resnetgen.clock import build_clock
    from resnetgen.problems import SiteError

    site_dir = args.site.resolve()
    try:
        repo = GitRepo.find(site_dir)
        repo.check_remote(args.remote)
        now = build_clock(args.now)
        try:
            report = build(BuildOptions(site_dir=site_dir, output_dir=site_dir / "output", now=now))
        except SiteError as error:
            print_problems(error.problems)
            raise DeployError("the build failed, so nothing was pushed") from None
        print_problems(report.warnings)
        print(report.summary())
        result = publish(repo, site_dir / "output", args.remote, args.branch,
                         extra_files(report.site.config.cname), args.message, now)
    except DeployError as error:
        print(f"resnetgen deploy: {error}", file=sys.stderr)
        return 1
    print(result)
    return 0


def extra_files(cname: str) -> dict[str, bytes]:
    """Files GitHub Pages reads: .nojekyll (serve the files as they are) and CNAME."""
    files = {".nojekyll": b""}
    if cname.strip():
        files["CNAME"] = cname.strip().encode() + b"\n"
    return files


def publish(repo: "GitRepo", output_dir: Path, remote: str, branch: str,
            extra: dict[str, bytes], message: str | None, now: datetime) -> str:
    """Commit output/ (plus `extra`) on top of remote/branch and push; returns what happened."""
    parent = repo.remote_tip(remote, branch)
    with tempfile.TemporaryDirectory(prefix="resnetgen-deploy-") as scratch:
        tree = repo.tree_of(output_dir, Path(scratch) / "index", extra)
    where = f"{branch} on {remote}"
    if parent and repo.git("rev-parse", f"{parent}^{{tree}}") == tree:
        return f"Nothing to deploy: {where} already has this site ({parent[:10]})."
    source = repo.source_commit(output_dir)
    commit = repo.commit(tree, parent, commit_message(message, source), now)
    repo.push(remote, commit, branch)
    return f"Deployed {commit[:10]} to {where} (from {source.describe()})."


@dataclass(frozen=True)
class SourceCommit:
    sha: str            # empty in a repository with no commit yet
    dirty: bool

    def describe(self) -> str:
        text = self.sha[:10] if self.sha else "a repository with no commit yet"
        return text + (" with uncommitted changes" if self.dirty else "")


def commit_message(message: str | None, source: SourceCommit) -> str:
    title = message.strip() if message and message.strip() else (
        f"Deploy the site from {source.sha[:10]}{' (dirty)' if source.dirty else ''}"
        if source.sha else "Deploy the site")
    lines = [title, ""]
    lines.append(f"Source commit: {source.sha or 'none'}"
                 + (" (dirty: built with uncommitted changes)" if source.dirty else ""))
    lines.append(f"Built by resnetgen {__version__}")
    return "\n".join(lines) + "\n"


class GitRepo:
    """The user's repository, used only through commands that leave its checkout alone."""

    def __init__(self, git: str, top: Path, git_dir: Path):
        self.exe = git
        self.top = top
        self.git_dir = git_dir

    @classmethod
    def find(cls, site_dir: Path) -> "GitRepo":
        git = shutil.which("git")
        if git is None:
            raise DeployError("git is not installed (install it: https://git-scm.com/downloads, "
                              "or `apt-get install git`)")
        if not site_dir.is_dir():
            raise DeployError(f"--site {site_dir}: no such folder")
        found = _run([git, "rev-parse", "--show-toplevel", "--absolute-git-dir"], cwd=site_dir)
        if found.returncode != 0:
            if "not a git repository" not in found.stderr:
                raise DeployError(f"git cannot use the repository of {site_dir}: "
                                  f"{_last_line(found.stderr)}")
            raise DeployError(f"{site_dir} is not in a git repository "
                              "(run `git init` and add a remote first)")
        top, git_dir = found.stdout.splitlines()[:2]
        return cls(git, Path(top), Path(git_dir))

    def git(self, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
            input: str | None = None, what: str = "") -> str:
        """Run git; its stdout, stripped. A failure becomes a DeployError saying `what` failed."""
        done = _run([self.exe, *args], cwd=cwd or self.top, env=env, input=input)
        if done.returncode != 0:
            raise DeployError(f"{what or 'git ' + args[0]} failed: {_last_line(done.stderr)}")
        return done.stdout.strip()

    def check_remote(self, remote: str) -> None:
        found = _run([self.exe, "remote"], cwd=self.top)
        if remote not in found.stdout.split():
            known = ", ".join(found.stdout.split()) or "none"
            raise DeployError(f"no remote '{remote}' in {self.top} (remotes: {known}; add one "
                              f"with `git remote add {remote} URL` or choose with --remote)")

    def remote_tip(self, remote: str, branch: str) -> str:
        """The commit remote/branch points at, fetched; empty when the branch does not exist."""
        ref = f"refs/heads/{branch}"
        listed = _run([self.exe, "ls-remote", "--exit-code", remote, ref], cwd=self.top)
        if listed.returncode == 2:
            return ""
        if listed.returncode != 0:
            raise DeployError(f"cannot reach remote '{remote}': {_last_line(listed.stderr)}")
        self.git("fetch", "--quiet", "--no-tags", "--no-write-fetch-head", remote, ref,
                 what=f"fetching {branch} from {remote}")
        return listed.stdout.split()[0]

    def tree_of(self, folder: Path, index_file: Path, extra: dict[str, bytes]) -> str:
        """A tree object of every file in `folder` plus `extra`, built in its own index."""
        env = {"GIT_INDEX_FILE": str(index_file), "GIT_DIR": str(self.git_dir),
               "GIT_WORK_TREE": str(folder)}
        # Bytes exactly as built: no line-ending or attribute filters, ignore rules off.
        plain = ["-c", "core.autocrlf=false", "-c", "core.safecrlf=false",
                 "-c", "core.fileMode=false", "-c", "core.symlinks=true"]
        self.git(*plain, "add", "--all", "--force", "--", ".", env=env, cwd=folder,
                 what="adding the built site")
        for name, data in sorted(extra.items()):
            blob = self.git("hash-object", "-w", "--stdin", input=data.decode(), env=env,
                            what=f"storing {name}")
            self.git("update-index", "--add", "--cacheinfo", f"100644,{blob},{name}",
                     env=env, what=f"adding {name}")
        return self.git("write-tree", env=env, what="writing the tree")

    def source_commit(self, output_dir: Path) -> SourceCommit:
        head = _run([self.exe, "rev-parse", "--verify", "--quiet", "HEAD"], cwd=self.top)
        # The build's own output does not make the source dirty.
        skip = ([f":(exclude){output_dir.relative_to(self.top).as_posix()}"]
                if output_dir.is_relative_to(self.top) else [])
        status = self.git("status", "--porcelain", "--untracked-files=normal", "--", ".",
                          *skip, what="reading the repository's status")
        return SourceCommit(head.stdout.strip() if head.returncode == 0 else "", bool(status))

    def commit(self, tree: str, parent: str, message: str, now: datetime) -> str:
        env = {}
        # The build's clock dates the commit, so SOURCE_DATE_EPOCH gives the same commit.
        stamp = f"@{int(now.timestamp())} +0000"
        for name in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
            env[name] = os.environ.get(name, stamp)
        args = ["commit-tree", tree, "-F", "-"] + (["-p", parent] if parent else [])
        done = _run([self.exe, *args], cwd=self.top, env=env, input=message)
        if done.returncode != 0:
            if "tell me who you are" in done.stderr or "user.email" in done.stderr:
                raise DeployError("git does not know who you are (run `git config --global "
                                  "user.name \"Your Name\"` and `git config --global "
                                  "user.email you@example.org`)")
            raise DeployError(f"making the commit failed: {_last_line(done.stderr)}")
        return done.stdout.strip()

    def push(self, remote: str, commit: str, branch: str) -> None:
        done = _run([self.exe, "push", "--quiet", "--porcelain", remote,
                     f"{commit}:refs/heads/{branch}"], cwd=self.top)
        if done.returncode != 0:
            reason = _push_reason(done.stdout, done.stderr)
            raise DeployError(f"the push to {branch} on {remote} was rejected: {reason} "
                              "(nothing was published; run deploy again, or check your access "
                              "to the remote)")


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None,
         input: str | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", **(env or {})}
    return subprocess.run(command, cwd=cwd, env=full_env, input=input, capture_output=True,
                          text=True)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    meaningful = [line for line in lines if not line.startswith("hint:")]
    return (meaningful or lines or ["no message from git"])[-1]


def _push_reason(stdout: str, stderr: str) -> str:
    """The reason git gives for a rejected ref (`! src:dst [rejected] (reason)`), else stderr."""
    for line in stdout.splitlines():
        if line.startswith("!"):
            return line.split("\t")[-1].strip()
    return _last_line(stderr)
