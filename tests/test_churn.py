"""The trained churn-threat classifier: paraphrases in several languages, and the look-alikes that
must never be threats (happy switchers, "I'm not cancelling", cancelling an order), with reasons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.churn import ARTIFACT, find_churn, load_churn_model
from models.churn_features import features, find_cues, prepare
from monitor.brands import BrandTerms
from monitor.errors import ModelError

ACME = BrandTerms(id="acme", name="Acme", names=("Acme Mobile",), handles=("@AcmeHelp",))

THREATS = [
    "Cancelling my @AcmeHelp contract the day it ends, one bar of signal for £60",
    "@AcmeHelp please send me my PAC code, I'm off to Three",
    "Never again @AcmeHelp. Never.",
    "You've just lost a customer @AcmeHelp",
    "Any decent alternatives to @AcmeHelp? Third outage this week",
    "If this isn't fixed by Friday I'm cancelling @AcmeHelp",
    "Ich kündige meinen Vertrag zum Monatsende @AcmeHelp",
    "@AcmeHelp je résilie mon abonnement, trois semaines sans réseau",
    "@AcmeHelp he cancelado mi suscripción, demasiado caro",
    "@AcmeHelp 高いので解約しました",
    # wordings that are in no training file
    "@AcmeHelp how do I close my account? done with the outages",
    "@AcmeHelp signed up with a competitor today, goodbye",
    "@AcmeHelp that is it, I am moving to another provider",
]
NEVER = [
    "Switched to Acme last month, really happy",
    "Switched to @AcmeHelp last month, really happy so far",
    "Just ported my number to @AcmeHelp, painless!",
    "I'm not cancelling, I just want you to fix my bill @AcmeHelp",
    "@AcmeHelp I don't want to leave, I want my internet to work",
    "Ik wil niet opzeggen, ik wil gewoon een juiste rekening @AcmeHelp",
    "@AcmeHelp please cancel my order, wrong address",
    "@AcmeHelp my flight was cancelled, when is the next one?",
    "@AcmeHelp how do I unsubscribe from the marketing emails? I still want the service",
    "@AcmeHelp tried deleting the app and reinstalling, still crashes",
    "@AcmeHelp are the phone lines closed on Sundays?",
    "Rejoined @AcmeHelp after a year away, much better now",
    # negation, past tense towards the brand, cancelling something else: wordings in no training file
    "@AcmeHelp I have no plans to leave, just fix the router",
    "@AcmeHelp not switching anywhere, I just want a callback",
    "moved over to @AcmeHelp from my old provider last month, so much faster",
    "@AcmeHelp please cancel the technician appointment on Tuesday",
    "@AcmeHelp cancel my pizza order lol wrong account",
    "@AcmeHelp I was going to leave last year but you sorted it, thanks",
]


@pytest.mark.parametrize("text", THREATS)
def test_threats_are_caught_with_a_readable_reason(text: str) -> None:
    found = find_churn(text, ACME)
    assert found is not None, text
    confidence, reason = found
    assert 0.3 <= confidence <= 1.0
    assert '"' in reason and "brandx" not in reason and len(reason) < 140


@pytest.mark.parametrize("text", NEVER)
@pytest.mark.parametrize("brand", [ACME, None])
def test_look_alikes_are_never_threats(text: str, brand: BrandTerms | None) -> None:
    assert find_churn(text, brand) is None, text


def test_hedged_threat_is_less_firm_and_brand_name_is_quoted() -> None:
    firm = find_churn("I'm switching to Verizon, @AcmeHelp is a joke", ACME)
    hedged = find_churn("thinking about switching to Verizon, @AcmeHelp is a joke", ACME)
    assert firm is not None and hedged is not None and hedged[0] < firm[0]
    closing = find_churn("Cancelling my @AcmeHelp contract tomorrow", ACME)
    assert closing is not None and "Acme" in closing[1]


def test_negated_cue_is_named_as_negated() -> None:
    names = {c.name for c in find_cues(prepare("I would never leave @AcmeHelp", ACME))}
    assert "neg_leave" in names and "leave" not in names


def test_missing_or_broken_artifact_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "churn.json"
    broken.write_text("{not json")
    with pytest.raises(ModelError, match="retrain: python -m models.train.train_churn"):
        load_churn_model(broken)
    with pytest.raises(ModelError, match="missing or corrupt"):
        load_churn_model(tmp_path / "absent.json")


def test_shipped_artifact_is_small_and_says_how_it_was_made() -> None:
    meta = json.loads(ARTIFACT.read_text(encoding="utf-8"))
    assert ARTIFACT.stat().st_size < 200_000
    assert meta["trained_by"] == "models/train/train_churn.py" and 0.2 < meta["threshold"] < 0.9
    assert meta["trained_on"]["churn"] >= 100


# cue fixes of issue #14: (text, cue that must fire, cue that must not)
CUE_CASES = [
    ("@XboxSupport tried different controllers &amp; uninstalling, mic still dead", None, "uninstall"),
    ("@VerizonSupport the tv freezes when changing to anything under 523", None, "switch_away"),
    ("@SpotifyCares how do I switch to the family plan?", None, "switch_away"),
    ("@AcmeHelp switching to FibreCo, done", "switch_away", None),
    ("@FreshCartUK cancel tomorrow's delivery slot please", "cancel_other", None),
    ("@AskeBay in future I am not going to choose eBay", "never_again", None),
    ("@HPSupport bad business. Lost this military customer", "lost_customer", None),
    ("@HPSupport the store lost a customer's parcel", None, "lost_customer"),
    ("@AcmeHelp langganan saya sudah saya batalkan", "foreign_cancel", None),
]


@pytest.mark.parametrize(("text", "fires", "silent"), CUE_CASES)
def test_cue_fixes(text: str, fires: str | None, silent: str | None) -> None:
    names = {c.name for c in find_cues(prepare(text))}
    assert fires is None or fires in names, (text, names)
    assert silent is None or silent not in names, (text, names)


def test_any_leaving_cue_is_one_shared_feature() -> None:
    assert "cue:any_leaving" in features(prepare("@AcmeHelp you just lost a loyal customer"))
    assert "cue:any_leaving" not in features(prepare("@AcmeHelp I'm not cancelling, fix my bill"))


def test_signal_cache_is_keyed_on_the_churn_weights(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A retrained churn model must not read the signals a backtest cached with the old one."""
    import models.churn as churn_module
    from monitor.replay.score_cache import SignalCache

    before = SignalCache(tmp_path / "m.signals").path
    other = tmp_path / "churn-lr.json"
    other.write_text(ARTIFACT.read_text(encoding="utf-8").replace('"threshold": ', '"threshold": 0.0 + '))
    monkeypatch.setattr(churn_module, "ARTIFACT", other)
    assert SignalCache(tmp_path / "m.signals").path != before


def test_fresh_check_set_is_balanced_and_apart_from_the_evaluation_posts() -> None:
    """benchmarks/data/complaints/churn_check.csv: 20 threats, 20 look-alikes, none close to a dev/test post."""
    import re

    from benchmarks.churn_eval import check_posts
    from benchmarks.complaint_data import load_posts

    def words(text: str) -> set[str]:
        return set(re.findall(r"\w+", text.lower()))

    posts = check_posts()
    assert len(posts) == 40 and sum(p.churn_threat for p in posts) == 20
    assert len({p.id for p in posts}) == 40
    evaluated = [words(p.text) for p in load_posts(None, "written")]
    for post in posts:
        mine = words(post.text)
        assert max(len(mine & w) / len(mine | w) for w in evaluated) < 0.8, post.text
