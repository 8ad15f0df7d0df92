"""`resnetgen import blogger EXPORT [--into content/] [--comments keep|drop] [--force]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_command(commands) -> None:
    parser = commands.add_parser("import", help="bring posts in from another platform")
    sources = parser.add_subparsers(title="platforms", metavar="PLATFORM")
    blogger = sources.add_parser(
        "blogger", help="import a Blogger export (both the classic backup and feed.atom)",
        description="Import a Blogger export: posts, pages, drafts, labels and comments. "
                    "Old addresses keep working; chat announcements become briefings.")
    blogger.add_argument("export", type=Path, help="the exported .xml or feed.atom file")
    blogger.add_argument("--into", default="content",
                         help="folder for posts, inside the site's content/ (default: content)")
    blogger.add_argument("--comments", choices=("keep", "drop"), default="keep",
                         help="keep the old comments as an archive under each post (default)")
    blogger.add_argument("--force", action="store_true",
                         help="replace files even if they were changed since the last import")
    blogger.add_argument("--dry-run", action="store_true",
                         help="say what would happen, write nothing")
    blogger.add_argument("--site", type=Path, default=argparse.SUPPRESS,
                         help="the site folder (default: the current folder)")
    blogger.set_defaults(func=run_blogger)
    parser.set_defaults(func=lambda args: parser.print_help() or 2)


def run_blogger(args: argparse.Namespace) -> int:
    from resnetgen.cli import UsageError
    from resnetgen.config import load_config
    from resnetgen.importer.blogger import import_blogger
    from resnetgen.importer.exports import ExportError
    from resnetgen.importer.manifest import ManifestError
    from resnetgen.importer.people_file import PeopleFileError
    from resnetgen.importer.report import summary_lines
    from resnetgen.loader import load_content
    from resnetgen.problems import Problems
    from resnetgen.source import PEOPLE_FILE

    site_dir = args.site.resolve()
    if not site_dir.is_dir():
        raise UsageError(f"--site {args.site}: no such folder")
    if not args.export.is_file():
        raise UsageError(f"{args.export}: no such file")
    into = (site_dir / args.into).resolve()
    if not into.is_relative_to(site_dir / "content"):
        raise UsageError(f"--into {args.into}: must be the site's content folder or a folder in it")
    problems = Problems()
    config = load_config(site_dir, problems)
    problems.raise_if_errors()
    try:
        result = import_blogger(site_dir, config, args.export,
                                into.relative_to(site_dir).as_posix(),
                                keep_comments=args.comments == "keep", force=args.force,
                                dry_run=args.dry_run)
    except ExportError as error:
        problems.error(str(args.export), error.line, error.message, error.hint)
    except PeopleFileError as error:
        problems.error(PEOPLE_FILE, error.line, error.message, "correct it, then import again")
    except ManifestError as error:
        problems.error("content/.import-blogger.json", 1, str(error))
    problems.raise_if_errors()
    for line in summary_lines(result):
        print(line)
    if not args.dry_run:
        # The imported files must build: say so now, not at the next build.
        load_content(site_dir, config, problems, include_drafts=True)
        for problem in sorted(problems.items):
            print(problem, file=sys.stderr)
        if problems.errors:
            print("The site does not build yet: correct the lines above, then run "
                  "`resnetgen check`.")
            return 1
    return 0
