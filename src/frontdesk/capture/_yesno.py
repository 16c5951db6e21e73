"""Yes or no, as callers say it: "uh huh", "that's right", "no thanks", "1" on the keypad."""

from __future__ import annotations

import re

from frontdesk.capture._text import phrase_pattern, plain

# Phrases are plain words with apostrophes dropped ("thats right"); longer ones win.
YES: frozenset[str] = frozenset(
    {
        "yes", "yeah", "yea", "ya", "yep", "yup", "sure", "correct", "right", "thats right",
        "that is right", "thats correct", "that is correct", "yes please", "uh huh", "mm hmm",
        "mhm", "i think so", "i guess so", "i believe so", "sounds good", "perfect", "go ahead",
        "book it", "absolutely", "that works", "works for me", "that would work", "definitely",
        "of course", "okay", "ok", "fine", "thats fine", "great", "please do", "do it",
        "affirmative", "exactly", "indeed", "it is", "that is it", "thats it",
        "no problem", "not a problem", "no worries", "lets do it", "lets do that", "alright",
        "all right", "why not", "i dont mind", "dont mind", "that will work", "yes it is",
    }
)  # fmt: skip
NO: frozenset[str] = frozenset(
    {
        "no", "nope", "nah", "not really", "no thanks", "no thank you", "thats wrong",
        "that is wrong", "wrong", "incorrect", "not that one", "neither", "negative",
        "not at all", "i dont think so", "i do not think so", "dont", "do not", "thats not it",
        "not quite", "never mind", "nevermind", "no way", "none", "none of them", "isnt",
        "is not", "its not", "it is not", "thats not", "that is not", "not now", "doesnt work",
        "does not work", "wont work", "will not work", "cant", "cannot", "i cant",
    }
)  # fmt: skip
UNSURE: frozenset[str] = frozenset(
    {
        "maybe", "hmm", "what", "sorry", "pardon", "i dont know", "dont know", "not sure",
        "im not sure", "i am not sure", "possibly", "perhaps", "i guess", "huh", "wait",
        "hold on", "let me think", "let me check", "depends", "it depends", "probably",
        "probably not", "excuse me", "say that again", "come again",
    }
)  # fmt: skip
# A yes phrase right after one of these means no: "that's not right", "isn't correct".
NEGATORS: frozenset[str] = frozenset({"not", "dont", "doesnt", "isnt", "wasnt", "never"})

DTMF: dict[str, bool] = {"1": True, "2": False}

_KIND: dict[str, bool | None] = (
    dict.fromkeys(UNSURE, None) | dict.fromkeys(NO, False) | dict.fromkeys(YES, True)
)
_PHRASES: re.Pattern[str] = phrase_pattern(frozenset(_KIND))


def parse_yes_no(text: str) -> bool | None:
    """Decide whether the caller said yes or no.

    The last clear answer wins, so a self-correction ("no, yes") reads as yes; a hedge
    after the last answer ("yes, maybe") makes the whole reply unclear.

    Args:
        text: What the caller said, or the digit they pressed (1 yes, 2 no).

    Returns:
        True for yes, False for no, None when hedged or unclear.
    """
    said = plain(text)
    if said in DTMF:
        return DTMF[said]
    answer: bool | None = None
    for match in _PHRASES.finditer(said):
        kind = _KIND[match.group()]
        before = said[: match.start()].split()
        if kind is True and before and before[-1] in NEGATORS:
            kind = False
        answer = kind
    return answer


# "Anything else?" — answers that end the call.
_NO_MORE = re.compile(
    r"^(?:no|nope|nah|not really)\b|\b(?:thats? (?:it|all)|that is (?:it|all)|nothing else|"
    r"nothing more|im (?:good|all set|fine)|i am (?:good|all set|fine)|all set|(?:good)?bye)\b",
    re.IGNORECASE,
)


def says_no_more(text: str) -> bool:
    """True when the caller declines further help ("no, that's it", "I'm all set", "bye").

    Args:
        text: What the caller said after "is there anything else?".
    """
    return _NO_MORE.search(plain(text)) is not None
