"""Which medications are controlled substances: a packaged table, matched on names and codes.

FHIR (and Epic's R4 API) carries no standard "controlled" flag, so connectors flag a
prescription from what they can read: the medication's names (generic and brand) and its
RxNorm codes (the drug's, and its ingredients' when the EHR lists them). A match anywhere
flags it. The table deliberately over-flags: a combination is given the strictest schedule
of its forms (codeine: II, though Tylenol #3 is III and cough syrups V), butalbital and
gabapentin are listed though federal law exempts or skips them (gabapentin is Schedule V in
several states). A missed controlled substance would let the agent file what only a
clinician may; an extra flag only sends a call to a person.

Federal DEA schedules (21 CFR 1308). RxNorm codes are ingredient (IN) concepts.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable


@dataclasses.dataclass(frozen=True, slots=True)
class ControlledSubstance:
    """One table row: a name (generic or brand) and its DEA schedule."""

    name: str
    schedule: str  # "II" | "III" | "IV" | "V"
    rxnorm: str | None = None  # the ingredient's RxNorm code (generic rows only)


def _rows(schedule: str, table: str) -> tuple[ControlledSubstance, ...]:
    """Rows from `name[=rxcui]` words separated by commas (brands without codes)."""
    rows = []
    for item in table.split(","):
        name, _, code = item.strip().partition("=")
        rows.append(ControlledSubstance(name.strip().lower(), schedule, code.strip() or None))
    return tuple(rows)


CONTROLLED_SUBSTANCES: tuple[ControlledSubstance, ...] = (
    *_rows(
        "II",
        "oxycodone=7804, hydrocodone=5489, morphine=7052, fentanyl=4337, hydromorphone=3423, "
        "oxymorphone=7814, methadone=6813, meperidine=6754, tapentadol=787390, codeine=2670, "
        "levorphanol, opium, sufentanil, amphetamine=725, dextroamphetamine=3288, "
        "lisdexamfetamine=700810, methamphetamine=6816, methylphenidate=6901, "
        "dexmethylphenidate, cocaine, nabilone, pentobarbital, secobarbital, "
        "oxycontin, percocet, roxicodone, roxicet, endocet, xtampza, vicodin, norco, lortab, "
        "hysingla, zohydro, ms contin, kadian, duragesic, actiq, dilaudid, exalgo, opana, "
        "nucynta, demerol, adderall, mydayis, vyvanse, dexedrine, zenzedi, procentra, evekeo, "
        "adzenys, desoxyn, ritalin, concerta, metadate, methylin, daytrana, quillichew, "
        "quillivant, cotempla, relexxii, jornay, focalin",
    ),
    *_rows(
        "III",
        "buprenorphine=1819, testosterone=10379, nandrolone, oxandrolone, methyltestosterone, "
        "anabolic steroid, ketamine=6130, esketamine, dronabinol, butalbital, benzphetamine, "
        "phendimetrazine, perampanel, sodium oxybate, "
        "suboxone, subutex, zubsolv, butrans, belbuca, sublocade, brixadi, androgel, testim, "
        "axiron, fortesta, aveed, xyosted, jatenzo, tlando, kyzatrex, oxandrin, ketalar, "
        "spravato, marinol, syndros, fioricet, fiorinal, fycompa, xyrem, xywav",
    ),
    *_rows(
        "IV",
        "alprazolam=596, lorazepam=6470, clonazepam=2598, diazepam=3322, temazepam=10355, "
        "triazolam, chlordiazepoxide, clorazepate, oxazepam, midazolam, estazolam, flurazepam, "
        "quazepam, clobazam, zolpidem=39993, zaleplon, eszopiclone, suvorexant, lemborexant, "
        "daridorexant, tramadol=10689, carisoprodol=2101, modafinil=30125, armodafinil, "
        "solriamfetol, phenobarbital=8134, butorphanol, pentazocine, phentermine=8152, "
        "diethylpropion, lorcaserin, eluxadoline, serdexmethylphenidate, meprobamate, "
        "xanax, ativan, klonopin, valium, restoril, halcion, librium, tranxene, onfi, sympazan, "
        "ambien, edluar, intermezzo, sonata, lunesta, belsomra, dayvigo, quviviq, ultram, "
        "ultracet, conzip, soma, provigil, nuvigil, sunosi, stadol, talwin, adipex, lomaira, "
        "qsymia, viberzi, azstarys",
    ),
    *_rows(
        "V",
        "pregabalin=187832, gabapentin=25480, lacosamide, brivaracetam, cenobamate, "
        "diphenoxylate, difenoxin, ezogabine, "
        "lyrica, neurontin, gralise, horizant, vimpat, briviact, xcopri, lomotil, motofen",
    ),
)
"""Every name and code that flags a medication, generic rows first."""

_ORDER = ("II", "III", "IV", "V")
_BY_CODE = {row.rxnorm: row for row in CONTROLLED_SUBSTANCES if row.rxnorm}
_PATTERN = re.compile(
    r"\b(" + "|".join(sorted((re.escape(r.name) for r in CONTROLLED_SUBSTANCES), key=len,
                             reverse=True)) + r")\b"
)  # fmt: skip
_BY_NAME = {row.name: row for row in CONTROLLED_SUBSTANCES}


def _fold(text: str) -> str:
    """Lower-case ASCII words: `oxyCODONE-APAP (PERCOCET)` → `oxycodone apap percocet`."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def controlled_matches(
    texts: Iterable[str | None], codes: Iterable[str | None] = ()
) -> list[ControlledSubstance]:
    """Every table row a medication's names or RxNorm codes match, strictest schedule first."""
    found: dict[str, ControlledSubstance] = {}
    for code in codes:
        if code and code in _BY_CODE:
            found[_BY_CODE[code].name] = _BY_CODE[code]
    for text in texts:
        if text:
            for name in _PATTERN.findall(_fold(text)):
                found[name] = _BY_NAME[name]
    return sorted(found.values(), key=lambda row: (_ORDER.index(row.schedule), row.name))


def controlled_schedule(
    texts: Iterable[str | None], codes: Iterable[str | None] = ()
) -> str | None:
    """The strictest DEA schedule a medication's names or codes match, or None.

    Args:
        texts: Anything naming the drug: the order's display, the code's text and displays,
            ingredient names.
        codes: RxNorm codes of the drug and of its ingredients.
    """
    matches = controlled_matches(texts, codes)
    return matches[0].schedule if matches else None
