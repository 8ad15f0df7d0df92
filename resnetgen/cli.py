"""The command line: `resnetgen build`, `check`, and the commands other modules add.

An editor never sees a traceback: site problems print as `path:line: message (hint)`
and exit 1; anything unexpected prints one line asking for a bug report and exits 2.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from functools import partial
from pathlib import Path

from resnetgen import __version__
from resnetgen.clock import ClockError, build_clock
from resnetgen.problems import Problem, SiteError

# Modules that add subcommands: each has `add_command(subparsers)`, which sets
# `func` on its parser. Keep heavy imports inside their functions: startup time counts.
COMMAND_MODULES: list[str] = ["resnetgen.deploy", "resnetgen.serve", "resnetgen.scaffold",
                             "resnetgen.importer.command"]


def main(argv: list[str] | None = None) -> int:
    code = run(argv)
    if argv is None and command_of(sys.argv[1:]) in ("build", "check"):
        # From the command line, a build ends here: everything is written, saved and
        # closed. Leaving without freeing the loaded site object by object (and a last
        # walk of the cycle collector) saves ~0.3 s of a rebuild at 10,000 posts.
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except OSError:  # a closed pipe: what Python's own exit would have met
            pass
        os._exit(code)
    return code


def run(argv: list[str] | None = None) -> int:
    parser = make_parser(command_of(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except SiteError as error:
        print_problems(error.problems)
        return 1
    except (ClockError, UsageError) as error:
        print(f"resnetgen: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a bug in resnetgen, not in the site
        if os.environ.get("RESNETGEN_DEBUG"):
            raise
        print(f"resnetgen: internal error: {type(error).__name__}: {error} "
              "(this is a bug in resnetgen; run again with RESNETGEN_DEBUG=1 and report it)",
              file=sys.stderr)
        return 2


class UsageError(Exception):
    """A wrong command-line option: printed as one line, exit 2."""


def command_of(argv: list[str]) -> str | None:
    """The command asked for (the first word that is not an option or --site's value)."""
    words = iter(argv)
    for word in words:
        if word == "--site":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def make_parser(command: str | None = None) -> argparse.ArgumentParser:
    """`command`: the one asked for; `build` and `check` need no other command's module
    (importing them costs half of a build with nothing to do)."""
    formatter = partial(argparse.HelpFormatter, width=help_width())
    parser = argparse.ArgumentParser(prog="resnetgen", description=__doc__.splitlines()[0],
                                     formatter_class=formatter)
    parser.add_argument("--version", action="version", version=f"resnetgen {__version__}")
    parser.add_argument("--site", type=Path, default=Path("."),
                        help="the site folder (default: the current folder)")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    build = commands.add_parser("build", help="build the site into output/",
                                formatter_class=formatter)
    add_build_options(build)
    build.set_defaults(func=run_build)

    if command != "build":  # each parser costs ~1 ms of gettext look-ups (argparse's _())
        check = commands.add_parser("check", help="validate everything, write nothing",
                                    formatter_class=formatter)
        check.add_argument("--drafts", action="store_true", help="check drafts too")
        check.add_argument("--now", help="the clock, as an ISO date-time")
        check.add_argument("--strict", action="store_true", help="treat warnings as errors")
        add_link_check_option(check)
        check.set_defaults(func=run_check)

    for name in COMMAND_MODULES if command not in ("build", "check") else ():
        importlib.import_module(name).add_command(commands)
    for command in commands.choices.values():  # `resnetgen build --site DIR` works too
        command.add_argument("--site", type=Path, default=argparse.SUPPRESS,
                             help="the site folder (default: the current folder)")
    return parser


def help_width() -> int:
    """The width argparse's help is laid out in, as it finds it (shutil.get_terminal_size,
    less 2), found once: argparse makes a formatter for every option added (to check
    it), each asking shutil, which imports bz2 and lzma (~2 ms of a build with nothing
    to do)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return (columns or 80) - 2  # (a terminal not yet sized says 0: shutil's 80 then)


def add_build_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--drafts", action="store_true", help="include drafts, marked as such")
    parser.add_argument("--now", help="the clock, as an ISO date-time (default: "
                        "SOURCE_DATE_EPOCH, else the current time)")
    parser.add_argument("--output", type=Path, help="where to write (default: SITE/output)")
    parser.add_argument("--no-cache", dest="cache", action="store_false",
                        help="ignore the build cache (.resnetgen-cache/): read and render everything")
    add_link_check_option(parser)


def add_link_check_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-link-check", dest="link_check", action="store_false",
                        help="skip the check that every link inside the site leads "
                        "somewhere (for emergencies only)")


def build_options(args: argparse.Namespace, write: bool = True):
    from resnetgen.build import BuildOptions
    site_dir = args.site.resolve()
    if not site_dir.is_dir():
        raise UsageError(f"--site {args.site}: no such folder")
    output = getattr(args, "output", None)
    output_dir = (output if output and output.is_absolute() else
                  Path.cwd() / output if output else site_dir / "output")
    return BuildOptions(site_dir=site_dir, output_dir=output_dir.resolve(),
                        now=build_clock(args.now), drafts=args.drafts, write=write,
                        cache=getattr(args, "cache", True),
                        link_check=getattr(args, "link_check", True))


def run_build(args: argparse.Namespace) -> int:
    from resnetgen.build import build
    report = build(build_options(args))
    print_problems(report.warnings)
    print(report.summary())
    return 0


def run_check(args: argparse.Namespace) -> int:
    from resnetgen.build import build
    report = build(build_options(args, write=False))
    print_problems(report.warnings)
    if report.warnings and args.strict:
        print(f"resnetgen: {len(report.warnings)} warnings (--strict)", file=sys.stderr)
        return 1
    print(f"Checked {report.pages} pages ({report.briefings} briefings): no errors"
          + (f", {len(report.warnings)} warnings" if report.warnings else ""))
    return 0


def print_problems(problems: list[Problem]) -> None:
    for problem in sorted(problems):
        print(problem, file=sys.stderr)
    errors = sum(1 for p in problems if p.severity == "error")
    if errors:
        print(f"resnetgen: {errors} {'error' if errors == 1 else 'errors'}; "
              "nothing was written", file=sys.stderr)
