#!/usr/bin/python3
"""Renders an augur report (JSON) as one self-contained HTML page with matplotlib plots.

The JSON is written by augur (apps/, bench/):
{
  "title": "...", "subtitle": "...",
  "summary": {"mean return": -180.2, ...},                 # key figures, shown as a table at the top
  "sections": [
    {"title": "...", "text": "...",
     "plots": [{"title": "...", "xlabel": "...", "ylabel": "...", "kind": "line" | "scatter" | "bar",
                "logx": false, "logy": false,
                "series": [{"name": "...", "x": [...], "y": [...], "std": [...] (optional band)}]}
               or {"kind": "heatmap", "z": [[row], ...], "extent": [x0, x1, y0, y1], "zlabel": "...",
                "boxes": [[x0, x1, y0, y1], ...] (optional rectangles outlined)}],
     "tables": [{"columns": [...], "rows": [[...], ...]}]}
  ]
}
Plots are embedded as base64 PNG, so the page opens offline. Usage: render_report.py REPORT.json OUT.html
Uses Debian's python3-matplotlib (installed by scripts/setup.sh).
"""
import base64
import html
import io
import json
import os
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def label(value):
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def fmt(value):
    if isinstance(value, float):
        return f"{value:.4g}"
    return html.escape(str(value))


def plot_png(spec):
    fig, ax = plt.subplots(figsize=(7.0, 3.6), dpi=110)
    kind = spec.get("kind", "line")
    if kind == "heatmap":
        image = ax.imshow(spec["z"], origin="lower", extent=spec.get("extent"), aspect="auto", cmap="viridis")
        fig.colorbar(image, ax=ax, label=spec.get("zlabel", ""))
        for x0, x1, y0, y1 in spec.get("boxes", []):
            ax.plot([x0, x1, x1, x0, x0], [y0, y0, y1, y1, y0], color="white", linewidth=1.0, linestyle="--")
    for series in spec.get("series", []):
        x, y = series.get("x") or list(range(len(series["y"]))), series["y"]
        name = series.get("name")
        if kind == "bar":
            ax.bar([label(v) for v in x], y, label=name, yerr=series.get("std"), capsize=3)
        elif kind == "scatter":
            ax.scatter(x, y, label=name, s=12)
        else:
            ax.plot(x, y, label=name, linewidth=1.4)
            if series.get("std"):
                lo = [a - b for a, b in zip(y, series["std"])]
                hi = [a + b for a, b in zip(y, series["std"])]
                ax.fill_between(x, lo, hi, alpha=0.2)
    ax.set_title(spec.get("title", ""))
    ax.set_xlabel(spec.get("xlabel", ""))
    ax.set_ylabel(spec.get("ylabel", ""))
    if spec.get("logy"):
        ax.set_yscale("log")
    if spec.get("logx"):
        ax.set_xscale("log")
    ax.grid(alpha=0.3)
    if any(s.get("name") for s in spec.get("series", [])):
        ax.legend(fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def table_html(table):
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table["columns"])
    rows = "".join("<tr>" + "".join(f"<td>{fmt(v)}</td>" for v in row) + "</tr>" for row in table["rows"])
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def render(report):
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(report.get('title', 'augur report'))}</title>",
        "<style>body{font-family:sans-serif;max-width:980px;margin:2em auto;color:#222}"
        "table{border-collapse:collapse;margin:0.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;"
        "text-align:right}th{background:#f3f3f3}img{max-width:100%}h2{border-bottom:1px solid #ddd}</style>",
        "</head><body>",
        f"<h1>{html.escape(report.get('title', 'augur report'))}</h1>",
    ]
    if report.get("subtitle"):
        parts.append(f"<p>{html.escape(report['subtitle'])}</p>")
    if report.get("summary"):
        rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{fmt(v)}</td></tr>" for k, v in report["summary"].items())
        parts.append(f"<table id='summary'>{rows}</table>")
    for section in report.get("sections", []):
        parts.append(f"<h2>{html.escape(section.get('title', ''))}</h2>")
        if section.get("text"):
            parts.append(f"<p>{html.escape(section['text'])}</p>")
        for spec in section.get("plots", []):
            parts.append(f"<img class='plot' alt='{html.escape(spec.get('title', 'plot'))}' "
                         f"src='data:image/png;base64,{plot_png(spec)}'>")
        for table in section.get("tables", []):
            parts.append(table_html(table))
    parts.append("</body></html>")
    return "\n".join(parts)


def main(argv):
    if len(argv) != 3 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) > 1 and argv[1] in ("-h", "--help") else 1
    try:
        with open(argv[1], encoding="utf-8") as f:
            report = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        print(f"render_report: cannot read report JSON {argv[1]}: {e}", file=sys.stderr)
        return 1
    page = render(report)
    out_dir = os.path.dirname(os.path.abspath(argv[2]))
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=".report-", suffix=".html")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(page)
    os.chmod(tmp, 0o644)
    os.replace(tmp, argv[2])  # atomic: a reader never sees half a page
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
