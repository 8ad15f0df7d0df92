"""Where things are in a site folder. Imports nothing heavy: a build with nothing to do
looks at these folders before it loads Jinja2 or markdown-it."""

from __future__ import annotations

from pathlib import Path
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (see build.py)

if TYPE_CHECKING:  # (not imported: a build with nothing to do never reads the settings)
    from resnetgen.config import SiteConfig

CONTENT_DIR = "content"
PAGES_DIR = "content/pages"
PEOPLE_FILE = "content/people.toml"
THEMES_DIR = "themes"
SITE_TEMPLATES = "templates"
SITE_STATIC = "static"


def theme_dirs(site_dir: Path, config: SiteConfig | str, kind: str) -> list[Path]:
    """Override folder first, then the theme's; kind is 'templates' or 'static'.
    `config`: the settings, or the name of their theme."""
    override = site_dir / (SITE_TEMPLATES if kind == "templates" else SITE_STATIC)
    theme = theme_root(site_dir, config) / kind
    return [d for d in (override, theme) if d.is_dir()]


def theme_root(site_dir: Path, config: SiteConfig | str) -> Path:
    """The site's own themes/<name>, else the theme shipped with resnetgen."""
    name = config if isinstance(config, str) else config.theme
    own = site_dir / THEMES_DIR / name
    if own.is_dir():
        return own
    return Path(__file__).resolve().parent.parent / THEMES_DIR / name
