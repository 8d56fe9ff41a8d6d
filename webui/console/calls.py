"""Calls: the stored calls, filtered, sorted and a page at a time; or, with words to find, the
segments that said them (full-text search in any language, ``voxsight.store.search``).

Both are the store's own queries (the API's ``GET /recordings`` and ``GET /search``): a page is
one bounded query plus a count, whatever the store's size. Searching by words needs the analyst
role, as the API's search does; every search is audited with its words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from voxsight.store.filters import Filters
from voxsight.store.search import Hit
from voxsight.store.accounts import Role
from voxsight.store.recordings import ALERT_STATES, SORTS, RecordingSummary
from voxsight.tags import EMOTIONS, EVENTS
from voxsight.operations import recordings
from voxsight.webui.console.access import require
from voxsight.site import Site
from voxsight.webui.deps import Caller

PAGE_SIZE = 25
# Matches counted past a page's start: "of 10,000+" reads as well as an exact figure, and counting
# every call with an emotion or an event would read every segment that has it.
COUNT_UP_TO = 10_000


@dataclass(frozen=True)
class CallQuery:
    """What the Calls page asks for. Empty strings and None mean "any"."""

    words: str = ""
    since: date | None = None  # stored on or after this day
    until: date | None = None  # ... up to and including this day
    emotion: str | None = None
    event: str | None = None
    language: str | None = None
    agent: str | None = None
    queue: str | None = None
    alert_state: str | None = None
    sort: str = "newest"
    page: int = 0
    page_size: int = PAGE_SIZE

    def filters(self) -> Filters:
        return Filters(emotion=self.emotion or None, event=self.event or None, language=self.language or None,
                       agent=self.agent or None, queue=self.queue or None,
                       since=_start_of(self.since), until=_start_of(self.until + timedelta(days=1)) if self.until else None)


@dataclass(frozen=True)
class CallsPage:
    """A page of calls (``hits`` empty), or of search hits (``calls`` empty)."""

    calls: list[RecordingSummary]
    hits: list[Hit]
    total: int | None  # calls matching; None for a search (it counts no further than the page)
    first: int  # 1-based position of the first row
    has_next: bool
    total_exact: bool = True  # False: ``total`` is a lower bound

    @property
    def searching(self) -> bool:
        return bool(self.hits) or self.total is None

    def describe(self) -> str:
        shown = len(self.calls or self.hits)
        if not shown:
            return "Nothing matches." if self.first == 1 else "No more."
        last = self.first + shown - 1
        if self.total is not None:
            return f"Calls {self.first:,}–{last:,} of {self.total:,}" if self.total_exact else \
                f"Calls {self.first:,}–{last:,} of more than {self.total - 1:,}"
        return f"Matches {self.first:,}–{last:,}" + (" (more on the next page)" if self.has_next else "")


@dataclass(frozen=True)
class Choices:
    """What the filters offer."""

    emotions: tuple[str, ...]
    events: tuple[str, ...]
    languages: tuple[str, ...]
    agents: tuple[str, ...]
    queues: tuple[str, ...]
    alert_states: tuple[str, ...]
    sorts: tuple[str, ...]


def find(site: Site, who: Caller, query: CallQuery) -> CallsPage:
    """One page of calls matching the filters, or of segments matching the words and filters."""
    me = require(who, Role.VIEWER)
    if query.sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}")
    if query.alert_state and query.alert_state not in ALERT_STATES:
        raise ValueError(f"alert state must be one of {', '.join(ALERT_STATES)}")
    offset = max(query.page, 0) * query.page_size
    words = query.words.strip()
    if words:
        # Analysts only, as GET /search: the operation refuses a viewer.
        result = recordings.search(site, me, words, query.filters(), query.page_size, offset)
        return CallsPage([], result.hits, None, offset + 1, result.next_offset is not None)
    page = recordings.recordings(site, me, query.filters(), query.alert_state or None, query.sort, query.page_size,
                                 offset, count_up_to=COUNT_UP_TO)
    return CallsPage(page.items, [], page.total, offset + 1, page.next_offset is not None, page.total_exact)


def choices(site: Site, who: Caller) -> Choices:
    require(who, Role.VIEWER)
    return Choices(EMOTIONS, EVENTS, tuple(site.store.recordings.facet_values("language")),
                   tuple(site.store.recordings.facet_values("agent")),
                   tuple(site.store.recordings.facet_values("queue")), ALERT_STATES, SORTS)


def _start_of(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=timezone.utc) if day else None
