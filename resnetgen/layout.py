"""Where things are in a site folder. Imports nothing heavy: a build with nothing to do
looks at these folders before it loads Jinja2 or markdown-it."""

from __future__ import annotations

from pathlib import Path

CONTENT_DIR = "content"
PAGES_DIR = "content/pages"
PEOPLE_FILE = "content/people.toml"
THEMES_DIR = "themes"
SITE_TEMPLATES = "templates"
SITE_STATIC = "static"


def theme_dirs(site_dir: Path, theme: str, kind: str) -> list[Path]:
    """Override folder first, then the theme's (by name: the settings' `theme`); kind is
    'templates' or 'static'."""
    override = site_dir / (SITE_TEMPLATES if kind == "templates" else SITE_STATIC)
    folder = theme_root(site_dir, theme) / kind
    return [d for d in (override, folder) if d.is_dir()]


def theme_root(site_dir: Path, name: str) -> Path:
    """The site's own themes/<name>, else the theme shipped with resnetgen."""
    own = site_dir / THEMES_DIR / name
    if own.is_dir():
        return own
    return Path(__file__).resolve().parent.parent / THEMES_DIR / name
