"""Language of a post (offline fastText model) and sentiment routed by language, "unscored" when no
model may score it: the detector, the router, the settings, the pipeline and `groundswell score`."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from models.language import detect_language, language_name
from models.loader import load_router, load_sentiment_model
from models.routing import UNSCORED, SentimentRouter
from monitor.cli.score import score
from monitor.errors import ConfigError
from monitor.pipeline import poll_source, score_pending
from monitor.runtime import Runtime
from monitor.settings import load_settings
from monitor.storage.tables import Mention
from tests.fakes.settings_files import make_settings

NOW = datetime(2026, 11, 2, 18, tzinfo=UTC)


@pytest.mark.parametrize(("text", "code"), [
    ("@AcmeHelp no signal since this morning, again", "en"),
    ("Thank you!", "en"),
    ("Sin señal otra vez", "es"), ("Schon wieder kein Internet", "de"), ("Toujours pas de connexion", "fr"),
    ("Weer geen internet vandaag", "nl"), ("Znowu brak internetu", "pl"), ("Inget internet igen", "sv"),
    ("Yine internet yok", "tr"), ("Perusahaan yang mengecewakan", "id"), ("Sem internet outra vez", "pt"),
    ("Ancora senza internet", "it"), ("またネットが繋がらない", "ja"), ("الإنترنت مقطوع مرة أخرى", "ar"),
    ("Опять нет интернета", "ru"), ("인터넷 또 안 돼요", "ko"),
    ("🎃🎃 https://t.co/abc @AcmeHelp #halloween 12345", "und"), ("", "und"),
])
def test_short_posts_in_many_languages(text: str, code: str) -> None:
    assert detect_language(text) == code


def test_platform_hint_breaks_a_close_call_but_not_a_clear_one() -> None:
    assert detect_language("Internet mati lagi") == "sv"  # fastText alone guesses wrong on 3 words...
    assert detect_language("Internet mati lagi", hint="id") == "id"  # ...the platform's tag settles it
    assert detect_language("Nie wieder", hint="de") == "pl"  # a clear call stays
    assert detect_language("The engineer never turned up and nobody called me back", hint="de") == "en"
    assert detect_language("🔥", hint="pt-BR") == "pt"  # nothing to read: the hint is all there is


def test_router_scores_covered_languages_and_marks_the_rest_unscored() -> None:
    bundled, lexicon = load_sentiment_model("bundled"), load_sentiment_model("lexicon")
    router = SentimentRouter(bundled, ["en"], {"de": lexicon}, keywords=False)
    texts = ["Worst service ever, nothing works", "Fatalna obsługa klienta, nic nie działa",
             "Schon wieder kein Internet, furchtbar", "😡😡"]
    routed = router.score(texts, ["en", "pl", "de", "und"])
    assert routed[0].model is bundled and routed[0].label == "negative"
    assert routed[1].score is None and routed[1].label == UNSCORED and routed[1].reason == "not scored: Polish"
    assert routed[2].model is lexicon and routed[2].score is not None
    assert routed[3].model is bundled  # no language to tell: the default model reads emoji
    by_keywords = SentimentRouter(bundled, ["en"]).score(texts[1:2], ["pl"])[0]  # model.keyword_fallback's default
    assert by_keywords.label == "negative" and by_keywords.model is not None and by_keywords.model.name == "keywords"
    assert by_keywords.reason == 'negative by keywords (Polish): "fatalna", "nie działa"'
    everything = SentimentRouter(bundled, ["*"]).score(texts[1:2], ["pl"])
    assert everything[0].score is not None and everything[0].reason == ""
    assert language_name("pl") == "Polish" and language_name("xx") == "xx"


def test_router_from_settings_loads_per_language_models() -> None:
    router = load_router("lexicon", languages=["en", "fr"], by_language={"de": "bundled"})
    assert router.model_for("fr") is router.default and router.model_for("pl") is None
    assert router.model_for("de") is load_sentiment_model("bundled", max_length=128)


@pytest.mark.parametrize(("body", "message"), [
    ('[model]\nsentiment_languages = ["english"]\n', "not a two-letter ISO 639-1"),
    ('[model]\nsentiment_by_language = { deu = "x" }\n', "not a two-letter ISO 639-1"),
    ('[model]\nsentiment_by_language = { de = " " }\n', "no model named for de"),
])
def test_language_settings_are_checked(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(body + '[[brands]]\nid = "acme"\nname = "Acme"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert message in str(caught.value) and caught.value.key.startswith("model.sentiment")


def test_pipeline_stores_language_and_unscored_state(database_url: str, tmp_path: Path) -> None:
    rows = [{"id": "1", "author_id": "a", "text": "Acme internet down again, useless", "posted_at": NOW.isoformat()},
            {"id": "2", "author_id": "b", "text": "Acme: wypowiadam umowę, znowu brak internetu",
             "posted_at": NOW.isoformat()},
            {"id": "3", "author_id": "c", "text": "Acme internet mati lagi", "lang": "id",
             "posted_at": NOW.isoformat()},
            {"id": "4", "author_id": "d", "text": "Acme: nowy cennik od jutra w aplikacji",
             "posted_at": NOW.isoformat()}]
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows))
    settings = make_settings(database={"url": database_url}, model={"sentiment": "lexicon"},
                             sources=[{"id": "s", "kind": "replay", "brand": "acme", "path": str(feed)}])
    runtime = Runtime(settings)
    poll_source(runtime.engine, settings, runtime.connector("s"), now=NOW)
    assert score_pending(runtime.engine, settings, load_sentiment_model("lexicon"), now=NOW).scored == 4
    with Session(runtime.engine) as session:
        found = {m.external_id: m for m in session.exec(select(Mention)).all()}
    assert found["1"].lang == "en" and found["1"].sentiment == "negative" and found["1"].sentiment_model
    polish = found["4"]  # no complaint cue: no model may score it, so it stays unscored
    assert polish.lang == "pl" and polish.sentiment == UNSCORED and polish.p_negative is None
    assert polish.sentiment_model is None and polish.signals is not None
    assert polish.signals["sentiment_reason"] == "not scored: Polish" and polish.signals["language"] == "pl"
    complaint = found["2"]  # read by the complaint keywords (model.keyword_fallback, on by default)
    assert complaint.lang == "pl" and complaint.sentiment == "negative" and complaint.sentiment_model == "keywords@3"
    assert complaint.p_negative == 0.75 and complaint.signals is not None
    assert complaint.signals["sentiment_reason"] == 'negative by keywords (Polish): "wypowiadam", "brak internetu"'
    assert found["3"].lang == "id" and found["3"].sentiment == "negative"  # the platform's tag settles it


def test_score_command_shows_language_and_reason(tmp_path: Path) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    with source.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, ["text"])
        writer.writeheader()
        writer.writerows([{"text": "Cancelling my contract, the app never works"},
                          {"text": "Ich kündige meinen Vertrag, nichts funktioniert"}])
    result = CliRunner().invoke(score, [str(source), "-o", str(target)])
    assert result.exit_code == 0, result.output
    out = list(csv.DictReader(target.open()))
    assert out[0]["language"] == "en" and out[0]["sentiment"] == "negative" and out[0]["sentiment_reason"] == ""
    assert out[1]["language"] == "de" and out[1]["sentiment"] == "negative" and out[1]["p_negative"] == "0.65"
    assert out[1]["sentiment_reason"] == 'negative by keywords (German): "kündige"'
    plain = CliRunner().invoke(score, [str(source), "-o", str(target), "--no-keywords"])
    assert plain.exit_code == 0, plain.output
    out = list(csv.DictReader(target.open()))
    assert out[1]["sentiment"] == UNSCORED and out[1]["p_negative"] == ""
    assert out[1]["sentiment_reason"] == "not scored: German"
    both = CliRunner().invoke(score, [str(source), "-o", str(target), "--languages", "en,de"])
    assert both.exit_code == 0 and list(csv.DictReader(target.open()))[1]["sentiment"] != UNSCORED
    bad = CliRunner().invoke(score, [str(source), "-o", str(target), "--languages", "english"])
    assert bad.exit_code == 2 and "ISO 639-1" in bad.output
