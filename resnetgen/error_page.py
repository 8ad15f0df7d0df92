"""The page the preview shows instead of the site while the site has errors.

Plain words for editors: what to do, then every problem as `path:line: message (hint)`.
The preview server adds its live-reload script before `</head>`, so the page turns
back into the site by itself once the files are fixed.
"""

from __future__ import annotations

from html import escape
from typing import Sequence

from resnetgen.problems import Problem

_STYLE = """
body { font: 1.05rem/1.5 system-ui, sans-serif; margin: 0; background: #fff7f5; color: #1d1d1d; }
main { max-width: 52rem; margin: 2rem auto; padding: 0 1rem; }
h1 { color: #9b1c1c; font-size: 1.5rem; }
ol { padding-left: 1.5rem; }
li { margin: .6rem 0; }
.where { font-family: ui-monospace, monospace; font-weight: bold; }
.hint { color: #555; }
"""


def error_page(problems: Sequence[Problem]) -> str:
    count = len(problems)
    noun = "problem" if count == 1 else "problems"
    items = "\n".join(_item(problem) for problem in sorted(problems))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Preview: {count} {noun} to fix</title>
<style>{_STYLE}</style>
</head>
<body>
<main>
<h1>The site has {count} {noun} to fix</h1>
<p>The preview can't show the site until {"it is" if count == 1 else "they are"} fixed.
Each line below names the file and the line number, then what is wrong.
Fix the file and save it: this page reloads by itself.</p>
<ol class="problems">
{items}
</ol>
</main>
</body>
</html>
"""


def _item(problem: Problem) -> str:
    """One problem; its text reads exactly as the command line prints it."""
    where = f"{problem.path}:{problem.line}"
    hint = f' <span class="hint">({escape(problem.hint)})</span>' if problem.hint else ""
    label = "warning: " if problem.severity == "warning" else ""
    return (f'<li><span class="where">{escape(where)}</span>: {label}'
            f'{escape(problem.message)}{hint}</li>')
