"""How surprising a count of people is, given the count expected: the Poisson likelihood-ratio z, widened by dispersion.

Why: a window of people is a count, and what a count of 5 means depends on what was expected. On thin data (a
brand with a handful of complaints a day) "more than the remembered high, by the usual wobble" can be 5 people
where 2 is the most ever seen; a Poisson tail says how often chance alone gives that. On a big brand a burst twice
the usual rate is overwhelming evidence after ten minutes, while a fixed "times the rate" or a variance that grows
with the square of the rate (negative binomial with a fixed shape) hides it. Real counts are more variable than
Poisson (detection.md lesson 2), so the variance is the Poisson one times a *dispersion index* learnt from the
data, never below 1, and widened while little data has been seen.

``surprise_z`` is the signed root of the Poisson deviance (with a continuity correction): its upper tail is close
to the normal one, so ``z = 4`` means about 3 in 100,000 under the model. Pure functions, no state.
"""

from __future__ import annotations

import math


def surprise_z(count: float, expected: float, dispersion: float = 1.0) -> float:
    """How many standard errors ``count`` is above a Poisson(``expected``) count (0 when not above)."""
    observed = count - 0.5  # continuity correction: P(X >= c) is judged at c - 1/2
    lam = max(expected, 1e-6)
    if observed <= lam:
        return 0.0
    deviance = 2.0 * (observed * math.log(observed / lam) - (observed - lam))
    return math.sqrt(max(deviance, 0.0) / max(dispersion, 1.0))


def shrunk_dispersion(estimate: float, samples: float, prior: float, prior_samples: float) -> float:
    """The variance-to-mean ratio to use: the data's estimate, pulled toward a wide prior while samples are few."""
    if samples <= 0:
        return max(prior, 1.0)
    blended = (prior * prior_samples + estimate * samples) / (prior_samples + samples)
    return max(blended, 1.0)
