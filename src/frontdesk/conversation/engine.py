"""The engine: runs blocks turn by turn over a stored call, and owns turn-taking.

A turn: take the call's lock, hand the caller's words to the current block, follow `Next`
outcomes until a block waits for the caller (`AskAgain`) or the call ends (`Handoff`, `Done`),
render what to say, and store the call. EHR failures become a handoff with the caller told
what happens next; nothing a block raises ever leaves the caller in silence.

Each turn carries a retry budget (`frontdesk.ehr.bind_turn`): all the EHR retrying the turn
does fits in it, so a sick EHR costs the caller seconds, not minutes. When the tenant's EHR
circuit breaker is open, a block that needs the EHR is not run at all: the caller hears at
once that the message is taken and staff will call back, and the call ends in the usual
`ehr_unavailable` handoff, with a task for staff.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import secrets
import time
from collections.abc import Callable
from typing import assert_never

import structlog
from prometheus_client import Counter, Histogram

from frontdesk import conversation
from frontdesk.audit import AuditAction, AuditEvent, AuditSink
from frontdesk.capture import (
    Control,
    detect_language,
    named_language,
    parse_control,
    parse_intents,
)
from frontdesk.conversation import flows, prompts
from frontdesk.conversation._block import BLOCKS, Block, BlockContext, Heard
from frontdesk.conversation.call import Call, HandoffInfo, SpeechTiming, Turn, TurnTiming
from frontdesk.conversation.outcomes import (
    AskAgain,
    Done,
    Expecting,
    Handoff,
    HandoffReason,
    Line,
    Next,
    Outcome,
    say,
)
from frontdesk.conversation.state import CallState, Sourced
from frontdesk.ehr import BreakerState, CircuitOpen, EhrError, Endpoint, bind_turn, endpoint_of
from frontdesk.metering import CallLedger, bind_call, busy_ms
from frontdesk.safety import RedFlag, red_flag_set
from frontdesk.store import CallStore
from frontdesk.tenancy import Escalation, TenantRegistry, TenantServices, e164

log = structlog.get_logger(__name__)

#: A turn that follows more `Next` outcomes than this is a loop in the flow: hand off.
MAX_STEPS = 24
#: Silent turns in a row before the agent says goodbye.
MAX_SILENCES = 3
#: The first caller turns whose language may switch the call's without being asked.
LANGUAGE_TURNS = 2

Clock = Callable[[], dt.datetime]

TURNS = Counter(
    "frontdesk_turns_total",
    "Conversation turns by tenant and how they ended (continued, ended, handoff).",
    ["tenant", "outcome"],
)
TURN_SECONDS = Histogram(
    "frontdesk_turn_seconds",
    "The engine's time per turn (EHR included), by tenant.",
    ["tenant"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0),
)


class UnknownNumber(LookupError):
    """No tenant answers the dialed number."""


class CallEnded(RuntimeError):
    """The call is over; it takes no more turns."""


@dataclasses.dataclass(frozen=True, slots=True)
class Reply:
    """What the agent says after a turn, and what it waits for."""

    call_id: str
    say: tuple[str, ...]
    expecting: Expecting | None
    ended: bool
    handoff: HandoffInfo | None
    language: str = "en"
    spoken_in: tuple[str, ...] = ()  # each line's language, where one differs ("para español")
    ehr_ms: float = 0.0  # of this turn, time with an EHR request in flight


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def handoff_summary(state: CallState, reason: HandoffReason) -> str:
    """What the staff member taking the call needs, from the captured state."""
    parts = [f"Reason: {reason.value.replace('_', ' ')}."]
    if state.patient is not None:
        chart = state.patient.value
        parts.append(f"Verified patient: {' '.join(chart.given)} {chart.family}, chart {chart.id}.")
    elif state.stated_name is not None:
        name = state.stated_name.value
        dob = state.stated_birth_date.value.isoformat() if state.stated_birth_date else "not given"
        parts.append(f"Unverified caller says: {name.given} {name.family or ''}, born {dob}.")
    if state.ani is not None:
        parts.append(f"Calling from {state.ani.value}.")
    if state.intents is not None:
        parts.append(f"Wants: {', '.join(i.value for i in state.intents.value)}.")
    if state.provider_request is not None:
        request = state.provider_request.value
        who = (
            "any provider"
            if request.any_provider
            else (request.specialty or ", ".join(request.practitioner_ids))
        )
        parts.append(f"Provider: {who}.")
    if state.chosen_slot is not None:
        parts.append(f"Chosen slot: Slot/{state.chosen_slot.value.id}.")
    if state.appointment is not None:
        parts.append(f"Booked: Appointment/{state.appointment.value.id}.")
    return " ".join(parts)


def call_purpose(call: Call) -> dict[str, str]:
    """What a call was for, for its CALL_ENDED audit event: identifiers only, never words.

    ``intents``: what the caller asked for, in order (``"book,cancel"``); ``done``: those whose
    flow ran to its end; ``new_patient``: whether a provisional chart was made on the call.
    """
    progress = call.progress
    asked = list(progress.done)
    if progress.intent is not None:
        asked.append(progress.intent.intent.value)
    queued = [pending.intent.value for pending in progress.intents]
    # An intent the EHR cannot serve leaves the queue as the call hands off; the caller's
    # latest request (state.intents) still names it, and it was next in line.
    latest = call.state.intents.value if call.state.intents is not None else ()
    dropped = collections.Counter(i.value for i in latest) - collections.Counter(asked + queued)
    return {
        "intents": ",".join([*asked, *dropped.elements(), *queued]),
        "done": ",".join(progress.done),
        "new_patient": "true" if progress.registered_new else "false",
    }


#: Handoffs that go to the clinical line, and to billing, when the practice has one.
CLINICAL = frozenset({HandoffReason.EMERGENCY, HandoffReason.CONTROLLED_SUBSTANCE})
BILLING = frozenset({HandoffReason.COVERAGE_INACTIVE})


def destination(reason: HandoffReason, escalation: Escalation) -> tuple[str, str]:
    """Where a handoff goes (the number) and the line that tells the caller so."""
    if reason in CLINICAL and escalation.clinical:
        return escalation.clinical, "transfer_clinical"
    if reason in BILLING and escalation.billing:
        return escalation.billing, "transfer_billing"
    return escalation.front_desk, "transfer"


def _ehr_circuit_open(tenant: TenantServices, block: Block) -> bool:
    """Whether the block needs the EHR and the tenant's EHR breaker refuses requests now."""
    breakers = tenant.breakers
    if breakers is None or breakers.ehr.state is not BreakerState.OPEN:
        return False
    return any(endpoint_of(op) is Endpoint.EHR for op in block.operations)


def _ehr_down(call: Call, block: Block) -> Handoff:
    """The fallback while the EHR's breaker is open: a message for staff, who call back."""
    task = f"call the caller back: the EHR was not answering (circuit open) at {block.name}"
    if task not in call.staff_tasks:
        call.staff_tasks.append(task)
    return Handoff(HandoffReason.EHR_UNAVAILABLE, (say("ehr_unavailable"), say("ehr_callback")))


class Engine:
    """Runs calls for every tenant of a deployment."""

    def __init__(
        self,
        tenants: TenantRegistry,
        store: CallStore,
        audit: AuditSink,
        *,
        clock: Clock = _utc_now,
    ) -> None:
        conversation.load_blocks()
        self._tenants = tenants
        self._store = store
        self._audit = audit
        self._clock = clock

    @property
    def tenants(self) -> TenantRegistry:
        """The deployment's tenants."""
        return self._tenants

    @property
    def store(self) -> CallStore:
        """Where calls are kept."""
        return self._store

    async def start(self, *, to: str, caller: str | None, channel: str = "text") -> Reply:
        """Answer a call to `to` from `caller`; raises `UnknownNumber`."""
        tenant = self._tenants.by_dialed_number(to)
        if tenant is None:
            raise UnknownNumber(to)
        now = self._clock()
        call_id = "call_" + secrets.token_urlsafe(12)
        state = CallState(call_id=call_id, tenant=tenant.id)
        state.dialed = Sourced[str](value=e164(to), source="attribute", step="channel", at=now)
        language = tenant.config.languages[0]
        state.language = Sourced[str](
            value=language, source="attribute", step="channel", at=now, evidence="tenant.languages"
        )
        if caller:
            try:
                ani = e164(caller)
            except ValueError:
                ani = None
            if ani:
                state.ani = Sourced[str](value=ani, source="ani", step="channel", at=now)
        call = Call(id=call_id, tenant=tenant.id, channel=channel, started_at=now, state=state)
        await self._store.create(call)
        self._audit_event(call, AuditAction.CALL_STARTED, "call.start", "ok")
        return await self._turn(call_id, None)

    async def turn(self, call_id: str, *, text: str = "", dtmf: str | None = None) -> Reply:
        """The caller said `text` (or keyed `dtmf`); raises `CallNotFound`, `CallEnded`."""
        return await self._turn(call_id, (text, dtmf))

    async def hand_off(self, call_id: str, reason: HandoffReason) -> Reply:
        """End the automated part from outside the conversation; the caller hears where to.

        For the phone leg, e.g. when it has no speech engine for the caller's language.
        """
        async with self._store.session(call_id) as call:
            if call.ended:
                raise CallEnded(call_id)
            tenant = self._tenants.get(call.tenant)
            assert tenant is not None
            line = say(destination(reason, tenant.config.escalation)[1])
            reply = await self._end(call, tenant, [line], reason)
        await self._flush_audit()
        return reply

    async def note_speech(self, call_id: str, timing: SpeechTiming) -> None:
        """Keep a phone turn's latency, stage by stage, with the call."""
        async with self._store.session(call_id) as call:
            call.speech.append(timing)

    async def _turn(self, call_id: str, words: tuple[str, str | None] | None) -> Reply:
        async with self._store.session(call_id) as call:
            if call.ended:
                raise CallEnded(call_id)
            tenant = self._tenants.get(call.tenant)
            assert tenant is not None
            started = time.perf_counter()
            heard = None
            if words is not None:
                text, dtmf = words
                spoken = text.strip() or (dtmf or "")
                call.transcript.append(Turn(at=self._clock(), speaker="caller", text=spoken))
                heard = Heard(
                    text=text.strip() or (dtmf or ""), dtmf=dtmf, turn=len(call.transcript)
                )
            ledger = CallLedger(call.id, call.transactions)
            already = len(call.transactions)
            with structlog.contextvars.bound_contextvars(call_id=call.id, tenant=call.tenant):
                with bind_call(ledger), bind_turn():
                    reply = await self._run(call, tenant, heard)
                timing = TurnTiming(
                    total_ms=round((time.perf_counter() - started) * 1000, 3),
                    ehr_ms=round(busy_ms(call.transactions[already:]), 3),
                )
                outcome = "handoff" if reply.handoff else "ended" if reply.ended else "continued"
                TURNS.labels(call.tenant, outcome).inc()
                TURN_SECONDS.labels(call.tenant).observe(timing.total_ms / 1000)
                call.timings.append(timing)
                reply = dataclasses.replace(reply, ehr_ms=timing.ehr_ms)
                log.info(
                    "turn",
                    block=call.progress.block,
                    expecting=reply.expecting,
                    ended=reply.ended,
                    ms=round(timing.total_ms, 1),
                    ehr_ms=round(timing.ehr_ms, 1),
                )
            await self._flush_audit()
            return reply

    async def _flush_audit(self) -> None:
        """Make the turn's audit events durable before the caller hears the outcome."""
        try:
            await self._audit.flush()
        except Exception:  # the events stay queued and go with the next flush
            log.exception("audit_flush_failed")

    async def _run(self, call: Call, tenant: TenantServices, heard: Heard | None) -> Reply:
        lines: list[Line] = []
        flag = self._red_flag(call, tenant, heard) if heard is not None else None
        if flag is not None:
            return await self._emergency(call, tenant, flag)
        if heard is not None and self._choose_language(call, tenant, heard):
            heard = None  # only "español" was said: ask the question again, in Spanish
            call.progress.entered = False
        control = None
        if heard is not None:
            language = call.state.language.value if call.state.language else "en"
            control = parse_control(heard.dtmf or heard.text, language=language)
        if control is Control.SILENCE or (heard is not None and not heard.text):
            call.progress.silences += 1
            if call.progress.silences >= MAX_SILENCES:  # a polite goodbye, not dead air
                lines = [say("no_response"), say("goodbye", practice=tenant.config.name)]
                return await self._end(call, tenant, lines, None)
            heard = None  # silence, an empty message or "um": say the question again
            call.progress.entered = False
        elif heard is not None:
            call.progress.silences = 0
        match control:
            case Control.REPEAT:
                return self._say_again(call)
            case Control.HOLD:
                return await self._reply(
                    call, [say("take_your_time")], expecting=call.progress.expecting
                )
            case Control.HUMAN:
                lines = [say("caller_request"), say("transfer")]
                return await self._end(call, tenant, lines, HandoffReason.CALLER_REQUEST)
            case Control.GOODBYE:
                lines = [say("goodbye", practice=tenant.config.name)]
                return await self._end(call, tenant, lines, None)
        outcome = await self._step(call, tenant, heard)
        for _ in range(MAX_STEPS):
            match outcome:
                case Next(block=target, say=said):
                    lines.extend(said)
                    intent = call.progress.intent.intent if call.progress.intent else None
                    call.progress.block = target or flows.after(call.progress.block, intent)
                    call.progress.entered = False
                    outcome = await self._step(call, tenant, None)
                case AskAgain(say=said, expecting=expecting):
                    lines.extend(said)
                    call.progress.expecting = expecting
                    call.progress.entered = True
                    return await self._reply(call, lines, expecting=expecting)
                case Handoff(reason=reason, say=said):
                    lines.extend(said)
                    lines.append(say(destination(reason, tenant.config.escalation)[1]))
                    return await self._end(call, tenant, lines, reason)
                case Done(say=said):
                    lines.extend(said)
                    return await self._end(call, tenant, lines, None)
                case _:
                    assert_never(outcome)
        log.error("flow_loop", block=call.progress.block)
        lines.append(say("internal_error"))
        lines.append(say("transfer"))
        return await self._end(call, tenant, lines, HandoffReason.INTERNAL_ERROR)

    def _choose_language(self, call: Call, tenant: TenantServices, heard: Heard) -> bool:
        """Switch the call's language when the caller asks for one, or opens in one.

        Returns True when the words were only the choice ("español"), with nothing to answer.
        """
        offered = tenant.config.languages
        current = call.state.language.value if call.state.language else offered[0]
        if len(offered) < 2 or heard.dtmf:
            return False
        opening = sum(1 for t in call.transcript if t.speaker == "caller") <= LANGUAGE_TURNS
        said = named_language(heard.text) or (detect_language(heard.text) if opening else None)
        if said is None or said == current or said not in offered:
            return False
        call.state.language = Sourced[str](
            value=said, source="caller", step="channel", at=self._clock(), evidence=heard.evidence
        )
        return call.progress.expecting == "intent" and not parse_intents(heard.text, language=said)

    def _say_again(self, call: Call) -> Reply:
        """The agent's last words, as they were said ("can you repeat that?")."""
        earlier = call.transcript[:-1]  # the caller's request to repeat is the last turn
        last: list[str] = []
        for turn in reversed(earlier):
            if turn.speaker == "caller":
                if last:
                    break
                continue
            last.insert(0, turn.text)
        expecting = call.progress.expecting
        now = self._clock()
        call.transcript.extend(
            Turn(at=now, speaker="agent", text=text, expecting=expecting) for text in last
        )
        language = call.state.language.value if call.state.language else "en"
        return Reply(call.id, tuple(last), expecting, ended=False, handoff=None, language=language)

    def _red_flag(self, call: Call, tenant: TenantServices, heard: Heard) -> RedFlag | None:
        """The safety net: every caller utterance, before any block reads it."""
        language = call.state.language.value if call.state.language else "en"
        flag = red_flag_set(tenant.config.red_flags).detect(heard.text, language)
        if flag is not None:
            call.state.red_flag = Sourced[str](
                value=flag.category,
                source="caller",
                step="safety_net",
                at=self._clock(),
                evidence=heard.evidence,
            )
        return flag

    async def _emergency(self, call: Call, tenant: TenantServices, flag: RedFlag) -> Reply:
        """Tell the caller whom to call, stop the flow, warm-transfer to clinical staff."""
        log.warning("red_flag", category=flag.category, block=call.progress.block)
        self._audit_event(
            call,
            AuditAction.SAFETY_ESCALATION,
            "call.safety_net",
            "escalated",
            detail={"category": flag.category, "line": flag.line, "block": call.progress.block},
        )
        lines = [say(f"emergency_{flag.line}"), say("emergency_transfer")]
        return await self._end(call, tenant, lines, HandoffReason.EMERGENCY)

    async def _step(self, call: Call, tenant: TenantServices, heard: Heard | None) -> Outcome:
        block = BLOCKS[call.progress.block]
        if _ehr_circuit_open(tenant, block):
            log.warning("ehr_circuit_open", block=block.name)
            return _ehr_down(call, block)
        ctx = BlockContext(
            state=call.state,
            progress=call.progress,
            tenant=tenant.config,
            ehr=tenant.ehr,
            now=self._clock(),
            block=block,
            eligibility=tenant.eligibility,
            tasks=call.staff_tasks,
        )
        try:
            return await block.run(ctx, heard if call.progress.entered else None)
        except CircuitOpen as exc:
            log.warning("ehr_circuit_open", block=block.name, endpoint=exc.endpoint)
            return _ehr_down(call, block)
        except EhrError as exc:
            log.warning("ehr_failed", block=block.name, error=type(exc).__name__, status=exc.status)
            return Handoff(HandoffReason.EHR_UNAVAILABLE, (say("ehr_unavailable"),))
        except Exception:  # a live caller must never hear silence; the bug is logged.
            log.exception("block_failed", block=block.name)
            return Handoff(HandoffReason.INTERNAL_ERROR, (say("internal_error"),))

    async def _reply(
        self,
        call: Call,
        lines: list[Line],
        *,
        expecting: Expecting | None,
        handoff: HandoffInfo | None = None,
    ) -> Reply:
        verified = call.state.identity_verified
        language = call.state.language.value if call.state.language else "en"
        said = tuple(prompts.render(line, verified=verified, language=language) for line in lines)
        spoken_in = tuple(line.language or language for line in lines)
        now = self._clock()
        call.transcript.extend(
            Turn(at=now, speaker="agent", text=text, expecting=expecting) for text in said
        )
        return Reply(
            call_id=call.id,
            say=said,
            expecting=expecting,
            ended=call.ended,
            handoff=handoff,
            language=language,
            spoken_in=spoken_in,
        )

    async def _end(
        self, call: Call, tenant: TenantServices, lines: list[Line], reason: HandoffReason | None
    ) -> Reply:
        call.progress.expecting = None
        call.ended_at = self._clock()
        if reason is not None:
            target, _ = destination(reason, tenant.config.escalation)
            call.handoff = HandoffInfo(
                reason=reason.value, target=target, summary=handoff_summary(call.state, reason)
            )
            self._audit_event(
                call, AuditAction.HANDOFF, "call.handoff", "ok", detail={"reason": reason.value}
            )
        self._audit_event(
            call, AuditAction.CALL_ENDED, "call.end", call.outcome, detail=call_purpose(call)
        )
        return await self._reply(call, lines, expecting=None, handoff=call.handoff)

    def _audit_event(
        self,
        call: Call,
        action: AuditAction,
        operation: str,
        outcome: str,
        *,
        detail: dict[str, str] | None = None,
    ) -> None:
        appointment = call.state.appointment
        self._audit.record(
            AuditEvent(
                at=self._clock(),
                tenant=call.tenant,
                call_id=call.id,
                action=action,
                operation=operation,
                resource_type="Appointment" if appointment else None,
                resource_id=appointment.value.id if appointment else None,
                outcome=outcome,
                detail=detail or {},
            )
        )
