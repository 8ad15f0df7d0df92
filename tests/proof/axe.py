"""axe-core, injected into a page in the browser; its WCAG 2.2 AA rules only."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from proof.conftest import AXE_JS

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                          resultTypes: ["violations"]});
  return {
    violations: result.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      targets: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary)})),
    passes: result.passes.length,
  };
}"""


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.rule} ({self.impact}): {self.help}\n    " + "\n    ".join(self.targets)


@lru_cache(maxsize=1)
def axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def run_axe(page) -> list[Violation]:
    """axe's violations on the page as it is now (scripts run, fonts and styles applied)."""
    if not page.evaluate("() => typeof axe === 'object'"):
        page.add_script_tag(content=axe_source())
    result = page.evaluate(_RUN, WCAG_AA)
    return [Violation(v["id"], v["impact"] or "", v["help"], tuple(v["targets"]))
            for v in result["violations"]]
