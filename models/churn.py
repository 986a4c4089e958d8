"""Churn-threat detection: the customer says they are leaving, in any of the usual ways.

Patterns cover paraphrase families (switching provider, cancelling, never again, done with you,
taking business elsewhere, looking for a new provider, closing the account, porting the number,
not renewing, "you lost a customer").  A negation just before the phrase ("not switching",
"would never cancel") suppresses it; a hedge ("thinking about", "might") lowers the confidence;
harmless objects ("switching to dark mode", "cancel my order") do not count.
"""

from __future__ import annotations

import re

_PROVIDER = (r"(?:provider|carrier|network|bank|supplier|company|isp|broadband|service|insurer|airline|"
             r"energy supplier|phone company|operator|brand)s?")
_SUBSCRIPTION = (r"(?:subscription|account|contract|service|membership|plan|policy|broadband|internet|"
                 r"line|sub|package|direct debit)s?")
_PATTERNS: list[tuple[str, float, str]] = [
    (r"\b(?:switch(?:ing|ed)?|mov(?:e|ing)|jump(?:ing)? ship|go(?:ing)? over) (?:over )?to (?!the\b|a\b|dark\b|"
     r"light\b|night\b|manual\b|auto\b|airplane\b|flight\b|wifi\b|wi-fi\b|data\b|[0-9]g\b|plan\b)[\w@#&'-]+",
     0.8, "talks about switching to another company"),
    (rf"\b(?:switch(?:ing|ed)?|chang(?:e|ing)|leav(?:e|ing)) (?:my |our )?{_PROVIDER}", 0.8,
     "talks about changing provider"),
    (r"\bjump(?:ing)? ship\b", 0.75, "says they are jumping ship"),
    (rf"\bcancel+(?:ing|ed)? (?:my|our|the) (?:\w+ )?{_SUBSCRIPTION}", 0.9, "is cancelling their service"),
    (rf"\bterminat(?:e|ing|ed) (?:my|our|the) (?:\w+ )?{_SUBSCRIPTION}", 0.85, "is terminating their service"),
    (r"\b(?:i'?m|i am|we'?re|we are|i will|i'll|gonna|going to|about to|have to|want to|trying to) "
     r"(?:\w+ )?cancel+(?:ing)?\b(?! (?:my|the|our) (?:order|flight|appointment|booking|reservation))",
     0.75, "says they will cancel"),
    (r"\bnever (?:again|(?:\w+ ){0,3}again\b)", 0.8, "says they won't be back"),
    (r"(?:^|[.!?] )(?:done|finished) with (?:you|u|ya|y'all|@\w+)\b", 0.8, "says they are done with the company"),
    (r"\bnever (?:going to|gonna|will) (?:use|buy|fly|order|shop|book|come back|return|deal)", 0.8,
     "says they will never come back"),
    (r"\b(?:i'?m|i am|we'?re|we are|i'?ve been|so|officially|totally) (?:so |officially |totally |completely )?"
     r"(?:done|finished|through) with (?:you|u|ya|y'all|them|this|it|your|@\w+|[a-z]+)", 0.85,
     "says they are done with the company"),
    (r"\b(?:tak(?:e|ing)|tak(?:en)|took|tak(?:e|ing) away) (?:my|our) (?:business|money|custom|cash|"
     r"account) (?:elsewhere|somewhere else|to)\b", 0.9, "is taking their business elsewhere"),
    (r"\bgo(?:ing)? elsewhere\b|\bshop(?:ping)? (?:around|elsewhere)\b", 0.7, "says they will go elsewhere"),
    (rf"\b(?:look(?:ing)?|search(?:ing)?|shop(?:ping)?|hunt(?:ing)?) (?:around )?for (?:a )?(?:new|"
     rf"different|another|better|alternative) {_PROVIDER}", 0.8, "is looking for a new provider"),
    (r"\b(?:clos(?:e|ing)|delet(?:e|ing)) (?:my|our) account", 0.85, "is closing their account"),
    (r"\bport(?:ing)? (?:my|our) number", 0.85, "is porting their number away"),
    (r"\b(?:won'?t|will not|not) (?:be )?renew(?:ing)?\b", 0.8, "will not renew"),
    (r"\b(?:you(?:'ve| have)?|u) (?:just )?lost (?:a|another|my|our|one) (?:\w+ )?customer", 0.9,
     "says the company lost a customer"),
    (r"\b(?:former|ex-?|last month as a) customer\b", 0.6, "calls themselves a former customer"),
    (r"\b(?:unsubscrib(?:e|ing|ed)|leaving (?:you|u)|bye bye|goodbye|farewell)\b", 0.6,
     "says goodbye to the company"),
    (r"\b(?:time|about time) to (?:switch|leave|change provider|move on)", 0.75, "says it's time to leave"),
]
_COMPILED = [(re.compile(p), c, r) for p, c, r in _PATTERNS]
_NEGATION = re.compile(r"\b(?:not|never|no|don'?t|won'?t|wouldn'?t|isn'?t|ain'?t|no plans to|no way i'?d?|"
                       r"not going to|not gonna|why would i|didn'?t|can'?t|cannot)\W+(?:\w+\W+){0,2}$")
_HEDGE = re.compile(r"\b(?:thinking (?:of|about)|considering|might|may|maybe|if|should i|tempted to|"
                    r"seriously consider(?:ing)?)\b[^.!?]*$")


def find_churn(text: str) -> tuple[float, str] | None:
    """(confidence, reason) for the strongest churn phrase in normalised text, or None."""
    lowered = text.lower().replace("’", "'")[:2000]
    best: tuple[float, str] | None = None
    for pattern, confidence, reason in _COMPILED:
        for match in pattern.finditer(lowered):
            before = lowered[max(0, match.start() - 40): match.start()]
            if not match.group(0).startswith("never") and _NEGATION.search(before):
                continue
            score = confidence - (0.2 if _HEDGE.search(before) else 0.0)
            quote = match.group(0)[:60]
            if best is None or score > best[0]:
                best = (round(score, 2), f'{reason}: "{quote}"')
            break
    return best
