#!/usr/bin/env python3
"""Checks an SPDX 2.3 JSON document: against a JSON schema (ci/spdx-2.3.schema.json,
or the upstream one with --schema), then what a schema cannot say: SPDX ids are
unique, every relationship names elements of the document, and the document
DESCRIBES one of its packages.

    ci/check-spdx.py [--schema FILE] DOCUMENT...
"""
import argparse
import json
import pathlib
import sys

import jsonschema


def problems(document, validator):
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in error.absolute_path) or "(document)"
        yield f"{where}: {error.message}"
    ids = [p.get("SPDXID") for p in document.get("packages", []) + document.get("files", [])]
    seen = set()
    for spdx_id in ids:
        if spdx_id in seen:
            yield f"SPDXID {spdx_id} is used twice"
        seen.add(spdx_id)
    known = seen | {"SPDXRef-DOCUMENT"}
    for index, relationship in enumerate(document.get("relationships", [])):
        for end in ("spdxElementId", "relatedSpdxElement"):
            if relationship.get(end) not in known:
                yield f"relationships/{index}: {end} {relationship.get(end)} is not an element of the document"
    described = [r for r in document.get("relationships", [])
                 if r.get("spdxElementId") == "SPDXRef-DOCUMENT" and r.get("relationshipType") == "DESCRIBES"]
    if not described:
        yield "the document DESCRIBES nothing"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schema", type=pathlib.Path,
                        default=pathlib.Path(__file__).with_name("spdx-2.3.schema.json"))
    parser.add_argument("documents", nargs="+", type=pathlib.Path)
    args = parser.parse_args()
    schema = json.loads(args.schema.read_text())
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    failed = False
    for path in args.documents:
        found = list(problems(json.loads(path.read_text()), validator))
        for problem in found:
            print(f"{path}: {problem}", file=sys.stderr)
        if found:
            failed = True
        else:
            print(f"{path}: valid SPDX 2.3 ({args.schema.name})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
