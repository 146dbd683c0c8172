"""Parses one Prometheus text page with Python prometheus_client's parser, again and again
for at least --seconds, and prints "prometheus_client <MB/s> <samples per page>" (10^6
bytes). Run by parser_compare.sh with Debian's python3-prometheus-client (/usr/bin/python3).
"""

import argparse
import time

from prometheus_client.parser import text_string_to_metric_families


def parse(page):
    return sum(len(family.samples) for family in text_string_to_metric_families(page))


def main():
    arguments = argparse.ArgumentParser()
    arguments.add_argument("--seconds", type=float, default=2)
    arguments.add_argument("page")
    options = arguments.parse_args()
    with open(options.page, encoding="utf-8") as f:
        page = f.read()
    size = len(page.encode("utf-8"))
    samples = parse(page)
    pages = 0
    start = time.perf_counter()
    while time.perf_counter() - start < options.seconds:
        parse(page)
        pages += 1
    elapsed = time.perf_counter() - start
    print(f"prometheus_client {pages * size / elapsed / 1e6:.1f} {samples}")


if __name__ == "__main__":
    main()
