"""Every output that shows what people contributed: pages, exports and API lists.

The property-based test (tests/test_contribution_outputs.py) renders each one after random
sequences of contributions, consent changes, redactions and withdrawals, and checks that nothing
withdrawn, removed, or above its allowed use appears. A page that shows contribution text but is
missing here makes `test_every_output_that_shows_contributions_is_registered` fail, so a new
output cannot skip the check: register it here (and route it through
powershare.engagement.selectors.contributions_usable_for).
"""

from dataclasses import dataclass, field

#: How the API names each use level.
API_USE = {1: "internal", 2: "anonymised", 3: "attributed", 4: "public"}


@dataclass(frozen=True)
class Output:
    #: The URL name ("namespace:name").
    url_name: str
    #: Who looks at it: a member of staff ("alice"), the contributor herself ("erin"), or
    #: anyone at all, not signed in ("anonymous").
    persona: str
    #: The use level whose rule this output applies; None for the contributor's own pages,
    #: where only withdrawn and removed words are forbidden.
    use: int | None
    #: "html", "csv", "xlsx", "json" or "pdf" (read as text with pdftotext).
    kind: str = "html"
    #: Query string parameters.
    query: dict = field(default_factory=dict)
    #: URL keyword arguments, built from the world: "activity" (the staff sample activity),
    #: "erin_activity", or "each_contribution" / "each_erin_contribution" (one URL per
    #: contribution, where contributions not allowed must answer 404 or show nothing);
    #: "response" (the response to every contribution of the staff sample activity),
    #: "letter" (that activity's sent letter), "group_version" (the letter as shared with the
    #: partner of the world's anonymous group), "erin_letter" (the letter erin was sent about
    #: her activity) or "organisation" (council A's public page); "product", "version" or
    #: "material" (council A's sample learning product, its first version and its handout,
    #: whose co-design record and quotes hold every contribution).
    target: str = ""
    #: Whether every allowed contribution must appear in full (a list small enough for one page).
    complete: bool = False

    @property
    def label(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.query.items())
        return f"{self.url_name}{'?' + query if query else ''} as {self.persona}"


def _exports() -> list[Output]:
    return [
        Output(
            "engagement:contribution_export",
            "alice",
            use,
            kind=file_format,
            query={"format": file_format, "use": use},
            complete=True,
        )
        for use in API_USE
        for file_format in ("csv", "xlsx")
    ]


def _api_lists() -> list[Output]:
    return [
        Output(
            "api-1.0:contribution_list",
            "alice",
            use,
            kind="json",
            query={"use": name, "page_size": 100},
            complete=True,
        )
        for use, name in API_USE.items()
    ]


def _accountability() -> list[Output]:
    """ "You said, we did": staff pages about an activity's responses and letter (internal use
    for working pages; the letter, its printed and shared versions at the letter's use,
    anonymised), the letter in erin's portal (her own words are hers to see) and the public
    page (public use, for anyone)."""
    from powershare.accountability.selectors import LETTER_USE

    letter = int(LETTER_USE)
    return [
        Output("accountability:activity_loop", "alice", 1, target="activity", complete=True),
        Output("accountability:respond", "alice", 1, target="activity", complete=True),
        Output("accountability:response_detail", "alice", 1, target="response", complete=True),
        Output("accountability:letter_compose", "alice", letter, target="activity"),
        Output("accountability:letter_detail", "alice", letter, target="letter", complete=True),
        Output(
            "accountability:letter_pdf", "alice", letter, kind="pdf", target="letter", complete=True
        ),
        Output(
            "accountability:group_version_pdf",
            "alice",
            letter,
            kind="pdf",
            target="group_version",
        ),
        Output("accountability:group_version", "alice", letter, target="group_version"),
        Output("portal:feedback", "erin", None),
        Output("portal:feedback_letter", "erin", None, target="erin_letter", complete=True),
        Output("public:you_said_we_did", "anonymous", 4, target="organisation", complete=True),
        Output(
            "accountability:public_page_settings",
            "alice",
            4,
            query={"preview": 1},
            complete=True,
        ),
    ]


def _learning() -> list[Output]:
    """Learning: a product's page and its co-design page show the contributions that shaped
    it (internal use); a material's pages show the words it quotes, or may quote, at the
    material's use (the sample handout is anonymised)."""
    return [
        Output("learning:product_detail", "alice", 1, target="product", complete=True),
        Output("learning:product_co_design", "alice", 1, target="product", complete=True),
        Output("learning:material_add", "alice", 2, target="version", complete=True),
        Output("learning:material_edit", "alice", 2, target="material", complete=True),
        # The summary of learning is a report: only words that may be quoted anonymously.
        Output("evaluation:summary", "alice", 2, target="product", complete=True),
    ]


OUTPUTS: list[Output] = [
    Output("engagement:contribution_list", "alice", 1, complete=True),
    Output("engagement:contribution_detail", "alice", 1, target="each_contribution"),
    Output("engagement:activity_detail", "alice", 1, target="activity", complete=True),
    *_exports(),
    *_api_lists(),
    Output(
        "api-1.0:contribution_detail",
        "alice",
        1,
        kind="json",
        target="each_contribution",
    ),
    Output("portal:contributions", "erin", None, complete=True),
    Output("portal:contribution", "erin", None, target="each_erin_contribution"),
    # Which learning materials quote her words (her own words are hers to see).
    Output("portal:words_in_learning", "erin", None),
    Output("portal:home", "erin", None),
    Output("api-1.0:my_contribution_list", "erin", None, kind="json", complete=True),
    *_accountability(),
    *_learning(),
]

#: The forms that act on one contribution show its words, so the contributor (or staff on
#: their behalf) can choose what to remove. Staff see the words only as far as internal use
#: allows; the contributor always sees her own words (not removed or withdrawn ones).
ACTION_PAGES: list[Output] = [
    Output("engagement:contribution_redact", "alice", 1, target="each_contribution"),
    Output("engagement:contribution_withdraw", "alice", 1, target="each_contribution"),
    Output("portal:contribution_redact", "erin", None, target="each_erin_contribution"),
    Output("portal:contribution_withdraw", "erin", None, target="each_erin_contribution"),
    Output("portal:contribution_use", "erin", None, target="each_erin_contribution"),
]


def registered_names() -> set[str]:
    return {output.url_name for output in OUTPUTS + ACTION_PAGES}
