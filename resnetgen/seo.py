"""Structured data (JSON-LD) for search engines and link previews."""

from __future__ import annotations

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
