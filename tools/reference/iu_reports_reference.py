#!/usr/bin/env python3
"""Reads the Indiana University chest X-ray reports with Python's own tarfile and ElementTree and
prints them as one JSON object on stdout, for RadReportsTests to compare RadLM's reader against at
run time. Nothing is written to the repository: the collection (CC BY-NC-ND) and everything
derived from it stay in the cache.

Output: {"reports": [{"number", "sections": [[label, text]], "mesh_major", "mesh_minor",
"mesh_automatic", "image_ids"}], "statistics": {split: {"reports", "without_findings",
"without_impression", "pairs"}}}. Sections keep their text exactly; those whose text is empty or
white space are left out. Split: number % 10 == 0 test, == 1 validation, else train.

Run: python3 tools/reference/iu_reports_reference.py PATH   (PATH: the .tgz or a folder of .xml)
Standard library only, so any python3 runs it.
"""
import json
import sys
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path


def xml_members(path):
    p = Path(path)
    if p.is_dir():
        for f in sorted(p.rglob("*")):
            if f.is_file() and f.name.lower().endswith(".xml"):
                yield str(f), f.read_bytes()
        return
    with tarfile.open(p, "r:*") as tar:
        for member in tar.getmembers():
            if member.isfile() and member.name.lower().endswith(".xml"):
                yield member.name, tar.extractfile(member).read()


def read_report(data):
    root = ET.fromstring(data)
    number = int(root.find(".//IUXRId").get("id").strip())
    sections = []
    for element in root.iter("AbstractText"):
        text = "".join(element.itertext())
        if text.strip():
            sections.append([element.get("Label", ""), text])
    mesh = {"major": [], "minor": [], "automatic": []}
    for block in root.iter("MeSH"):
        for child in block:
            term = "".join(child.itertext()).strip()
            if term and child.tag in mesh:
                mesh[child.tag].append(term)
    images = [e.get("id") for e in root.iter("parentImage") if e.get("id") is not None]
    return {"number": number, "sections": sections, "mesh_major": mesh["major"],
            "mesh_minor": mesh["minor"], "mesh_automatic": mesh["automatic"], "image_ids": images}


def split_of(number):
    return {0: "test", 1: "validation"}.get(number % 10, "train")


def main():
    reports = sorted((read_report(data) for _, data in xml_members(sys.argv[1])), key=lambda r: r["number"])
    stats = {s: {"reports": 0, "without_findings": 0, "without_impression": 0, "pairs": 0}
             for s in ("train", "validation", "test")}
    for r in reports:
        labels = {label.upper() for label, _ in r["sections"]}
        row = stats[split_of(r["number"])]
        row["reports"] += 1
        row["without_findings"] += "FINDINGS" not in labels
        row["without_impression"] += "IMPRESSION" not in labels
        row["pairs"] += "FINDINGS" in labels and "IMPRESSION" in labels
    json.dump({"reports": reports, "statistics": stats}, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
