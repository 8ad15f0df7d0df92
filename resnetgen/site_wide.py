"""A build's site-wide outputs (the calendars and the feeds), made by other processes
than the one booking the pages: each kept from the last build when nothing it reads
changed; and, in a rebuild, the listings (ASIDE_LISTINGS) that other process renders
beside them."""

from __future__ import annotations

from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from resnetgen.cache import no_memo
from resnetgen.problems import Problems

if TYPE_CHECKING:
    from resnetgen.incremental import Incremental
    from resnetgen.site import Site
    from resnetgen.writer import Previous

SITE_WIDE = ("calendar", "feeds")  # site-wide outputs, in the order they are booked
KEPT = "kept"  # in place of a site-wide output's Previous: see site_wide_outputs


def site_wide_outputs(site: Site, incremental: Incremental | None, in_worker=None,
                      which: tuple[str, ...] = SITE_WIDE) -> tuple[list, list, tuple | None]:
    """Calendar and feeds (`which` of them), each kept from the last build when no post, setting or code
    changed (and, file by file, when only some posts did): (outputs, problems, the
    cache's new state). Each output made is staged and read for links here, by
    `in_worker`: its bytes (50 MB at 10,000 posts) never travel to the main process,
    which gets None in their place and the (links, Written) of `all_outputs`' `done`.
    A file kept is the previous build's: its links are the link index's."""
    from resnetgen.feeds import feed_outputs
    from resnetgen.writer import Previous

    found = Problems()

    def make_calendar(problems: Problems, output):
        from resnetgen.calendar import calendar_outputs  # icalendar: ~0.1 s to import,
        # so only when the calendar is made. An event is kept in the last events.ics,
        # and in the cache's memo (see calendar_kept); as the calendar, it never reads a
        # post's body.
        if incremental is None:
            return calendar_outputs(site, problems, no_memo, output=output)
        from resnetgen import calendar_kept
        return calendar_outputs(
            site, problems, lambda what, make: incremental.memo(what, make, bodies=False),
            output=output, last=calendar_kept.last_calendar(incremental),
            listing=incremental.fingerprints.listing_digests,  # type: ignore[union-attr]
            remember=lambda key, chats, index: calendar_kept.remember(incremental, key, chats, index))
    # The calendar reads a post's fields, never its text: a paragraph edited leaves it
    # as it was (tests/test_incremental.py's paragraph edits would see it otherwise).
    made = chain(site_wide(incremental, "calendar", found,    # events.ics, one .ics per chat
                           make_calendar, bodies=False) if "calendar" in which else (),
                 site_wide(incremental, "feeds", found,       # RSS and Atom: all, per tag, chats
                           lambda problems, output: feed_outputs(site, output))
                 if "feeds" in which else ())
    # A file kept travels as KEPT alone (its record is the main process's too): 10,000
    # chats' files kept cost ~0.1 s to pickle and unpickle as Previous records.
    outputs = [(path, None, key, in_worker(path, data, key))
               if in_worker is not None and type(data) is not Previous
               else (path, KEPT if in_worker is not None else data, key, None)
               for path, data, key in made]
    if incremental is None:
        return outputs, found.items, None
    incremental.cache.save_memo()  # here, where the pieces are: they never travel
    return outputs, found.items, incremental.site_wide_state()


def site_wide_and_listings(site: Site, incremental: Incremental, in_worker, env,
                           site_dir: Path, makers: tuple) -> tuple[list, list, tuple | None, tuple]:
    """A rebuild's other process: `site_wide_outputs` and `listings_aside`'s."""
    listings = listings_aside(site, incremental, in_worker, env, site_dir, makers)
    return (*site_wide_outputs(site, incremental, in_worker), listings)


def listings_aside(site: Site, incremental: Incremental, in_worker, env, site_dir: Path,
                   makers: tuple) -> tuple[list, list]:
    """The pages `makers` make (pages.py's), keyed, and rendered when their files cannot be
    kept, in a rebuild's other process: ([(output path, None or KEPT, key, (links,
    Written))], problems). A title edit renders a dozen listings (0.55 s at 10,000
    posts), this one's part of them beside the calendars and feeds."""
    from resnetgen.render import render_pages
    from resnetgen.writer import Previous
    found = Problems()
    outputs = []
    for make in makers:
        page = make(site)
        key = incremental.fingerprints.page_key(page)  # type: ignore[union-attr]
        for path, data, finished in render_pages(
                site, [page], env, site_dir, found,
                lambda page: incremental.reuse(page.output_path, key),
                lambda path, data: in_worker(path, data, key)):
            outputs.append((path, KEPT if type(data) is Previous else None, key, finished))
    return outputs, found.items


def _events(site: Site):
    from resnetgen.pages import events_page
    return events_page(site)


# See listings_aside. The events page (6 MB, 10,000 cards, 0.15 s) balances the two
# processes of a 10,000-post title edit now that the calendar's cost follows what
# changed (see calendar_kept); the archive (0.08 s), rendered here before, made this
# process the longer one then.
ASIDE_LISTINGS = (_events,)


def site_wide(incremental: Incremental | None, name: str, problems: Problems, make,
              bodies: bool = True) -> Iterator[tuple[str, "bytes | Previous", str]]:
    """`make(problems, output)`'s files (see resnetgen.outputs): with the cache, those
    unchanged since the last build are its files."""
    if incremental is None:
        from resnetgen.outputs import made_now
        yield from make(problems, made_now)
    else:
        yield from incremental.site_wide(name, problems, make, bodies)
