"""Recognise a chat announcement in an old post: when, who hosts, which paper, questions.

Each part is read only when the text says it plainly, in the forms the old blog used:
"will take place on Wednesday, 31st January (7.30 - 8.30pm)", "hosted by Sally
Pratten (@salpratten) and Lucy Benjamin (@lucybenjaminSLT)", "based around the paper
'...'", and "Questions for our Tweetchat discussions:" above a list. Anything that
looks like part of an announcement but cannot be read with confidence stays in the
text and becomes a note for the import report: nothing is guessed silently.
Without a chat time nothing is taken out of the text at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bs4 import Tag

from resnetgen.importer.html_to_markdown import block_text

MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december"]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTH = r"(?P<month>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_WEEKDAY = r"(?P<weekday>mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?"
_YEAR = r"(?:,?\s+(?P<year>\d{4}))?"
_CLOCK1 = r"(?P<h1>\d{1,2})(?:[.:](?P<m1>\d{2}))?\s*(?P<ap1>[ap]\.?m\.?)?"
_CLOCK2 = r"(?P<h2>\d{1,2})(?:[.:](?P<m2>\d{2}))?\s*(?P<ap2>[ap]\.?m\.?)?"
_RANGE = (r"[\s,]*(?:from\s+|at\s+|between\s+)?\(?\s*" + _CLOCK1 +
          r"(?:\s*(?:-|–|—|to|until|till|and)\s*" + _CLOCK2 + r")?\s*\)?")
CHAT_WHEN = [
    re.compile(r"\b" + _WEEKDAY + r"\s+(?:the\s+)?" + _DAY + r"\s+(?:of\s+)?" + _MONTH + _YEAR + _RANGE, re.I),
    re.compile(r"\b" + _WEEKDAY + r"\s+" + _MONTH + r"\s+" + _DAY + _YEAR + _RANGE, re.I),
]
DATE_MENTION = re.compile(r"\b(?:%s)[a-z]*\b[^.]{0,20}\b\d{1,2}(?:st|nd|rd|th)?\b"
                          % "|".join(w[:3] for w in WEEKDAYS), re.I)
CHAT_WORD = re.compile(r"tweet\s?chat|twitter\s+chat|\bchat\b", re.I)
HOSTED_BY = re.compile(r"\bhosted\s+by\s+(?P<list>.+?)(?:(?<![\s.][A-Z])[.!?](?=\s|$)|$)", re.I)
HOST = re.compile(r"(?P<name>[^\W\d_][\w'’.-]*(?:\s+[^\W\d_][\w'’.-]*){0,4})\s*"
                  r"\(\s*(?P<handle>@\w{1,15})\s*\)")
PAPER = re.compile(r"\b(?:the|a|this|our)\s+(?:paper|article|study)\s*(?:called|entitled|titled)?"
                   r"\s*[:,]?\s*(?P<open>['‘\"“])(?P<title>.+?)['’\"”](?=[\s.,;:!?)]|$)", re.I)
DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"'<>]+?)(?=[.,;:)\]]*(?:\s|$))")
QUESTIONS_HEADING = re.compile(r"^(?:[\w#@]+\s+){0,3}questions?\b[^.?!]{0,60}:?$", re.I)
NUMBERED_QUESTION = re.compile(r"^Q\s?(\d{1,2})\s*[.:)\-–]\s*(?P<text>.+)$", re.I)
HASHTAG = re.compile(r"#\w+")
LONGEST_CHAT = timedelta(hours=4)


@dataclass
class Recognised:
    chat: dict | None = None                # start, end, timezone, hashtag: front matter values
    hosts: list[tuple[str, str]] = field(default_factory=list)   # (name, handle)
    paper: dict | None = None
    questions: list[str] = field(default_factory=list)
    blocks: list[Tag] = field(default_factory=list)              # what stays in the text
    notes: list[str] = field(default_factory=list)               # for the editor

    @property
    def start_utc(self) -> datetime | None:
        return self._moment("start")

    def _moment(self, key: str) -> datetime | None:
        if not self.chat:
            return None
        wall = datetime.strptime(self.chat[key], "%Y-%m-%d %H:%M")
        return wall.replace(tzinfo=ZoneInfo(self.chat["timezone"])).astimezone(ZoneInfo("UTC"))


def recognise(title: str, blocks: list[Tag], published: datetime, timezone: str,
              hashtag: str) -> Recognised:
    texts = [block_text(b) for b in blocks]
    whole = " ".join([title, *texts])
    result = Recognised(blocks=list(blocks))
    if not CHAT_WORD.search(whole) and hashtag.lower() not in whole.lower():
        return result
    found, problems = find_chat_times(texts, published.date())
    if not found:
        looks_like = (DATE_MENTION.search(whole) or HOSTED_BY.search(whole)
                      or any(QUESTIONS_HEADING.match(t) for t in texts))
        if looks_like:
            result.notes.append("looks like a chat announcement, but "
                                + (problems[0] if problems else "no chat date and hours were found")
                                + "; the text was left as it is: add chat: by hand if it is one")
        return result
    if len(found) > 1:
        result.notes.append("the text names more than one chat time ("
                            + ", ".join(f"{s:%d %B %Y %H:%M}" for s, _, _ in found)
                            + "); the text was left as it is: add chat: by hand")
        return result
    start, end, chat_block = found[0]
    result.chat = {"start": f"{start:%Y-%m-%d %H:%M}", "end": f"{end:%Y-%m-%d %H:%M}",
                   "timezone": timezone, "hashtag": hashtag}
    others = HASHTAG.findall(texts[chat_block])
    if hashtag.lower() not in whole.lower() and others:
        result.chat["hashtag"] = others[0]
        result.notes.append(f"the chat's hashtag was read as {others[0]}, from \""
                            f"{shorten(texts[chat_block])}\": check it")
    spans: dict[int, list[tuple[int, int]]] = {chat_block: [match_span(texts[chat_block])]}
    read_hosts(texts, result, spans)
    read_paper(blocks, texts, whole, result, spans)
    dropped = read_questions(blocks, texts, result)
    result.blocks = [b for i, b in enumerate(blocks) if i not in dropped
                     and not (i in spans and only_announcement(b, texts[i], spans[i]))]
    for index in sorted(spans):
        if any(block is blocks[index] for block in result.blocks):
            result.notes.append(f"kept in the text, because it says more than the chat's "
                                f"facts: \"{shorten(texts[index])}\"")
    return result


def find_chat_times(texts: list[str], published: date):
    """Each distinct (start, end, block) announced, and why others were not read."""
    found, problems = [], []
    for index, text in enumerate(texts):
        for pattern in CHAT_WHEN:
            for match in pattern.finditer(text):
                read = read_chat_time(match, published)
                if isinstance(read, str):
                    problems.append(read)
                elif not any(read == (s, e) for s, e, _ in found):
                    found.append((*read, index))
    return found, problems


def read_chat_time(match: re.Match, published: date):
    """(start, end) as naive wall-clock times, or a sentence saying why not."""
    quoted = f"\"{match.group(0).strip()}\""
    month = next(i for i, m in enumerate(MONTHS, 1) if m.startswith(match["month"].lower()[:3]))
    day = int(match["day"])
    year = int(match["year"]) if match["year"] else published.year
    try:
        when = date(year, month, day)
        if not match["year"] and when < published - timedelta(days=60):
            when = date(year + 1, month, day)   # a December post announcing January's chat
    except ValueError:
        return f"{quoted} is not a real date"
    weekday = next(i for i, w in enumerate(WEEKDAYS) if w.startswith(match["weekday"].lower()[:3]))
    if when.weekday() != weekday:
        return (f"{quoted} says {WEEKDAYS[weekday].title()}, but {when:%d %B %Y} is a "
                f"{when:%A}")
    times = read_hours(match)
    if isinstance(times, str):
        return f"the hours in {quoted} {times}"
    (h1, m1), (h2, m2) = times
    start = datetime(when.year, when.month, when.day, h1, m1)
    end = datetime(when.year, when.month, when.day, h2, m2)
    if not start < end <= start + LONGEST_CHAT:
        return f"the hours in {quoted} do not make a chat of up to four hours"
    return start, end


def read_hours(match: re.Match):
    h1, m1, ap1 = int(match["h1"]), int(match["m1"] or 0), meridiem(match["ap1"])
    if match["h2"] is None:
        if not ap1 and h1 < 13:
            return "give no end and no am or pm"
        h2, m2, ap2 = None, 0, ap1
    else:
        h2, m2, ap2 = int(match["h2"]), int(match["m2"] or 0), meridiem(match["ap2"])
    if not ap1 and not ap2 and max(h1, h2 or 0) < 13:
        return "say neither am nor pm"
    if max(h1, h2 or 0) > 23 or max(m1, m2) > 59:
        return "are not a time of day"
    ap1 = ap1 or ap2
    start = to_24(h1, ap1)
    if h2 is None:
        return (start, m1), ((start + 1) % 24, m1)
    end = to_24(h2, ap2 or ap1)
    if not match["ap1"] and (start, m1) >= (end, m2) and ap1 == "pm":
        start = to_24(h1, "am")       # "11.30 - 12.30pm": the morning
    return (start, m1), (end, m2)


def meridiem(text: str | None) -> str:
    return text.lower().replace(".", "") if text else ""


def to_24(hour: int, ap: str) -> int:
    if ap == "pm" and hour < 12:
        return hour + 12
    if ap == "am" and hour == 12:
        return 0
    return hour


def match_span(text: str) -> tuple[int, int]:
    for pattern in CHAT_WHEN:
        match = pattern.search(text)
        if match:
            return match.span()
    return (0, 0)


def read_hosts(texts: list[str], result: Recognised, spans: dict) -> None:
    for index, text in enumerate(texts):
        match = HOSTED_BY.search(text)
        if not match:
            continue
        parts = [p for p in re.split(r",\s*(?:and\s+)?|\s+and\s+|\s*&\s*", match["list"].strip()) if p]
        hosts = [HOST.fullmatch(p.strip()) for p in parts]
        if not hosts or not all(hosts):
            result.notes.append(f"could not read every host in \"{shorten(match.group(0))}\" "
                                "(each should be written as Name (@handle)); add hosts: by hand")
            continue
        result.hosts = [(" ".join(h["name"].split()), h["handle"]) for h in hosts]
        spans.setdefault(index, []).append(match.span())
        return


def read_paper(blocks: list[Tag], texts: list[str], whole: str, result: Recognised,
               spans: dict) -> None:
    doi = DOI.search(whole)
    for index, text in enumerate(texts):
        match = PAPER.search(text)
        if not match:
            continue
        title = match["title"].strip()
        if len(title.split()) < 2:
            result.notes.append(f"the paper's title in \"{shorten(match.group(0))}\" could not be "
                                "read with confidence; add paper: by hand")
            return
        paper = {"title": title}
        link = next((a for a in blocks[index].find_all("a", href=True)
                     if a.get_text(" ", strip=True) and a.get_text(" ", strip=True) in title), None)
        if doi:
            paper["doi"] = doi.group(1)
        elif link is not None and re.match(r"^https?://", link["href"]):
            paper["url"] = link["href"]
        result.paper = paper
        spans.setdefault(index, []).append(match.span())
        return


def read_questions(blocks: list[Tag], texts: list[str], result: Recognised) -> set[int]:
    """Reads the questions; returns the indexes of the blocks they came from."""
    for index, text in enumerate(texts):
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if not QUESTIONS_HEADING.match(text) or blocks[index].name not in ("p", "h2", "h3", "h4"):
            continue
        if following is None or following.name not in ("ul", "ol"):
            result.notes.append(f"\"{shorten(text)}\" is not followed by a list; "
                                "the questions were left in the text: add questions: by hand")
            return set()
        items = following.find_all("li", recursive=False)
        if any(li.find(["a", "img", "ul", "ol"]) for li in items):
            result.notes.append("the questions contain links, pictures or sub-lists; they were "
                                "left in the text: add questions: by hand")
            return set()
        questions = [strip_number(" ".join(li.get_text(" ").split())) for li in items]
        result.questions = [q for q in questions if q]
        return {index, index + 1}
    numbered = [i for i, t in enumerate(texts) if NUMBERED_QUESTION.match(t) and blocks[i].name == "p"]
    if len(numbered) >= 2 and numbered == list(range(numbered[0], numbered[-1] + 1)):
        result.questions = [NUMBERED_QUESTION.match(texts[i])["text"].strip() for i in numbered]
        return set(numbered)
    return set()


def strip_number(text: str) -> str:
    match = NUMBERED_QUESTION.match(text)
    return match["text"].strip() if match else text


def only_announcement(block: Tag, text: str, spans: list[tuple[int, int]]) -> bool:
    """True when every sentence of the block holds a recognised fact and nothing else
    (no picture, no link other than the paper's)."""
    if block.name != "p" or block.find("img"):
        return False
    masked = text
    for start, end in sorted(spans, reverse=True):
        masked = masked[:start] + "\x00" * (end - start) + masked[end:]
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z#@'‘\"“(])", masked)
    return all("\x00" in s for s in sentences if s.strip())


def shorten(text: str, limit: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"
