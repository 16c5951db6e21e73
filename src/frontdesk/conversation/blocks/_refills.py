"""What the refill blocks share: who is calling, which prescription, which pharmacy.

* **Who is calling.** "It's me", or a representative: "I'm her mother", "calling for my
  daughter", "soy su mamá". A relationship is read from the caller's side ("her mother":
  the caller is the mother; "my daughter": the caller is a parent) and matched against the
  HL7 v3 RoleCodes a chart's RelatedPersons carry, with the chart's own wording as a
  fallback. The name must fit too (sounds-alike allowed); a representative whose
  authorization ended is never accepted.
* **Which prescription.** By name ("the lisinopril", a slip like "lisinoprel"), by position
  ("the second one", "la última"), "both" or "all of them", keypad digits, or several at once.
* **Which pharmacy.** The one on the order, or another taken down as the caller says it:
  there is no pharmacy directory to invent one from.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Sequence

from frontdesk.capture import PersonName, name_similarity, parse_name, parse_yes_no
from frontdesk.ehr import Medication, Pharmacy, RelatedPerson

#: A spoken name at least this similar to the chart's counts as the same name.
NAME_MATCH = 0.85
#: A spoken word at least this similar to a word of a medication's name picks it.
DRUG_MATCH = 0.88


def fold(text: str) -> str:
    """Lowercase ASCII words: "Soy su mamá, ¿sí?" -> "soy su mama si"."""
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9#]+", " ", ascii_.replace("'", "")).split())


# -- who is calling ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Relation:
    """How the caller is related to the patient, and the chart codes that fit it.

    Attributes:
        key: The relation in one word, from the caller's side ("mother": the caller is the
            patient's mother).
        codes: HL7 v3 RoleCodes (a RelatedPerson's `relationship`) that fit it.
    """

    key: str
    codes: frozenset[str]


def _relation(key: str, codes: str) -> Relation:
    return Relation(key, frozenset(codes.split()))


_PARENT_CODES = "MTH FTH PRN NMTH NFTH NPRN STPMTH STPFTH STPPRN ADOPTMTH ADOPTFTH ADOPTP"
_CHILD_CODES = "CHILD DAU SON DAUC SONC NCHILD DAUADOPT SONADOPT CHLDADOPT STPCHLD STPDAU STPSON"
_SPOUSE_CODES = "SPS WIFE HUSB DOMPART SIGOTHR"
RELATIONS: dict[str, Relation] = {
    r.key: r
    for r in (
        _relation("mother", "MTH NMTH STPMTH ADOPTMTH PRN"),
        _relation("father", "FTH NFTH STPFTH ADOPTFTH PRN"),
        _relation("parent", _PARENT_CODES),
        _relation("wife", "WIFE SPS DOMPART"),
        _relation("husband", "HUSB SPS DOMPART"),
        _relation("spouse", _SPOUSE_CODES),
        _relation("daughter", "DAU DAUC DAUADOPT STPDAU CHILD NCHILD"),
        _relation("son", "SON SONC SONADOPT STPSON CHILD NCHILD"),
        _relation("child", _CHILD_CODES),
        _relation("guardian", "GUARD"),
        _relation("grandparent", "GRMTH GRFTH GRPRN"),
        _relation("grandchild", "GRNDDAU GRNDSON GRNDCHILD"),
        _relation("sibling", "SIB SIS BRO NSIB NSIS NBRO HSIB HSIS HBRO STPSIB STPSIS STPBRO"),
        _relation("aunt or uncle", "AUNT UNCLE MAUNT MUNCLE PAUNT PUNCLE"),
        _relation("niece or nephew", "NIECE NEPHEW NIENEPH"),
        _relation("friend", "FRND"),
    )
}

#: Words for people, folded: (the caller is this, the caller is this when it is "my X", words).
_PEOPLE: tuple[tuple[str, str, str], ...] = (
    ("mother", "child", "mother mom mommy mum mama madre mami"),
    ("father", "child", "father dad daddy papa padre papi"),
    ("parent", "child", "parent parents stepmother stepmom stepfather stepdad madrastra padrastro"),
    ("wife", "spouse", "wife esposa"),
    ("husband", "spouse", "husband esposo marido"),
    ("spouse", "spouse", "spouse partner pareja conyuge"),
    ("daughter", "parent", "daughter hija"),
    ("son", "parent", "son hijo"),
    ("child", "parent", "child kid hijos nino nina"),
    ("guardian", "guardian", "guardian tutor tutora"),
    ("grandparent", "grandchild", "grandmother grandma granny grandfather grandpa abuela abuelo"),
    ("grandchild", "grandparent", "granddaughter grandson grandchild nieta nieto"),
    ("sibling", "sibling", "sister brother sibling hermana hermano"),
    ("aunt or uncle", "niece or nephew", "aunt uncle tia tio"),
    ("niece or nephew", "aunt or uncle", "niece nephew sobrina sobrino"),
    ("friend", "friend", "friend amiga amigo"),
)
_WORDS: dict[str, tuple[str, str]] = {
    word: (theirs, mine) for theirs, mine, words in _PEOPLE for word in words.split()
}
#: "my daughter" (the patient is the caller's daughter) as opposed to "her mother".
_MINE = frozenset({"my", "mi", "mis"})
#: "It's me", "this is she", "speaking" — "soy yo", "yo mismo", "habla ella".
_SELF = re.compile(
    r"\b(?:its me|it is me|this is (?:she|he|her|him|me)|speaking|myself|thats me|i am (?:she|he)"
    r"|im (?:she|he)|soy yo|yo mism[oa]|habla (?:el|ella)|con (?:el|ella) habla)\b"
)
#: "On her behalf", "calling for him", "en nombre de ella", "de parte de".
_BEHALF = re.compile(
    r"\b(?:behalf|calling (?:for|about)|for (?:her|him|them)|not (?:her|him|me)"
    r"|en nombre de|de parte de|por (?:ella|el)|llamo por|no soy (?:yo|ella|el))\b"
)


@dataclasses.dataclass(frozen=True, slots=True)
class CallerRole:
    """What the caller said about who they are: the patient, or someone acting for them."""

    is_patient: bool
    relation: Relation | None = None
    name: PersonName | None = None


def parse_relation(text: str) -> Relation | None:
    """The caller's relation to the patient in their words: "I'm her mom" → mother.

    "My son" reads from the caller's side (they are a parent); Spanish and English words
    both count ("soy su mamá", "llamo por mi hija").
    """
    words = fold(text).split()
    for i, word in enumerate(words):
        if word in _WORDS:
            theirs, mine = _WORDS[word]
            before = words[i - 1] if i else ""
            return RELATIONS[mine if before in _MINE else theirs]
    return None


_FOR_MINE = re.compile(r"\b(?:for|para|de|por) (?:my|mi) ([a-z]+)\b|\bmy ([a-z]+)s\b")


def behalf_relation(text: str) -> Relation | None:
    """A relation the request itself makes plain: "my daughter's refill", "for my husband".

    Only these forms count: "my mom told me to call" does not say the call is for her.
    """
    for match in _FOR_MINE.finditer(fold(text)):
        word = match[1] or match[2]
        if word in _WORDS:
            return RELATIONS[_WORDS[word][1]]
    return None


def parse_caller_role(text: str, patient_given: str, *, language: str) -> CallerRole | None:
    """Whether the caller is the patient, or (and how) someone calling for them.

    A relation word makes it a representative ("yes, I'm her mother"); so do "no", "on her
    behalf" and a name that is not the patient's. "Yes", "it's me", "speaking", "calling for
    myself" and the patient's own first name make it the patient. None when the answer says
    neither.
    """
    said = fold(text)
    relation = parse_relation(text)
    name = representative_name(text, language=language)
    if relation is not None:
        return CallerRole(False, relation, name)
    if _SELF.search(said):  # before "calling for": "I'm calling for myself"
        return CallerRole(True)
    if _BEHALF.search(said):
        return CallerRole(False, None, name)
    answer = parse_yes_no(text, language=language)
    if answer is True:
        return CallerRole(True)
    if name is not None and name.given:
        if name_similarity(name.given, patient_given) >= NAME_MATCH:
            return CallerRole(True)
        return CallerRole(False, None, name)
    if answer is False:
        return CallerRole(False)
    return None


_RELATION_PHRASE = re.compile(
    r"(?:\b(?:i am|im|i m|this is|its|soy|yo soy)\s+)?"
    r"(?:\b(?:her|his|their|the|my|su|sus|mi|la|el|[a-z]+'s)\s+)?"
    r"\b(?:" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
_ANSWER = re.compile(r"^\W*(?:yes|yeah|no|si|sí)\b\W*", re.IGNORECASE)


def representative_name(text: str, *, language: str) -> PersonName | None:
    """The caller's name, with "her mother" set aside: before it, else after it."""
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    parts = [text]
    found = _RELATION_PHRASE.search(ascii_)
    if found is not None and len(ascii_) == len(text):
        parts = [text[: found.start()], text[found.end() :]]
    for part in parts:
        kept = _ANSWER.sub("", part).strip(" ,.;")
        name = parse_name(kept, language=language) if kept else None
        if name is not None:
            return name
    return None


def fits(relation: Relation, person: RelatedPerson) -> bool:
    """Whether the chart's relationship for `person` agrees with what the caller said.

    The chart's RoleCode decides; a chart that words it without a code ("mother") fits when
    one relation includes the other ("parent" and "mother" do, "mother" and "father" not).
    """
    if person.relationship:
        return person.relationship.upper() in relation.codes
    words = [w for w in fold(person.relationship_text or "").split() if w in _WORDS]
    if not words:
        return False
    charted = RELATIONS[_WORDS[words[0]][0]].codes
    return charted <= relation.codes or relation.codes <= charted


def same_name(name: PersonName, person: RelatedPerson) -> bool:
    """The spoken name fits the chart's (family and a given name, sounds-alike allowed)."""
    if not name.family or not name.given:
        return False
    family_ok = name_similarity(name.family, person.family) >= NAME_MATCH
    given_ok = any(name_similarity(name.given, g) >= NAME_MATCH for g in person.given) or (
        name_similarity(name.given, " ".join(person.given)) >= NAME_MATCH
    )
    return family_ok and given_ok


def find_representative(
    name: PersonName, relation: Relation, people: Sequence[RelatedPerson]
) -> RelatedPerson | None:
    """The person on the chart with that name and relationship (active ones first), if any."""
    found = [p for p in people if same_name(name, p) and fits(relation, p)]
    return next((p for p in found if p.active), found[0] if found else None)


# -- which prescription ------------------------------------------------------------------------

#: Words of a medication's name that do not pick one ("the tablet" only when it is the only one).
_FILLER = frozenset(
    (
        "the", "and", "both", "all", "them", "those", "these", "that", "this", "with", "have",
        "need", "want", "would", "like", "please", "refill", "refills", "prescription",
        "prescriptions", "medication", "medicine", "meds", "pills", "one", "ones", "also",
        "just", "some", "more", "renew", "para", "por", "favor", "quiero", "necesito",
        "medicamento", "medicina", "receta", "recetas", "pastillas",
    )
)  # fmt: skip
_ALL = re.compile(r"\b(?:all|everything|every one|each one|todos|todas|todo)\b")
_BOTH = re.compile(r"\b(?:both|the two|ambos|ambas|los dos|las dos)\b")
_NONE = re.compile(
    r"^(?:no|nope|none|neither|ninguno|ninguna|ni uno)\b|\b(?:none of (?:them|those|these)"
    r"|not (?:on|in) (?:the|that) list|isnt there|not there|no esta|ninguno de)\b"
)
_ORDINALS: dict[str, int] = {
    "first": 0, "1st": 0, "primera": 0, "primero": 0, "primer": 0,
    "second": 1, "2nd": 1, "segunda": 1, "segundo": 1,
    "third": 2, "3rd": 2, "tercera": 2, "tercero": 2, "tercer": 2,
    "fourth": 3, "4th": 3, "cuarta": 3, "cuarto": 3,
    "fifth": 4, "5th": 4, "quinta": 4, "quinto": 4,
    "last": -1, "ultima": -1, "ultimo": -1,
}  # fmt: skip
_NUMBERS: dict[str, int] = {
    "one": 0, "two": 1, "three": 2, "four": 3, "five": 4,
    "uno": 0, "una": 0, "dos": 1, "tres": 2, "cuatro": 3, "cinco": 4,
    **{str(n): n - 1 for n in range(1, 6)},
}  # fmt: skip
_NUMBERED = re.compile(r"\b(?:number|option|numero|opcion)\s+(\w+)")
_KEYPAD = re.compile(r"\s*([1-9])\s*#?\s*")


@dataclasses.dataclass(frozen=True, slots=True)
class NoMedication:
    """The caller wants none of the prescriptions read out ("it's not on the list")."""


def _name_words(medication: Medication) -> set[str]:
    return {w for w in fold(medication.name).split() if len(w) >= 4 and w.isalpha()} - _FILLER


def _by_name(said: str, medications: Sequence[Medication]) -> tuple[int, ...]:
    """Prescriptions named in the words; a word that fits several names picks none."""
    picked: set[int] = set()
    names = [_name_words(m) for m in medications]
    for word in said.split():
        if len(word) < 4 or word in _FILLER:
            continue
        hits = {
            i
            for i, words in enumerate(names)
            if any(name_similarity(word, w) >= DRUG_MATCH for w in words)
        }
        if len(hits) == 1:
            picked |= hits
    return tuple(sorted(picked))


def parse_medication_choice(
    text: str, medications: Sequence[Medication], *, language: str, names_only: bool = False
) -> tuple[int, ...] | NoMedication | None:
    """Which of the listed prescriptions the caller wants refilled, in list order.

    Names count even with a slip ("lisinoprel"), and a word several names share picks none;
    positions ("the second one", "la última", "number 2", a keypad digit), "both" and "all
    of them" count too, and can be combined ("the lisinopril and the last one"). With one
    prescription listed, "yes" picks it. With `names_only`, only names count (for words not
    said in answer to the list, like the request itself).

    Returns:
        The indexes chosen, `NoMedication` for "none of those", or None when unclear.
    """
    count = len(medications)
    if names_only:
        return _by_name(fold(text), medications) or None
    if keyed := _KEYPAD.fullmatch(text):
        index = int(keyed[1]) - 1
        return (index,) if index < count else None
    said = fold(text)
    if count == 1 and parse_yes_no(text, language=language) is True:
        return (0,)
    picked = set(_by_name(said, medications))
    words = said.split()
    for i, word in enumerate(words):
        position = _ORDINALS.get(word)
        if position is None:
            continue
        if position < 0 and (i == 0 or words[i - 1] not in ("the", "la", "el")):
            continue  # "last" only as "the last one": not "my last refill"
        picked.add(count - 1 if position < 0 else position)
    for match in _NUMBERED.finditer(said):
        number = _NUMBERS.get(match[1])
        if number is not None:
            picked.add(number)
    if _ALL.search(said) or (count == 2 and _BOTH.search(said)):
        picked |= set(range(count))
    chosen = tuple(sorted(i for i in picked if 0 <= i < count))
    if chosen:
        return chosen
    if _NONE.search(said) or parse_yes_no(text, language=language) is False:
        return NoMedication()
    return None


# -- which pharmacy ----------------------------------------------------------------------------

_SAME = re.compile(
    r"\b(?:same (?:one|pharmacy|place)|as before|that one|the usual|la misma|esa misma"
    r"|la de siempre|como antes)\b"
)
_UNSURE = re.compile(r"\b(?:dont know|not sure|no idea|no se|no estoy segur[oa]|no lo se)\b")
_LEAD = re.compile(
    r"^\W*(?:(?:no thank you|no thanks|thank you|thanks|no gracias|gracias|no|nope|nah|actually"
    r"|instead|rather|please|send it to|send them to|it should go to|they should go to|go to|to"
    r"|i use|use|i go to|the|mejor|por favor|envielo a|envielos a|mandela a|a la|a|la|el)\b\W*)+",
    re.IGNORECASE,
)


@dataclasses.dataclass(frozen=True, slots=True)
class PharmacyAnswer:
    """The caller's answer about the pharmacy.

    Attributes:
        keep: The pharmacy on the order is right.
        named: Another pharmacy, in the caller's words ("the CVS on Roosevelt Road").
    """

    keep: bool = False
    named: str | None = None


def parse_pharmacy_answer(text: str, *, language: str) -> PharmacyAnswer | None:
    """Yes to the pharmacy on file, or another one as the caller names it; None if unclear."""
    said = fold(text)
    if _SAME.search(said):
        return PharmacyAnswer(keep=True)
    answer = parse_yes_no(text, language=language)
    if answer is True:
        return PharmacyAnswer(keep=True)
    if _UNSURE.search(said):
        return None
    rest = _LEAD.sub("", text.strip()).strip(" .,!?¿¡")
    if sum(ch.isalpha() for ch in rest) >= 3 and parse_yes_no(rest, language=language) is None:
        return PharmacyAnswer(named=rest)
    return PharmacyAnswer() if answer is False else None


def caller_pharmacy(named: str) -> Pharmacy:
    """A pharmacy only the caller named (no directory id): the care team reads their words."""
    return Pharmacy(id=None, name=named)


def spoken_pharmacy(pharmacy: Pharmacy) -> str:
    """A pharmacy as read out: "Walgreens, 1101 Lake St" (store numbers left out)."""
    name = re.sub(r"\s*#\s*\d+\s*$", "", pharmacy.name).strip() or pharmacy.name
    return Pharmacy(pharmacy.id, name, pharmacy.phone, pharmacy.address).display


# -- medication names --------------------------------------------------------------------------

#: Dose forms as Spanish speakers say them, longest first; drug names stay as they are.
_SPANISH_FORMS: tuple[tuple[str, str], ...] = (
    ("extended-release tablet", "tableta de liberación prolongada"),
    ("delayed-release capsule", "cápsula de liberación retardada"),
    ("chewable tablet", "tableta masticable"),
    ("nasal spray", "aerosol nasal"),
    ("/actuation", "/disparo"),
    ("/puff", "/disparo"),
    ("tablet", "tableta"),
    ("capsule", "cápsula"),
    ("inhaler", "inhalador"),
    ("solution", "solución"),
    ("suspension", "suspensión"),
    ("cream", "crema"),
    ("ointment", "pomada"),
)


def spoken_medication(medication: Medication, *, language: str) -> str:
    """A prescription as read out: "lisinopril 10 mg tablet"; "lisinopril 10 mg tableta"."""
    name = medication.name
    if language.startswith("es"):
        for english, spanish in _SPANISH_FORMS:
            edge = r"(?<![a-z])" if english[0].isalpha() else ""
            name = re.sub(rf"{edge}{re.escape(english)}\b", spanish, name)
    return name


def key_for(call_id: str, medication: Medication) -> str:
    """The idempotency key of one refill request: every retry of it reuses this."""
    return f"{call_id}:{medication.id}"
