"""Structured data (JSON-LD) for search engines and link previews."""

from __future__ import annotations

from json.encoder import encode_basestring as _text  # json's own quoting of text (in C)

from resnetgen.config import SiteConfig
from resnetgen.models import Post

SCHEMA = "https://schema.org"


def website_ld(config: SiteConfig) -> dict:
    return {"@context": SCHEMA, "@type": "WebSite", "name": config.title,
            "description": config.description, "url": config.base_url,
            "inLanguage": config.language}


def webpage_ld(config: SiteConfig, title: str, permalink: str, description: str) -> dict:
    """For listing pages (topics, hosts, archive): what the page is and whose site."""
    return {"@context": SCHEMA, "@type": "WebPage", "name": title, "url": permalink,
            "description": description or config.description, "inLanguage": config.language,
            "isPartOf": {"@type": "WebSite", "name": config.title, "url": config.base_url}}


def post_ld(post: Post, config: SiteConfig) -> list[dict] | dict:
    """BlogPosting for every post; a briefing adds its chat as an online Event."""
    organisation = {"@type": "Organization", "name": config.title, "url": config.base_url}
    author = ({"@type": "Person", "name": post.author} if post.author else organisation)
    article = {
        "@context": SCHEMA, "@type": "BlogPosting", "headline": post.title,
        "description": post.summary, "url": post.permalink,
        "mainEntityOfPage": post.permalink, "datePublished": post.date.isoformat(),
        "dateModified": post.last_modified.isoformat(), "author": author,
        "publisher": organisation, "inLanguage": config.language,
    }
    if post.tags:
        article["keywords"] = ", ".join(post.tags)
    if post.image:
        article["image"] = post.image
    if post.chat is None:
        return article
    chat = post.chat
    hashtag_link = config.hashtag_url.format(tag=chat.hashtag.lstrip("#"))
    event = {
        "@context": SCHEMA, "@type": "Event", "name": post.title,
        "description": post.summary, "url": post.permalink,
        "startDate": chat.start.isoformat(), "endDate": chat.end.isoformat(),
        "eventAttendanceMode": f"{SCHEMA}/OnlineEventAttendanceMode",
        "eventStatus": f"{SCHEMA}/{'EventCancelled' if chat.cancelled else 'EventScheduled'}",
        "location": {"@type": "VirtualLocation", "url": hashtag_link},
        "organizer": organisation, "isAccessibleForFree": True,
    }
    if post.hosts:
        event["performer"] = [
            {"@type": "Person", "name": h.name, **({"url": h.profile_url} if h.profile_url else {})}
            for h in post.hosts]
    if post.paper:
        work = {"@type": "ScholarlyArticle", "name": post.paper.title}
        if post.paper.link:
            work["url"] = post.paper.link
        event["about"] = work
    return [article, event]


class PostLdText:
    """post_ld's JSON, as the json_ld filter prints it (keys sorted, no spaces, text as
    json writes it), written directly for one site's settings: without post_ld's dicts,
    made only if a template reads page.json_ld, nor json's encoder sorting them (~25 us
    of a briefing's page, a fifth of its rendering). tests/test_json_ld.py checks that
    both agree; a field added to post_ld goes here too."""

    def __init__(self, config: SiteConfig):
        self.organisation = (f'{{"@type":"Organization","name":{_text(config.title)},'
                             f'"url":{_text(config.base_url)}}}')
        self.language = _text(config.language)
        self.hashtag_url = config.hashtag_url

    def __call__(self, post: Post) -> str:
        link, title, summary = _text(post.permalink), _text(post.title), _text(post.summary)
        published = post.date.isoformat()
        modified = published if post.last_modified is post.date else post.last_modified.isoformat()
        parts = ['{"@context":"', SCHEMA, '","@type":"BlogPosting","author":',
                 f'{{"@type":"Person","name":{_text(post.author)}}}' if post.author
                 else self.organisation,
                 ',"dateModified":"', modified, '","datePublished":"', published,
                 '","description":', summary, ',"headline":', title]
        if post.image:
            parts += ',"image":', _text(post.image)
        parts += ',"inLanguage":', self.language
        if post.tags:
            parts += ',"keywords":', _text(", ".join(post.tags))
        parts += (',"mainEntityOfPage":', link, ',"publisher":', self.organisation,
                  ',"url":', link, "}")
        chat = post.chat
        if chat is None:
            return "".join(parts)
        parts[0] = '[{"@context":"'
        parts += ',{"@context":"', SCHEMA, '","@type":"Event"'
        if post.paper:
            parts += ',"about":{"@type":"ScholarlyArticle","name":', _text(post.paper.title)
            if post.paper.link:
                parts += ',"url":', _text(post.paper.link)
            parts.append("}")
        hashtag_link = self.hashtag_url.format(tag=chat.hashtag.lstrip("#"))
        parts += (',"description":', summary, ',"endDate":"', chat.end.isoformat(),
                  '","eventAttendanceMode":"', SCHEMA, '/OnlineEventAttendanceMode",'
                  '"eventStatus":"', SCHEMA,
                  '/EventCancelled"' if chat.cancelled else '/EventScheduled"',
                  ',"isAccessibleForFree":true,"location":{"@type":"VirtualLocation","url":',
                  _text(hashtag_link), '},"name":', title, ',"organizer":', self.organisation)
        if post.hosts:
            parts.append(',"performer":[')
            for index, host in enumerate(post.hosts):
                parts += ',{"@type":"Person","name":' if index else '{"@type":"Person","name":', _text(host.name)
                if host.profile_url:
                    parts += ',"url":', _text(host.profile_url)
                parts.append("}")
            parts.append("]")
        parts += ',"startDate":"', chat.start.isoformat(), '","url":', link, "}]"
        return "".join(parts)
