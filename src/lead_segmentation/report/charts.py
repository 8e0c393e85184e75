"""The segment report's charts: value formatting, inline SVG chart helpers and the HTML tables
of each chart's numbers (cells carry the raw values). No SQL and no file access here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

from markupsafe import Markup, escape

# The matrix's axes (CONTRACT.md section 3), in display order: rows from the highest risk
# band down, columns from the lowest intent up.
RISK_BANDS = ["high", "medium", "low", "unknown"]
INTENT_LEVELS = ["low", "mid", "high"]

# Palette: colour-blind safe (Okabe-Ito based) and readable in print.
BLUE = "#1f5fa8"
ORANGE = "#e08a0b"
GREEN = "#2a9d6f"
PURPLE = "#7b5ea7"
GREY = "#9aa5b1"
INK = "#1f2933"
MUTED = "#616e7c"
GRID = "#e4e7eb"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


# ---------------------------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------------------------


def fmt_int(value) -> str:
    return "–" if value is None else f"{int(value):,}"


def fmt_pct(value, digits: int = 1) -> str:
    return "–" if value is None else f"{float(value) * 100:.{digits}f}%"


def fmt_minutes(value) -> str:
    if value is None:
        return "–"
    minutes = float(value)
    if minutes < 90:
        return f"{minutes:.0f} min"
    if minutes < 48 * 60:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / 1440:.1f} d"


def fmt_usd(value) -> str:
    if value is None:
        return "–"
    amount = float(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(amount) >= limit:
            return f"${amount / limit:.1f}{suffix}"
    return f"${amount:,.0f}"


def fmt_text(value) -> str:
    return "–" if value is None else str(value)


def raw_value(value) -> str:
    """The machine-readable form of a value for data-value attributes ('' is NULL)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _plural(count, noun: str) -> str:
    return f"{fmt_int(count)} {noun}" + ("" if count == 1 else "s")


def ratio(numerator, denominator):
    if numerator is None or not denominator:
        return None
    return float(numerator) / float(denominator)


# ---------------------------------------------------------------------------------------------
# SVG
# ---------------------------------------------------------------------------------------------


def _e(value) -> str:
    return str(escape(str(value)))


def _svg(width: float, height: float, body: list[str], label: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label="{_e(label)}" '
        f'font-family="{FONT}" font-size="12" fill="{INK}">'
        f"<title>{_e(label)}</title>" + "".join(body) + "</svg>"
    )


def _text(x, y, content, *, size=12, anchor="start", weight="normal", fill=INK, extra="") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'font-weight="{weight}" fill="{fill}"{extra}>{_e(content)}</text>'
    )


def _mix(low: str, high: str, t: float) -> str:
    t = min(max(t, 0.0), 1.0)
    a = [int(low[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(high[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b, strict=True))


def _luminance(colour: str) -> float:
    """WCAG relative luminance."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(colour[i : i + 2], 16) / 255) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _text_colours(background: str) -> tuple[str, str]:
    """(main, secondary) text colours with the better contrast on the background."""
    # White wins from a contrast of 3.5 up: on mid-tone cells it reads better than dark ink.
    on_white = 1.05 / (_luminance(background) + 0.05)
    return ("#ffffff", "#e3ebf5") if on_white >= 3.5 else (INK, "#3e4c59")


def nice_max(value: float) -> float:
    """A round axis maximum >= value (1, 2, 2.5, 5 x 10^n)."""
    if value is None or value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value - 1e-12:
            return candidate
    return 10 ** (exponent + 1)


def nice_minutes(value: float) -> float:
    """A round axis maximum for a duration in minutes: whole minutes, hours or days."""
    if value <= 90:
        return nice_max(value)
    if value <= 48 * 60:
        return nice_max(value / 60) * 60
    return nice_max(value / 1440) * 1440


def heatmap_svg(matrix: list[dict], *, mode: str, min_people: int) -> Markup:
    """The risk x intent matrix. mode 'people': colour = people (square-root scale);
    mode 'conversion': colour = SQL rate; a cell of fewer than `min_people` people
    (report.min_people_for_rate) shows no rate (data.hide_small_rates blanked it)."""
    cell_w, cell_h, left, top = 158, 94, 86, 44
    width, height = left + cell_w * len(INTENT_LEVELS) + 4, top + cell_h * len(RISK_BANDS) + 26
    by_cell = {(r["risk_band"], r["intent_level"]): r for r in matrix}
    max_people = max([r["contacts"] or 0 for r in matrix] + [1])
    low, high = ("#eef4fb", "#0b3d78") if mode == "people" else ("#f1f8f4", "#0f5c3d")
    body = [
        _text(left + cell_w * len(INTENT_LEVELS) / 2, 14, "Intent level →", size=12, anchor="middle", fill=MUTED),
    ]
    for j, level in enumerate(INTENT_LEVELS):
        body.append(_text(left + cell_w * (j + 0.5), 34, level, size=13, anchor="middle", weight="600"))
    for i, band in enumerate(RISK_BANDS):
        y = top + i * cell_h
        body.append(_text(left - 10, y + cell_h / 2 + 4, band, size=13, anchor="end", weight="600"))
        for j, level in enumerate(INTENT_LEVELS):
            x = left + j * cell_w
            row = by_cell.get((band, level))
            people = (row or {}).get("contacts") or 0
            if mode == "people":
                t = math.sqrt(people / max_people) if people else 0.0
            else:
                t = float(row["sql_rate"]) if row and row.get("sql_rate") is not None else 0.0
            # A conversion rate of a handful of people says little: such cells stay uncoloured.
            small = mode == "conversion" and 0 < people < min_people
            colour = _mix(low, high, t) if people and not small else "#f5f7fa"
            ink, sub = _text_colours(colour)
            seg = row["segment"] if row else "(no segment)"
            cell = row or {}
            tip = (
                f"{seg} (risk {band}, intent {level}): {fmt_int(people)} people, "
                f"{fmt_int(cell.get('accounts'))} accounts, MQL {fmt_pct(cell.get('mql_rate'))}, "
                f"SQL {fmt_pct(cell.get('sql_rate'))}, opportunity {fmt_pct(cell.get('opportunity_rate'))}, "
                f"won {fmt_pct(cell.get('won_rate'))}"
            )
            body.append(
                f'<g data-segment="{_e(seg)}"><title>{_e(tip)}</title>'
                f'<rect x="{x + 2:.1f}" y="{y + 2:.1f}" width="{cell_w - 4}" height="{cell_h - 4}" rx="6" '
                f'fill="{colour}" stroke="{"#cbd2d9" if not people or small else colour}"'
                + (' stroke-dasharray="4 3"' if small else "")
                + "/>"
            )
            body.append(_text(x + 12, y + 22, seg, size=12.5, weight="700", fill=ink))
            if not people:
                body.append(_text(x + 12, y + 44, "no people", size=11.5, fill=MUTED))
            elif mode == "people":
                body.append(_text(x + 12, y + 46, fmt_int(people), size=20, weight="700", fill=ink))
                body.append(
                    _text(x + 12, y + 67, f"{fmt_pct(row.get('share_of_contacts'))} of people", size=11, fill=sub)
                )
                sla = row.get("sla_hours")
                body.append(
                    _text(
                        x + 12,
                        y + 82,
                        f"{_plural(row.get('accounts'), 'account')} · "
                        + (f"SLA {sla} h" if sla is not None else "no SLA"),
                        size=10.5,
                        fill=sub,
                    )
                )
            elif small:
                body.append(_text(x + 12, y + 46, f"n {fmt_int(people)}", size=17, weight="700", fill=ink))
                body.append(
                    _text(x + 12, y + 66, f"too few people for a rate (< {min_people})", size=10.5, fill=sub)
                )
            else:
                body.append(
                    _text(x + 12, y + 46, f"SQL {fmt_pct(row.get('sql_rate'))}", size=17, weight="700", fill=ink)
                )
                body.append(
                    _text(
                        x + 12, y + 66, f"MQL {fmt_pct(row.get('mql_rate'))} · n {fmt_int(people)}", size=11, fill=sub
                    )
                )
                body.append(
                    _text(
                        x + 12,
                        y + 82,
                        f"Opp {fmt_pct(row.get('opportunity_rate'))} · Won {fmt_pct(row.get('won_rate'))}",
                        size=11,
                        fill=sub,
                    )
                )
            body.append("</g>")
    # Legend: the colour ramp.
    ly = height - 14
    for k in range(10):
        body.append(
            f'<rect x="{left + k * 16:.0f}" y="{ly - 9}" width="16" height="9" fill="{_mix(low, high, k / 9)}"/>'
        )
    legend = (
        f"people: 0 → {fmt_int(max_people)} (square-root scale)"
        if mode == "people"
        else f"SQL rate: 0% → 100% (dashed: fewer than {min_people} people, no rate shown)"
    )
    body.append(_text(left + 168, ly, legend, size=11, fill=MUTED))
    label = "Segment matrix: people per cell" if mode == "people" else "Segment matrix: conversion per cell"
    return _svg(width, height, body, label)


def line_chart_svg(
    points: list[dict],
    x_field: str,
    series: list[tuple[str, str, str]],
    *,
    label: str,
    width: int = 1080,
    height: int = 250,
    marker_x=None,
    marker_label: str = "",
    value_format=None,
    point_noun: str = "week of",
) -> Markup:
    """A line chart over weeks (or other dates: point_noun). series: (field, label, colour);
    value_format formats the values in the tooltips (default: whole numbers)."""
    value_format = value_format or fmt_int
    left, right, top, bottom = 52, 16, 30, 38
    plot_w, plot_h = width - left - right, height - top - bottom
    if not points:
        return _svg(width, 60, [_text(10, 30, "No weeks to show.", fill=MUTED)], label)
    values = [float(p[f]) for p in points for f, _, _ in series if p.get(f) is not None]
    y_max = nice_max(max(values) if values else 1.0)
    n = len(points)

    def px(i):
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def py(v):
        return top + plot_h - plot_h * float(v) / y_max

    body = []
    for k in range(5):
        v = y_max * k / 4
        y = py(v)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        tick = f"{v:,.0f}" if y_max >= 4 else f"{v:,.1f}"
        body.append(_text(left - 6, y + 4, tick, size=11, anchor="end", fill=MUTED))
    step = max(1, math.ceil(n / 13))
    for i, p in enumerate(points):
        if (n - 1 - i) % step == 0:  # counted from the latest week, which is always labelled
            x = px(i)
            day = p[x_field].strftime("%b %d")
            body.append(_text(x, height - bottom + 16, day, size=10.5, anchor="middle", fill=MUTED))
    if marker_x is not None:
        idx = next((i for i, p in enumerate(points) if p[x_field] == marker_x), None)
        if idx is not None:
            x = px(idx)
            body.append(
                f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" '
                f'stroke="{GREY}" stroke-dasharray="3 3"/>'
            )
            body.append(_text(x - 4, top - 4, marker_label, size=10.5, anchor="end", fill=MUTED))
    for field, name, colour in series:
        coords = [(px(i), py(p[field])) for i, p in enumerate(points) if p.get(field) is not None]
        if coords:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.2"/>')
            for (x, y), p in zip(coords, [p for p in points if p.get(field) is not None], strict=True):
                body.append(
                    f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.6" fill="{colour}">'
                    f"<title>{_e(name)}, {point_noun} {p[x_field].isoformat()}: {_e(value_format(p[field]))}</title></circle>"
                )
    lx = left
    for _field, name, colour in series:
        body.append(f'<rect x="{lx}" y="8" width="14" height="4" rx="2" fill="{colour}"/>')
        body.append(_text(lx + 19, 14, name, size=11.5))
        lx += 28 + 7 * len(name)
    return _svg(width, height, body, label)


def sparkline_svg(values: list, *, kind: str, y_max: float, colour: str, label: str, partial_last: bool) -> Markup:
    """A small chart of one segment's weekly values: bars for counts, a line for rates."""
    width, height, pad = 150, 34, 2
    n = len(values)
    body = [f'<line x1="0" y1="{height - pad}" x2="{width}" y2="{height - pad}" stroke="{GRID}"/>']
    if n == 0:
        return _svg(width, height, body, label)
    slot = width / n
    scale = (height - 2 * pad) / (y_max or 1)
    # Values above the column's scale are drawn at its top (the scale is set to ignore outliers).
    values = [None if v is None else min(float(v), y_max) for v in values]
    if kind == "bars":
        for i, v in enumerate(values):
            if v:
                h = max(float(v) * scale, 1.0)
                fill = GREY if partial_last and i == n - 1 else colour
                body.append(
                    f'<rect x="{i * slot + 0.5:.1f}" y="{height - pad - h:.1f}" width="{max(slot - 1, 0.8):.1f}" '
                    f'height="{h:.1f}" fill="{fill}"/>'
                )
    else:
        segments_: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(values):
            if v is None:
                if segments_[-1]:
                    segments_.append([])
                continue
            segments_[-1].append((i * slot + slot / 2, height - pad - float(v) * scale))
        for run in segments_:
            if len(run) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
            for x, y in run:
                body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.8" fill="{colour}"/>')
    return _svg(width, height, body, label)


LEGEND_LINE = 17  # px per legend line


def _legend(entries: list[tuple[str, str]], left: float, right_edge: float) -> tuple[list[str], int]:
    """Colour keys left to right, wrapped onto a new line before the chart's right edge, so
    that every series has its entry (a fifth one used to be drawn past the edge). Returns
    the SVG parts and the number of lines."""
    body, lines, lx = [], 1, left
    for name, colour in entries:
        entry_w = 26 + 6.6 * len(name)
        if lx > left and lx + entry_w - 8 > right_edge:
            lines, lx = lines + 1, left
        y = 6 + (lines - 1) * LEGEND_LINE
        body.append(f'<rect x="{lx:.0f}" y="{y}" width="11" height="11" rx="2" fill="{colour}"/>')
        body.append(_text(lx + 15, y + 9, name, size=11.5))
        lx += entry_w
    return body, lines


def grouped_bars_svg(
    categories: list[str],
    sublabels: list[str],
    series: list[tuple[str, str, list]],
    *,
    label: str,
    width: int = 530,
    height: int = 250,
    percent: bool = True,
) -> Markup:
    """Vertical grouped bars. series: (label, colour, values per category); a None value (a
    rate on too few people) draws no bar."""
    left, right, top, bottom = 44, 8, 30, 44
    if not categories:
        return _svg(width, 60, [_text(10, 30, "No data.", fill=MUTED)], label)
    legend, lines = _legend([(name, colour) for name, colour, _ in series], left, width - right)
    top += (lines - 1) * LEGEND_LINE
    height += (lines - 1) * LEGEND_LINE
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [float(v) for _, _, vs in series for v in vs if v is not None]
    y_max = nice_max(max(values) if values else 1.0)
    body = []
    for k in range(5):
        v = y_max * k / 4
        y = top + plot_h - plot_h * v / y_max
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        tick = fmt_pct(v, 0) if percent else f"{v:,.1f}"
        body.append(_text(left - 6, y + 4, tick, size=10.5, anchor="end", fill=MUTED))
    group_w = plot_w / len(categories)
    bar_w = min(22.0, (group_w - 8) / max(len(series), 1))
    for c, category in enumerate(categories):
        gx = left + c * group_w + (group_w - bar_w * len(series)) / 2
        for s, (name, colour, vs) in enumerate(series):
            v = vs[c]
            if v is None:
                continue
            h = plot_h * float(v) / y_max
            body.append(
                f'<rect x="{gx + s * bar_w:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 1.5:.1f}" '
                f'height="{max(h, 0.0):.1f}" fill="{colour}" rx="1.5">'
                f"<title>{_e(category)}: {_e(name)} {fmt_pct(v) if percent else f'{float(v):,.2f}'}</title></rect>"
            )
        cx = left + c * group_w + group_w / 2
        body.append(_text(cx, top + plot_h + 15, category, size=11, anchor="middle", weight="600"))
        if sublabels:
            body.append(_text(cx, top + plot_h + 29, sublabels[c], size=9.5, anchor="middle", fill=MUTED))
    body += legend
    return _svg(width, height, body, label)


def hbars_svg(
    rows: list[tuple[str, list[tuple[str, str, float | None]]]],
    *,
    label: str,
    width: int = 530,
    value_format=fmt_pct,
    x_max: float | None = None,
    label_width: int = 150,
) -> Markup:
    """Horizontal bars, one group per row: rows = (row label, [(series label, colour, value)])."""
    bar_h, gap, top = 14, 10, 26
    n_series = max((len(items) for _, items in rows), default=1)
    group_h = n_series * bar_h + gap
    height = top + group_h * len(rows) + 6
    left, right = label_width, 70
    plot_w = width - left - right
    if not rows:
        return _svg(width, 60, [_text(10, 30, "Nothing to show.", fill=MUTED)], label)
    values = [float(v) for _, items in rows for _, _, v in items if v is not None]
    # No axis is drawn (each bar is labelled), so the longest bar spans the plot.
    top_value = x_max if x_max is not None else (max(values) if values and max(values) > 0 else 1.0)
    body = []
    seen = []
    for i, (row_label, items) in enumerate(rows):
        y0 = top + i * group_h
        body.append(_text(left - 8, y0 + n_series * bar_h / 2 + 4, row_label, size=11.5, anchor="end"))
        for s, (name, colour, v) in enumerate(items):
            if name not in [x[0] for x in seen]:
                seen.append((name, colour))
            y = y0 + s * bar_h
            w = 0 if v is None else plot_w * float(v) / (top_value or 1)
            body.append(
                f'<rect x="{left}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{bar_h - 2}" fill="{colour}" rx="1.5">'
                f"<title>{_e(row_label)}: {_e(name)} {value_format(v)}</title></rect>"
            )
            body.append(_text(left + max(w, 0) + 5, y + bar_h - 4, value_format(v), size=10.5, fill=MUTED))
    if len(seen) > 1:
        body += _legend(seen, left, width - right)[0]
    return _svg(width, height, body, label)


def stacked_share_svg(rows: list[dict], parts: list[tuple[str, str, str]], *, label: str, width: int = 1080) -> Markup:
    """100 % stacked horizontal bars: each raw table's rows by verdict. parts: (field, label, colour)."""
    bar_h, gap, top, left, right = 18, 10, 30, 140, 120
    plot_w = width - left - right
    height = top + (bar_h + gap) * len(rows) + 4
    body = []
    lx = left
    for _, name, colour in parts:
        body.append(f'<rect x="{lx}" y="6" width="11" height="11" rx="2" fill="{colour}"/>')
        body.append(_text(lx + 15, 15, name, size=11.5))
        lx += 30 + 6.6 * len(name)
    for i, row in enumerate(rows):
        y = top + i * (bar_h + gap)
        total = row["raw_rows"] or 0
        body.append(_text(left - 8, y + bar_h - 5, row["table_name"], size=11.5, anchor="end"))
        x = float(left)
        for field, name, colour in parts:
            value = row[field] or 0
            if total and value:
                w = plot_w * value / total
                body.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{max(w, 1.0):.1f}" height="{bar_h}" fill="{colour}">'
                    f"<title>{_e(row['table_name'])}: {_e(name)} {fmt_int(value)} "
                    f"({fmt_pct(value / total, 2)})</title></rect>"
                )
                x += w
        body.append(_text(left + plot_w + 8, y + bar_h - 5, f"{fmt_int(total)} rows", size=11, fill=MUTED))
    return _svg(width, height, body, label)


# ---------------------------------------------------------------------------------------------
# Tables with machine-readable values
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Column:
    field: str
    label: str
    fmt: object = fmt_text
    numeric: bool = True


def data_table(table_id: str, columns: list[Column], rows: list[dict], keys: list[str], caption: str = "") -> Markup:
    """An HTML table whose rows carry their key (data-<key>) and whose cells carry the raw
    value (data-field, data-value; '' is NULL) next to the formatted one."""
    out = [f'<table class="data" id="{_e(table_id)}">']
    if caption:
        out.append(f"<caption>{_e(caption)}</caption>")
    out.append("<thead><tr>" + "".join(
        f'<th class="{"num" if c.numeric else "txt"}" scope="col">{_e(c.label)}</th>' for c in columns
    ) + "</tr></thead><tbody>")
    for row in rows:
        attrs = "".join(f' data-{_e(k.replace("_", "-"))}="{_e(raw_value(row.get(k)))}"' for k in keys)
        out.append(f"<tr{attrs}>")
        for c in columns:
            value = row.get(c.field)
            out.append(
                f'<td class="{"num" if c.numeric else "txt"}" data-field="{_e(c.field)}" '
                f'data-value="{_e(raw_value(value))}">{_e(c.fmt(value))}</td>'
            )
        out.append("</tr>")
    out.append("</tbody></table>")
    return Markup("".join(out))
