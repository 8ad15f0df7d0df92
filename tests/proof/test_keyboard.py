"""Keyboard only: the skip link comes first and works, and every link and control can be
reached with Tab and shows where the focus is."""

from __future__ import annotations

import pytest

from proof.conftest import WIDTHS
from proof.test_accessibility import PAGE_TYPES

# Everything a keyboard user can reach, numbered in document order.
_MARK = """() => {
  const selector = 'a[href], area[href], button:not([disabled]), summary, ' +
    'input:not([disabled]):not([type=hidden]), select:not([disabled]), ' +
    'textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';
  const reachable = [...document.querySelectorAll(selector)].filter(el => {
    const style = getComputedStyle(el);
    return style.display !== 'none' && style.visibility !== 'hidden' &&
      !el.closest('[hidden], [inert]') && el.getClientRects().length > 0;
  });
  reachable.forEach((el, i) => { el.dataset.keyboardIndex = String(i); });
  return reachable.length;
}"""

_LOOK = """(el) => {
  const style = getComputedStyle(el);
  return [style.outlineStyle, style.outlineWidth, style.outlineColor, style.boxShadow,
          style.textDecorationLine, style.backgroundColor].join(' | ');
}"""

_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const box = el.getBoundingClientRect();
  return {
    index: el.dataset.keyboardIndex ?? null, id: el.id, className: el.className,
    text: (el.textContent || '').trim().slice(0, 50),
    look: (""" + _LOOK + """)(el),
    onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0 &&
              box.top < innerHeight && box.left < innerWidth,
  };
}"""

_UNFOCUSED_LOOKS = """() => {
  document.activeElement && document.activeElement.blur();
  const looks = {};
  for (const el of document.querySelectorAll('[data-keyboard-index]'))
    looks[el.dataset.keyboardIndex] = (""" + _LOOK + """)(el);
  return looks;
}"""

VIEWS = {"phone, dark": ("dark", WIDTHS["phone"]), "desktop, light": ("light", WIDTHS["desktop"])}


@pytest.fixture(scope="module")
def keyboard_tabs(contexts):
    pages = {view: contexts(*settings).new_page() for view, settings in VIEWS.items()}
    yield pages
    for page in pages.values():
        page.close()


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("name", PAGE_TYPES)
def test_skip_link_then_every_control_by_keyboard(name, view, keyboard_tabs, rich_server):
    page = keyboard_tabs[view]
    url = rich_server.url(PAGE_TYPES[name])
    page.goto(url, wait_until="load")
    page.keyboard.press("Tab")
    first = page.evaluate(_FOCUSED)
    assert first and "skip-link" in first["className"], f"first Tab reached {first}"
    assert first["onScreen"], "the skip link is not visible when focused"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "content"
    page.keyboard.press("Tab")
    assert page.evaluate("""() => (document.getElementById('content').compareDocumentPosition(
        document.activeElement) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0"""), \
        "after the skip link, Tab goes back before the main content"

    page.goto(url, wait_until="load")
    total = page.evaluate(_MARK)
    reached: dict[str, dict] = {}
    for _ in range(total + 3):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED)
        if focused is None or focused["index"] in reached:
            break
        assert focused["index"] is not None, f"focus went to an unexpected element: {focused}"
        reached[focused["index"]] = focused
    assert list(reached) == [str(i) for i in range(len(reached))], "Tab order is not page order"
    missing = sorted(set(map(str, range(total))) - set(reached), key=int)
    assert not missing, f"{len(missing)} of {total} controls never got the focus: {missing}"

    unfocused = page.evaluate(_UNFOCUSED_LOOKS)
    unseen = [f"{f['text']!r} ({f['look']})" for index, f in reached.items()
              if f["look"] == unfocused[index] or not f["onScreen"]]
    assert not unseen, "no visible focus indicator on: " + "; ".join(unseen)


def test_the_check_sees_a_missing_focus_indicator(keyboard_tabs):
    """The same steps on a page whose links hide their focus outline must complain."""
    page = keyboard_tabs["desktop, light"]
    page.set_content('<!DOCTYPE html><html lang="en"><head><title>x</title>'
                     '<style>a:focus { outline: none; }</style></head><body>'
                     '<a href="#m">one</a> <a href="#m">two</a><main id="m"></main></body></html>')
    assert page.evaluate(_MARK) == 2
    page.keyboard.press("Tab")
    focused = page.evaluate(_FOCUSED)
    assert focused["index"] == "0"
    assert page.evaluate(_UNFOCUSED_LOOKS)["0"] == focused["look"]
