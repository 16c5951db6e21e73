"""Benchmark: phone calls, offline, on this machine.

1. Latency: scripted phone calls (synthesized caller audio over the Twilio media-stream
   protocol) to `frontdesk serve` in its own process; for every spoken turn, the end of the
   caller's speech → the agent's first audio, split into endpointing (the silence waited),
   speech-to-text (what was left of it when the turn ended: recognition starts speculatively
   200 ms into a pause), the engine (EHR included), and text-to-speech to the first audio.
   p50/p95. Callers play in real time, so the speculation gets its real head start.
2. Capacity: N calls at once, in real time, for N = 1, 2, 4…: caller frames the server
   could not take in time (late), gaps in the agent's audio mid-reply (underruns), and the
   first-audio p95. "Sustained" means no late frames, no underruns and a p95 under 2.5 s.

The target is ≤ 800 ms to first audio; where it is missed, the stage split shows why.
Run: `.venv/bin/python bench/voice.py [--calls 3] [--max-concurrent 8]` (about 6 minutes)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

from frontdesk.sandbox import TwilioCredentials
from frontdesk.testing._cluster import free_port
from frontdesk.voice import VoiceConfig, build_engines
from frontdesk.voice._phone import Softphone
from frontdesk.voice._speech import PCM, PiperConfig, TextToSpeech

BOCA = "+15615550100"
MARIA_ANI = "+15615550123"
#: A booking by phone: spoken lines, and keypad entries as ("keys", digits).
SCRIPT: tuple[tuple[str, str], ...] = (
    ("say", "I'd like to book an appointment."),
    ("keys", "03031985"),
    ("say", "Whoever is first available."),
    ("say", "As soon as possible."),
    ("keys", "1"),
    ("say", "Yes, please."),
)
SHORT: tuple[tuple[str, str], ...] = SCRIPT[:3]


async def serve(port: int, audit: Path) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "FRONTDESK_AUDIT_URL": f"sqlite+aiosqlite:///{audit}",
        "FRONTDESK_LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "frontdesk", "serve", "--port", str(port)),
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    async with httpx.AsyncClient() as http:
        for _ in range(600):
            try:
                if (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                    return process
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    process.kill()
    raise RuntimeError("frontdesk serve did not start")


async def synthesize(voice: TextToSpeech, script: tuple[tuple[str, str], ...]) -> dict[str, PCM]:
    """The caller's lines, synthesized once (the bench measures the agent, not the caller)."""
    audio: dict[str, PCM] = {}
    for kind, text in script:
        if kind == "say" and text not in audio:
            audio[text] = np.concatenate([chunk async for chunk in voice.synthesize(text)])
    return audio


async def call(
    base: str,
    voice: TextToSpeech,
    lines: dict[str, PCM],
    script: tuple[tuple[str, str], ...],
    speed: float,
) -> Softphone:
    account = TwilioCredentials.derive()
    phone = Softphone(
        base,
        auth_token=account.auth_token,
        account_sid=account.account_sid,
        voice=voice,
        speed=speed,
    )
    heard = await phone.dial(BOCA, MARIA_ANI)
    for kind, text in script:
        if heard.ended:
            break
        heard = await (phone.play(lines[text]) if kind == "say" else phone.press(text))
    await phone.hang_up()
    return phone


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=3)
    parser.add_argument("--max-concurrent", type=int, default=8)
    args = parser.parse_args()

    print("loading the caller's voice…", flush=True)
    speech = build_engines(VoiceConfig(tts=PiperConfig(deterministic=True)))
    lines = await synthesize(speech.tts, SCRIPT)
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = await serve(port, Path(tmp) / "audit.sqlite3")
        try:
            await latency(base, speech.tts, lines, args.calls)
            await capacity(base, speech.tts, lines, args.max_concurrent)
        finally:
            server.terminate()
            await server.wait()


async def latency(base: str, voice: TextToSpeech, lines: dict[str, PCM], calls: int) -> None:
    print(f"\n== latency: {calls} booking calls by phone, in real time", flush=True)
    started = time.perf_counter()
    for _ in range(calls):
        await call(base, voice, lines, SCRIPT, speed=1.0)
    elapsed = time.perf_counter() - started
    turns = await recorded_turns(base)
    print(f"{len(turns)} spoken turns in {elapsed:.0f} s")
    stages = ("endpointing_ms", "stt_ms", "engine_ms", "ehr_ms", "tts_ms", "first_audio_ms")
    print(f"{'stage':<16}{'p50 ms':>10}{'p95 ms':>10}")
    for stage in stages:
        values = [t[stage] for t in turns]
        print(f"{stage:<16}{percentile(values, 50):>10.0f}{percentile(values, 95):>10.0f}")
    first = [t["first_audio_ms"] for t in turns]
    verdict = "met" if percentile(first, 50) <= 800 else "not met"
    print(f"target ≤ 800 ms to first audio (p50): {verdict}")


async def recorded_turns(base: str) -> list[dict[str, float]]:
    """Spoken turns (those with speech recognition) of every phone call the server holds."""
    async with httpx.AsyncClient(base_url=base) as http:
        ids = (await http.get("/v1/calls", params={"channel": "phone"})).json()["calls"]
        records = [(await http.get(f"/v1/calls/{i}")).json() for i in ids]
    return [t for r in records for t in r["speech_timings"] if t["endpointing_ms"] > 0]


async def capacity(base: str, voice: TextToSpeech, lines: dict[str, PCM], most: int) -> None:
    print("\n== capacity: N calls at once, in real time", flush=True)
    print(f"{'calls':>6}{'late frames':>13}{'underruns':>11}{'p95 first audio':>17}  sustained")
    n = 1
    while n <= most:
        before = len(await recorded_turns(base))
        phones = await asyncio.gather(
            *(call(base, voice, lines, SHORT, speed=1.0) for _ in range(n))
        )
        turns = (await recorded_turns(base))[before:]
        late = sum(p.late_frames for p in phones)
        underruns = sum(p.underruns for p in phones)
        p95 = percentile([t["first_audio_ms"] for t in turns], 95) if turns else float("nan")
        ok = late == 0 and underruns == 0 and p95 < 2500
        print(f"{n:>6}{late:>13}{underruns:>11}{p95:>15.0f} ms  {'yes' if ok else 'no'}")
        n *= 2


if __name__ == "__main__":
    asyncio.run(main())
