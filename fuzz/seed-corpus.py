#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/corpus/<target>/ from real kesu inputs: the presets, the
official calendar, the shared severity and category cases, and complaint JSON like the API
tests send. Run it again when the input formats change; libFuzzer grows the corpus from here.
Usage: fuzz/seed-corpus.py [SHARED_DATA_DIR] (default ../shared/data beside the repository)."""
import csv
import hashlib
import pathlib
import re
import struct
import sys

FUZZ = pathlib.Path(__file__).resolve().parent
ROOT = FUZZ.parent
SHARED = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data"
SEP = b"\xff"  # separates the pieces of one input (fz_take_field in fuzz.h)


def u32(v):
    return struct.pack(">I", v & 0xFFFFFFFF)


def rng(v, lo):
    """The four bytes fz_range(c, lo, hi) reads back as v (for small ranges)."""
    return u32(v - lo)


def write(target, items):
    d = FUZZ / "corpus" / target
    d.mkdir(parents=True, exist_ok=True)
    for old in d.iterdir():
        old.unlink()
    for data in items:
        (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def texts():
    out = []
    for name in ("severity-cases.csv", "category-cases.csv"):
        path = SHARED / name
        if path.exists():
            with path.open(encoding="utf-8") as f:
                out += [row["text"] for row in csv.DictReader(f)]
    return out or ["脚踏芯轴断裂，骑行中摔伤", "营业厅工作人员服务态度差"]


FIELDS = [re.match(r'\s*FIELD\("([a-z_.]+)"', line).group(1)
          for line in (ROOT / "src/core/complaint.c").read_text().splitlines()
          if re.match(r'\s*FIELD\("', line)]

BODY = {
    "received_at": "2026-11-28T09:30:00+08:00", "channel": "wechat", "customer_name": "张三",
    "customer_phone": "+86 138-1234-5678", "customer_email": "zhangsan@example.com",
    "customer_org": "杭州某某自行车有限公司", "product": "pedal", "model": "FP-920 脚踏",
    "batch_no": "B2026-11", "delivered": 1000, "defective": 350, "title": "脚踏芯轴断裂",
    "description": "客户反映：\n\t骑行中芯轴断裂，人员摔伤。", "urgent": True,
    "responsibility": {"party": "我司", "root_cause": "热处理温度偏低"},
    "compensation": {"amount": 19.99, "kind": "damages"},
    "satisfaction": {"score": 4, "comment": "处理及时"},
    "related": ["KS20261101-0003", "KS20261102-10001"],
}


def json_seeds():
    import json
    small = {"received_at": "2026-11-28 09:30", "channel": "phone", "customer_phone": "13812345678",
             "title": "发票开错", "description": None}
    ro = dict(BODY, number="KS20261128-0001", status="investigating", version=7, id=42)
    return [b"\x00" + json.dumps(BODY, ensure_ascii=False).encode(),
            b"\x30" + json.dumps(BODY).encode(),
            b"\x09" + json.dumps(ro, ensure_ascii=False).encode(),
            b"\x01" + json.dumps(small, ensure_ascii=False).encode(),
            b"\x00[]", b"\x00{\"title\": 3}", b"\x00{\"approval\": null, \"compensation\": {}}"]


def set_seeds():
    values = {"received_at": "2026-11-28 09:30", "channel": "微信", "delivered": "1000",
              "defective": "350", "urgent": "是", "response_level": "1", "severity": "serious",
              "status": "new", "compensation.amount": "200.50", "compensation.kind": "damages",
              "satisfaction.score": "5", "approval.at": "2026-11-30T16:00:00+08:00",
              "related": "KS20261101-0003,KS20261102-0004", "number": "KS20261128-0001",
              "version": "3", "id": "42"}
    out, whole = [], b""
    for i, name in enumerate(FIELDS):
        v = values.get(name, BODY.get(name) if isinstance(BODY.get(name), str) else "文本")
        piece = bytes([i * 2 + 1]) + str(v).encode()
        out.append(piece)
        whole += piece + SEP
    return out + [whole]


def main():
    cst = rng(480, -14 * 60)
    write("complaint-json", json_seeds())
    write("time", [cst + s.encode() for s in (
        "2026-11-28T09:30:00+08:00", "2026-11-28T01:30:00Z", "2026-11-28T09:30:00.123+08:00",
        "2026-11-28 09:30", "2026-11-28 09:30:59", "2026-11-28T09:30", "2026-11-28",
        "2026-02-30", "0000-01-01T00:00:00-23:59", "9999-12-31T23:59:59+14:00")])
    periods = ["3个工作日", "24小时", "15日", "15天", "3wd", "3 workdays", "24h", "24 hours",
               "15d", "15 days", "3650 days", "87600h"]
    write("deadline", [rng(480, -840) + u32(1050) + rng(1793000000 + i * 86400 * 13, 1546300800)
                       + p.encode() for i, p in enumerate(periods)])
    write("number", [s.encode() for s in (
        "KS20261128-0001", "KS20261128-999999", "KS20260230-0001", "KS20261128-0000")])
    write("complaint-set", set_seeds())
    write("preset", [p.read_bytes() + SEP + texts()[i % len(texts())].encode()
                     for i, p in enumerate(sorted((ROOT / "presets").glob("*.yaml")))])
    head = b"\x80" + u32(1000) + b"\x80" + u32(350) + rng(0, -1) + b"\x02"
    write("severity", [head + t.encode() for t in texts()])
    cal = (ROOT / "data/cn-calendar.csv").read_bytes()
    lines = cal.splitlines(keepends=True)
    write("calendar", [cal, lines[0] + b"".join(lines[1:12]),
                       lines[0] + b"2026-10-01,holiday,\xe5\x9b\xbd\xe5\xba\x86\xe8\x8a\x82\n"])
    args = [["add", "--title", "脚踏芯轴断裂", "--urgent"], ["list", "--json", "--db=x.db", "--",
            "--all"], ["--now", "2026-11-28T09:30:00+08:00", "-h", "-"], ["--set=a=b", "--from"]]
    write("cli", [bytes([i & 1]) + b"\0".join(a.encode() for a in arg)
                  for i, arg in enumerate(args)])
    paths = ["/healthz", "/api/v1/complaints", "/api/v1/complaints/KS20261128-0001",
             "/api/v1/complaints/KS20261128-0001/events", "/api/v1/me", "/api/v1/sessions/current",
             "/api/v1/complaints//x", "/api/v1/complaints/%E5%BC%A0"]
    write("route", [bytes([i % 4]) + p.encode() for i, p in enumerate(paths)])


main()
