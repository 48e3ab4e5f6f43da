"""The group page's weekly chart of violations by category, drawn as SVG on the server (no script,
no chart library): one stacked bar per week, a legend, a title for screen readers."""

from __future__ import annotations

from html import escape

from bot.web.data import ChartBar

PALETTE = ("#c0392b", "#2e86c1", "#d68910", "#7d3c98", "#17a589", "#566573", "#e84393", "#6c8e23")
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 40, 150, 16, 36


def _nice_max(n: int) -> int:
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000):
        if n <= step * 4:
            return step * 4 if n > 4 else max(n, 1)
    return n


def weekly_svg(bars: list[ChartBar], legend: list[str]) -> str:
    colors = {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(legend)}
    total = sum(b.total for b in bars)
    top = _nice_max(max((b.total for b in bars), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(bars), 1)
    bar_w = slot * 0.6
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'role="img" aria-labelledby="chart-title" class="chart">',
        f'<title id="chart-title">近 {len(bars)} 周违规条数（按类别），共 {total} 条</title>',
    ]
    for i in range(5):  # grid lines and the y axis labels
        value = top * i // 4
        y = TOP + plot_h - plot_h * i / 4
        out.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" stroke="#dde1e6" />'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#555">{value}</text>'
        )
    for i, bar in enumerate(bars):
        x = LEFT + slot * i + (slot - bar_w) / 2
        y = TOP + plot_h
        for label, n in bar.counts:
            h = plot_h * n / top
            y -= h
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{colors[label]}"><title>{escape(label)} {n} 条</title></rect>'
            )
        if bar.total:
            out.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="11" '
                f'fill="#222">{bar.total}</text>'
            )
        out.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" font-size="11" '
            f'fill="#555">{bar.week.month}/{bar.week.day}</text>'
        )
    out.append(
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 4}" text-anchor="middle" font-size="11" '
        f'fill="#777">每周（周一起）</text>'
    )
    for i, label in enumerate(legend[:10]):
        y = TOP + 8 + i * 18
        out.append(
            f'<rect x="{WIDTH - RIGHT + 14}" y="{y - 9}" width="11" height="11" fill="{colors[label]}" />'
            f'<text x="{WIDTH - RIGHT + 30}" y="{y}" font-size="12" fill="#222">{escape(label)}</text>'
        )
    if not total:
        out.append(
            f'<text x="{LEFT + plot_w / 2:.1f}" y="{TOP + plot_h / 2:.1f}" text-anchor="middle" '
            f'font-size="13" fill="#777">近 {len(bars)} 周未发现违规</text>'
        )
    out.append("</svg>")
    return "".join(out)
