"""`resnetgen new briefing|post "Title"`: start a new file with every field in place.

The file goes to content/<year>/<slug>.md (the year it is published), as a draft:
it shows in the preview, and is published once the editor writes `draft: false`.
Every field of the front matter is filled in or written as a comment to fill in.
An existing file is never overwritten.
"""

from __future__ import annotations

import argparse
import json
import re
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from resnetgen.cli import UsageError
from resnetgen.problems import Problems, did_you_mean

DEFAULT_TIME = "19:30"
DEFAULT_MINUTES = 60


def add_command(subparsers) -> None:
    new = subparsers.add_parser("new", help="start a new briefing or post")
    kinds = new.add_subparsers(title="what to start", metavar="KIND")
    briefing = kinds.add_parser("briefing", help="a post announcing a chat")
    briefing.add_argument("title", help='the title, in quotes: "Tweetchat: Thinking together"')
    briefing.add_argument("--date", required=True, help="the day of the chat, YYYY-MM-DD")
    briefing.add_argument("--time", default=DEFAULT_TIME,
                          help=f"when the chat starts, HH:MM in the site's timezone "
                          f"(default: {DEFAULT_TIME})")
    briefing.add_argument("--hosts", default="",
                          help="keys of content/people.toml, separated by commas: salpratten,lucy")
    briefing.add_argument("--now", help="the clock, as an ISO date-time (default: now)")
    briefing.set_defaults(func=run_new, kind="briefing")
    post = kinds.add_parser("post", help="an ordinary post")
    post.add_argument("title", help='the title, in quotes: "News from the network"')
    post.add_argument("--now", help="the clock, as an ISO date-time (default: now)")
    post.set_defaults(func=run_new, kind="post")


def run_new(args: argparse.Namespace) -> int:
    from resnetgen.clock import build_clock
    from resnetgen.config import load_config
    from resnetgen.people import load_people
    from resnetgen.urls import slugify

    site_dir = args.site.resolve()
    problems = Problems()
    config = load_config(site_dir, problems)
    problems.raise_if_errors()
    title = " ".join(args.title.split())
    slug = slugify(title)
    if not slug:
        raise UsageError(f"the title '{args.title}' needs letters or digits to make a file name from")
    published = build_clock(args.now).astimezone(config.zone).date()

    if args.kind == "briefing":
        start = chat_start(args.date, args.time, config.zone)
        people = load_people(site_dir, config, problems)
        problems.raise_if_errors()
        hosts = host_keys(args.hosts, people)
        text = briefing_text(config, title, published, start, hosts, sorted(people))
    else:
        start = None
        text = post_text(config, title, published)

    relative = f"content/{published.year}/{slug}.md"
    path = site_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise UsageError(f"{relative} already exists; nothing was changed (open that file, "
                         "or choose another title)") from None
    print(f"Created {relative}")
    if start is not None:
        print(f"The chat: {_when(config, start)}")
        if start.date() < published:
            print(f"Note: {start.date().isoformat()} is in the past; check the year of --date")
    print("It is a draft: `make serve` shows it; write draft: false when it is ready to publish.")
    return 0


def chat_start(day: str, clock: str, zone) -> datetime:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day.strip()):
        raise UsageError(f"--date '{day}' is not a date: write it as YYYY-MM-DD, such as 2027-01-27")
    try:
        chat_day = date.fromisoformat(day.strip())
    except ValueError:
        raise UsageError(f"--date '{day}' does not exist (check the month and the day)") from None
    match = re.fullmatch(r"([01]?\d|2[0-3])[:.]([0-5]\d)", clock.strip())
    if not match:
        raise UsageError(f"--time '{clock}' is not a time: write it as HH:MM on the 24-hour "
                         "clock, such as 19:30 for 7.30 pm")
    start = datetime.combine(chat_day, time(int(match[1]), int(match[2])), tzinfo=zone)
    round_trip = start.astimezone(timezone.utc).astimezone(zone)
    if round_trip.replace(tzinfo=None) != start.replace(tzinfo=None):
        raise UsageError(f"{day} {clock} does not exist in {zone.key}: the clocks go forward "
                         "then; choose another time")
    return start


def host_keys(option: str, people: dict) -> list[str]:
    by_handle = {p.handle.lower().lstrip("@"): key for key, p in people.items() if p.handle}
    keys = []
    for name in (part.strip() for part in option.split(",")):
        if not name:
            continue
        key = name if name in people else by_handle.get(name.lower().lstrip("@"))
        if key is None:
            hint = did_you_mean(name, people) if people else "content/people.toml lists nobody yet"
            raise UsageError(f"--hosts: unknown person '{name}' ({hint}; add new people "
                             "to content/people.toml first)")
        if key not in keys:
            keys.append(key)
    return keys


def _when(config, start: datetime) -> str:
    from resnetgen import timefmt
    from resnetgen.models import Chat
    chat = Chat(start=start, end=_end(start), timezone=config.timezone, hashtag=config.hashtag)
    return timefmt.chat_when(chat, config.timezone, config.timezone_label)


def _end(start: datetime) -> datetime:
    return (start.astimezone(timezone.utc) + timedelta(minutes=DEFAULT_MINUTES)).astimezone(start.tzinfo)


def _quote(text: str) -> str:
    """A YAML double-quoted string (JSON's quoting is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _common_fields(config, title: str, published: date, slug_hint: str) -> str:
    author = f"default: {config.author}" if config.author else "default: none"
    return f"""\
title: {_quote(title)}
date: {published.isoformat()}              # publication date; a time may follow: {published.isoformat()} 09:00
# updated: {published.isoformat()}         # when you last changed it, if you want readers to know
# summary: "One or two sentences."  # default: the first paragraph of the text
tags: []                      # topics, such as [communities of practice, tweetchat]
draft: true                   # true: only in the preview (make serve); false: published
# slug: {slug_hint:<21} # default: from the file name
# aliases: []                 # old addresses that must keep working: [/2018/01/old.html]
# author: "Your Name"         # {author} (site.toml's author)
# image: picture.png          # picture for link previews (beside the post, or a full URL)
# extra: {{}}                   # anything of your own, for custom templates
"""


def post_text(config, title: str, published: date) -> str:
    from resnetgen.urls import slugify
    return f"""---
{_common_fields(config, title, published, slugify(title))}---

<!-- Write the post here, in Markdown. Its first paragraph is the summary shown on the home page. -->
"""


def briefing_text(config, title: str, published: date, start: datetime, hosts: list[str],
                  known: list[str]) -> str:
    from resnetgen.urls import slugify
    known_text = ", ".join(known) if known else "none yet"
    host_lines = ("\n".join(f"  - {key}" for key in hosts) if hosts
                  else "  # - salpratten             # one key per line")
    moment = start.strftime("%Y-%m-%d %H:%M")
    return f"""---
{_common_fields(config, title, published, slugify(title))}chat:
  start: {moment}     # the chat's date and time, in the timezone below
  duration: {DEFAULT_MINUTES}                # minutes; or instead end: {_end(start).strftime('%Y-%m-%d %H:%M')}
  timezone: {config.timezone}
  hashtag: {_quote(config.hashtag)}
  status: scheduled           # scheduled | cancelled
  sequence: 0                 # add 1 each time you change the date or time of the chat
  uid: ""                     # calendar identity; leave it empty
hosts:                        # keys of content/people.toml: {known_text}
{host_lines}
# paper:                      # the paper of the chat: remove the '# ' at the start of these lines
#   title: "Title of the paper"
#   authors: [First Author, Second Author]
#   year: {start.year}
#   venue: Name of the journal
#   doi: 10.1177/0018726716684802  # its DOI, linked as https://doi.org/...
#   url: https://example.org/paper # used when there is no DOI
questions:                    # shown numbered Q1, Q2, ...: one per line, after '- '
  # - A first question?
---

The next {config.hashtag} Tweetchat takes place on {_when(config, start)}.

<!-- Write the briefing here, in Markdown: the paper, why it matters, how to join in. -->
"""
