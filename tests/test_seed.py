"""The real content: every fact of the old blog's post reaches its briefing page."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from bs4 import BeautifulSoup

from conftest import NOW, REPO, build_site

# A copy of ../shared/seed/000_d8012d1143bebd82.txt, the old blog's post.
SEED = REPO / "tests" / "fixtures" / "seed-post.txt"


def build_real_site(tmp_path: Path) -> Path:
    site_dir = tmp_path / "site"
    site_dir.mkdir()
    shutil.copy(REPO / "site.toml", site_dir / "site.toml")
    shutil.copytree(REPO / "content", site_dir / "content")
    build_site(site_dir, now=NOW)
    return site_dir / "output"


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_bullet_and_question_of_the_seed_is_on_the_page(tmp_path):
    out = build_real_site(tmp_path)
    soup = BeautifulSoup((out / "2018/01/thinking-together/index.html").read_text(), "html.parser")
    page_text = normalise(soup.find("main").get_text(" "))
    items = [normalise(li.get_text(" ")) for li in soup.find("main").find_all("li")]

    seed = SEED.read_text(encoding="utf-8")
    bullets = re.findall(r"^\s*•\s*(.+)$", seed, re.M)
    assert len(bullets) == 13
    for bullet in bullets:
        assert any(normalise(bullet) in item for item in items), bullet
    for heading in ("Communities of Practice", "'Thinking together'",
                    "It is relevant to consider this in relation to ResNetSLT both in terms of:"):
        assert heading in page_text
    for sentence in re.split(r"(?<=[.:])\s+|\n+", seed.split("Communities of Practice:")[0]):
        if sentence.strip():
            assert normalise(sentence) in page_text, sentence

    questions = [normalise(li.get_text(" ")) for li in soup.select("section.questions li")]
    assert questions == [
        "Q1 Do you believe you are a member of a CoP?",
        "Q2 Name some examples of organised CoPs you have been involved in?",
        "Q3 Name some examples of CoPs that develop spontaneously that you have been involved in?",
        "Q4 What are the barriers to developing effective CoPs in your current post/role? "
        "And how could we overcome those barriers?",
    ]


def test_the_chat_facts_are_structured(tmp_path):
    out = build_real_site(tmp_path)
    soup = BeautifulSoup((out / "2018/01/thinking-together/index.html").read_text(), "html.parser")
    facts = soup.find("section", class_="chat-facts")
    when = facts.find("time")
    assert when.get_text() == "Wednesday 31 January 2018, 7.30–8.30 pm UK time"
    assert when["datetime"] == "2018-01-31T19:30:00+00:00"
    assert when["data-end"] == "2018-01-31T20:30:00+00:00"
    assert facts.find("a", string="#ResNetSLT")
    hosts = [normalise(li.get_text(" ")) for li in facts.select("ul.hosts li")]
    assert hosts == ["Sally Pratten ( @salpratten )", "Lucy Benjamin ( @lucybenjaminSLT )"]
    assert soup.find(class_="citation").find("cite").get_text() == \
        "Thinking together: What makes Communities of Practice work?"
    assert (out / "about/index.html").is_file()
    home = BeautifulSoup((out / "index.html").read_text(), "html.parser")
    assert home.find("a", href="/blog/2018/01/thinking-together/")
