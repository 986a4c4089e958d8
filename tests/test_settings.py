from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel

from monitor.errors import ConfigError
from monitor.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(body)
    return path


BRAND = '[[brands]]\nid = "acme"\nname = "Acme"\n'


def test_repository_settings_file_loads() -> None:
    settings = load_settings(ROOT / "settings.toml")
    assert settings.brands[0].id == "brightwave"
    assert settings.sources[0].kind == "replay"


def test_environment_overrides_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "[detection]\nratio = 4.0\nmin_negative = 5\n" + BRAND)
    monkeypatch.setenv("GROUNDSWELL_DETECTION__RATIO", "6.5")
    settings = load_settings(path)
    assert settings.detection.ratio == 6.5
    assert settings.detection.min_negative == 5  # deep merge keeps the file's other keys


def test_error_names_the_full_key_of_a_plugin_option(tmp_path: Path) -> None:
    path = write(tmp_path, BRAND + '[[sources]]\nid = "a"\nkind = "replay"\nbrand = "acme"\n'
                 'path = "x.jsonl"\n\n[[sources]]\nid = "b"\nkind = "replay"\nbrand = "acme"\n'
                 'path = "y.jsonl"\nfollow_clok = true\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert caught.value.key == "sources[1] (b).follow_clok"
    assert "unknown key" in str(caught.value)


@pytest.mark.parametrize(("body", "key"), [
    ("[detection]\nratio = 0.5\n", "detection.ratio"),
    ('[[brands]]\nid = "Bad Id"\nname = "x"\n', "brands[0] (Bad Id).id"),
    (BRAND + 'timezone = "Mars/Olympus"\n', "brands[0] (acme).timezone"),
    (BRAND + '[[sources]]\nid = "s"\nkind = "nope"\nbrand = "acme"\n', "sources[0] (s).kind"),
    (BRAND + '[[sources]]\nid = "s"\nkind = "replay"\nbrand = "other"\npath = "p"\n', "sources[0] (s).brand"),
    ("[detection\n", str(Path("settings.toml"))),
])
def test_invalid_config_is_one_error_naming_the_key(tmp_path: Path, body: str, key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, body))
    assert caught.value.key.endswith(key)


@pytest.mark.parametrize(("body", "key", "message"), [
    # found by benchmarks/faults.py: these passed `check`, then `run` hung (scheduler overflow) or raised later
    ("[service]\nscore_interval_seconds = 99999999999999999999\n" + BRAND, "service.score_interval_seconds",
     "99,999,999,999,999,999,999 is too large (at most 1,000,000,000)"),
    ("[service]\nshutdown_timeout_seconds = inf\n" + BRAND, "service.shutdown_timeout_seconds",
     "inf is not a usable number"),
    ("[service]\nretention_mentions_days = 40000\n" + BRAND, "service.retention_mentions_days", "at most 36,500"),
    ("[web]\nsession_hours = 1000000\n" + BRAND, "web.session_hours", "at most 876,000"),
    (BRAND + '[[sources]]\nid = "s"\nkind = "replay"\nbrand = "acme"\npath = "p"\n'
     "interval_seconds = 10000000000\n", "sources[0] (s).interval_seconds", "too large"),
    (BRAND + BRAND, "brands[1] (acme).id", "duplicate id 'acme'"),
])
def test_numbers_no_setting_can_mean_and_duplicate_brands_are_refused_at_load(tmp_path: Path, body: str, key: str,
                                                                               message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, body))
    assert caught.value.key.endswith(key) and message in str(caught.value)


def test_cli_reports_bad_config_in_one_line_with_exit_code_2(tmp_path: Path) -> None:
    path = write(tmp_path, "[detection]\nwindow_minutes = -3\n")
    done = subprocess.run([sys.executable, "-m", "monitor", "--config", str(path), "check"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "detection.window_minutes" in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_secret_reference_resolves_and_never_prints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from monitor.secrets import Secret

    class Options(BaseModel):
        token: Secret

    monkeypatch.setenv("TEST_TOKEN", "s3cr3t-value")
    options = Options.model_validate({"token": {"env": "TEST_TOKEN"}})
    assert options.token.get_secret_value() == "s3cr3t-value"
    assert "s3cr3t" not in repr(options) and "s3cr3t" not in str(options)
    with pytest.raises(ValueError, match="secrets are given by reference"):
        Options.model_validate({"token": "literal-secret"})
    with pytest.raises(ValueError, match="MISSING_TOKEN is not set"):
        Options.model_validate({"token": {"env": "MISSING_TOKEN"}})


def _keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    keys = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys.extend(_keys(annotation, f"{prefix}{name}."))
        else:
            keys.append(f"{prefix}{name}")
    return keys


def test_every_settings_key_is_documented_in_settings_toml() -> None:
    text = (ROOT / "settings.toml").read_text()
    sections = {name for name, field in Settings.model_fields.items()
                if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)}
    for key in _keys(Settings):
        section, _, name = key.rpartition(".")
        if section in sections:
            assert re.search(rf"^\[{section}\][^\[]*^{name} =", text, re.M | re.S), f"{key} undocumented"
    for name in ("id", "name", "names", "handles", "terms", "exclude", "languages", "timezone"):
        assert re.search(rf"^{name} = ", text, re.M), f"brands.{name} undocumented"


def test_commented_examples_in_settings_toml_are_valid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Uncommenting any example in settings.toml gives a configuration that loads."""
    text = (ROOT / "settings.toml").read_text()
    blocks = re.findall(r"^# \[\[(?:sources|channels)\]\]\n(?:^# [^\n]*\n)+", text, re.M)
    assert len(blocks) >= 12
    for name in set(re.findall(r'env = "([A-Z_]+)"', text)):
        # URL secrets are checked for shape at load: give them one
        monkeypatch.setenv(name, "https://hooks.example.invalid/placeholder" if name.endswith("_URL")
                           else "placeholder-secret")
    examples = "\n".join(re.sub(r"^# ?", "", block, flags=re.M) for block in blocks)
    path = write(tmp_path, text + "\n" + examples)
    settings = load_settings(path)
    kinds = {s.kind for s in settings.sources} | {c.kind for c in settings.channels}
    assert {"x", "reddit", "mastodon", "bluesky", "hackernews", "rss", "slack", "email", "webhook"} <= kinds
