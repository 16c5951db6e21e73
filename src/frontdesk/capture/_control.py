"""Turns that steer the conversation instead of answering: "hold on", "say that again"...

`parse_control` is meant to run before the parser for the expected answer: it only speaks
up when the whole turn is a control ("one moment" is not the first option, "just a
second" not the second one), and stays silent when an answer comes with it ("hold on,
it's 1985", "not sure, maybe Tuesday").
"""

from __future__ import annotations

import enum
import re

from frontdesk.capture._intent import Intent, parse_intents
from frontdesk.capture._text import language_code, plain


class Control(enum.StrEnum):
    """What a turn asks of the agent rather than answers."""

    SILENCE = "silence"  # nothing said, or only "um"
    DONT_KNOW = "dont_know"  # "I don't know", "not sure", "no sé"
    HOLD = "hold"  # "hold on", "one moment", "give me a second", "un momento"
    REPEAT = "repeat"  # "can you repeat that", "what?", "¿puede repetir?"
    HUMAN = "human"  # "a person please", "representative", keypad 0
    GOODBYE = "goodbye"  # "bye", "I have to go", "adiós"
    START_OVER = "start_over"  # "start over", "empezar de nuevo"


#: Keys pressed instead of speaking, as many phone menus use them.
KEYPAD: dict[str, Control] = {"0": Control.HUMAN, "*": Control.REPEAT}

# The phrases that make a turn a control, as regexes over plain words.
_ENGLISH_KEYS: dict[Control, tuple[str, ...]] = {
    Control.DONT_KNOW: (
        r"i (?:dont|do not|really dont) know",
        r"dont know",
        r"(?:im |i am )?not (?:really |too |so )?sure",
        r"(?:i have )?no (?:idea|clue)",
        r"i (?:dont|do not|cant|cannot|can not) (?:remember|recall)",
        r"i (?:forget|forgot)",
        r"i dunno|dunno|beats me",
        r"i (?:dont|do not) have (?:it|that|one|them|my \w+)",
    ),
    Control.HOLD: (
        r"(?:hold|hang) on",
        r"(?:please )?hold(?: please)?",
        r"(?:just )?(?:a|one) (?:moment|sec|second|minute|min)",
        r"give me (?:a|one|just a) (?:moment|sec|second|minute|min)",
        r"wait(?: a (?:moment|sec|second|minute))?",
        r"bear with me",
        r"let me (?:check|look|see|find|get|grab|pull|think)",
    ),
    Control.REPEAT: (
        r"(?:can|could|would) you (?:please )?(?:repeat|say) (?:that|it|the \w+)(?: again)?",
        r"(?:can|could|would) you (?:please )?repeat",
        r"repeat(?: that| it| the \w+)?",
        r"say (?:that|it) again|say again|come again|one more time",
        r"what did you say|what was that",
        r"i (?:didnt|did not|couldnt|could not|cant|cannot) (?:catch|hear|get|understand)",
        r"(?:can|could) you (?:please )?(?:slow down|speak up)|slow down|slower|speak up",
        r"are you (?:still )?there",
        r"youre breaking up|you broke up",
    ),
    Control.GOODBYE: (
        r"(?:good )?bye(?: bye)?|goodbye",
        r"have a (?:good|great|nice) (?:day|one|night|evening|afternoon)",
        r"talk to you later|see you|take care",
        r"i (?:have|got|gotta) to go|i gotta go|gotta go",
        r"(?:i will|ill|i can|ill just) call (?:you )?back(?: later)?|call back later",
        r"(?:im )?hanging up|hang up",
    ),
    Control.START_OVER: (
        r"start (?:over|again|from the (?:beginning|top))",
        r"(?:go back to|from) the (?:beginning|top)",
        r"restart",
    ),
}
_SPANISH_KEYS: dict[Control, tuple[str, ...]] = {
    Control.DONT_KNOW: (
        r"no (?:lo |la )?se",
        r"no estoy (?:muy )?segur[oa]",
        r"no tengo (?:ni )?(?:idea|la menor idea)|ni idea",
        r"no (?:me )?(?:acuerdo|recuerdo)|no lo recuerdo|se me olvido",
        r"no (?:lo|la|los|las) tengo|no tengo (?:mi|la|el) \w+",
        r"quien sabe|no sabria decirle",
    ),
    Control.HOLD: (
        r"esper(?:e|a|eme|ame)(?: un (?:momento|momentito|segundo|segundito|minuto))?",
        r"(?:un|deme un|dame un|permitame un) (?:momento|momentito|segundo|segundito|minuto)",
        r"permitame|aguarde|momento",
        r"(?:dejeme|dejame|deje) (?:ver|buscar|revisar|checar|pensar)|a ver",
    ),
    Control.REPEAT: (
        r"(?:me )?(?:puede|podria|pudiera) repetir(?:lo|la)?",
        r"(?:me )?lo (?:puede|podria) repetir",
        r"repita(?:lo|me|melo)?|repitame|me lo repite",
        r"otra vez|una vez mas",
        r"(?:que|como) (?:dijo|me dijo)",
        r"no (?:le )?(?:entendi|escuche|oi|oigo|entiendo)",
        r"(?:hable |mas )?(?:mas )?despacio",
        r"(?:sigue|esta) (?:usted )?ahi",
    ),
    Control.GOODBYE: (
        r"adios|chao|chau|bye(?: bye)?",
        r"hasta (?:luego|pronto|manana|la vista)",
        r"nos vemos|cuidese",
        r"que (?:tenga|le vaya) (?:un )?(?:buen dia|bien|buenas tardes|buenas noches)",
        r"tengo que (?:colgar|irme)",
        r"(?:luego|despues|mas tarde) (?:le |les )?(?:llamo|vuelvo a llamar)|vuelvo a llamar",
    ),
    Control.START_OVER: (
        r"(?:empezar|comenzar|empecemos|comencemos) de nuevo",
        r"volver a empezar|desde el principio|desde el inicio",
    ),
}
# Spanish callers mix in English, so Spanish reads both.
KEYS: dict[str, dict[Control, tuple[str, ...]]] = {
    "en": _ENGLISH_KEYS,
    "es": {c: _SPANISH_KEYS[c] + _ENGLISH_KEYS[c] for c in _ENGLISH_KEYS},
}

# Around the key phrase: politeness and noise, allowed with every control.
_ENGLISH_COURTESY = frozenset(
    {
        "please", "sorry", "um", "uh", "er", "erm", "hmm", "mm", "oh", "ah", "okay", "ok", "so",
        "well", "thanks", "thank", "you", "hey", "just", "oops", "excuse", "me", "hello",
        "actually", "but", "uhm",
    }
)  # fmt: skip
_SPANISH_COURTESY = frozenset(
    {
        "por", "favor", "gracias", "perdon", "perdone", "disculpe", "disculpa", "oiga", "mire",
        "este", "eh", "pues", "bueno", "senorita", "senor", "senora", "ay", "ah", "alo", "hola",
        "ok", "okay", "usted", "mm",
    }
)  # fmt: skip
COURTESY: dict[str, frozenset[str]] = {
    "en": _ENGLISH_COURTESY,
    "es": _ENGLISH_COURTESY | _SPANISH_COURTESY,
}
# A turn of only these is silence.
NOISE: dict[str, frozenset[str]] = {
    "en": frozenset({"um", "uh", "er", "erm", "hmm", "mm", "ah", "uhm"}),
    "es": frozenset({"um", "uh", "er", "erm", "hmm", "mm", "ah", "uhm", "eh", "este"}),
}
# Alone (with courtesy), these ask to hear it again: "what?", "sorry?", "¿mande?".
WHAT: dict[str, frozenset[str]] = {
    "en": frozenset({"what", "sorry", "pardon", "huh", "excuse"}),
    "es": frozenset({"what", "sorry", "pardon", "huh", "que", "como", "mande", "perdon"}),
}
# What may come with each control without being an answer: "I don't know my member ID",
# "hold on, let me get my card". Any other word makes the turn an answer to parse.
_ENGLISH_TAILS: dict[Control, frozenset[str]] = {
    Control.DONT_KNOW: frozenset(
        {
            "i", "im", "am", "it", "that", "this", "my", "the", "his", "her", "their", "our",
            "what", "which", "where", "how", "if", "whether", "is", "was", "are", "exactly",
            "offhand", "off", "top", "of", "head", "right", "now", "anymore", "really", "to",
            "be", "honest", "with", "on", "hand", "id", "number", "member", "policy", "group",
            "card", "insurance", "plan", "code", "zip", "email", "address", "birthday", "date",
            "birth", "name", "last", "phone", "doctor", "provider", "who", "spell", "spelled",
            "at", "all", "either", "though", "yet", "a", "an", "for", "here", "in", "front",
            "wallet", "purse", "dont", "do", "have", "about", "whats", "its", "sure", "know",
            "remember",
        }
    ),
    Control.HOLD: frozenset(
        {
            "let", "me", "get", "grab", "find", "check", "look", "see", "pull", "up", "it", "my",
            "the", "card", "wallet", "purse", "insurance", "glasses", "i", "need", "to", "have",
            "go", "im", "getting", "looking", "grabbing", "checking", "finding", "while", "for",
            "that", "this", "real", "quick", "a", "on", "hold", "wait", "out", "phone",
            "calendar", "schedule", "info", "information",
            "think", "gotta", "got", "lets", "just", "some", "paper", "pen", "write",
            "down", "bit", "little", "can", "you",
        }
    ),
    Control.REPEAT: frozenset(
        {
            "that", "again", "the", "question", "last", "part", "said", "slowly", "it", "them",
            "for", "me", "those", "options", "times", "dates", "what", "one", "more", "time",
            "can", "could", "would", "say", "i", "didnt", "catch", "hear", "get", "understand",
            "was", "louder", "are", "there", "still", "you", "please", "did", "a", "bit",
            "little", "missed", "all", "of",
        }
    ),
    Control.GOODBYE: frozenset(
        {
            "thanks", "thank", "you", "then", "now", "later", "so", "much", "alright", "all",
            "right", "no", "nope", "thats", "that", "it", "for", "your", "help", "have", "a",
            "good", "great", "nice", "day", "night", "one", "take", "care", "ill", "i", "will",
            "call", "back", "talk", "to", "soon", "see", "ya", "never", "mind", "nevermind",
            "bye",
        }
    ),
    Control.START_OVER: frozenset(
        {"can", "we", "lets", "let", "us", "i", "want", "to", "again", "all", "please", "over"}
    ),
}  # fmt: skip
_SPANISH_TAILS: dict[Control, frozenset[str]] = {
    Control.DONT_KNOW: frozenset(
        {
            "lo", "la", "el", "mi", "su", "cual", "que", "como", "donde", "si", "es", "era",
            "numero", "de", "miembro", "poliza", "tarjeta", "seguro", "aseguranza", "codigo",
            "postal", "correo", "fecha", "nacimiento", "nombre", "apellido", "telefono",
            "ahorita", "ahora", "mismo", "exactamente", "verdad", "conmigo", "aqui", "a",
            "mano", "tengo", "no", "ya", "me", "se", "bien", "muy", "cuando", "doctor",
            "doctora",
        }
    ),
    Control.HOLD: frozenset(
        {
            "dejeme", "deje", "dejame", "voy", "a", "buscar", "ver", "revisar", "checar", "sacar",
            "la", "el", "mi", "tarjeta", "cartera", "bolsa", "seguro", "que", "tengo", "un",
            "momento", "momentito", "segundo", "segundito", "minuto", "ahorita", "ya", "lo", "se",
            "me", "estoy", "buscando", "por", "favor", "traer", "aqui",
        }
    ),
    Control.REPEAT: frozenset(
        {
            "lo", "la", "me", "otra", "vez", "que", "dijo", "como", "no", "le", "entendi",
            "escuche", "oi", "mas", "despacio", "puede", "podria", "repetir", "repita",
            "repitame", "pregunta", "las", "opciones", "horas", "fechas", "sigue", "esta", "ahi",
            "usted", "por", "favor", "hablar", "un", "poco", "todo",
        }
    ),
    Control.GOODBYE: frozenset(
        {
            "gracias", "muchas", "entonces", "luego", "no", "eso", "es", "todo", "que", "tenga",
            "buen", "dia", "buenas", "noches", "tardes", "adios", "hasta", "le", "llamo", "mas",
            "tarde", "nada", "cuidese", "bye", "pronto",
        }
    ),
    Control.START_OVER: frozenset(
        {"podemos", "quiero", "vamos", "a", "por", "favor", "otra", "vez", "todo", "de", "nuevo"}
    ),
}  # fmt: skip
TAILS: dict[str, dict[Control, frozenset[str]]] = {
    "en": _ENGLISH_TAILS,
    "es": {c: _SPANISH_TAILS[c] | _ENGLISH_TAILS[c] for c in _ENGLISH_TAILS},
}

_KEYS: dict[str, dict[Control, re.Pattern[str]]] = {
    lang: {
        control: re.compile(r"\b(?:" + "|".join(phrases) + r")\b")
        for control, phrases in table.items()
    }
    for lang, table in KEYS.items()
}


def parse_control(text: str, *, language: str = "en") -> Control | None:
    """Recognise a turn that steers the conversation instead of answering.

    Run it before the parser for the expected answer. The last control mentioned wins
    ("I don't know, hold on, let me check" is HOLD); asking for a person (HUMAN) wins
    wherever it is said, as in `parse_intents`.

    Args:
        text: What the caller said or keyed ("0" is HUMAN and "*" REPEAT, as in phone menus).
        language: The caller's language; Spanish reads English controls too.

    Returns:
        The control, or None when the turn holds an answer (or anything else).
    """
    lang = language_code(language)
    keyed = text.strip().rstrip("#")
    if keyed in KEYPAD:
        return KEYPAD[keyed]
    said = plain(text)
    spoken = said.split()
    if all(w in NOISE[lang] for w in spoken):
        return Control.SILENCE
    if Intent.STAFF in parse_intents(text, language=lang):
        return Control.HUMAN
    hits = sorted(
        (match.start(), -match.end(), control)
        for control, pattern in _KEYS[lang].items()
        for match in pattern.finditer(said)
    )
    covered = [False] * len(said)
    for start, end, _ in hits:
        covered[start:-end] = [True] * (-end - start)
    rest = [m.group() for m in re.finditer(r"\S+", said) if not covered[m.start()]]
    courtesy = COURTESY[lang] | NOISE[lang]
    if not hits:
        only_what = all(w in courtesy or w in WHAT[lang] for w in rest)
        return Control.REPEAT if only_what and WHAT[lang] & set(rest) else None
    control = hits[-1][2]
    allowed = courtesy | TAILS[lang][control] | WHAT[lang]
    return control if all(w in allowed for w in rest) else None
