"""Free text to entries and answers to choices: phrases, plurals, slips, ties and languages."""

from __future__ import annotations

import pytest

from frontdesk.reasons import Language, Question, choose, language_of, load_tree, match_reason
from frontdesk.reasons._text import fold, same_word, similar_word, words, yes_no

from .trees import mini


def ids(text: str, language: Language = "en", name: str | None = None) -> list[str]:
    tree = mini() if name is None else load_tree(name)
    return [m.entry.id for m in match_reason(tree, text, language=language)]


def test_text_is_folded_to_plain_words() -> None:
    """Case, accents, hyphens and apostrophes do not matter; ñ stays ñ."""
    assert words("¿Follow-Up? It’s my ACNÉ") == ("follow", "up", "its", "my", "acne")
    assert fold("Uñas") == "uñas"


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("mole", "moles", True),
        ("rash", "rashes", True),
        ("lunar", "lunares", True),
        ("injury", "injuries", True),
        ("to", "tos", False),
        ("mole", "mold", False),
    ],
)
def test_plurals_are_the_same_word(a: str, b: str, same: bool) -> None:
    """Singular and plural match in both languages; short words are not stretched."""
    assert same_word(a, b) is same


@pytest.mark.parametrize(
    ("a", "b", "similar"),
    [("botox", "bottox", True), ("fracture", "fractured", True), ("mole", "mold", False)],
)
def test_slips_are_similar_only_for_longer_words(a: str, b: str, similar: bool) -> None:
    """A speech-to-text slip matches a long word; four letters are too few to tell."""
    assert similar_word(a, b) is similar


def test_a_phrase_matches_inside_a_sentence() -> None:
    """Extra words around a phrase do not matter."""
    assert ids("um hi so I have a mole on my back") == ["skin_check"]


def test_a_match_reports_its_phrase_and_score() -> None:
    """The confidence is the share of the phrase heard, here all of it."""
    (match,) = match_reason(mini(), "Skin check please")
    assert (match.entry.id, match.phrase, match.score) == ("skin_check", "skin check", 1.0)


def test_a_slip_matches_with_less_confidence() -> None:
    """A near-miss word counts, for less than the word itself."""
    (match,) = match_reason(load_tree("dermatology"), "I'd like some bottox")
    assert match.entry.id == "cosmetic"
    assert 0.75 <= match.score < 1.0


def test_two_reasons_said_alike_are_a_tie() -> None:
    """Acne and a mole, each named once: both come back, for "Is that for X or Y?"."""
    assert ids("I have acne and a mole") == ["skin_check", "acne"]


def test_the_longer_phrase_wins() -> None:
    """More of a phrase said beats less: "mole removal" is a procedure, not a skin check."""
    assert ids("mole removal", name="lakeshore") == ["skin_procedure"]


def test_telling_words_outweigh_shared_ones() -> None:
    """ "Post op" names one entry, "knee replacement" words shared by several: post-op wins."""
    text = "I had knee replacement surgery and need my post-op"
    assert ids(text, name="orthopedics") == ["post_op"]


def test_a_specific_reason_beats_a_generic_one() -> None:
    """ "A follow-up for my acne" is about acne; "a follow-up" alone is the generic entry."""
    assert ids("a follow-up for my acne") == ["acne"]
    assert ids("just a follow-up") == ["follow_up"]


def test_nothing_matches_an_unrelated_reason() -> None:
    """No phrase, no match: the walker turns this into Unknown."""
    assert ids("I'd like an appointment please") == []


def test_among_limits_the_entries() -> None:
    """After "Is that for X or Y?" only X and Y are considered."""
    tree = mini()
    assert [m.entry.id for m in match_reason(tree, "acne", among={"skin_check"})] == []


def test_the_callers_language_is_preferred() -> None:
    """A phrase in the other language still matches, slightly discounted."""
    (english,) = match_reason(mini(), "lunar", language="en")
    (spanish,) = match_reason(mini(), "lunar", language="es")
    assert english.entry.id == spanish.entry.id == "skin_check"
    assert english.score < spanish.score == 1.0


def test_spanish_reasons_match() -> None:
    """Spanish phrases match with or without accents."""
    assert ids("tengo acne en la cara", "es") == ["acne"]
    assert ids("quiero hablar de un reemplazo de rodilla", "es", "orthopedics") == [
        "surgical_consult"
    ]


def test_function_words_alone_match_only_a_whole_reply() -> None:
    """ "For me" answers "a child or an adult?" only when it is the whole reply."""
    question = load_tree("riverside").entry("new_patient").question
    assert question is not None
    assert choose(question, "for me") is question.choice("adult")
    assert choose(question, "it's for my son, not for me") is question.choice("child")
    assert choose(question, "my son and my wife") is None  # a child and an adult: unclear


def seen_before() -> Question:
    question = mini().entry("skin_check").question
    assert question is not None
    return question


@pytest.mark.parametrize(
    ("reply", "language", "choice"),
    [
        ("yes", "en", "established"),
        ("yeah I have", "en", "established"),
        ("no", "en", "new"),
        ("nope, never", "en", "new"),
        ("I'm a new patient", "en", "new"),
        ("it's my first time", "en", "new"),
        ("I have been seen there", "en", "established"),
        ("sí", "es", "established"),
        ("claro que sí", "es", "established"),
        ("no, nunca", "es", "new"),
        ("todavía no", "es", "new"),
        ("es mi primera vez", "es", "new"),
        ("yes", "es", "established"),
        ("maybe", "en", None),
        ("no sé", "es", None),
        ("what do you mean", "en", None),
    ],
)
def test_answers_pick_a_choice(reply: str, language: Language, choice: str | None) -> None:
    """A choice's phrases first, then a plain yes or no; hedges pick nothing."""
    picked = choose(seen_before(), reply, language=language)
    assert (picked.id if picked else None) == choice


def test_an_answer_naming_two_choices_picks_neither() -> None:
    """ "A new patient, I've been seen" contradicts itself: ask again."""
    assert choose(seen_before(), "new patient, been seen") is None


def test_a_question_without_yes_no_choices_ignores_yes() -> None:
    """ "Yes" to "a new injury or a follow-up?" is no answer."""
    question = load_tree("orthopedics").entry("fracture").question
    assert question is not None
    assert choose(question, "yes") is None
    assert choose(question, "a new one") is question.choice("new")


@pytest.mark.parametrize(
    ("said", "language", "answer"),
    [
        ("yes", "en", True),
        ("no, I haven't", "en", False),
        ("no, wait, yes", "en", True),
        ("I am not sure", "en", None),
        ("sí, claro", "es", True),
        ("todavía no", "es", False),
        ("no sé", "es", None),
        ("yes", "es", True),
        ("hmm", "en", None),
    ],
)
def test_yes_no_in_both_languages(said: str, language: Language, answer: bool | None) -> None:
    """The last answer wins; a hedge in the caller's language is unclear."""
    assert yes_no(said, language) is answer


@pytest.mark.parametrize(
    ("tag", "language"),
    [("es", "es"), ("es-US", "es"), ("ES", "es"), ("en-US", "en"), ("fr", "en")],
)
def test_call_language_tags_map_to_tree_languages(tag: str, language: Language) -> None:
    """A call's language tag picks the tree language; unknown languages read English."""
    assert language_of(tag) == language
    (match,) = match_reason(mini(), "lunar", language=tag)
    assert (match.score == 1.0) is (language == "es")
