"""From a stored analysis to its features and alerts: after every analysis, and in backfills.

The analyzer calls ``Alerting.after_analysis`` once the store holds a new analysis (both
``voxsight analyze`` and the workers pass there). ``backfill`` does the same for stored analyses
after a rule change, from SQL alone: no model, no torch. Evaluating a call twice updates its
features and alerts in place (one alert per analysis and rule), so either may run any number of
times. An evaluation that fails is logged and leaves the analysis stored: the next backfill
evaluates it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from sqlalchemy.exc import IntegrityError

from voxsight import features
from voxsight.config import AlertsConfig
from voxsight.results import AnalysisResult, Segment
from voxsight.rules import RulesError, Ruleset, RulesWatcher
from voxsight.store import Store
from voxsight.store.alerts import CallContext, Evaluation, RecordSummary

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BackfillSummary:
    calls: int
    opened: int
    updated: int
    unchanged: int
    ruleset_version: str


class Alerting:
    def __init__(self, config: AlertsConfig, store: Store):
        self.config = config
        self.store = store
        self._watcher: RulesWatcher | None = None

    @property
    def rules(self) -> Ruleset:
        """The rules in force, re-read if the file changed (a broken edit is logged and ignored).

        Raises:
            RulesError: the rules file could not be read even once.
        """
        if self._watcher is None:
            self._watcher = RulesWatcher(Path(self.config.rules_file))
        return self._watcher.current()

    def evaluate(self, analysis_id: int, segments: tuple[Segment, ...] | list[Segment]) -> RecordSummary:
        """Compute one stored analysis's features, evaluate the rules, store both."""
        ruleset = self.rules
        context = self.store.alerts.contexts([analysis_id])[analysis_id]
        return self._record([_evaluation(ruleset, context, segments)])

    def after_analysis(self, result: AnalysisResult) -> None:
        """Evaluate a newly stored analysis; a failure is logged, never raised: the analysis is kept."""
        try:
            self.evaluate(result.analysis_id, result.segments)
        except RulesError as exc:
            log.error("alerts of analysis %s were not evaluated: %s", result.analysis_id, exc)
        except Exception:
            log.exception("alerts of analysis %s were not evaluated; `voxsight rules backfill` will retry",
                          result.analysis_id)

    def backfill(self, since: datetime | None = None, batch: int = 500,
                 progress: Callable[[int], None] | None = None, stored_since: datetime | None = None) -> BackfillSummary:
        """Re-evaluate every stored analysis (finished since ``since``) with the rules in force; only
        calls stored since ``stored_since``, where older calls' alerts have expired (they would be
        raised again, as new)."""
        ruleset = self.rules
        totals = [0, 0, 0, 0]
        after = 0
        while ids := self.store.alerts.analyses(since, after, batch, stored_since):
            contexts, segments = self.store.alerts.contexts(ids), self.store.alerts.segments(ids)
            summary = self._record([_evaluation(ruleset, contexts[i], segments[i]) for i in ids])
            for k, n in enumerate((summary.calls, summary.opened, summary.updated, summary.unchanged)):
                totals[k] += n
            after = ids[-1]
            if progress:
                progress(totals[0])
        return BackfillSummary(*totals, ruleset_version=ruleset.version)

    def _record(self, evaluations: list[Evaluation]) -> RecordSummary:
        try:
            return self.store.alerts.record(evaluations)
        except IntegrityError:
            # Another process evaluated the same call at the same moment: now we update its rows.
            return self.store.alerts.record(evaluations)


def _evaluation(ruleset: Ruleset, context: CallContext, segments) -> Evaluation:
    f = features.compute(segments, context.duration_s)
    return Evaluation(context, f, tuple(ruleset.evaluate(f, segments, context.metadata)))
