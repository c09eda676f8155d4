"""Other apps' items in the daily reminder digest.

Every member of staff gets at most one reminder email a day (ReminderDigest). Accountability
fills it with responses and activities; another app adds a section of its own by registering a
source once, at start-up (in its AppConfig.ready or tasks module):

    reminders.register(
        "improvement_actions", "Improvement actions you own", collect, noun=("action", "actions")
    )

`collect(today)` returns {user_id: [ReminderItem, ...]}: what each person should hear about
today, overdue first. An optional `record(user_id=..., items=..., today=...)` runs in the same
transaction as the day's digest record, so a source can remember what it reminded people of.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ReminderItem:
    title: str
    #: The page to open, as a path ("/improvement/actions/4/"); the email adds the site.
    path: str
    due_on: datetime.date | None
    overdue: bool
    #: A few words after the date: "Plan: Trauma-informed practice 2026/27".
    note: str = ""
    #: The record behind it, for the source's own `record` hook.
    pk: int | None = None


@dataclass(frozen=True)
class ReminderSource:
    key: str
    label: str
    collect: Callable[[datetime.date], dict[int, list[ReminderItem]]]
    noun: tuple[str, str] = ("thing", "things")
    record: Callable[..., None] | None = None


@dataclass
class ReminderSection:
    """One source's items in one person's digest."""

    source: ReminderSource
    items: list[ReminderItem] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.source.key

    @property
    def label(self) -> str:
        return self.source.label

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def noun(self) -> str:
        singular, plural = self.source.noun
        return singular if self.count == 1 else plural


_SOURCES: dict[str, ReminderSource] = {}


def register(
    key: str,
    label: str,
    collect: Callable[[datetime.date], dict[int, list[ReminderItem]]],
    *,
    noun: tuple[str, str] = ("thing", "things"),
    record: Callable[..., None] | None = None,
) -> None:
    """Add (or replace: registering twice is harmless) a section of the daily digest."""
    _SOURCES[key] = ReminderSource(key=key, label=label, collect=collect, noun=noun, record=record)


def registered() -> list[ReminderSource]:
    return list(_SOURCES.values())


def sections_due(*, today: datetime.date) -> dict[int, list[ReminderSection]]:
    """Every registered source's items for today, by person: {user_id: [sections]}."""
    by_user: dict[int, list[ReminderSection]] = {}
    for source in registered():
        for user_id, items in source.collect(today).items():
            if items:
                by_user.setdefault(user_id, []).append(
                    ReminderSection(source=source, items=list(items))
                )
    return by_user
