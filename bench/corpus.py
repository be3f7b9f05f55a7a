#!/usr/bin/env python3
"""Reproducible benchmark corpus: N reports made from the real ones in the repository, varied so
that no cache can help (names, years within the report's format, figures), in a realistic mix:
text files, and published HTML pages (with the menus, styles and scripts of a government site,
about two thirds of the bytes; some in GBK).

    bench/corpus.py 10000 target/bench-corpus        # seed 1
    bench/corpus.py 1000 /tmp/corpus --seed 7

Only the standard library; deterministic for a given seed.
"""

import argparse
import html
import pathlib
import random
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCES = [
    "examples/yuqian-2018.txt",
    "tests/fixtures/real/2023-hongze.txt",
    "tests/fixtures/real/2024-hongze.txt",
    "tests/fixtures/real/2024-huaian-shizhengfu.txt",
    "tests/fixtures/real/2024-shanghai-kewei.txt",
    "tests/fixtures/real/2025-shuyang-xianzhengfu.txt",
    "tests/fixtures/2019-clean.txt",
    "tests/fixtures/2021-clean.txt",
]
REAL_HTML = "tests/fixtures/real/2023-shuyang-fagaiju.html"

PLACES = "东城 西湖 滨江 萧山 余杭 临安 富阳 桐庐 淳安 建德 鼓楼 玄武 秦淮 建邺 雨花台 栖霞 江宁 浦口 六合 溧水 高淳 沭阳 泗阳 泗洪 宿城 宿豫 洪泽 淮安 清江浦 淮阴 涟水 盱眙 金湖 海门 启东 如皋 如东 通州 崇川 港闸".split()
BODIES = "人民政府 人民政府办公室 发展和改革局 教育局 科学技术局 公安局 民政局 司法局 财政局 人力资源和社会保障局 自然资源局 生态环境局 住房和城乡建设局 交通运输局 水利局 农业农村局 商务局 文化广电和旅游局 卫生健康委员会 应急管理局 审计局 市场监督管理局 统计局 医疗保障局".split()


def era_years(text):
    """The report's year and the years its format allows."""
    m = re.search(r"(20[0-9]{2})\s*年", text)
    year = int(m.group(1)) if m else 2023
    if year <= 2018:
        return year, list(range(2012, 2019))
    if year <= 2020:
        return year, [2019, 2020]
    return year, list(range(2021, 2026))


def vary(text, rng):
    year, allowed = era_years(text)
    new_year = rng.choice(allowed)
    # The year (and the year after it, for publication dates) moves consistently.
    text = text.replace(str(year + 1), "\x00NEXT\x00").replace(str(year), str(new_year))
    text = text.replace("\x00NEXT\x00", str(new_year + 1))
    place, body = rng.choice(PLACES), rng.choice(BODIES)
    name = f"{place}区{body}"
    lines = text.split("\n")
    for i, line in enumerate(lines[:8]):
        if "报告" in line or "報告" in line:
            lines[i] = re.sub(r"^[^0-9]*?(?=[0-9]{4})", name, line, count=1) or line
            break
    text = "\n".join(lines)
    # One report in three has a few figures changed (as real batches have errors).
    if rng.random() < 0.33:
        nums = list(re.finditer(r"(?<![0-9])([0-9]{1,3})(?![0-9年月日])", text))
        for m in rng.sample(nums, min(3, len(nums))):
            v = str(int(m.group(1)) + rng.randint(1, 9))
            text = text[: m.start()] + v.rjust(len(m.group(1)))[-len(v):] + text[m.end():]
    # A line of its own, so no two files are the same.
    marker = f"（编号：{rng.randrange(10**9):09d}，联系人：{rng.choice(PLACES)}办公室）"
    return text + "\n" + marker + "\n", name, new_year


def chrome(rng, size):
    """A government site's page furniture: menus, styles, scripts, footer."""
    menu = "".join(
        f'<li class="nav-item"><a href="/col/col{rng.randrange(10**6)}/index.html" target="_blank">{rng.choice(BODIES)}</a></li>'
        for _ in range(40)
    )
    css = "".join(
        f".c{i}{{margin:{rng.randrange(20)}px;padding:{rng.randrange(20)}px;color:#{rng.randrange(16**6):06x};font-size:{12 + i % 6}px}}\n"
        for i in range(size // 300)
    )
    js = "".join(
        f"var v{i}='{rng.randrange(10**12)}';function f{i}(a){{return a+v{i};}}\n"
        for i in range(size // 300)
    )
    head = f"<!DOCTYPE html><html><head><meta charset=\"{{charset}}\"><title>政府信息公开</title><style>{css}</style><script>{js}</script></head>"
    nav = f'<body><div class="header"><ul class="nav">{menu}</ul></div><div class="main"><div class="crumb">首页 &gt; 政府信息公开 &gt; 年度报告</div><div class="article">'
    foot = f'</div></div><div class="footer">主办单位：{rng.choice(PLACES)}区人民政府办公室 网站标识码{rng.randrange(10**10)} 备案号：苏ICP备{rng.randrange(10**8)}号</div><script>{js[: size // 4]}</script></body></html>'
    return head, nav, foot


def to_html(text, rng):
    head, nav, foot = chrome(rng, rng.randrange(5_000, 25_000))
    out = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        if "|" in line:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            out.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
        else:
            if out and out[-1].startswith("<tr>"):
                out.append("</table>")
            out.append(f'<p style="text-indent:2em">{html.escape(line)}</p>')
        if out[-1].startswith("<tr>") and (len(out) < 2 or not (out[-2].startswith("<tr>") or out[-2].startswith("<table"))):
            out.insert(len(out) - 1, '<table border="1" cellspacing="0">')
    if out and out[-1].startswith("<tr>"):
        out.append("</table>")
    return head + nav + "\n".join(out) + foot


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    texts = [(ROOT / s).read_text(encoding="utf-8") for s in SOURCES]
    real_html = (ROOT / REAL_HTML).read_text(encoding="utf-8")
    total = html_bytes = 0
    for i in range(args.n):
        r = rng.random()
        if r < 0.08:
            # The real published page, its text varied.
            page, _, _ = vary(real_html, rng)
            data, ext = page.encode("utf-8"), "html"
        elif r < 0.25:
            text, _, _ = vary(rng.choice(texts), rng)
            page = to_html(text, rng)
            if rng.random() < 0.3:
                data = page.replace("{charset}", "gbk").encode("gbk", errors="replace")
            else:
                data = page.replace("{charset}", "utf-8").encode("utf-8")
            ext = "html"
        else:
            text, _, _ = vary(rng.choice(texts), rng)
            data, ext = text.encode("utf-8"), "txt"
        (out / f"r{i:06d}.{ext}").write_bytes(data)
        total += len(data)
        if ext == "html":
            html_bytes += len(data)
    print(f"{args.n} reports, {total / 1e6:.1f} MB, HTML {100 * html_bytes / max(total, 1):.0f} % of the bytes -> {out}")


if __name__ == "__main__":
    main()
