"""A quick rebuild after an edit to one post's body: its own pages rendered again, and
nothing else of the site loaded.

It applies when, since the last build (which passed), exactly one post's file changed
and nothing else did (settings, templates, people, static files, code, options, the
set of files, no chat gone from upcoming to past), output/ is as that build left it,
and the post as listings see it is the same (its listing digest: title, dates, tags,
summary, URL... all but its body), as are its links to other files, its warnings and
its editor facts. Then every listing, calendar, sitemap and feed not showing that post
has the same key as before (fingerprint: listings count a post without its body), so
a full rebuild would keep them all: only the post's own pages (pages.own_pages) can
change, with the feeds that show it (with its body). Those are rendered, their links
checked, and output/ and the cache updated for them alone.

Anything else (a title edit, a new link, an error, a warning that changed, a page's
fragment ids that changed) returns None before anything is written: the full rebuild
then runs, and reports every problem as it always does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from resnetgen.cache import CachedPost, OutputRecord, digest
from resnetgen.post_cache import read_some
from resnetgen.problems import ERROR, Problems

if TYPE_CHECKING:
    from resnetgen.build import BuildOptions, BuildReport
    from resnetgen.config import SiteConfig
    from resnetgen.incremental import Incremental
    from resnetgen.linkcheck import PageLinks
    from resnetgen.models import Post


# What the last build kept for a quick rebuild (see Incremental.finish).
KEPT = ("surface", "whole_site", "body_readers", "static", "options", "racy", "feeds",
        "posts_key", "page_count", "site_wide", "summary")


MAX_IDS = 1000  # a fragment target's ids kept in the cache, at most


class NotQuick(Exception):
    """This edit needs the full rebuild."""


def quick_edit(options: "BuildOptions", config: "SiteConfig", incremental: "Incremental",
               report: "BuildReport") -> "BuildReport | None":
    """`report` filled in and output/ and the cache updated, or None (nothing written)
    when the edit is not a quick one."""
    # output/ as the last build left it (21,000 files stat'ed at 10,000 posts): on the
    # other core, while this one renders the post and checks its links; or, when the
    # edit is not quick, while it loads the site (see Incremental.check_outputs_aside).
    incremental.check_outputs_aside()
    try:
        edit = Edit(options, config, incremental, *edited_post(options, incremental))
        outputs = edit.render()
        links = edit.check_links(outputs) if options.link_check else 0
        if not incremental.outputs_intact():
            raise NotQuick
    except (NotQuick, OSError):  # OSError: a file moved while read; the full build says
        return None
    edit.commit(outputs, links, report)
    return report


def edited_post(options: "BuildOptions", incremental: "Incremental") -> tuple[str, str]:
    """The one content file whose edit may be quick, and its digest in the last build."""
    from resnetgen.pages import LISTING_TEMPLATES
    last = incremental.cache.last_build
    if (any(name not in last for name in KEPT) or last["surface"] != incremental.surface
            or last["whole_site"] or last.get("static") != incremental.static
            or last.get("options") != incremental.options
            or not LISTING_TEMPLATES.isdisjoint(last.get("body_readers", LISTING_TEMPLATES))):
        raise NotQuick
    changed = incremental.changed_inputs()
    if changed is None or len(changed) != 1:
        raise NotQuick
    (path, (before, now)), = changed.items()
    if not path.startswith("content/") or not path.endswith(".md") or not before or not now:
        raise NotQuick  # not a post, a new one, or one deleted
    if not incremental.same_clock():
        raise NotQuick
    return path, before


def last_post_digests(incremental: "Incremental") -> dict[str, str]:
    """The post digests the last build saved (see Incremental.page_keys), or {}."""
    saved = incremental.saved_digests()
    if (type(saved) is tuple and len(saved) == 2
            and saved[0] == incremental.cache.last_build.get("inputs") and type(saved[1]) is dict):
        return saved[1]
    return {}


class Edit:
    """The edited post, read and rendered again, and its pages."""

    def __init__(self, options: "BuildOptions", config: "SiteConfig",
                 incremental: "Incremental", path: str, before: str):
        from resnetgen.loader import Reading, _render_one, listing_digest
        from resnetgen.people import load_people
        from resnetgen.post_cache import read_one
        from resnetgen.urls import Urls
        self.options, self.config, self.incremental, self.path = options, config, incremental, path
        cache, site_dir = incremental.cache, options.site_dir
        found = Problems()
        people = load_people(site_dir, config, found)
        reading = Reading(site_dir, config, people, Urls(config), cache, options.drafts)
        self.old = read_one(cache, path, f"{reading.context}{before}\x00{path}")
        self.digests = last_post_digests(incremental)
        if (self.old is None or any(p.severity == ERROR for p in found.items)
                or self.digests.get(path) != self.old.digest):
            # not the last build's post (a failed build or `serve --drafts` can leave
            # the posts' shards ahead of it): its lookups may not be that build's
            raise NotQuick
        source, post, head = reading._read_one(path)
        if post is None or post.draft and not options.drafts:
            raise NotQuick
        try:
            post, lookups, body = _render_one(source, post, Lookups(self.old.lookups), config)
        except KeyError:
            raise NotQuick from None  # it looks up another file than before
        warnings = (*head, *body)
        if (any(p.severity == ERROR for p in warnings) or warnings != self.old.warnings
                or post.facts != self.old.post.facts):
            raise NotQuick  # an error (reported by the full build), or other warnings
        listing = listing_digest(reading.context, source, post)
        if listing != self.old.listing:
            raise NotQuick  # a listing shows it otherwise: a title, a date, a tag...
        key = reading._key(path)
        self.post, self.context = post, reading.context
        self.feed_files: set[str] = set()   # the feed files among the outputs made
        # output path -> (digest of its bytes, is_html, is_redirect, ids): see `target`
        self.targets: dict[str, tuple] = dict(cache.last_build.get("targets", {}))
        self.cached = CachedPost(post, lookups, tuple(warnings), key, listing,
                                 digest(key, lookups))

    def render(self) -> dict[str, tuple[bytes, str]]:
        """output path -> (bytes, key) of the post's pages whose key changed."""
        from resnetgen.fingerprint import Fingerprints
        from resnetgen.pages import own_pages
        from resnetgen.render import render_pages
        from resnetgen.site import Site
        from resnetgen.theme import make_environment
        from resnetgen.urls import Urls
        incremental, config, post = self.incremental, self.config, self.post
        last = incremental.cache.last_build
        # A site of this post alone: its pages' templates read of `site` only what
        # needs no other post (`whole_site` is False: see fingerprint).
        site = Site(config, Urls(config), self.options.now, (post,), (), {}, (), (), (), (), ())
        fingerprints = Fingerprints(incremental.surface, {self.path: self.cached.digest},
                                    self.options.now, False, {self.path: self.cached.listing},
                                    last["body_readers"], incremental.outputs_surface)
        specs = self.feeds(fingerprints)
        todo, keys = [], {}
        for page in own_pages(site, post):
            keys[page.output_path] = key = fingerprints.page_key(page)
            if page.output_path not in incremental.cache.raw_outputs:
                raise NotQuick
            if incremental.reuse(page.output_path, key) is None:
                todo.append(page)
        problems = Problems()
        env = make_environment(self.options.site_dir, config,
                               incremental.cache.compiled_templates())
        outputs = {path: (data, keys[path]) for path, data, _ in
                   render_pages(site, todo, env, self.options.site_dir, problems)}
        if problems.items or len(outputs) != len(todo):
            raise NotQuick
        outputs.update(self.feed_outputs(site, specs, fingerprints))
        return outputs

    def feeds(self, fingerprints) -> list:
        """The feeds showing the post (FeedSpec), their other posts from the cache (and
        their digests added to `fingerprints`, which key each feed file on its posts)."""
        from resnetgen.feeds import FeedSpec
        cache, last = self.incremental.cache, self.incremental.cache.last_build
        showing = {folder: spec for folder, spec in last["feeds"].items() if self.path in spec[3]}
        others = {path for spec in showing.values() for path in spec[3]} - {self.path}
        keys = {}
        for path in others:
            known = cache.files.get(path)
            keys[path] = f"{self.context}{known[3] if known else last['racy'].get(path)}\x00{path}"
        cached = read_some(cache, keys) if others else {}
        if cached is None:
            raise NotQuick
        cached[self.path] = self.cached
        fingerprints.post_digests.update((path, c.digest) for path, c in cached.items())
        return [FeedSpec(folder, title, description, page_route,
                         tuple(cached[path].post for path in paths))
                for folder, (title, description, page_route, paths) in showing.items()]

    def feed_outputs(self, site, specs: list, fingerprints) -> Iterator[tuple[str, tuple]]:
        """(output path, (bytes, key)) of each file of these feeds whose key changed."""
        from resnetgen.feeds import FeedEntries, spec_outputs

        def output(path: str, what: object, make) -> tuple:
            key = fingerprints.output_piece_key(what, True)
            if path not in self.incremental.cache.raw_outputs:
                raise NotQuick
            return path, (None if self.incremental.reuse(path, key) else make(), key)
        entries = FeedEntries()  # a post's feed entry, made once for every feed
        for spec in specs:
            for path, (data, key) in spec_outputs(site, spec, output, entries):
                if data is not None:
                    self.feed_files.add(path)
                    yield path, (data, key)

    def check_links(self, outputs: dict[str, tuple[bytes, str]]) -> int:
        """The links of the pages rendered, checked against the files of the last build
        (the same files); how many more links than before they have. A page whose
        fragment ids changed may break other pages' links: not quick."""
        from resnetgen.linkcheck import LinkChecker, extract
        root = str(self.options.output_dir)
        checker = LinkChecker(self.config.base_url)
        checker.written = set(self.incremental.cache.raw_outputs)
        more = 0
        for path, (data, _) in outputs.items():
            new = extract(path, data)
            with open(f"{root}/{path}", "rb") as handle:
                old = extract(path, handle.read())
            if (new.ids, new.is_html, new.is_redirect) != (old.ids, old.is_html, old.is_redirect):
                raise NotQuick
            checker.pages[path] = new
            more += new.total - old.total
        depends: dict[str, tuple[set, set]] = {}
        checker.broken(set(outputs), depends)
        targets = {file for _, fragments in depends.values() for file in fragments
                   if file not in checker.pages}
        for file in sorted(targets):  # pages other links' fragments lead to: their ids
            checker.pages[file] = self.target(file)
        if checker.broken(set(outputs)):
            raise NotQuick  # reported by the full rebuild
        return more

    def target(self, file: str) -> "PageLinks":
        """What links to `file`'s fragments see of it (its ids), from the cache's
        `targets` while its bytes are the same (the events page: 6 MB at 10,000 posts,
        for the five ids every post's page links to)."""
        from resnetgen.linkcheck import PageLinks, extract
        value = self.incremental.cache.raw_outputs[file][1]
        known = self.targets.get(file)
        if known is not None and known[0] == value:
            return PageLinks((), frozenset(known[3]), known[1], known[2])
        with open(f"{self.options.output_dir}/{file}", "rb") as handle:
            page = extract(file, handle.read())
        if len(page.ids) <= MAX_IDS:
            self.targets[file] = (value, page.is_html, page.is_redirect, tuple(sorted(page.ids)))
        return page

    def commit(self, outputs: dict[str, tuple[bytes, str]], links: int,
               report: "BuildReport") -> None:
        """The pages into output/, then the cache: the post's record, and the build's."""
        from resnetgen.fingerprint import posts_key_with
        from resnetgen.post_cache import write_one
        from resnetgen.writer import StagedOutput
        incremental = self.incremental
        cache, last = incremental.cache, incremental.cache.last_build
        manifest = {path: OutputRecord._make(cache.raw_outputs[path]) for path in outputs}
        staged = StagedOutput(self.options.output_dir, manifest, cache.output_dirs)
        try:
            for path, (data, key) in outputs.items():
                staged.write(path, data, key)
            staged.commit_staged()
        except BaseException:
            staged.discard()
            raise
        write_one(cache, self.path, self.cached)
        # the full build's post digests, with this post's new one
        incremental.save_post_digests({**self.digests, self.path: self.cached.digest})
        summary = dict(last["summary"], links=last["summary"]["links"] + links)
        records = dict(cache.raw_outputs)
        records.update((path, tuple(record)) for path, record in staged.records.items())
        new_key = posts_key_with(last["posts_key"], self.path, self.old.digest, self.cached.digest)
        made = {}  # feeds and calendars: every file kept, or remade above, under the new key
        for name, (key, *rest) in last["site_wide"].items():
            if key == digest(incremental.surface, last["posts_key"], name):
                key = digest(incremental.surface, new_key, name)  # as Fingerprints.output_key
            made[name] = (key, *rest)
        incremental.remember(records, staged.staged, {
            **last, "inputs": incremental.inputs_key, "summary": summary, "site_wide": made,
            "targets": self.targets,
            "now": self.options.now, "posts_key": new_key})
        report.pages, report.briefings = summary["pages"], summary["briefings"]
        report.files, report.links, report.warnings = summary["files"], summary["links"], \
            list(summary["warnings"])
        pages = sorted(path for path in outputs if path not in self.feed_files)
        report.rendered, report.rendered_paths = len(pages), pages
        report.reused = last["page_count"] - len(pages)


class Lookups(dict):
    """The links map of a quick rebuild: what the post's body looked up last time,
    resolved as then (no other file changed); any other lookup is a KeyError."""

    def get(self, key, default=None):
        value = self[key]
        return default if value is None else value

    def __contains__(self, key) -> bool:
        return self.get(key) is not None
