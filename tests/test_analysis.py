"""The Dutch analyser: normalisation, tokens, stemming, lemmas, compounds, synonyms."""

from __future__ import annotations

import pytest

from index.analysis import Analyzer, normalise, specificity, word_spans, words
from index.search import KnowledgeIndex


@pytest.fixture(scope="module")
def analyzer(shipped_index: KnowledgeIndex) -> Analyzer:
    return shipped_index.analyzer


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Keukenruimte 11,5 m²", ["keukenruimte", "11.5", "m2"]),
        ("12m²", ["12", "m2"]),
        ("11.5 m2", ["11.5", "m2"]),
        ("artikel 4.6.21.", ["artikel", "4.6.21"]),
        ("NEN 2535/A1", ["nen", "2535", "a1"]),
        ("KWE+ en KWE(+)’s", ["kwe+", "en", "kwe", "kwe+"]),
        ("amv's en AMV’s", ["amv", "en", "amv"]),
        ("Geïnformeerd, één", ["geinformeerd", "een"]),
        ("Klein-\nschalige", ["kleinschalige"]),
        ("zie https://www.tenderned.nl/aankondigingen/overzicht", ["zie"]),
    ],
)
def test_tokens_keep_numbers_norms_and_kwe_plus(text: str, expected: list[str]) -> None:
    assert words(text) == expected


@pytest.mark.parametrize(
    "text,term",
    [
        ("amv's jonger dan 15", "onder15"),
        ("Kinderen tot 15 jaar worden", "onder15"),
        ("Is een kind onder de 15 jaar?", "onder15"),
        ("vanaf het 18e levensjaar", "vanaf18"),
        ("jongeren ouder dan 21 jaar", "vanaf21"),
        ("boven de 18", "vanaf18"),
        ("OWG 18+", "vanaf18"),
    ],
)
def test_age_limits_become_one_term_and_keep_the_number(text: str, term: str) -> None:
    found = words(text)
    assert term in found
    assert term.removeprefix("onder").removeprefix("vanaf") in found


@pytest.mark.parametrize(
    "text",
    ["in de leeftijd van 15 t/m 18 jaar", "tussen 15 tot 18 jaar", "tot 3 maanden", "17,5 jaar"],
)
def test_ranges_and_durations_are_no_age_limits(text: str) -> None:
    assert not any(w.startswith(("onder", "vanaf")) for w in words(text))


def test_word_spans_skip_addresses() -> None:
    text = "Tenderned.nl (https://www.tenderned.nl/aankondigingen)"
    assert [t for _, _, t in word_spans(text)] == ["tenderned", "nl"]


def test_normalise_strips_accents_soft_hyphens_and_unifies_m2() -> None:
    assert normalise("Créëert ruimte van 5 m²\u00ad") == "creeert ruimte van 5 m2"


def test_stemmer_keeps_gemeente_and_menen_apart(analyzer: Analyzer) -> None:
    assert analyzer.stem("gemeente") == analyzer.stem("gemeenten")
    assert analyzer.stem("gemeente") != analyzer.stem("menen")
    assert analyzer.stem("begeleiding") != analyzer.stem("beleid")
    assert analyzer.stem("woning") == analyzer.stem("woningen")


def test_lemmas_join_irregular_verb_forms(analyzer: Analyzer) -> None:
    assert analyzer.stem("afgeweken") == analyzer.stem("afwijken")
    assert analyzer.stem("voldoet") == analyzer.stem("voldoen")
    assert analyzer.stem("verhuizingen") == analyzer.stem("verhuizen") or analyzer.stem(
        "verhuizing"
    ) == analyzer.stem("verhuizingen")


@pytest.mark.parametrize(
    "word,parts",
    [
        ("keukenruimte", ("keuken", "ruimte")),
        ("huisvestingstermijn", ("huisvesting", "termijn")),
        ("vervolghuisvesting", ("vervolg", "huisvesting")),
        ("brandveiligheid", ("brand", "veiligheid")),
        ("slaapwachtruimte", ("slaapwacht", "ruimte")),
        ("inspanningsverplichting", ("inspanning", "verplichting")),
        ("ontruimingsalarminstallatie", ("ontruiming", "alarm", "installatie")),
        ("taakstelling", ("taak", "stelling")),  # not taak-s-telling
        ("onaangekondigd", ("aangekondigd",)),  # the negating prefix on-
        ("onveiligheid", ("veiligheid",)),
    ],
)
def test_compounds_split_into_known_words(
    analyzer: Analyzer, word: str, parts: tuple[str, ...]
) -> None:
    assert analyzer.parts(word) == parts


@pytest.mark.parametrize(
    "word",
    ["huisvesting", "onderwijs", "gemeenten", "mentoren", "toestemming", "ontruiming"],
)
def test_plain_words_are_not_split(analyzer: Analyzer, word: str) -> None:
    assert analyzer.parts(word) == ()


def test_negated_word_meets_its_noun(analyzer: Analyzer) -> None:
    assert analyzer.stem("aankondiging") in analyzer.terms("een onaangekondigd bezoek")


def test_terms_keep_the_whole_compound_and_its_parts(analyzer: Analyzer) -> None:
    terms = analyzer.terms("Keukenruimte")
    assert terms == [
        analyzer.stem("keukenruimte"),
        analyzer.stem("keuken"),
        analyzer.stem("ruimte"),
    ]
    assert analyzer.terms("de het een van") == []


def test_specificity_separates_everyday_from_topical_words() -> None:
    assert specificity("komt") < 0.3
    assert specificity("huisdier") == 1.0
    assert specificity("11.5") == 1.0


def test_question_synonyms_expand_abbreviations(shipped_index: KnowledgeIndex) -> None:
    query = shipped_index.analyse("Hoeveel wc's heeft een KWG?")
    by_surface = {w.surface: w for w in query.words}
    assert set(by_surface) == {"wc", "kwg"}
    stem = shipped_index.analyzer.stem
    assert (stem("toilet"),) in by_surface["wc"].synonyms
    assert (stem("kinderwoongroep"),) in by_surface["kwg"].synonyms


def test_percent_sign_and_word_meet() -> None:
    analyzer = Analyzer()
    assert set(analyzer.terms("60%")) == set(analyzer.terms("60 procent"))


@pytest.mark.parametrize(
    "spoken,written",
    [
        ("zes slaapkamers", "6 slaapkamers"),
        ("twee badkamers", "2 badkamers"),
        ("vijfentwintig jongeren", "25 jongeren"),
        ("anderhalf jaar", "1,5 jaar"),
        ("zeventien en een half jaar", "17,5 jaar"),
        ("twee en een half uur", "2,5 uur"),
        ("veertig vierkante meter", "40 m2"),
        ("12m²", "12 m2"),
        ("drie uurtjes", "3 uur"),
        ("kwe plus", "KWE+"),
        ("jonger dan vijftien", "jonger dan 15"),
    ],
)
def test_spoken_numbers_and_units_meet_the_written_ones(spoken: str, written: str) -> None:
    assert words(spoken) == words(written)


def test_een_stays_an_article() -> None:
    assert words("een keuken") == ["een", "keuken"]


def test_spelling_mistakes_meet_the_documents_words(shipped_index: KnowledgeIndex) -> None:
    speller = shipped_index.speller
    assert speller.correct("huiskamr") == "huiskamer"
    assert speller.correct("taakstellng") == "taakstelling"
    # real words, compounds of corpus words, short words and numbers are never bent
    for word in ("energielabel", "parkeervergunning", "keukenvloer", "grot", "lift", "2026"):
        assert speller.correct(word) is None, word


def test_a_misspelt_question_finds_the_same_passage(shipped_index: KnowledgeIndex) -> None:
    right = shipped_index.search("hoe groot moet de huiskamer van een kwe zijn?")
    typo = shipped_index.search("hoe groot moet de huiskamr van een kwe zijn?")
    assert typo.passages[0].section.id == right.passages[0].section.id
