"""Every error Voxsight raises on purpose, in one flat module, each a subclass of ``VoxsightError``.

``permanent`` is what a caller decides on: True when trying the same input again cannot help (a
file that is not audio, a rules file with a mistake, an id that does not exist), False when it may
(a database or Redis that is away for now). The worker fails a job at once on a permanent error
and retries it with backoff otherwise; the CLI maps errors to exit codes in one place, and the API
to HTTP statuses in one place. Each class keeps the builtin it always was (``ValueError``,
``RuntimeError``, ``LookupError``), so code that catches those still does.

This module imports nothing heavy: the web tier and the CLI load it without a model library.
"""

from __future__ import annotations


class VoxsightError(Exception):
    """An error Voxsight raises on purpose; its message says what is wrong in words a user can act on."""

    # Unforeseen failures are retried, as the worker always has: only a known-hopeless case says True.
    permanent: bool = False


class ConfigError(VoxsightError, ValueError):
    """The configuration file or an override is malformed."""

    permanent = True


class AudioError(VoxsightError, ValueError):
    """The input cannot be analyzed as audio. The message says why, in words a user understands."""

    permanent = True


class NotAudio(AudioError):
    """The input is not audio at all (by its content), not merely damaged audio."""


class RulesError(VoxsightError, ValueError):
    """A rules file that cannot be used: where, and why."""

    permanent = True

    def __init__(self, file: str, line: int | None, reason: str, column: int | None = None):
        self.file, self.line, self.column, self.reason = file, line, column, reason
        where = f"{file}:{line}:{column}" if line and column else f"{file}:{line}" if line else file
        super().__init__(f"{where}: {reason}")


class ModelError(VoxsightError, RuntimeError):
    """A model directory is missing, incomplete, corrupt or does not fit its configuration."""

    permanent = True  # an operator has to import or repair the model first


class AnalysisError(VoxsightError, RuntimeError):
    """Analyzing a recording failed after it was decoded; the failure is stored with its reason."""

    permanent = False  # the models or the store failed on a file that decoded: worth another attempt


class StoreError(VoxsightError, RuntimeError):
    """The database cannot be used as it is (unreachable, or its schema is out of date)."""

    permanent = False


class NotFound(VoxsightError, LookupError):
    """The thing asked for does not exist: a job, recording, alert, user or token id."""

    permanent = True


class AccountError(VoxsightError, ValueError):
    """A user or token request that cannot be done as asked (taken name, unknown role...)."""

    permanent = True


class Forbidden(VoxsightError):
    """The actor's role, or the policy (no admin disables themselves), refuses this, at every door."""

    permanent = True

    def __init__(self, message: str, needed: str | None = None):
        super().__init__(message)
        self.needed = needed  # the role that would have been allowed (None: a policy refusal), for the audit


class SignInFailed(VoxsightError):
    """Wrong name or password, or a disabled user (which of them is not said)."""

    permanent = True


class LockedOut(SignInFailed):
    """Sign-ins for this name or from this address wait out their backoff (too many failed), for now."""

    permanent = False  # it passes

    def __init__(self, message: str, retry_after_s: float):
        super().__init__(message)
        self.retry_after_s = retry_after_s


class VoiceprintError(VoxsightError, ValueError):
    """A voiceprint cannot be made from what was given (too little speech in it)."""

    permanent = True


class AlertError(VoxsightError, ValueError):
    """A lifecycle step an alert cannot take (resolved already), or an unknown step."""

    permanent = True


class QueueError(VoxsightError, RuntimeError):
    """Redis cannot be reached or refused a command."""

    permanent = False


class SiteMismatch(QueueError):
    """This Redis prefix serves another site (another database): serving it would eat its jobs."""

    permanent = True  # two sites share one queue until an operator separates them


class StorageUnavailable(VoxsightError, RuntimeError):
    """A job's stored audio cannot be read now (a shared mount away): worth retrying."""

    permanent = False


class Abandoned(VoxsightError, RuntimeError):
    """Workers kept dying while running this job (killed for memory?): stop feeding it to them."""

    permanent = True
