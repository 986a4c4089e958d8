"""Complaint keyword rules and cues added for issue #14 (tune3, new wording): the posts were written for these
tests (not taken from the evaluation sets).  Each rule test fails on the rules before it; the negated, question
and "if" forms guard the new cues against reading a post that reports nothing."""

from __future__ import annotations

import pytest

from models.keywords import KeywordSentiment

READ = KeywordSentiment()


def cues(text: str, language: str) -> tuple[str, ...]:
    reading = READ.read(text, language)
    assert reading is not None, text
    return reading.cues


@pytest.mark.parametrize(("language", "text", "cue"), [
    ("es", "@MiOperador la señal va y viene toda la tarde", "va y viene"),
    ("es", "@MiBanco me están cobrando una comisión que nunca pedí", "nunca pedí"),
    ("fr", "@MonFAI la box redémarre toute seule depuis lundi", "redémarre toute seule"),
    ("fr", "@MaBanque l'appli me déconnecte à chaque paiement", "me déconnecte"),
    ("it", "@Corriere il pacco è arrivato tutto bagnato", "bagnato"),
    ("pt", "@MeuBanco o app me joga pra fora toda hora", "me joga"),
    ("de", "@Netzanbieter die Verbindung bricht ständig ab", "bricht ständig"),
    ("de", "@Stromfirma die Abschlagszahlung ist plötzlich doppelt so hoch", "doppelt so hoch"),
    ("nl", "@Webshop de jas is nooit besteld maar wel afgeschreven", "nooit besteld"),
    ("sv", "@Banken appen loggar ut mig hela tiden", "loggar ut mig"),
    ("pl", "@Kurier paczka przyszła cała mokra", "mokra"),
    ("ru", "@Банк приложение выкидывает при каждом входе", "выкидывает"),
    ("tr", "@Banka uygulama her girişte beni dışarı atıyor", "dışarı atıyor"),
    ("id", "@Listrik tagihan bulan ini naik tiga kali lipat", "tiga kali lipat"),
    ("ja", "@Provider 夜になると回線が途切れる", "途切れ"),
    ("ko", "@Provider 택배 상자가 다 젖어서 왔어요", "젖어"),
    ("ar", "@Provider النت يفصل كل شوي", "يفصل"),
])
def test_new_wording_is_read_as_a_complaint(language: str, text: str, cue: str) -> None:
    assert cue in cues(text, language)


@pytest.mark.parametrize(("language", "text"), [
    ("fr", "@MaBanque l'appli ne me déconnecte plus, merci pour la mise à jour"),  # negator before the cue
    ("de", "@Netzanbieter seit dem Techniker-Besuch bricht nichts mehr ab"),  # no cue at all
    ("de", "@Banking die App schmeißt mich nicht mehr raus"),  # German negates after the verb
    ("nl", "@Provider de app crasht niet meer sinds de update"),
    ("sv", "@Banken appen loggar ut mig inte längre"),
    ("es", "@MiOperador ¿es normal que la señal vaya y venga cuando llueve?"),  # a question
    ("pt", "@MeuBanco o app me joga pra tela inicial quando fico sem sinal?"),  # "why ...?" complains (tune4)
])
def test_negated_and_asked_forms_of_the_new_cues_report_nothing(language: str, text: str) -> None:
    assert READ.read(text, language) is None


@pytest.mark.parametrize(("language", "text"), [
    ("es", "@MiOperador si el año que viene subís otra vez la cuota, me cambio de compañía"),
    ("de", "@Stromfirma wenn ihr im Frühjahr wieder erhöht, wechsle ich den Anbieter"),
    ("ru", "@Оператор если опять поднимете цены, уйду к другому оператору"),
    ("tr", "@Operator fiyatı yine artırırsanız başka operatöre geçerim"),
    ("ja", "@Provider また値上げするなら他社に乗り換えます"),
    ("ko", "@Provider 요금 또 올리면 다른 통신사로 갈아탈게요"),
    ("ar", "@Provider اذا زودتوا السعر مره ثانيه بروح لشركة ثانية"),
])
def test_a_sentence_that_only_supposes_reports_nothing(language: str, text: str) -> None:
    assert READ.read(text, language) is None


@pytest.mark.parametrize(("language", "text"), [
    ("es", "@MiOperador si no me arregláis la fibra esta semana, me cambio de compañía"),
    ("ja", "@Provider 今週中に直らないなら他社に乗り換えます"),
    ("ko", "@Provider 이체 버튼만 누르면 앱이 꺼져요"),  # "-면" as "whenever": a fault, not a condition
])
def test_an_if_that_states_a_failure_is_still_a_complaint(language: str, text: str) -> None:
    assert READ.read(text, language) is not None


def test_an_indignant_question_mark_is_not_a_question() -> None:
    assert READ.read("@Stromfirma Nachzahlung doppelt so hoch wie letztes Jahr?", "de") is None
    assert "doppelt so hoch" in cues("@Stromfirma Nachzahlung doppelt so hoch wie letztes Jahr?!", "de")


def test_an_if_clause_after_a_question_belongs_to_the_question() -> None:
    assert READ.read("@Sklep ile trwa zwrot pieniędzy, jeśli odeślę kurtkę kurierem?", "pl") is None


def test_a_pronoun_between_a_negator_and_its_verb_does_not_hide_the_cue() -> None:
    assert cues("@Tienda el pedido no me ha llegado", "es") == ("no me ha llegado",)
    assert cues("@Negozio il modem non mi funziona", "it") == ("non mi funziona",)


def test_a_short_post_in_a_misnamed_language_is_read_in_its_own() -> None:
    reading = READ.read("@fibra rete ko da stamattina", "tl")  # fastText's close call: Tagalog, then Italian
    assert reading is not None and reading.language == "it" and reading.cues == ("rete ko",)
    # a Tagalog post whose word is a cue elsewhere ("mahal": dear, and in Indonesian expensive) is not read
    assert READ.read("Ang mahal naman ng load niyo", "tl") is None


def test_a_lone_zero_is_the_word_zero() -> None:
    assert cues("@Tienda 4 correos y 0 respuestas", "es") == ("zero respuestas",)
    assert READ.read("@Tienda envío 0 euros, genial", "es") is None


def test_news_that_cites_a_source_needs_three_cues() -> None:
    news = "Apagón en Málaga: una avería deja sin luz a 5.000 casas, informa Diario Sur"
    assert READ.read(news, "es") is None  # two cues ("avería", "sin luz") and a source, no one addressed
    assert READ.read("@Eléctrica una avería y sin luz desde ayer, informa Diario Sur", "es") is not None
