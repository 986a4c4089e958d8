"""Run the fake X and Reddit APIs with a few seeded posts, for trying `groundswell poll ... --once` offline.

    python -m tests.fakes.serve --brand Brightwave --handle brightwave [--fault 429]

Prints the settings.toml lines (base_url / oauth_url / reddit_url and the placeholder credentials)
that point the x and reddit connectors at these servers, then serves until Ctrl-C.
"""

from __future__ import annotations

import argparse
import threading
from datetime import timedelta

from tests.fakes.reddit_api import FakeReddit
from tests.fakes.x_api import FakeX


def seed(x: FakeX, reddit: FakeReddit, brand: str, handle: str) -> None:
    complaint = x.add_tweet(f"{brand} has been down all morning, third time this week", user="carol",
                            followers=48_000, age=timedelta(minutes=40), likes=31, retweets=12)
    x.add_tweet(f"RT @carol: {brand} has been down all morning", user="dave", refs=[("retweeted", complaint)])
    x.add_tweet(f"@{handle} my bill doubled?? cancelling", user="erin", age=timedelta(minutes=20))
    x.add_tweet("@carol sorry about this, we are on it", user=handle, refs=[("replied_to", complaint)])
    x.add_tweet(f"Switched to {brand} last month, really happy", user="frank", age=timedelta(minutes=5))
    post = reddit.add_post(f"{brand} outage again?", sub="broadband", author="gina", score=54, comments=23,
                           body="No internet since 7am.", age=timedelta(minutes=30))
    reddit.add_comment("Same here, support line not answering", post=post, sub="broadband", author="hal")
    reddit.add_post(f"{brand} weekly support thread", sub=brand.lower(), author="mod", age=timedelta(hours=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brand", default="Brightwave")
    parser.add_argument("--handle", default="brightwave")
    parser.add_argument("--fault", default=None, help="429, 401, 403, 500, 503, truncated, slow or reset")
    args = parser.parse_args()
    x, reddit = FakeX(token="fake-x-bearer"), FakeReddit("fake-client-id", "fake-secret")
    x.start()
    reddit.start()
    seed(x, reddit, args.brand, args.handle.lstrip("@"))
    if args.fault:
        x.fail(args.fault)
        reddit.fail(args.fault)
    print(f"""# export X_BEARER_TOKEN=fake-x-bearer REDDIT_CLIENT_ID=fake-client-id REDDIT_CLIENT_SECRET=fake-secret
# [[sources]] kind = "x":       base_url = "{x.url}"
# [[sources]] kind = "reddit":  oauth_url = "{reddit.url}"  reddit_url = "{reddit.url}"  search_all = true
#                               subreddits = ["{args.brand.lower()}"]""", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        x.stop()
        reddit.stop()


if __name__ == "__main__":
    main()
