"""Issue #14, round 6: ordinary tweets and calm customer posts that version 5 read as threats to leave.

Each post below was flagged by version 5 (cue over-reach or words such as "going", "off to" learned from written
threats); version 6 narrows the cues and trains on general tweets as negatives.  The threats next to them stay.
"""

from __future__ import annotations

from models.churn import find_churn
from models.churn_features import find_cues, prepare
from monitor.brands import BrandTerms

ACME = BrandTerms(id="acme", name="Acme", handles=("AcmeHelp",))

NOT_THREATS = (
    "Off to Edinburgh today, so excited! Foo Fighters tomorrow night",
    "Everytime i turn around Wells Fargo taking money out my account",
    "There is a rumor going around that the new single drops tomorrow",
    "one more final tomorrow then I'm done for the semester",
    "@AcmeHelp we have secured the pies. We've gone with your Finest.",
    "I am out of my favorite tea! have to wait until tomorrow to buy it now",
    "The vice president on Sunday said it is time to tone it down",
)


def test_ordinary_tweets_and_calm_posts_are_not_threats() -> None:
    assert [t for t in NOT_THREATS if find_churn(t, ACME) is not None] == []


def test_narrowed_cues_no_longer_fire_on_their_look_alikes() -> None:
    def names(text: str) -> set[str]:
        return {c.name for c in find_cues(prepare(text, ACME))}

    assert "elsewhere" not in names("taking money out of my account again") | names("a bug going around")
    assert "switch_away" not in names("we've gone with your finest range")
    assert "done_with" not in names("I'm done for the day") | names("I am out of milk")
    assert "general_exit" not in names("he said it is fine")


def test_threats_that_share_those_words_are_still_found() -> None:
    threats = ("@AcmeHelp I'm done. Switching to FibreCo on Monday", "@AcmeHelp I'm so done with you",
               "@AcmeHelp taking my money out of Acme and going to Monzo",
               "Acme is down and useless, switching to FibreCo",
               "@AcmeHelp shopping around for a new broadband provider, this is the last straw")
    assert [t for t in threats if find_churn(t, ACME) is None] == []
