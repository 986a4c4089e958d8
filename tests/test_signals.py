"""Complaint signals: churn paraphrases, negations, categories (default and user-defined), brand, language."""

from __future__ import annotations

import pytest

from connectors.base import BrandTerms
from models.signals import DEFAULT_CATEGORIES, Signals, extract_signals

BRAND = BrandTerms(id="acme", name="Acme Mobile", names=("Acme",), handles=("@AcmeHelp",),
                   exclude=("acme anvil",))

CHURN = [
    "I'm switching to Verizon, this is a joke",
    "Cancelling my contract tomorrow.",
    "never again will I fly with you",
    "Done with you @AcmeHelp",
    "I am so done with this company",
    "Taking my business elsewhere.",
    "Looking for a new provider, any recommendations?",
    "porting my number to EE first thing monday",
    "Won't be renewing my plan next year",
    "Congrats, you just lost a customer",
    "Time to switch, 3rd outage this week",
    "Closing my account today",
    "gonna cancel tbh",
    "shopping around for a different bank after this",
]
NOT_CHURN = [
    "I'm not switching, love you guys",
    "I would never cancel, best service around",
    "switching to dark mode was a great idea",
    "my train was cancelled again",
    "Need to cancel my order, how do I do that?",
    "Loving the new app update!",
    "",
]


@pytest.mark.parametrize("text", CHURN)
def test_churn_threat_paraphrases_are_caught(text: str) -> None:
    signal = extract_signals(text, BRAND).churn_threat
    assert signal is not None, text
    assert 0.4 <= signal.confidence <= 1.0
    assert '"' in signal.reason and len(signal.reason) < 120


@pytest.mark.parametrize("text", NOT_CHURN)
def test_negated_or_unrelated_uses_are_not_churn(text: str) -> None:
    assert extract_signals(text, BRAND).churn_threat is None, text


def test_hedged_threat_has_lower_confidence() -> None:
    firm = extract_signals("switching to T-Mobile", BRAND).churn_threat
    hedged = extract_signals("thinking about switching to T-Mobile", BRAND).churn_threat
    assert firm is not None and hedged is not None
    assert hedged.confidence < firm.confidence


@pytest.mark.parametrize(("text", "category"), [
    ("Internet down again, no signal since 9am", "outage"),
    ("You charged me twice this month, I want a refund", "billing"),
    ("On hold for 2 hours and the agent was rude", "support"),
    ("My parcel never arrived and tracking says delivered", "delivery"),
    ("Great, another update that breaks everything", "quality"),
    ("The charger caught fire, this is dangerous", "safety"),
    ("My account was hacked and I'm locked out", "account"),
    # the default keywords in other languages (non-ASCII words and CJK substrings)
    ("Schon wieder kein Internet in Köln", "outage"),
    ("Fel på fakturan igen", "billing"),
    ("Servizio clienti pessimo, nessuna risposta", "support"),
    ("配達完了になっているのに荷物が届いていません", "delivery"),
    ("Aplikacja nie działa po aktualizacji", "quality"),
    ("Мой аккаунт заблокировали", "account"),
])
def test_default_categories(text: str, category: str) -> None:
    signal = extract_signals(text, BRAND).category
    assert signal is not None and signal.value == category
    assert signal.reason.startswith("mentions")


def test_user_category_without_retraining() -> None:
    categories = {**DEFAULT_CATEGORIES, "roaming": "roaming, abroad, travel pass, international charges"}
    signal = extract_signals("Roaming abroad is impossible, the travel pass never works", BRAND,
                             categories).category
    assert signal is not None and signal.value == "roaming"
    assert "travel pass" in signal.reason
    free_text = {"vegan": "Complaints about vegan options, plant based menus and dairy free food"}
    vegan = extract_signals("No dairy free food at all and the plant based burger is gone", None, free_text)
    assert vegan.category is not None and vegan.category.value == "vegan"


def test_no_category_for_plain_chatter() -> None:
    assert extract_signals("Good morning everyone, lovely weather", BRAND).category is None


def test_aimed_at_brand() -> None:
    assert extract_signals("@AcmeHelp why is nothing working", BRAND).aimed_at_brand
    assert extract_signals("acme mobile is a mess", BRAND).aimed_at_brand
    assert not extract_signals("my neighbour's dog is loud", BRAND).aimed_at_brand
    assert not extract_signals("bought an acme anvil like in the cartoons", BRAND).aimed_at_brand
    assert not extract_signals("Acmegadget rocks", BRAND).aimed_at_brand  # a word boundary is required
    assert extract_signals("anything", None).aimed_at_brand


@pytest.mark.parametrize(("text", "language"), [
    ("The service is down again and nobody answers", "en"),
    ("wifi down", "en"),
    ("El servicio no funciona y nadie me responde, muy mal", "es"),
    ("Le service ne marche pas, c'est nul et je suis fâché", "fr"),
    ("Das Internet ist schon wieder nicht da und ich bin sauer", "de"),
    ("Интернет опять не работает", "ru"),
    ("サービスが使えない", "ja"),
    ("🔥🔥🔥", "und"),
    ("https://t.co/abc123", "und"),
])
def test_language(text: str, language: str) -> None:
    signals = extract_signals(text, BRAND)
    assert signals.language == language
    assert signals.non_english == (language not in ("en", "und"))


@pytest.mark.parametrize("text", ["", "   ", "x" * 50_000, "a\x00b", "\x00" * 10, "😡" * 500,
                                  "Hello Привет 你好 مرحبا", "\\u2019\\ud83d"])
def test_odd_text_never_raises(text: str) -> None:
    assert isinstance(extract_signals(text, BRAND), Signals)


def test_to_json_shape() -> None:
    data = extract_signals("Cancelling my contract, billing is a scam, @AcmeHelp", BRAND).to_json()
    assert set(data) == {"churn_threat", "category", "aimed_at_brand", "language", "non_english"}
    assert data["churn_threat"]["value"] == "churn_threat"
    assert set(data["category"]) == {"value", "confidence", "reason"}
    assert data["aimed_at_brand"] is True and data["language"] == "en" and data["non_english"] is False


def test_signals_of_many_posts_are_the_same_as_one_by_one() -> None:
    """Behaviour at volume (no caches leaking between posts); speed is benchmarks/complaint_eval.py's figure."""
    texts = [f"{t} #{i}" for i, t in enumerate(CHURN * 20)]
    first = [extract_signals(text, BRAND).to_json()["churn_threat"] for text in texts]
    assert first == [extract_signals(text, BRAND).to_json()["churn_threat"] for text in reversed(texts)][::-1]
    assert all(item is not None for item in first[:len(CHURN)])
