"""Agents' voiceprints: enrolled from recordings of the agent, learned from the agent channel of
their stored stereo calls, listed, erased. A voiceprint is biometric data, so every action is for
admins only, at every door, and each one (a listing too) is one audit entry naming the agent and
the figures, never the print or a file's name. Making a print runs the speaker model and FSMN-VAD,
so it takes the caller's ``Analyzer`` (a command on a machine with the models); listing and
erasing take only the store."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from voxsight import speakers, voiceprints
from voxsight.errors import NotFound
from voxsight.operations.actor import Actor, require
from voxsight.operations.audit import record
from voxsight.site import Site
from voxsight.store.accounts import Action, Role
from voxsight.store.voiceprints import VoiceprintInfo

if TYPE_CHECKING:
    from voxsight.analysis import Analyzer

LEARN_FROM_CALLS = 20  # the agent's latest stereo calls a learned print is made from


def enroll(site: Site, actor: Actor, agent: str, paths: Sequence[Path], analyzer: Analyzer) -> VoiceprintInfo:
    """Make ``agent``'s print from recordings of them speaking alone, replacing the one they had.

    Raises:
        ValueError: no agent name, or no file.
        AudioError: a file that cannot be decoded. VoiceprintError: too little speech in them.
    """
    require(actor, Role.ADMIN)
    agent = _agent(agent)
    if not paths:
        raise ValueError("enrolling an agent needs at least one recording of them")
    made = voiceprints.from_recordings(analyzer.speaker_model, analyzer.engine.speech_segments, paths,
                                       site.config.audio)
    return _saved(site, actor, agent, made, "enrolled")


def learn(site: Site, actor: Actor, agent: str, analyzer: Analyzer, calls: int = LEARN_FROM_CALLS) -> VoiceprintInfo:
    """Make ``agent``'s print from the agent channel of their latest stored stereo calls (those whose
    metadata names them), replacing the one they had.

    Raises:
        VoiceprintError: no such call, or too little of the agent's speech on them.
    """
    require(actor, Role.ADMIN)
    agent = _agent(agent)
    role = site.config.audio.roles[0]  # the agent's role, as split channels name it
    made = voiceprints.from_calls(analyzer.speaker_model, site.store.voiceprints.agent_channels(agent, role, calls),
                                  site.config.audio)
    return _saved(site, actor, agent, made, "learned")


def listed(site: Site, actor: Actor) -> list[VoiceprintInfo]:
    """Whose voiceprints are kept, how and when each was made (never the print)."""
    require(actor, Role.ADMIN)
    found = site.store.voiceprints.list()
    record(site, actor, Action.VOICEPRINT_LIST, agents=[v.agent for v in found])
    return found


def forget(site: Site, actor: Actor, agent: str) -> None:
    """Erase ``agent``'s voiceprint (their request, or they left): mono calls then tell the agent
    by greeting or by who speaks first.

    Raises:
        NotFound: the agent has no print.
    """
    require(actor, Role.ADMIN)
    agent = _agent(agent)
    if not site.store.voiceprints.delete(agent):
        raise NotFound(f"{agent} has no voiceprint")
    record(site, actor, Action.VOICEPRINT_ERASE, agent=agent)


def _agent(name: str) -> str:
    name = str(name).strip()
    if not name or len(name) > 128:
        raise ValueError("an agent is named as the calls' metadata names them (1 to 128 characters)")
    return name


def _saved(site: Site, actor: Actor, agent: str, made: voiceprints.Made, source: str) -> VoiceprintInfo:
    model_id = speakers.model_id(site.config.models.speaker_dir or None)
    info = site.store.voiceprints.save(agent, model_id, made.embedding, made.speech_s, source, made.made_from,
                                       actor.login)
    record(site, actor, Action.VOICEPRINT_ENROLL if source == "enrolled" else Action.VOICEPRINT_LEARN,
           agent=agent, speech_s=info.speech_s, made_from=made.made_from, model_id=model_id)
    return info
