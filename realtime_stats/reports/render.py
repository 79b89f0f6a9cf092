"""Writing a built report (:class:`realtime_stats.reports.build.Report`) out: CSV for
spreadsheets, HTML to read.

The report's tables arrive fully computed; this module only formats their cells by
column :class:`~realtime_stats.reports.tables.Kind`. CSV keeps values plain and
machine-readable (stable keys, no units); HTML is a self-contained Dutch page with
readable percentages, durations and norm words. No I/O: callers write the returned text
where they want it.
"""

from __future__ import annotations

import csv
import html
import io

from realtime_stats.figures.norms import NormStatus
from realtime_stats.reports.build import Report
from realtime_stats.reports.tables import Cell, Kind


def _csv_cell(kind: Kind, value: Cell) -> str:
    if value is None:
        return ""
    if kind in (Kind.RATE,) and isinstance(value, float):
        return f"{value:.4f}"
    if kind is Kind.SECONDS and isinstance(value, float):
        return f"{value:.1f}"
    if kind is Kind.SCORE and isinstance(value, float | int):
        return f"{value:.1f}"
    return str(value)


def render_csv(report: Report) -> str:
    """One section per table: a `# name` line, the header, the rows, then a blank line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for table in report.tables:
        out.write(f"# {table.name}\n")
        writer.writerow([c.key for c in table.columns])
        for row in table.rows:
            writer.writerow([_csv_cell(c.kind, v) for c, v in zip(table.columns, row, strict=True)])
        out.write("\n")
    return out.getvalue()


_NORM_WORDS = {
    NormStatus.GREEN: "norm gehaald",
    NormStatus.AMBER: "net onder norm",
    NormStatus.RED: "onder norm",
}
_LOAD_WORDS = {
    NormStatus.GREEN: "binnen grens",
    NormStatus.AMBER: "hoog",
    NormStatus.RED: "te hoog",
}


def _html_cell(kind: Kind, value: Cell) -> str:
    if value is None:
        return "<td>&ndash;</td>"
    if kind in (Kind.NORM_STATUS, Kind.LOAD_STATUS) and isinstance(value, str):
        words = (_NORM_WORDS if kind is Kind.NORM_STATUS else _LOAD_WORDS)[NormStatus(value)]
        return f'<td class="s-{value}">{words}</td>'
    if kind is Kind.RATE and isinstance(value, float | int):
        percent = f"{value * 100:.1f}".replace(".", ",")  # Dutch decimal comma
        return f'<td class="n">{percent} %</td>'
    if kind is Kind.SECONDS and isinstance(value, float | int):
        return f'<td class="n">{_duration(value)}</td>'
    if kind is Kind.SCORE and isinstance(value, float | int):
        score = f"{value:.1f}".replace(".", ",")  # Dutch decimal comma
        return f'<td class="n">{score}</td>'
    css = ' class="n"' if kind is Kind.COUNT else ""
    return f"<td{css}>{html.escape(str(value))}</td>"


def _duration(seconds: float) -> str:
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


_STYLE = (
    "body{font-family:sans-serif;margin:1.5em;color:#111}"
    "table{border-collapse:collapse;margin-bottom:1.5em;font-size:.9em}"
    "th,td{border:1px solid #999;padding:.25em .5em}th{background:#eee;text-align:left}"
    "td.n{text-align:right}.s-green{background:#c8efc8}.s-amber{background:#fde7a8}"
    ".s-red{background:#f6c1c1}"
)


def render_html(report: Report) -> str:
    """A self-contained page (inline style, no scripts or external resources), in Dutch."""
    start = report.period.start.astimezone(report.zone)
    end = report.period.end.astimezone(report.zone)
    title = html.escape(f"{report.site_name}: rapportage {report.label}")
    parts = [
        f'<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{_STYLE}</style></head><body><h1>{title}</h1>",
        f"<p>Periode: {start:%Y-%m-%d %H:%M} tot {end:%Y-%m-%d %H:%M} "
        f"({html.escape(str(report.zone))}). Tijden in minuten:seconden of "
        "uren:minuten:seconden; &ndash; betekent: niets om te tellen. "
        "Definities: docs/metrics.md.</p>",
    ]
    for table in report.tables:
        head = "".join(f"<th>{html.escape(c.label)}</th>" for c in table.columns)
        body = "".join(
            "<tr>"
            + "".join(_html_cell(c.kind, v) for c, v in zip(table.columns, row, strict=True))
            + "</tr>"
            for row in table.rows
        )
        empty = "" if table.rows else "<p>Geen gegevens.</p>"
        parts.append(
            f"<h2>{html.escape(table.title)}</h2>{empty}"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )
    parts.append("</body></html>")
    return "\n".join(parts)
