"""A negation ends with its sentence: "Not happy. I'm cancelling." is a threat, "I'm not cancelling, I just
want…" is not.  Version 6 looked 40 characters back through full stops (and marked ``not_`` words for three
tokens past them), so a complaint that opened with "not", "no" or "don't" hid the threat that followed."""

from __future__ import annotations

import pytest

from models.churn import find_churn
from models.churn_features import features, find_cues, prepare
from monitor.brands import BrandTerms

ACME = BrandTerms(id="acme", name="Acme", handles=("AcmeHelp",))

# a negation in the sentence before the threat, ended by . ! ? ; a line break or a CJK full stop
THREATS_AFTER_A_NEGATION = (
    "@AcmeHelp Not happy. I'm cancelling.",
    "@AcmeHelp no signal for three days!\nCancelling my contract",
    "@AcmeHelp still no refund? Never coming back",
    "@AcmeHelp you never answer; closing my account today",
    "@AcmeHelp I don't get it.\nDone with you",
    "@AcmeHelp 해지할게요. 아니면 요금을 내려주세요",
    "@AcmeHelp 解約します。じゃないと損するだけ",
)
# the negation belongs to the leaving words: same sentence
STILL_NEGATED = (
    "I'm not cancelling, I just want you to fix my bill @AcmeHelp",
    "@AcmeHelp Not cancelling! Just fix the line",
    "@AcmeHelp the router is dead. I'm not leaving you, I want an engineer",
    "@AcmeHelp 解約したいわけじゃなくて、請求を直してほしい",
)


@pytest.mark.parametrize("text", THREATS_AFTER_A_NEGATION)
def test_a_negation_in_the_sentence_before_does_not_hide_the_threat(text: str) -> None:
    assert not [c.name for c in find_cues(prepare(text, ACME)) if c.name.startswith("neg_")], text
    assert find_churn(text, ACME) is not None, text


@pytest.mark.parametrize("text", STILL_NEGATED)
def test_a_negation_in_the_same_sentence_still_counts(text: str) -> None:
    assert any(c.name.startswith("neg_") for c in find_cues(prepare(text, ACME))), text
    assert find_churn(text, ACME) is None, text


def test_not_marked_words_stop_at_the_sentence_end() -> None:
    feats = features(prepare("@AcmeHelp not happy. i'm cancelling today", ACME))
    assert "w:not_happy" in feats and "w:i'm" in feats and "w:cancelling" in feats
    assert not {"w:not_i'm", "w:not_cancelling"} & set(feats)
    kept = features(prepare("@AcmeHelp I'm not cancelling, I just want a refund", ACME))
    assert {"w:not_cancelling", "w:not_i", "w:not_just"} <= set(kept)


def test_a_line_break_survives_preparation_as_a_sentence_end() -> None:
    assert prepare("@AcmeHelp  No   signal\r\n\r\n Cancelling  now", ACME) == "brandx no signal\ncancelling now"
    assert "w:not_cancelling" not in features(prepare("no signal\ncancelling now"))
