#!/usr/bin/env python3
"""Checks span offsets the way a Python reader uses them: reads JSON Lines {"input", "spans":
[{"start","end","text"}]} on stdin and verifies input[start:end] == text for every span (Python
str indexing, i.e. Unicode code points). Prints "ok N" (N spans checked) or the first mismatch and
exits 1. Standard library only.

Run: ... | python3 tools/reference/check_spans.py
"""
import json
import sys


def main():
    checked = 0
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        record = json.loads(line)
        text = record["input"]
        for span in record["spans"]:
            got = text[span["start"]:span["end"]]
            if got != span["text"]:
                print(f"line {number}: input[{span['start']}:{span['end']}] = {got!r}, span says {span['text']!r}")
                sys.exit(1)
            checked += 1
    print(f"ok {checked}")


if __name__ == "__main__":
    main()
