"""What every page's event handlers share: library refusals shown as messages on the page, the
filters' "any", days from Gradio's date pickers, tables as frames, and the console around a page.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

import gradio as gr
import pandas as pd

from voxsight.errors import QueueError, StoreError, VoxsightError
from voxsight.webui.console.access import Forbidden

log = logging.getLogger(__name__)

ANY = "any"


@dataclass(frozen=True)
class Shell:
    """The console around the pages: its tabs, the page in view (timers poll only that one) and
    the Call page's components, which other pages open calls into."""
    tabs: gr.Tabs
    active: gr.State
    call: SimpleNamespace


def handler(fn):
    """Library refusals become messages on the page, not tracebacks."""
    @functools.wraps(fn)
    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Forbidden as exc:
            raise gr.Error(str(exc), title="Not allowed") from None
        except (StoreError, QueueError) as exc:
            log.warning("console: %s", exc)
            raise gr.Error(f"the site's database or queue is unavailable: {exc}", title="Unavailable") from None
        except (VoxsightError, ValueError) as exc:  # refused on purpose (not found, taken, invalid...)
            raise gr.Error(str(exc), title="Cannot do that") from None
    return run


def choice(value):
    return None if value in (None, "", ANY) else value


def day(value) -> date | None:
    if value in (None, ""):
        return None
    return date.fromisoformat(str(value)[:10])


def frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)
