"""Problems found in a site, reported all at once as `path:line: message (hint)`.

Every stage adds to a `Problems` collector instead of raising on the first fault,
so an editor sees every mistake of the whole site in one run.
"""

from __future__ import annotations

from collections import namedtuple
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (see build.py)
if TYPE_CHECKING:
    from typing import Iterable

ERROR = "error"
WARNING = "warning"


# Not dataclasses: a build with nothing to do imports none (see build.BuildOptions).
class Problem(namedtuple("Problem", "path line message hint severity", defaults=("", ERROR))):
    """path: str, line: int, message: str, hint: str, severity: ERROR or WARNING.
    Immutable, and sorted by its fields in that order."""
    __slots__ = ()

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}: {self.message}"
        if self.severity == WARNING:
            text = f"{self.path}:{self.line}: warning: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class SiteError(Exception):
    """Raised at the end of a stage when the site has errors; carries all of them."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(map(str, self.problems)))


class Problems:
    """A collector of problems, in the order found."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def error(self, path: str, line: int, message: str, hint: str = "") -> None:
        self.items.append(Problem(str(path), max(int(line or 1), 1), message, hint))

    def warning(self, path: str, line: int, message: str, hint: str = "") -> None:
        self.items.append(Problem(str(path), max(int(line or 1), 1), message, hint, WARNING))

    def extend(self, other: Iterable[Problem]) -> None:
        self.items.extend(other)

    @property
    def errors(self) -> list[Problem]:
        return sorted(p for p in self.items if p.severity == ERROR)

    @property
    def warnings(self) -> list[Problem]:
        return sorted(p for p in self.items if p.severity == WARNING)

    def raise_if_errors(self) -> None:
        if self.errors:
            raise SiteError(self.errors)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A 'did you mean' hint for a misspelt name, or a list of the valid ones."""
    import difflib  # here: only a misspelt name needs it (startup time counts)
    choices = sorted(set(choices))
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return "expected one of: " + ", ".join(choices) if len(choices) <= 12 else ""
