"""A deterministic synthetic site of N briefings, for `make bench`, written twice:
as a resnetgen site and as the equivalent Hugo site (same posts, same front matter).

    python bench/generate.py --posts 1000 --out bench/sites/1000 [--seed 7]

Each briefing has about 3 KB of Markdown (headings, lists, links, emphasis), tags,
hosts from people.toml, a paper and questions. Same arguments, same bytes.
"""

from __future__ import annotations

import argparse
import random
import shutil
from datetime import datetime, timedelta
from pathlib import Path

WORDS = ("speech language therapy therapist child adult aphasia dysphagia stammering "
         "evidence practice research clinic service outcome assessment intervention "
         "communication swallowing voice literacy parent school hospital community "
         "caseload referral goal measure trial review qualitative survey interview "
         "reflection supervision caseload network paper method result finding theme "
         "barrier support family team training student placement").split()
TAGS = [f"topic {name}" for name in (
    "aphasia dysphagia stammering voice autism dld literacy bilingualism dementia "
    "stroke cleft aac hearing neonatal paediatrics adults research-methods "
    "evidence-based-practice supervision student-placements telehealth "
    "wellbeing leadership communities-of-practice outcomes qualitative trials "
    "reviews parents schools mental-health justice").split()]
HOSTS = [f"host{n:02d}" for n in range(30)]
FIRST = datetime(1990, 1, 3, 19, 30)
HUGO_LAYOUTS = Path(__file__).resolve().parent / "hugo-layouts"


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random) -> str:
    parts = [sentence(rng, rng.randint(8, 16)) for _ in range(rng.randint(3, 5))]
    parts[1] = parts[1].replace(" ", " *", 1).rstrip(".") + "*."
    return " ".join(parts)


def body(rng: random.Random, number: int) -> str:
    blocks = [paragraph(rng), paragraph(rng), "## What the paper found", paragraph(rng),
              "\n".join(f"- {sentence(rng, rng.randint(5, 9))}" for _ in range(4)),
              paragraph(rng), "## Before the chat",
              f"Read the paper, and see [the network's site](https://example.org/{number}) "
              f"for **background**. {sentence(rng, 12)}",
              paragraph(rng)]
    return "\n\n".join(blocks) + "\n"


def posts(count: int, seed: int):
    """(number, slug, front matter fields, body) of each post, oldest first."""
    rng = random.Random(seed)
    for number in range(count):
        start = FIRST + timedelta(days=7 * number)
        published = start - timedelta(days=7)
        title = f"Tweetchat {number}: {sentence(rng, 5).rstrip('.')}"
        slug = f"chat-{number:05d}"
        fields = {
            "title": title, "slug": slug,
            "date": published.strftime("%Y-%m-%d"),
            "tags": sorted(rng.sample(TAGS, 3)),
            "start": start,
            "hosts": sorted(rng.sample(HOSTS, 2)),
            "paper": {"title": sentence(rng, 8).rstrip("."),
                      "authors": [f"Author {rng.randint(1, 500)}" for _ in range(2)],
                      "year": 1990 + number // 52, "doi": f"10.1000/bench.{number}"},
            "questions": [sentence(rng, 10).rstrip(".") + "?" for _ in range(4)],
        }
        yield number, slug, fields, body(rng, number)


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def front_matter(fields: dict, hugo: bool) -> str:
    start = fields["start"]
    end = start + timedelta(hours=1)
    paper = fields["paper"]
    lines = [f"title: {quoted(fields['title'])}", f"date: {fields['date']}",
             "tags: [" + ", ".join(quoted(t) for t in fields["tags"]) + "]"]
    if hugo:  # Hugo wants its own params in `params`, ISO date-times, hosts as a taxonomy
        lines += [f"slug: {fields['slug']}", f"hosts: [{', '.join(fields['hosts'])}]", "params:",
                  f"  chat_start: {start.strftime('%Y-%m-%dT%H:%M:%S')}Z",
                  f"  chat_end: {end.strftime('%Y-%m-%dT%H:%M:%S')}Z"]
        indent = "  "
    else:
        lines += ["chat:", f"  start: {start.strftime('%Y-%m-%d %H:%M')}",
                  f"  end: {end.strftime('%Y-%m-%d %H:%M')}",
                  f"hosts: [{', '.join(fields['hosts'])}]"]
        indent = ""
    lines += [f"{indent}paper:", f"{indent}  title: {quoted(paper['title'])}",
              f"{indent}  authors: [" + ", ".join(quoted(a) for a in paper["authors"]) + "]",
              f"{indent}  year: {paper['year']}", f"{indent}  doi: {paper['doi']}",
              f"{indent}questions:"]
    lines += [f"{indent}  - {quoted(q)}" for q in fields["questions"]]
    return "---\n" + "\n".join(lines) + "\n---\n\n"


SITE_TOML = """\
title = "Bench Network"
description = "A synthetic archive of tweetchat briefings."
base_url = "https://bench.example.org/"
posts_per_page = 10
"""

HUGO_TOML = """\
baseURL = "https://bench.example.org/"
title = "Bench Network"
languageCode = "en-gb"
disableKinds = ["robotsTXT"]
buildFuture = true  # upcoming chats are built, as resnetgen builds them
[pagination]
pagerSize = 10
[taxonomies]
tag = "tags"
host = "hosts"
[permalinks.page]
posts = "/:year/:month/:slug/"
[services.rss]
limit = 20
[mediaTypes."text/calendar"]
suffixes = ["ics"]
[mediaTypes."application/atom+xml"]
suffixes = ["xml"]
[outputFormats.Calendar]
mediaType = "text/calendar"
baseName = "calendar"
isPlainText = true
[outputFormats.Atom]
mediaType = "application/atom+xml"
baseName = "atom"
isPlainText = true
[outputFormats.Events]
mediaType = "text/html"
baseName = "index"
path = "events"
isHTML = true
[outputs]
home = ["HTML", "RSS", "Atom", "Calendar", "Events"]
page = ["HTML", "Calendar"]
section = ["HTML"]
taxonomy = ["HTML"]
term = ["HTML", "RSS", "Atom"]
"""


def generate(count: int, out: Path, seed: int = 7) -> None:
    if out.exists():
        shutil.rmtree(out)
    site, hugo = out / "resnetgen", out / "hugo"
    (site / "content").mkdir(parents=True)
    (site / "site.toml").write_text(SITE_TOML)
    (site / "content" / "people.toml").write_text("".join(
        f'[{key}]\nname = "Host {key[4:]}"\nhandle = "@{key}"\n\n' for key in HOSTS))
    (hugo / "content" / "posts").mkdir(parents=True)
    (hugo / "hugo.toml").write_text(HUGO_TOML)
    shutil.copytree(HUGO_LAYOUTS, hugo / "layouts")
    for number, slug, fields, text in posts(count, seed):
        folder = site / "content" / fields["date"][:4]
        folder.mkdir(exist_ok=True)
        (folder / f"{slug}.md").write_text(front_matter(fields, hugo=False) + text)
        (hugo / "content" / "posts" / f"{slug}.md").write_text(front_matter(fields, hugo=True) + text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.posts, args.out, args.seed)


if __name__ == "__main__":
    main()
