#!/usr/bin/env python3
"""A straightforward single-threaded checker, the yardstick bench/compare.sh runs beside
report-lint: what a competent person writes in an afternoon to check a folder of annual reports.

For each file: decode (UTF-8, else GB18030), turn HTML into lines of text (table rows as
`a | b | c`), find the rows of the forms by their labels, check five sums, and compare two figures
the prose states with the tables. Prints one line per problem and a count at the end.

    bench/pycheck.py DIR
"""

import html
import pathlib
import re
import sys

TAG = re.compile(r"<(script|style)[^>]*>.*?</\1>|<!--.*?-->", re.S | re.I)
CELL_END = re.compile(r"</t[dh]>", re.I)
ROW_END = re.compile(r"</tr>|<br\s*/?>|</p>|</div>|</h[1-6]>|</li>", re.I)
ANY_TAG = re.compile(r"<[^>]+>")
NUM = re.compile(r"^-?[0-9][0-9,]*$")

# Labels of the rows, by form (normalised: no spaces, enumerators dropped).
LABELS = {
    "new": "本年新收政府信息公开申请数量",
    "carried": "上年结转政府信息公开申请数量",
    "results": "总计",
    "next": "结转下年度继续办理",
    "proactive": "主动公开政府信息数",
    "apps": "收到申请数",
}
CHANNELS = ["政府公报公开政府信息数", "政府网站公开政府信息数", "政务微博公开政府信息数", "政务微信公开政府信息数", "其他方式公开政府信息数"]
PROSE_APPS = re.compile(r"(?:收到|受理)[^，。；]{0,14}?申请\s*([0-9]+)\s*件")
PROSE_REVIEWS = re.compile(r"行政复议[^，。；0-9]{0,6}?([0-9]+)\s*件")


def decode(data):
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def lines_of(text):
    if "<html" in text[:2000].lower() or "<body" in text.lower():
        text = TAG.sub("", text)
        text = CELL_END.sub(" | ", text)
        text = ROW_END.sub("\n", text)
        text = html.unescape(ANY_TAG.sub("", text))
    return [l.strip() for l in text.split("\n") if l.strip()]


def norm(label):
    label = re.sub(r"\s+", "", label)
    label = re.sub(r"^[（(]?[一二三四五六七八九十0-9]+[)）、.]?", "", label)
    return label.replace("其中：", "").replace("其中:", "")


def numbers(cells):
    out = []
    for c in cells:
        c = c.replace(",", "").strip()
        if NUM.match(c):
            out.append(int(c))
    return out


def rows(lines):
    found = {}
    for line in lines:
        if "|" not in line:
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        labels = [norm(c) for c in cells if c and not NUM.match(c.replace(",", ""))]
        nums = numbers(cells)
        # Table 四 is one row of 15 figures, usually without a label.
        if len(nums) == 15 and len(labels) <= 1 and "t4" not in found:
            found["t4"] = nums
        if not labels or not nums:
            continue
        for key, want in LABELS.items():
            if any(want in l for l in labels) and key not in found:
                found[key] = nums
        for ch in CHANNELS:
            if any(ch in l for l in labels) and ch not in found:
                found[ch] = nums
    return found


def check(path):
    problems = []
    text = decode(path.read_bytes())
    lines = lines_of(text)
    r = rows(lines)
    # 1. Table 三, 总计 column: new + carried == results + next.
    if all(k in r for k in ("new", "carried", "results", "next")):
        if r["new"][-1] + r["carried"][-1] != r["results"][-1] + r["next"][-1]:
            problems.append("t3-balance")
    # 2-4. Table 四: each group's parts add up to its total (review 5, direct 5, after review 5).
    if "t4" in r:
        t = r["t4"]
        for name, (a, b) in (("review", (0, 5)), ("direct", (5, 10)), ("after-review", (10, 15))):
            part = t[a:b]
            if sum(part[:-1]) != part[-1]:
                problems.append(f"t4-{name}")
    # 5. The 2018 table: channels add up to the proactive total.
    if "proactive" in r and all(ch in r for ch in CHANNELS):
        if sum(r[ch][-1] for ch in CHANNELS) != r["proactive"][-1]:
            problems.append("channels-sum")
    prose = " ".join(l for l in lines if "|" not in l)
    # Prose 1: applications received against table 三 (or the 2018 table).
    m = PROSE_APPS.search(prose)
    total = r.get("new", r.get("apps"))
    if m and total and int(m.group(1)) not in (total[-1], total[-1] + r.get("carried", [0])[-1]):
        problems.append("prose-applications")
    # Prose 2: reviews against table 四.
    m = PROSE_REVIEWS.search(prose)
    if m and "t4" in r and int(m.group(1)) != r["t4"][4]:
        problems.append("prose-reviews")
    return problems


def main():
    root = pathlib.Path(sys.argv[1])
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in (".txt", ".htm", ".html"))
    n = 0
    for p in files:
        for problem in check(p):
            print(f"{p}: {problem}")
            n += 1
    print(f"{len(files)} files, {n} problems")


if __name__ == "__main__":
    main()
