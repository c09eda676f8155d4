"""Pages work on a phone 320 pixels wide (WCAG 1.4.10 Reflow): nothing scrolls sideways."""

import pytest
from django.urls import reverse

from tests.e2e.harness import SKIPPED_SUFFIXES
from tests.isolation import REGISTRY, has_parameters, named_urls
from tests.test_isolation import ERIN_OWN_PAGES

pytestmark = pytest.mark.browser


# Administrators see most staff pages, alice the register's forms, erin her portal.
@pytest.mark.parametrize("name", ["admin", "alice", "erin"])
def test_no_page_scrolls_sideways_at_320_pixels(open_tab, personas, name):
    tab = open_tab(name)
    tab.page.set_viewport_size({"width": 320, "height": 800})
    too_wide = []
    for url_name, route in named_urls().items():
        if url_name.startswith("api-1.0:") or url_name in {"healthz", "favicon"}:
            continue
        entry = REGISTRY[url_name]
        if (
            name == "erin"
            and has_parameters(route)
            and url_name not in ERIN_OWN_PAGES
            and not (entry.public or entry.own_organisation)
        ):
            # Staff records: erin meets the same "not found" page at each (test_isolation.py).
            continue
        kwargs = entry.kwargs(personas.samples) if has_parameters(route) else {}
        url = reverse(url_name, kwargs=kwargs)
        if url.endswith(SKIPPED_SUFFIXES):
            continue  # downloads, not pages
        tab.goto(url)  # waits for the load event: stylesheets and images are in
        width, visible = tab.page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if width > visible:
            too_wide.append(f"{tab.page.url}: {width}px wide in a {visible}px window")
    assert not too_wide, "Pages wider than a 320px screen:\n" + "\n".join(too_wide)
    tab.assert_no_problems()
