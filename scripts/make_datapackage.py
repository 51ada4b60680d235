"""One-off helper kept for maintainers: regenerate data/datapackage.json from the field lists below.

The JSON file is the source of truth once written; edit it directly for small changes.
"""
import json
from pathlib import Path

DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"
SRC = r"^S\d{2}(;S\d{2})*$"
PREC = {"enum": ["year", "month", "day"]}
CONF = {"enum": ["V", "S"]}


def f(name, type_="string", desc="", **c):
    d = {"name": name, "type": type_, "description": desc}
    if c:
        d["constraints"] = c
    return d


resources = [
    ("sources", "Every source the course cites.", [
        f("source_id", desc="Source identifier, S followed by two digits.", required=True, unique=True, pattern=r"^S\d{2}$"),
        f("title", desc="Title of the work.", required=True),
        f("url", desc="Where to read it.", required=True, pattern=r"https://\S+"),
        f("publisher", desc="Who published it.", required=True),
        f("date", desc="Publication date (ISO, year/month/day precision); empty when undated.", pattern=DATE),
        f("type", desc="Kind of source.", required=True, enum=["repository", "book", "press", "blog", "paper", "web", "interview", "opinion", "talk"]),
        f("confidence_note", desc="Primary or secondary, and caveats."),
    ], "source_id"),
    ("organisations", "The four organisations the course compares.", [
        f("org_id", desc="Short identifier.", required=True, unique=True, pattern=r"^[a-z]+$"),
        f("name", required=True, desc="Name as the organisation styles it."),
        f("model", desc="Sustainability model the course files it under.", required=True, enum=["community-led", "investor-led"]),
        f("org_type", required=True, desc="Legal or organisational form over time."),
        f("founded", desc="Founding or start date.", required=True, pattern=DATE),
        f("founded_precision", required=True, desc="Precision of founded.", **PREC),
        f("first_public_release", desc="First public software release; empty when no sourced date.", pattern=DATE),
        f("first_public_release_precision", desc="Precision of first_public_release.", enum=["year", "month", "day"]),
        f("founders", required=True, desc="Founders and first leaders."),
        f("founding_context", required=True, desc="Organisation or programme it started in."),
        f("first_supporters", required=True, desc="Who first backed the work."),
        f("main_repo", required=True, desc="GitHub owner/name of a representative repository.", pattern=r"^[\w.-]+/[\w.-]+$"),
        f("main_licence", required=True, desc="Licence of the main code or models."),
        f("governance", required=True, desc="Who decides, today."),
        f("revenue_model", required=True, desc="Who pays for the work."),
        f("source_ids", required=True, desc="Semicolon-separated source ids.", pattern=SRC),
    ], "org_id"),
    ("events", "Dated timeline of the four organisations.", [
        f("event_id", required=True, unique=True, desc="Event identifier.", pattern=r"^[a-z0-9-]+$"),
        f("date", required=True, desc="ISO date at the given precision.", pattern=DATE),
        f("date_precision", required=True, desc="year, month or day.", **PREC),
        f("org_id", required=True, desc="Organisation (organisations.org_id)."),
        f("category", required=True, desc="Kind of event.", enum=["founding", "release", "funding", "governance", "licence", "revenue"]),
        f("title", required=True, desc="One-line title."),
        f("description", required=True, desc="One-sentence description."),
        f("amount", "number", desc="Money involved, when stated.", minimum=0),
        f("currency", desc="ISO currency of amount.", enum=["USD", "EUR"]),
        f("source_id", required=True, desc="Semicolon-separated source ids.", pattern=SRC),
        f("confidence", required=True, desc="V primary, S secondary.", **CONF),
    ], "event_id"),
    ("metrics", "Dated measurements (models hosted, users, money).", [
        f("metric_id", required=True, unique=True, desc="Metric row identifier.", pattern=r"^[a-z0-9-]+$"),
        f("org_id", required=True, desc="Organisation (organisations.org_id)."),
        f("metric", required=True, desc="What is measured.", pattern=r"^[a-z_]+$"),
        f("value", "number", required=True, desc="The value.", minimum=0),
        f("unit", required=True, desc="Unit of value."),
        f("bound", required=True, desc="exact, lower bound (over N) or approximate.", enum=["exact", "lower", "approx"]),
        f("as_of", required=True, desc="When the value held.", pattern=DATE),
        f("as_of_precision", required=True, desc="Precision of as_of.", **PREC),
        f("source_id", required=True, desc="Semicolon-separated source ids.", pattern=SRC),
        f("confidence", required=True, desc="V primary, S secondary.", **CONF),
        f("note", desc="Caveats."),
    ], "metric_id"),
    ("quotes", "Statements attributed to their real source and date.", [
        f("quote_id", required=True, unique=True, desc="Quote identifier.", pattern=r"^[a-z0-9-]+$"),
        f("org_id", required=True, desc="Organisation (organisations.org_id)."),
        f("text", required=True, desc="The exact words quoted."),
        f("speaker", required=True, desc="Who said or wrote it."),
        f("work", required=True, desc="Where it was said."),
        f("date", required=True, desc="When.", pattern=DATE),
        f("date_precision", required=True, desc="Precision of date.", **PREC),
        f("source_id", required=True, desc="Semicolon-separated source ids.", pattern=SRC),
        f("confidence", required=True, desc="V primary, S secondary.", **CONF),
        f("note", desc="Context the reader needs."),
    ], "quote_id"),
    ("context_events", "Industry events beyond the four organisations.", [
        f("event_id", required=True, unique=True, desc="Event identifier.", pattern=r"^[a-z0-9-]+$"),
        f("date", required=True, desc="ISO date at the given precision.", pattern=DATE),
        f("date_precision", required=True, desc="year, month or day.", **PREC),
        f("actor", required=True, desc="Who acted."),
        f("category", required=True, desc="Kind of event.", enum=["concern", "response", "definition"]),
        f("title", required=True, desc="One-line title."),
        f("description", required=True, desc="One-sentence description."),
        f("source_id", required=True, desc="Semicolon-separated source ids.", pattern=SRC),
        f("confidence", required=True, desc="V primary, S secondary.", **CONF),
    ], "event_id"),
]

pkg = {
    "name": "open-source-ai-sustainability",
    "title": "How open-source AI projects sustain themselves: sourced facts",
    "description": "Facts about OpenCV, scikit-learn, OpenAI and Hugging Face, each row citing a source in sources.csv. Checked 2026-11-22.",
    "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/", "title": "Creative Commons Attribution 4.0"}],
    "sources": [{"title": "See sources.csv: every row cites one or more source ids."}],
    "resources": [],
}
for name, desc, fields, pk in resources:
    pkg["resources"].append({
        "name": name.replace("_", "-"),
        "path": f"{name}.csv",
        "description": desc,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": {"fields": fields, "primaryKey": [pk], "missingValues": [""]},
    })
out = Path(__file__).resolve().parents[1] / "data" / "datapackage.json"
out.write_text(json.dumps(pkg, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
print(out)
