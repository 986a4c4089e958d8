"""Churn threat, issue #14 round 7: paraphrases real customer tweets use (tune_real, models/train/tune_real.py).

Version 7 had no cue for these wordings; the look-alikes are real-tweet false alarms the cue changes removed.
The texts are the project's own paraphrases (twcs text never enters the repository).
"""

from __future__ import annotations

import csv

import pytest

from benchmarks.complaint_data import DATA_DIR, TWCS_CSV
from models.churn import find_churn
from models.churn_features import REASONS, find_cues, prepare
from models.train.tune_real import LABELS, draw, is_check, labelled
from monitor.brands import BrandTerms

ACME = BrandTerms(id="acme", name="Acme", names=("Acme Mobile",), handles=("@AcmeHelp",))

THREATS = {  # text: the cue that must decide (version 7 had no cue for any of them)
    "@AcmeHelp well you have officially lost me as a customer, third missed delivery": "lost_customer",
    "@AcmeHelp your agents just lost 2 customers who spent $900 this year": "lost_customer",
    "@AcmeHelp I have stopped ordering from your site, the couriers are rude": "never_again",
    "@AcmeHelp the more I use you the more I'm going to stop being a customer": "never_again",
    "@AcmeHelp order late again, driver useless #neveragain": "never_again",
    "@AcmeHelp jamás volveré a comprar con ustedes": "foreign_never",
    "@AcmeHelp no entregáis a tiempo, lo compro en otro sitio": "foreign_elsewhere",
    "@AcmeHelp you don't deliver after 6? fine, I'll get it from @FibreCo": "switch_away",
}
NEVER = {  # text: the cue it must (not) fire
    "@AcmeHelp tried it all: 1) installing updates 2) uninstalling updates as instructed": "uninstall",
    "@AcmeHelp I have dropped @AcmeHelp a DM with the details": "cancel_rel",
    "@AcmeHelp how would deleting an account off a device work if it can't go online?": "+cancel_part",
    "@AcmeHelp went to Currys store today, they say the fault is with your network": "switch_away",
    # guards for the new "stop ordering" cue (version 7 had none)
    "@AcmeHelp I won't stop ordering from you, just fix the app": "never_again",
    "@AcmeHelp you have stopped using paper bills, where do I see mine?": "never_again",
}


@pytest.mark.parametrize(("text", "cue"), THREATS.items())
def test_real_tweet_paraphrases_are_threats_with_their_cue(text: str, cue: str) -> None:
    found = find_churn(text, ACME)
    assert found is not None, text
    assert cue in {c.name for c in find_cues(prepare(text, ACME))} and found[1].startswith(REASONS[cue]), found


@pytest.mark.parametrize(("text", "cue"), NEVER.items())
def test_real_tweet_look_alikes_are_not_threats(text: str, cue: str) -> None:
    assert find_churn(text, ACME) is None, text
    cues = {c.name for c in find_cues(prepare(text, ACME))}
    # "+cancel_part": a device's account, which the guard reads as not leaving
    assert cue[1:] in cues if cue.startswith("+") else cue not in cues, cues


def test_tune_real_holds_no_evaluation_tweet_and_a_fixed_check_part() -> None:
    with (DATA_DIR / "labels.csv").open(encoding="utf-8", newline="") as handle:
        evaluated = {row["id"] for row in csv.DictReader(handle)}
    rows = labelled()
    assert len(rows) == 600 and not {i for i, _, _ in rows} & evaluated
    check = [y for _, y, part in rows if part]
    assert (len(check), sum(check)) == (263, 11)  # the split is a CRC-32 of the id: it never moves
    assert is_check("5558") and not is_check("7078")
    assert LABELS.read_text(encoding="utf-8").splitlines()[0] == "id,churn_threat,note"


@pytest.mark.skipif(not TWCS_CSV.exists(), reason="needs the twcs sample in ../shared/data")
def test_tune_real_is_the_seeded_draw() -> None:
    assert [f"twcs:{i}" for i in draw()] == [i for i, _, _ in labelled()]
