"""Complaint keywords for languages no sentiment model covers: cues, negation, questions, praise, settings.

The texts here are written for these tests (the evaluation posts stay in benchmarks/, test split unseen).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from models.complaint_cues import CUES
from models.keywords import KeywordSentiment
from monitor.errors import ConfigError
from monitor.settings import load_settings

READ = KeywordSentiment()

COMPLAINTS = [
    ("es", "Otra vez sin internet en casa, esto es una vergüenza", "sin internet"),
    ("de", "Seit drei Tagen kein Internet und keine Antwort vom Support", "kein internet"),
    ("fr", "La box ne fonctionne plus depuis hier soir", "ne fonctionne plus"),
    ("it", "Pessimo servizio, la linea è sempre giù", "pessimo"),
    ("nl", "Mijn pakket is nooit aangekomen", "nooit aangekomen"),
    ("pt", "Fui cobrado duas vezes este mês, quero o meu dinheiro de volta", "dinheiro de volta"),
    ("pl", "Od rana awaria, nic nie działa", "awaria"),
    ("sv", "Appen kraschar hela tiden, värdelöst", "kraschar"),
    ("tr", "Kargom hâlâ gelmedi, rezalet", "gelmedi"),
    ("id", "Sudah seminggu paket belum sampai, kecewa banget", "belum sampai"),
    ("ru", "Интернет не работает с утра, ужасный сервис", "не работает"),
    ("ja", "朝からずっとネットが繋がらない。最悪", "繋がらない"),
    ("ko", "아침부터 인터넷이 안 돼요 최악이에요", "인터넷이 안"),
    ("ar", "الخدمة سيئة جدا والإنترنت مقطوع منذ الصباح", "سيئة"),
]
CALM = [
    ("es", "¿Puedo cancelar el pedido antes del envío?"),  # "cancel" in a question: no complaint
    ("es", "No es una estafa, funciona de maravilla"),  # negated cue
    ("es", "¿Mi vuelo está retrasado?"),  # a cue only in a question asks, it reports nothing
    ("de", "Nicht schlecht, die neue App!"),
    ("de", "Wie kann ich meinen Vertrag kündigen?"),
    ("fr", "Ce n'est pas nul du tout, merci"),
    ("nl", "Slechts vijf minuten gewacht, top service"),  # "slechts" (only) is not "slecht" (bad)
    ("pl", "Nie jest źle, dzięki za pomoc"),
    ("tr", "Kötü değil, teşekkürler"),  # Turkish negates after the word
    ("ru", "Спасибо, всё снова работает"),
    ("ja", "解約方法を教えてください"),
    ("ko", "구독을 어떻게 해지하나요?"),
    ("ar", "كيف يمكنني تغيير البريد الإلكتروني؟"),
    ("pt", "Obrigado, tudo resolvido em minutos"),
]


def test_at_least_twelve_languages_have_cues() -> None:
    assert len(CUES) >= 12 and {"es", "de", "fr", "it", "nl", "pt", "pl", "sv", "tr", "id", "ru", "ja", "ko",
                                "ar"} <= set(CUES)


@pytest.mark.parametrize(("language", "text", "cue"), COMPLAINTS)
def test_a_complaint_is_negative_with_a_reason_naming_its_words(language: str, text: str, cue: str) -> None:
    reading = READ.read(text, language)
    assert reading is not None, text
    assert reading.score.label == "negative" and 0.6 <= reading.score.p_negative <= 0.8
    assert abs(reading.score.p_negative + reading.score.p_neutral + reading.score.p_positive - 1) < 0.011
    assert cue in reading.cues and reading.reason.startswith("negative by keywords (")
    assert f'"{cue}"' in reading.reason


@pytest.mark.parametrize(("language", "text"), CALM)
def test_questions_negations_and_praise_stay_unscored(language: str, text: str) -> None:
    assert READ.read(text, language) is None, text


def test_praise_needs_two_different_cues_and_overlaps_count_once() -> None:
    assert READ.read("Gracias, pero sigue sin internet", "es") is None  # thanks and one cue: not sure
    both = READ.read("Gracias, pero sigue sin internet y nadie responde", "es")
    assert both is not None and both.cues == ("sin internet", "nadie responde")  # "sin" negates nothing else
    once = READ.read("Ça ne marche pas", "fr")
    assert once is not None and once.cues == ("ne marche pas",)  # not also "marche pas"
    assert once.score.p_negative == 0.65 and both.score.p_negative == 0.75


def test_accents_handles_and_odd_text() -> None:
    reading = READ.read("@pesimo_brand PESIMO servicio, no funciona", "es")
    assert reading is not None and reading.cues == ("pesimo", "no funciona")  # the handle is not read
    for odd in ("", "\x00" * 10, "🎃" * 500, "no funciona " * 2000):
        READ.read(odd, "es")
    assert READ.read("Palvelu ei toimi", "fi") is None and not READ.covers("fi")  # no list: stays unscored
    assert READ.read("Internet mati lagi, kecewa", "ms") is not None  # fastText's Malay reads the Indonesian list


def test_keyword_fallback_setting_is_a_checked_boolean(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    brand = '[[brands]]\nid = "acme"\nname = "Acme"\n'
    path.write_text('[model]\nkeyword_fallback = false\n' + brand)
    assert load_settings(path).model.keyword_fallback is False
    path.write_text(brand)
    assert load_settings(path).model.keyword_fallback is True
    path.write_text('[model]\nkeyword_fallback = "sometimes"\n' + brand)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert caught.value.key == "model.keyword_fallback"
