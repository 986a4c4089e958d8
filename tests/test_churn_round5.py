"""Churn threat, issue #14 round 5: the failure classes the issue names, in wordings no training file holds.

Version 3 (its cues and weights) fails 21 of these 34 cases; the rest it already got right and are kept as
guards for the cue changes that touch them.  See models/train/README.md, round 5.
"""

from __future__ import annotations

import json

import pytest

from models.churn import ARTIFACT, find_churn
from models.churn_features import find_cues, prepare
from monitor.brands import BrandTerms

ACME = BrandTerms(id="acme", name="Acme", names=("Acme Mobile",), handles=("@AcmeHelp",))

THREATS = [
    "@AcmeHelp cancelling. Third outage this week",  # bare "cancelling" after the handle
    "@AcmeHelp im cancelling, the signal here is a joke",  # "im" without the apostrophe
    "@AcmeHelp is there any alternative to Acme that actually has signal in Leeds?",
    "@AcmeHelp if the line isn't back by tonight I'm gone",  # conditional threat
    "@AcmeHelp if it's not fixed tomorrow I'm cancelling",  # a "not" inside the condition is no negation
    "@AcmeHelp can I just cancel online? not sitting on hold again",  # asking how to cancel
    "@AcmeHelp deleting the app and going to FibreCo",
    "@AcmeHelp done using Acme, every bill is wrong",
    # the round-4 foreign cues (commit 9a0abe5), shipped this round
    "@AcmeHelp wechsle zu Vodafone, drei Wochen ohne Netz",
    "@AcmeHelp se non risolvete entro venerdì passo a un altro operatore",
    "@AcmeHelp je passe chez Free le mois prochain, ras le bol",
    "@AcmeHelp estoy mirando otras compañías, el servicio es pésimo",
]
NEVER = [
    "@AcmeHelp please unsubscribe me from the newsletter",
    "@AcmeHelp what's your cancellation policy if I move house?",
    "@AcmeHelp how do I close my daughter's old account? she pays for her own now",
    "@AcmeHelp cancelled my contract in May and you still billed me in June",  # a past cancellation as background
    "@AcmeHelp I went to cancel my order but the button is greyed out",
    "@AcmeHelp happy to move to a later date for the install",
    "@AcmeHelp hello are the shops open on bank holidays?",
    "@AcmeHelp if it is what it is, fine, just send the engineer",
    "@AcmeHelp 解約したいわけじゃなくて、請求を直してほしい",
    "@AcmeHelp passed a phone mast on my run and still no signal",
]


@pytest.mark.parametrize("text", THREATS)
def test_round5_threats_are_caught_with_a_quoted_reason(text: str) -> None:
    found = find_churn(text, ACME)
    assert found is not None, text
    assert '"' in found[1] and "brandx" not in found[1]


@pytest.mark.parametrize("text", NEVER)
@pytest.mark.parametrize("brand", [ACME, None])
def test_round5_look_alikes_are_not_threats(text: str, brand: BrandTerms | None) -> None:
    assert find_churn(text, brand) is None, text


def test_round5_reasons_name_the_cue_that_decided() -> None:
    found = find_churn("@AcmeHelp if it's not fixed tomorrow I'm cancelling", ACME)
    assert found is not None and found[1].startswith('says they will cancel: "')
    conditional = find_churn("@AcmeHelp if the line isn't back by tonight I'm gone", ACME)
    assert conditional is not None and conditional[1] == 'says they are leaving: "i\'m gone"'
    names = {c.name for c in find_cues(prepare("@AcmeHelp any alternative to oat milk?", ACME))}
    assert "alternative" not in names and "alternative_to" in names  # "alternative to" a thing is no reason


def test_shipped_artifact_is_version_6_or_later_trained_with_the_round5_posts_and_general_tweets() -> None:
    meta = json.loads(ARTIFACT.read_text(encoding="utf-8"))
    assert int(meta["version"]) >= 6 and "churn_extra_v6.csv" in meta["trained_on"]["data"]
    assert meta["trained_on"]["general_tweets"] > 20000 and meta["trained_on"]["general_weight"] == 0.1


def test_second_check_set_is_as_described_and_apart_from_the_evaluation_posts() -> None:
    """benchmarks/data/complaints/churn_check2.csv: 75 threats in 160, none close to a written dev/test post."""
    import re

    from benchmarks.churn_eval import check_posts
    from benchmarks.complaint_data import load_posts

    def words(text: str) -> set[str]:
        return set(re.findall(r"\w+", text.lower()))

    posts = check_posts("churn_check2.csv")
    assert len(posts) == 160 and sum(p.churn_threat for p in posts) == 75
    assert len({p.id for p in posts}) == 160
    evaluated = [words(p.text) for p in load_posts(None, "written")]
    for post in posts:
        mine = words(post.text)
        assert max(len(mine & w) / len(mine | w) for w in evaluated) < 0.8, post.text
