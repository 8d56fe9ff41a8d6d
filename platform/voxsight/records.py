"""How a typed record becomes JSON, the same way through every door.

Records are the core's frozen dataclasses, and each one's fields are declared there and nowhere
else: the CLI's ``--json`` calls ``to_json``, the API names the dataclasses as its response models
(FastAPI builds their OpenAPI schemas from them), and both go through pydantic's one serializer,
so a field added to a record shows up in every door and in the OpenAPI document at once. Request
bodies stay in the web tier (``webui/schemas.py``): what a client may send is that boundary's
business.

This module imports nothing of Voxsight: every records module may import it.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Annotated, Any

from pydantic import PlainSerializer, TypeAdapter, WithJsonSchema

# A moment as Python's ``isoformat()`` writes it (``+00:00``, what the CLI and the API have always
# sent) rather than pydantic's ``Z``; documented as an RFC 3339 date-time either way.
Time = Annotated[datetime, PlainSerializer(lambda moment: moment.isoformat(), return_type=str, when_used="json"),
                 WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization")]


class Record:
    """A record that goes out as JSON (mixed into a dataclass)."""

    __slots__ = ()

    def to_json(self) -> Any:
        return to_json(self)


def to_json(record: Any) -> Any:
    """A record (any dataclass) as JSON-ready Python: dicts, lists, strings, numbers, None."""
    return _adapter(type(record)).dump_python(record, mode="json")


@cache
def _adapter(cls: type) -> TypeAdapter:
    return TypeAdapter(cls)
