"""Phone-turn latency as Prometheus histograms: end of caller speech → first agent audio.

Served with everything else the process measures at `GET /metrics`.
"""

from __future__ import annotations

from prometheus_client import Histogram

from frontdesk.conversation.call import SpeechTiming

#: Seconds, from a quick answer to a slow one on a busy 2-core machine.
BUCKETS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0)

TURN_SECONDS = Histogram(
    "frontdesk_phone_turn_seconds",
    "End of the caller's speech to the agent's first audio, by stage ('total' for all).",
    ["stage"],
    buckets=BUCKETS,
)


def observe_turn(timing: SpeechTiming) -> None:
    """Record one phone turn, stage by stage."""
    stages = {
        "endpointing": timing.endpointing_ms,
        "stt": timing.stt_ms,
        "engine": timing.engine_ms,
        "ehr": timing.ehr_ms,
        "tts": timing.tts_ms,
        "total": timing.first_audio_ms,
    }
    for stage, ms in stages.items():
        TURN_SECONDS.labels(stage=stage).observe(ms / 1000)
