"""The fake X API (it ships in monitor.replay.fakes for `groundswell try`) and the brand its tests search for."""

from connectors.base import BrandTerms
from monitor.replay.fakes.x_api import FakeX

__all__ = ["ACME_TERMS", "FakeX"]

# The brand the X connector tests search for: two names, two handles, a cashtag and an exclusion.
ACME_TERMS = BrandTerms(
    id="acme",
    name="Acme",
    names=("Acme", "Acme Cloud"),
    handles=("acme", "AcmeHelp"),
    terms=("$ACME",),
    exclude=("roadrunner",),
    languages=("en",),
)
