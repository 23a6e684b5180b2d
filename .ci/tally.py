#!/usr/bin/env python3
"""Adds the results of one meson testlog.json to a running tally and prints the stage's counts.

usage: tally.py STAGE TESTLOG TALLYFILE
A stage that ran no test counts as one failure: meson exits 0 when it skips everything
(a cross build without an exe_wrapper), and that must not pass for green."""
import json, sys

stage, log, tally = sys.argv[1:4]
passed = failed = skipped = 0
try:
    with open(log) as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line).get("result")
            if r in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif r == "SKIP":
                skipped += 1
            else:
                failed += 1
except OSError as e:
    print(f"{stage}: no test log ({e})")
if passed + failed == 0:
    print(f"{stage}: no test ran: counted as a failure")
    failed = 1
print(f"{stage}: {passed} passed, {failed} failed, {skipped} skipped")
with open(tally, "a") as f:
    f.write(f"{passed} {failed} {skipped}\n")
