"""``groundswell score INPUT -o OUTPUT``: score a CSV or JSONL file of posts offline.

Streams in chunks, so memory stays flat whatever the file size.  Every input column is kept;
the output gains sentiment, p_negative, p_neutral, p_positive, confidence, churn_threat
(true/false), category (empty when none), language (ISO 639-1, "und" when there is none) and
sentiment_reason.  A post in a language the model is not trusted on (``--languages``, English by
default) is read by complaint keywords (``models.keywords``): "negative" with a reason such as 'negative by
keywords (Spanish): "no funciona"' when it carries a complaint cue, else sentiment "unscored", empty
probabilities and a reason such as "not scored: Polish" (``--no-keywords``: always unscored).
A ``lang`` column, when the input has one, is used as a hint.  The output format follows its extension
(.csv, .jsonl/.ndjson).  For JSONL input written to CSV, the columns come from the first chunk.
"""

from __future__ import annotations

import csv
import itertools
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

import click

from monitor.errors import ModelError

ADDED = ("sentiment", "p_negative", "p_neutral", "p_positive", "confidence", "churn_threat", "category", "language",
         "sentiment_reason")
FORMATS = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
DELIMITERS = {"csv": ",", "tsv": "\t"}
Row = dict[str, Any]


def file_format(path: Path, role: str) -> str:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        from monitor.replay.input_check import spreadsheet

        if spreadsheet(path):  # an .xlsx export, or a spreadsheet wanted as the result
            fix = str(spreadsheet(path)) if role == "INPUT" else f"{path.name}: name it .csv (a spreadsheet opens it)"
            raise click.BadParameter(fix, param_hint=role) from None
        if path.suffix.lower() == ".json":  # an export's usual name: say which JSON is read, and the conversion
            raise click.BadParameter(f"{path.name}: score reads JSON Lines (.jsonl, one object a line): rename it "
                                     f"if it is that, or convert an array: jq -c '.[]' {path.name} > "
                                     f"{path.stem}.jsonl", param_hint=role) from None
        raise click.BadParameter(f"{path.name}: unknown extension {path.suffix!r}; use .csv, .tsv (tab-separated), "
                                 ".jsonl or .ndjson", param_hint=role) from None


def _counting(handle: IO[str], progress: Callable[[int], None]) -> Iterator[str]:
    for line in handle:
        progress(len(line.encode("utf-8", "replace")))
        yield line


def read_rows(handle: IO[str], fmt: str, progress: Callable[[int], None]) -> Iterator[Row]:
    """Rows as dicts, one at a time; JSONL lines that are not objects are an error naming the line."""
    lines = _counting(handle, progress)
    if fmt in DELIMITERS:
        yield from _csv_rows(lines, DELIMITERS[fmt])
        return
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise click.ClickException(f"line {number} is not valid JSON: {exc}") from None
        if not isinstance(row, dict):
            raise click.ClickException(f"line {number} is not a JSON object")
        yield row


def _csv_rows(lines: Iterator[str], delimiter: str = ",") -> Iterator[Row]:
    """CSV rows; a broken file (no header, a row longer than its header, an oversized field) is one clear line."""
    reader = csv.DictReader(lines, delimiter=delimiter)
    try:
        if not reader.fieldnames:
            raise click.ClickException("INPUT is empty: the first line must name the columns, e.g. text")
        if delimiter == "," and len(reader.fieldnames) == 1 and "\t" in reader.fieldnames[0]:
            raise click.ClickException("INPUT is tab-separated: name it .tsv (or save it as comma-separated CSV)")
        for row in reader:
            if None in row:
                raise click.ClickException(
                    f"line {reader.line_num} has more values than the header has columns: put text that "
                    'contains commas in double quotes ("like, this")')
            yield row
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):  # csv's words; almost always a quote left open
            raise click.ClickException(
                f"line {reader.line_num + 1}: a value runs on for more than 128 KB: most likely a double quote (\") "
                'opens it and never closes; close it, or double the quotes inside a value ("a ""quoted"" word")'
            ) from None
        raise click.ClickException(f"near line {reader.line_num + 1}: not valid CSV ({exc})") from None


def chunked(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def enrich(chunk: list[Row], column: str, model: Any) -> list[Row]:
    """Add the sentiment, language and signal columns to each row of a chunk (``model``: a SentimentRouter)."""
    from models.language import detect_language
    from models.signals import extract_signals

    texts = []
    for row in chunk:
        if column not in row:
            from alerts.escape import terminal

            columns = terminal(", ".join(map(str, list(row)[:20])), 300)
            raise click.ClickException(f"INPUT has no {column!r} column (columns: {columns}); "
                                       "name the right one with --text-column")
        value = row[column]
        texts.append("" if value is None else str(value))
    languages = [detect_language(text, str(row.get("lang") or "")) for row, text in zip(chunk, texts, strict=True)]
    for row, text, language, routed in zip(chunk, texts, languages, model.score(texts, languages), strict=True):
        signals = extract_signals(text, None, language=language)
        score = routed.score
        row.update(sentiment=routed.label, p_negative=_p(score and score.p_negative),
                   p_neutral=_p(score and score.p_neutral), p_positive=_p(score and score.p_positive),
                   confidence=_p(score and score.confidence), churn_threat=signals.churn_threat is not None,
                   category=signals.category.value if signals.category else "", language=language,
                   sentiment_reason=routed.reason)
    return chunk


def _p(value: float | None) -> float | str:
    return "" if value is None else round(value, 4)


class Writer:
    """Writes enriched rows in the output's format; the CSV header comes from the first rows."""

    def __init__(self, handle: IO[str], fmt: str) -> None:
        self.handle, self.fmt = handle, fmt
        self._csv: csv.DictWriter[str] | None = None

    def write(self, rows: list[Row]) -> None:
        if self.fmt == "jsonl":
            for row in rows:
                self.handle.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
            return
        if self._csv is None:
            fields = list(dict.fromkeys(key for row in rows for key in row if key not in ADDED))
            self._csv = csv.DictWriter(self.handle, fields + list(ADDED), extrasaction="ignore",
                                       delimiter=DELIMITERS[self.fmt])
            self._csv.writeheader()
        for row in rows:
            self._csv.writerow({k: (str(v).lower() if isinstance(v, bool) else v) for k, v in row.items()})


@click.command("score")
@click.argument("input_path", metavar="INPUT", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "output_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the scored rows (.csv, .tsv, .jsonl or .ndjson).")
@click.option("--model", "model_spec", default="bundled", show_default=True,
              help='"bundled", "lexicon", a Hugging Face model id or a local model folder.')
@click.option("--batch-size", default=64, show_default=True, type=click.IntRange(1, 4096),
              help="Posts the model reads at once (more: faster, more memory).")
@click.option("--text-column", default="text", show_default=True, help="Column holding the post text.")
@click.option("--threads", default=2, show_default=True, type=click.IntRange(1, 256),
              help="CPU cores the model may use.")
@click.option("--languages", default="en", show_default=True,
              help='Comma-separated ISO 639-1 codes the model is trusted on ("*": all); others are read by '
                   'complaint keywords or "unscored".')
@click.option("--keywords/--no-keywords", default=True, show_default=True,
              help="Read posts in other languages by complaint keywords (negative when a cue is found).")
def score(input_path: Path, output_path: Path, model_spec: str, batch_size: int, text_column: str,
          threads: int, languages: str, keywords: bool) -> None:
    """Score every post in INPUT (CSV, TSV or JSONL with a text column) and write the rows, with sentiment, to -o.

    Example: groundswell score posts.csv -o scored.csv
    """
    in_fmt, out_fmt = file_format(input_path, "INPUT"), file_format(output_path, "'-o'")
    if output_path.resolve() == input_path.resolve():
        raise click.BadParameter(f"{output_path} is INPUT itself: writing it would erase the posts; "
                                 "choose another file", param_hint="'-o'")
    from models.loader import load_router
    from monitor.replay.input_check import encoding_problem, json_array

    # read with replacement characters, a French post scored as Catalan; an array said "line 1 is not a JSON object"
    problem = encoding_problem(input_path) or json_array(input_path)
    if problem:
        raise click.ClickException(problem)

    codes = [c.strip().lower() for c in languages.split(",") if c.strip()]
    if not codes or any(c != "*" and (len(c) != 2 or not c.isalpha()) for c in codes):
        raise click.BadParameter(f"{languages!r}: give two-letter ISO 639-1 codes such as en,de or *",
                                 param_hint="'--languages'")
    try:
        router = load_router(model_spec, languages=codes, threads=threads, batch_size=batch_size, keywords=keywords)
    except ModelError as exc:
        from monitor.cli.guard import whole_line

        raise click.ClickException(whole_line(str(exc))) from None
    rows_done = _run(input_path, output_path, in_fmt, out_fmt, text_column, router, batch_size)
    model = router.default
    rows = "1 row" if rows_done == 1 else f"{rows_done:,} rows"
    click.echo(f"scored {rows} with {model.name} (version {model.version}) -> {output_path}", err=True)


def _run(input_path: Path, output_path: Path, in_fmt: str, out_fmt: str, column: str, model: Any,
         batch_size: int) -> int:
    chunk_size = max(256, batch_size * 4)
    done = 0
    with ExitStack() as stack:
        source = stack.enter_context(input_path.open(encoding="utf-8-sig", errors="replace", newline=""))
        advance: Callable[[int], None] = lambda _n: None  # noqa: E731
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import Progress

            progress = stack.enter_context(Progress(console=Console(stderr=True), transient=False))
            task = progress.add_task("scoring", total=input_path.stat().st_size)
            advance = lambda n: progress.advance(task, n)  # noqa: E731
        chunks = chunked(read_rows(source, in_fmt, advance), chunk_size)
        first = next(chunks, None)
        if first is None:  # said before -o is opened: an empty file scored "0 rows" and exited 0
            raise click.ClickException(_no_rows(input_path, in_fmt))
        writer = Writer(stack.enter_context(output_path.open("w", encoding="utf-8", newline="")), out_fmt)
        for chunk in itertools.chain([first], chunks):
            writer.write(enrich(chunk, column, model))
            done += len(chunk)
    return done


def _no_rows(input_path: Path, fmt: str) -> str:
    """Why INPUT gave no posts, in the words `groundswell backtest` uses for the same file."""
    if fmt in DELIMITERS:
        return (f"no posts to score in {input_path.name} (the file has its header line but no rows under it); "
                "put one post a line under the header")
    return (f"no posts to score in {input_path.name} (the file is empty); put one JSON object a line in it, "
            'e.g. {"text": "..."}')
