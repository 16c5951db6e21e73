"""Calendar words in Spanish, rewritten as the English words the date and time parsers read.

Dates of birth, time preferences and choices among offered times share one vocabulary:
weekdays, months, parts of the day, "next week", "at three thirty". Rather than a Spanish
twin of each parser, `canonical` rewrites a Spanish utterance into that vocabulary
("el martes por la tarde" -> "tuesday afternoon", "mañana por la mañana" -> "tomorrow
morning", "a las tres y media" -> "at 3 30") and the same parser reads both languages.
English words a Spanish caller mixes in pass through untouched.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from text_to_num import alpha2digit

from frontdesk.capture._text import fold, language_code, plain

WEEKDAYS: dict[str, str] = {
    "lunes": "monday",
    "martes": "tuesday",
    "miercoles": "wednesday",
    "jueves": "thursday",
    "viernes": "friday",
    "sabado": "saturday",
    "domingo": "sunday",
}
MONTHS: dict[str, str] = {
    "enero": "january",
    "febrero": "february",
    "marzo": "march",
    "abril": "april",
    "mayo": "may",
    "junio": "june",
    "julio": "july",
    "agosto": "august",
    "septiembre": "september",
    "setiembre": "september",
    "octubre": "october",
    "noviembre": "november",
    "diciembre": "december",
}
# Abbreviations that are also words ("ago", "dic"): months only right next to a number.
MONTH_ABBREVIATIONS: dict[str, str] = {"ene": "jan", "abr": "apr", "ago": "aug", "dic": "dec"}
ORDINALS: dict[str, str] = {
    "primero": "first", "primera": "first", "primer": "first", "segundo": "second",
    "segunda": "second", "tercero": "third", "tercera": "third", "tercer": "third",
    "cuarto": "fourth", "cuarta": "fourth", "quinto": "fifth", "quinta": "fifth",
    "ultimo": "last", "ultima": "last",
}  # fmt: skip
UNITS: dict[str, str] = {
    "dia": "day", "dias": "days", "semana": "week", "semanas": "weeks", "mes": "month",
    "meses": "months",
}  # fmt: skip

_DAY = "|".join(WEEKDAYS)
_DAYS = r"(?:lunes|martes|miercoles|jueves|viernes|sabados?|domingos?)"
_NEXT_WEEK = r"(?:la )?(?:proxima semana|semana que viene|semana proxima|semana entrante)"
_NEXT_MONTH = r"(?:el )?(?:proximo mes|mes que viene|mes proximo|mes entrante)"
_THE = r"(?:las?|el|los)"


def _ordinal(number: int) -> str:
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10 if number // 10 != 1 else 0, "th")
    return f"{number}{suffix}"


def _minus(match: re.Match[str]) -> str:
    """Read "3 menos 15" as "2 45"."""
    hour, minutes = int(match[1]), int(match[2])
    if not 0 < minutes < 60:
        return match[0]
    return f"{(hour - 2) % 12 + 1} {60 - minutes:02d}"


def _unit(match: re.Match[str]) -> str:
    return UNITS[match[2]]


def _weekday(word: str) -> str:
    """Translate a weekday: "martes" -> "tuesday", "sabados" -> "saturdays"."""
    return WEEKDAYS.get(word) or WEEKDAYS[word.removesuffix("s")] + "s"


def _weekdays(word: str) -> str:
    """Translate a weekday as a plural: "martes" -> "tuesdays"."""
    return WEEKDAYS.get(word, "") + "s" if word in WEEKDAYS else _weekday(word)


_Rule = tuple[str, str | Callable[[re.Match[str]], str]]

# Before numbers become digits: phrases holding number words that mean something else.
BEFORE_DIGITS: tuple[_Rule, ...] = (
    (r"\by cuarto\b", "y quince"),
    (r"\bmenos cuarto\b", "menos quince"),
    (
        r"\blo (?:mas )?(?:antes|pronto|rapido|temprano) (?:posible|que (?:se )?pueda"
        r"|que (?:usted )?tenga)|\bcuanto antes|\blo mas pronto\b|\blo antes\b",
        "asap",
    ),
    (
        r"\b(?:la |el |lo )?(?:primer[oa]?) (?:cita |fecha |hora |espacio |turno )?"
        r"(?:disponible|libre|que (?:usted )?tenga)",
        "first available",
    ),
    (r"\burgente(?:mente)?\b", "urgent"),
    (
        r"\b(?:cuando sea|a cualquier hora|cualquier (?:dia|hora|momento|fecha)|no importa"
        r"|(?:me )?da igual|lo que (?:usted )?(?:tenga|haya)(?: disponible)?"
        r"|no tengo preferencia|sin preferencia|(?:soy )?flexible"
        r"|cuando (?:usted )?(?:quiera|pueda|tenga))\b",
        "whenever",
    ),
    (r"\bpasado manana\b", "day after tomorrow"),
    (r"\b(?:algo |un poco )?mas tarde\b", "something later"),
    (r"\b(?:algo |un poco )?mas temprano\b|\bun poco antes\b", "something earlier"),
    (r"\b(" + "|".join(ORDINALS) + r")\b", lambda m: ORDINALS[m[1]]),
)

# After numbers are digits: clock times, parts of the day, days, weeks, months, choices.
AFTER_DIGITS: tuple[_Rule, ...] = (
    (r"\b(\d{1,2})[oa]\b", lambda m: _ordinal(int(m[1]))),  # typed "1º", "2ª"
    (
        rf"\bentre {_THE}? ?(\S+) y {_THE}? ?(\S+)",
        lambda m: f"between {m[1]} and {m[2]}",
    ),
    (r"\b(\d{1,2}) y media\b", r"\1 30"),
    (r"\b(\d{1,2}) y (\d{1,2})\b", lambda m: f"{m[1]} {int(m[2]):02d}"),
    (r"\b(\d{1,2}) menos (\d{1,2})\b", _minus),
    (r"\b(\d{1,2}(?: \d{2})?) (?:de|por|en) la manana\b", r"\1 am"),
    (r"\b(\d{1,2}(?: \d{2})?) (?:de|por|en) la (?:tarde|noche)\b", r"\1 pm"),
    (r"\b(\d{1,2}(?: \d{2})?) del mediodia\b", r"\1 pm"),
    (r"\ben punto\b", "oclock"),
    (r"\bantes del mediodia\b", "before noon"),
    (r"\b(?:despues del|a partir del|desde el) mediodia\b", "after noon"),
    (r"\b(?:a |al )?mediodia\b", "noon"),
    (r"\b(?:a )?(?:la )?medianoche\b", "midnight"),
    (
        rf"\b(?:como|mas o menos|alrededor de|a eso de|cerca de)(?: a)? {_THE} (?=\d)",
        "around ",
    ),
    (rf"\b(?:la|el) de {_THE} (?=\d)", "the one at "),
    (rf"\bdespues de {_THE} (?=\d)", "after "),
    (rf"\bantes de {_THE} (?=\d)", "before "),
    (rf"\b(?:a partir de|desde) {_THE} (?=\d)", "from "),
    (rf"\bhasta {_THE} (?=\d)", "until "),
    (rf"\ba {_THE} (?=\d)", "at "),
    (r"\b(?:las|la) (?=\d{1,2}\b(?! de))", ""),
    # parts of the day, "mañana" (tomorrow) after every "la mañana" (morning)
    (
        r"\b(?:(?:por|en) la manana temprano|temprano (?:en|por) la manana|muy temprano)\b",
        "early morning",
    ),
    (r"\bmanana temprano\b", "tomorrow early morning"),
    (r"\ba media manana\b", "late morning"),
    (r"\besta manana\b", "this morning"),
    (r"\besta tarde\b", "this afternoon"),
    (r"\besta noche\b", "tonight"),
    (r"\b(?:por |en |de )?las mananas\b", "mornings"),
    (r"\b(?:por |en |de )?las tardes\b", "afternoons"),
    (r"\b(?:por |en |de )?las noches\b", "evenings"),
    (r"\b(?:por |en |de |a )?la manana\b", "morning"),
    (r"\b(?:por |en |de )?la tarde\b", "afternoon"),
    (r"\b(?:por |en |de )?la noche\b", "evening"),
    (r"\bmanana\b", "tomorrow"),
    (r"\btarde\b", "afternoon"),
    (r"\btemprano\b", "early morning"),
    (r"\bdespues (?:del almuerzo|de almorzar|de comer)\b", "after lunch"),
    (r"\bantes (?:del almuerzo|de almorzar|de comer)\b", "before lunch"),
    (r"\b(?:despues de|saliendo de) la escuela\b", "after school"),
    (r"\b(?:despues del|saliendo del) trabajo\b", "after work"),
    # weeks and months
    (r"\b(?:de )?hoy en (?:8|ocho)(?: dias)?\b", "in 1 week"),
    (r"\b(?:de )?hoy en (?:15|quince)(?: dias)?\b", "in 2 weeks"),
    (r"\b(?:en|dentro de) 15 dias\b", "in 2 weeks"),
    (r"\b(?:en|dentro de) 8 dias\b", "in 1 week"),
    (r"\b(?:en|dentro de) (\d+) (dias?|semanas?|mes|meses)\b", lambda m: f"in {m[1]} {_unit(m)}"),
    (
        r"\b(\d+) (dias?|semanas?|mes|meses) (?:a partir de|desde) (?:hoy|ahora)\b",
        lambda m: f"{m[1]} {_unit(m)} from today",
    ),
    (
        rf"\b(\d+) (dias?|semanas?) (?:a partir del?|despues del?) ({_DAY})\b",
        lambda m: f"{m[1]} {_unit(m)} from {WEEKDAYS[m[3]]}",
    ),
    (
        rf"\b{_THE}? ?semana (?:despues de|siguiente a) {_NEXT_WEEK}\b",
        "the week after next",
    ),
    (rf"\ba (?:principios|comienzos|inicios) de {_NEXT_WEEK}\b", "early next week"),
    (rf"\ba (?:finales|fines) de {_NEXT_WEEK}\b", "late next week"),
    (
        r"\b(?:a (?:finales|fines|final) de (?:la|esta) semana|al final de (?:la|esta) semana)\b",
        "end of the week",
    ),
    (rf"\b(?:el )?({_DAY}) (?:de|en) {_NEXT_WEEK}\b", lambda m: f"{WEEKDAYS[m[1]]} next week"),
    (rf"\b{_NEXT_WEEK}\b", "next week"),
    (r"\besta semana\b", "this week"),
    (r"\b(?:el )?(?:proximo fin de semana|fin de semana que viene)\b", "next weekend"),
    (r"\b(?:los )?fines de semana\b", "weekends"),
    (r"\b(?:este|el) fin de semana\b", "the weekend"),
    (r"\b(?:entre semana|dias de semana|dias laborables)\b", "weekdays"),
    (rf"\ba (?:finales|fines|fin) del? {_NEXT_MONTH}\b", "end of next month"),
    (rf"\ba (?:principios|comienzos|inicios) del? {_NEXT_MONTH}\b", "beginning of next month"),
    (r"\ba (?:finales|fines|fin) de (?:este )?mes\b", "end of the month"),
    (r"\ba (?:principios|comienzos|inicios) de (?:este )?mes\b", "beginning of this month"),
    (rf"\b{_NEXT_MONTH}\b", "next month"),
    (r"\beste mes\b", "this month"),
    (r"\bhoy\b", "today"),
    (r"\bahora\b", "now"),
    # weekdays: "el martes próximo", "este viernes", "los lunes", "no el lunes"
    (rf"\b(?:el )?({_DAY}) (?:despues del proximo|siguiente al proximo)\b", r"\1 after next"),
    (rf"\b(?:el )?({_DAY}) (?:proximo|que viene|siguiente|entrante)\b", r"next \1"),
    (rf"\b(?:el )?(?:proximo|siguiente) ({_DAY})\b", r"next \1"),
    (rf"\beste ({_DAY})\b", r"this \1"),
    (rf"\b(?:todos los|cada) ({_DAYS})\b", lambda m: f"every {_weekday(m[1])}"),
    (
        rf"\b(?:no|excepto|menos|salvo|que no sea)(?: {_THE})? ({_DAYS})\b",
        lambda m: f"except {_weekday(m[1])}",
    ),
    (rf"\blos ({_DAYS})\b", lambda m: _weekdays(m[1])),
    (rf"\bdespues del ({_DAY})\b", r"after \1"),
    (rf"\bantes del ({_DAY})\b", r"before \1"),
    (rf"\bhasta el ({_DAY})\b", r"until \1"),
    (rf"\b(?:a partir del|desde el) ({_DAY})\b", r"from \1"),
    (rf"\b(?:la|el) del? ({_DAY})\b", r"the \1"),
    (rf"\b({_DAYS})\b", lambda m: _weekday(m[1])),
    # days of the month: "el día 12", "el 12", "después del 3"
    (r"\bdespues del (?:dia )?(\d{1,2})\b(?! de)", lambda m: f"after the {_ordinal(int(m[1]))}"),
    (r"\bantes del (?:dia )?(\d{1,2})\b(?! de)", lambda m: f"before the {_ordinal(int(m[1]))}"),
    (
        r"\b(?:la|el) del (?:dia )?(\d{1,2})\b(?! de)",
        lambda m: f"the one on the {_ordinal(int(m[1]))}",
    ),
    (r"\b(?:el )?dia (\d{1,2})\b(?! de)", lambda m: f"on the {_ordinal(int(m[1]))}"),
    (r"\bel (\d{1,2})\b(?! de| \d)", lambda m: f"on the {_ordinal(int(m[1]))}"),
    (r"\bdia (?=\d)", ""),
    (r"\b(" + "|".join(MONTHS) + r")\b", lambda m: MONTHS[m[1]]),
    (
        r"\b(\d{1,2}) (?:de )?(" + "|".join(MONTH_ABBREVIATIONS) + r")\b",
        lambda m: f"{m[1]} of {MONTH_ABBREVIATIONS[m[2]]}",
    ),
    (r"\b(?:del )?ano\b", ""),
    # choices among offered times
    (r"\b(?:la|el) (?:de )?(?:en )?medio\b", "the middle one"),
    (r"\b(?:la |el )?opcion (?=\d)", "option "),
    (r"\b(?:la |el )?numero (?=\d)", "number "),
    (r"\b(?:la|el) de (?:la )?(?=morning|afternoon|evening)", "the "),
    (
        r"\b(?:ninguna|ninguno|ni una|ni uno)(?: de (?:esas|estas|esos|estos|ellas|ellos"
        r"|las dos|los dos|las tres|esas opciones))?(?: me (?:sirve|queda|funciona|conviene))?\b",
        "none",
    ),
    (r"\bno me (?:sirven?|quedan?|funcionan?|convienen?)\b", "doesnt work"),
    (
        r"\b(?:otro dia|otra fecha|otro horario|otra hora|otras (?:horas|opciones|fechas)"
        r"|otros (?:horarios|dias))\b",
        "other times",
    ),
    (r"\bno gracias\b", "no thanks"),
    # what is left of the glue
    (r"\bdel\b", "of the"),
    (r"\b(?:el|la|los|las)\b", "the"),
    (r"\bde\b", "of"),
    (r"\by\b", "and"),
    (r"\bo\b", "or"),
    (r"\ben\b", "in"),
)


def canonical(text: str, *, language: str) -> str:
    """Plain words of an utterance in the vocabulary the calendar parsers read.

    English comes back as `plain` gives it. Spanish has its numbers written as digits
    (commas kept apart while doing so: "cero cuatro, cero tres, mil novecientos...") and
    its calendar words rewritten as English ones.

    Args:
        text: What the caller said.
        language: The caller's language.
    """
    if language_code(language) == "en":
        return plain(text)
    said = " , ".join(plain(part) for part in re.split(r"[,;]", fold(text)))
    for pattern, replacement in _BEFORE:
        said = pattern.sub(replacement, said)
    said = str(alpha2digit(said, "es", threshold=0)).replace(",", " ")
    said = " ".join(said.split())
    for pattern, replacement in _AFTER:
        said = pattern.sub(replacement, said)
    return " ".join(said.split())


_BEFORE = [(re.compile(p), r) for p, r in BEFORE_DIGITS]
_AFTER = [(re.compile(p), r) for p, r in AFTER_DIGITS]
