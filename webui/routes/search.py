"""Full-text search over what was said, in any language (see ``voxsight.store.search``)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query, Response

from voxsight import records
from voxsight.operations import recordings
from voxsight.store.filters import Filters
from voxsight.store.search import SearchPage
from voxsight.webui.deps import Analyst, OptionalId, OptionalMoment, SiteDep

router = APIRouter(prefix="/search", tags=["search"])


@router.get("", response_model=SearchPage)
def search(who: Analyst, site: SiteDep, response: Response,
           q: Annotated[str, Query(min_length=1, max_length=200, description="words, or 1+ CJK characters")],
           emotion: Annotated[str | None, Query(max_length=16)] = None,
           language: Annotated[str | None, Query(max_length=16)] = None,
           role: Annotated[str | None, Query(max_length=64)] = None,
           event: Annotated[str | None, Query(max_length=32)] = None,
           agent: Annotated[str | None, Query(max_length=128)] = None,
           queue: Annotated[str | None, Query(max_length=128)] = None,
           recording_id: OptionalId = None, since: OptionalMoment = None, until: OptionalMoment = None,
           limit: Annotated[int, Query(ge=1, le=200)] = 50,
           offset: Annotated[int, Query(ge=0, le=100_000)] = 0):
    """Segments whose words match, newest first, with where the words matched (``highlights``:
    character offsets in ``text``), combined with the filters given. Audited with the query."""
    filters = Filters(emotion=emotion, language=language, role=role, event=event, agent=agent, queue=queue,
                      recording_id=recording_id, since=since, until=until)
    params = {"q": q, **asdict(filters), "limit": limit, "offset": offset}

    def cached(build, **_vary):
        page, response.headers["X-Cache"] = site.cache.get_or_build(
            "search", site.store.recordings.version(), params,
            lambda: records.to_json(build()))
        return page

    return recordings.search(site, who.actor, q, filters, limit, offset, through=cached)
