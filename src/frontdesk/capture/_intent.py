"""What the caller is calling about: book, reschedule, cancel, confirm, a refill, or a person."""

from __future__ import annotations

import enum
import re

from frontdesk.capture._text import language_code, plain


class Intent(enum.StrEnum):
    """A reason for calling the front desk."""

    BOOK = "book"
    RESCHEDULE = "reschedule"
    CANCEL = "cancel"
    CONFIRM = "confirm"
    REFILL = "refill"
    STAFF = "staff"


_VISIT = r"(?:appointment|appt|visit|checkup|check up|physical|exam|consultation|consult)"
_PERSON = (
    r"(?:a |an |the |some |any |a real |a live |an actual )?"
    r"(?:person|someone|somebody|anyone|human|human being|front desk|operator|receptionist"
    r"|representative|staff|agent|nurse|office manager)"
)

# Regexes over plain lowercase words with apostrophes dropped ("id like to book").
_ENGLISH_STRONG: tuple[tuple[Intent, str], ...] = (
    (Intent.RESCHEDULE, r"reschedule|rebook|postpone|push (?:it|that|\w+ \w+) back|push back"),
    (
        Intent.RESCHEDULE,
        r"(?:move|change|switch|shift) (?:it|that|(?:my|the|our|his|her) (?:\w+ ){0,2}?"
        r"(?:" + _VISIT + r"|time|day|date|booking))",
    ),
    (Intent.RESCHEDULE, r"(?:a |another )?different (?:time|day|date)"),
    (Intent.CANCEL, r"cancel\w*|call (?:it|that) off"),
    (Intent.CONFIRM, r"confirm\w*|verify|double check"),
    (Intent.CONFIRM, r"check (?:on )?(?:my|the|our) (?:\w+ )?" + _VISIT),
    (Intent.CONFIRM, r"(?:when|what time|what day) is (?:my|our|the)"),
    (Intent.CONFIRM, r"do i (?:still )?have an? " + _VISIT),
    (Intent.REFILL, r"refills?|prescriptions?|renew (?:my|a|the)|running (?:out|low)"),
    (Intent.REFILL, r"more (?:of )?(?:my )?(?:medication|medicine|meds|pills)"),
    (Intent.STAFF, r"(?:talk|speak|chat) (?:to|with) " + _PERSON),
    (Intent.STAFF, r"(?:transfer|connect|put) me (?:to|with|through)"),
    (Intent.STAFF, r"operator|representative|receptionist|front desk|real person|human|live agent"),
    (Intent.BOOK, r"book\w*|schedule|set up|make (?:an?|another) (?:new )?(?:one|" + _VISIT + ")"),
    (Intent.BOOK, r"see (?:the |a |my |a new )?(?:doctor|dr|provider|physician|specialist)"),
    (Intent.BOOK, r"get in(?! touch)|come in|be seen|get seen"),
)
# Nouns that mean booking only when nothing else in the clause claimed them:
# "I need an appointment" books, "cancel an appointment" does not.
_ENGLISH_WEAK: tuple[tuple[Intent, str], ...] = (
    (Intent.BOOK, r"(?:an?|new|another|next available|first available) (?:\w+ )?" + _VISIT),
    (Intent.BOOK, r"checkup|check up|physical|new patient"),
)

_CITA = r"(?:cita|citas|consulta|turno|appointment)"
_MI_CITA = r"(?:(?:mi|la|una|su|nuestra|esa|esta) )?(?:\w+ )?" + _CITA
_PERSONA = (
    r"(?:(?:a |con )?(?:una |un |la |el |alguna |algun )?)"
    r"(?:persona(?: real)?|alguien|humano|ser humano|recepcionista|operador|operadora"
    r"|representante|agente|enfermera|enfermero|secretaria|la oficina)"
)
_SPANISH_STRONG: tuple[tuple[Intent, str], ...] = (
    (Intent.RESCHEDULE, r"reprogramar\w*|reagendar\w*|posponer|aplazar|cambiar de fecha"),
    (
        Intent.RESCHEDULE,
        r"(?:cambiar|cambio|cambie|cambiarme|mover|muevan?) (?:la (?:fecha|hora) de )?" + _MI_CITA,
    ),
    (Intent.RESCHEDULE, r"(?:otro dia|otra (?:fecha|hora)) (?:para|de) " + _MI_CITA),
    (
        Intent.RESCHEDULE,
        r"(?:la|lo) (?:quiero|quisiera|necesito|tengo que) (?:cambiar|mover|pasar)"
        r"|(?:cambiarla|moverla|pasarla) (?:para|a)",
    ),
    (Intent.CANCEL, r"cancel\w*|anular\w*|no (?:voy a|puedo) (?:ir|asistir|llegar)"),
    (Intent.CONFIRM, r"confirm\w*|verificar|checar " + _MI_CITA),
    (Intent.CONFIRM, r"(?:cuando|a que hora|que dia) (?:es|tengo) " + _MI_CITA),
    (Intent.CONFIRM, r"(?:(?:todavia|aun|si) tengo|tengo todavia) " + _MI_CITA),
    (
        Intent.REFILL,
        r"recetas?|resurt\w*|surtir\w*|rellenar|refill\w*|renovar (?:mi |la |el )?"
        r"(?:receta|medicamento|medicina)",
    ),
    (
        Intent.REFILL,
        r"(?:mas|otra caja de|se me (?:acabo|acabaron|esta acabando|estan acabando)) "
        r"(?:de )?(?:mi |mis |la |el |los |las )?(?:medicina|medicamento|pastilla|medicacion)s?",
    ),
    (Intent.STAFF, r"(?:hablar|comunicarme|comunicar|hable) (?:con )?" + _PERSONA),
    (Intent.STAFF, r"(?:comuniqueme|paseme|transfierame|conecteme|transferirme) (?:con|a)"),
    (Intent.STAFF, r"operadora?|representante|recepcionista|persona real|humano"),
    (
        Intent.BOOK,
        r"(?:hacer|sacar|pedir|programar|agendar|reservar|apartar|necesito|quiero|quisiera"
        r"|ocupo) (?:una |otra |1 )?(?:nueva )?" + _CITA,
    ),
    (Intent.BOOK, r"agendar\w*|programar\w*|reservar"),
    (Intent.BOOK, r"(?:hacer|sacar|pedir) (?:una |1 )?(?:nueva|otra)"),
    (
        Intent.BOOK,
        r"(?:ver|consultar) (?:a )?(?:al|la|el|mi|un|una) "
        r"(?:doctor|doctora|medico|medica|especialista|pediatra)",
    ),
)
_SPANISH_WEAK: tuple[tuple[Intent, str], ...] = (
    # "tengo una cita el martes": one they have, not one to book
    (Intent.BOOK, r"(?<!tengo )(?:una|un|1|nueva|otra|la proxima) (?:\w+ )?" + _CITA),
    (Intent.BOOK, r"chequeo|examen fisico|paciente nuevo|paciente nueva"),
)
# Spanish callers mix in English ("cancelar mi appointment"), so Spanish reads both.
STRONG: dict[str, tuple[tuple[Intent, str], ...]] = {
    "en": _ENGLISH_STRONG,
    "es": _SPANISH_STRONG + _ENGLISH_STRONG,
}
WEAK: dict[str, tuple[tuple[Intent, str], ...]] = {
    "en": _ENGLISH_WEAK,
    "es": _SPANISH_WEAK + _ENGLISH_WEAK,
}
CLAUSE_BREAKS: dict[str, str] = {
    "en": r"and|also|then|but|plus|as well",
    "es": r"y|tambien|ademas|luego|pero|and|also|then|but",
}

_STRONG = {
    lang: [(intent, re.compile(rf"\b(?:{pattern})\b")) for intent, pattern in table]
    for lang, table in STRONG.items()
}
_WEAK = {
    lang: [(intent, re.compile(rf"\b(?:{pattern})\b")) for intent, pattern in table]
    for lang, table in WEAK.items()
}
_BREAK = {lang: re.compile(rf"\b(?:{breaks})\b") for lang, breaks in CLAUSE_BREAKS.items()}


def parse_intents(text: str, *, language: str = "en") -> tuple[Intent, ...]:
    """Find every reason for calling, in the order the caller mentioned them.

    Args:
        text: What the caller said, e.g. "move my tuesday appointment and also book a checkup".
        language: The caller's language. Spanish: "quiero hacer una cita", "cancelar mi
            cita", "cambiar/reprogramar mi cita", "confirmar", "resurtir mi medicamento",
            "hablar con una persona".

    Returns:
        Distinct intents in order of first mention; empty when none was recognised.
    """
    lang = language_code(language)
    said = plain(text)
    found = sorted(
        (match.start(), intent)
        for intent, pattern in _STRONG[lang]
        for match in pattern.finditer(said)
    )
    clause_starts = [0, *(m.end() for m in _BREAK[lang].finditer(said))]
    for intent, pattern in _WEAK[lang]:
        for match in pattern.finditer(said):
            clause = max(s for s in clause_starts if s <= match.start())
            if not any(clause <= at <= match.start() for at, _ in found):
                found.append((match.start(), intent))
    ordered: list[Intent] = []
    for _, intent in sorted(found):
        if intent not in ordered:
            ordered.append(intent)
    return tuple(ordered)
