"""The long fuzz campaign (``make fuzz``): every fuzzer in rounds until its
share of the time is spent; counts, time and crashes printed at the end
(and written as JSON with ``--report``).

    python -m tests.fuzz.campaign --seconds 3600 [--report out.json]

A crash is reported with hypothesis's shrunk example and the campaign goes
on with the next round; fix it, then add the example as a regression test.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback

ROUND = 500   # examples per hypothesis run


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=600.0)
    ap.add_argument("--report", default=None)
    args = ap.parse_args(argv)
    from hypothesis import HealthCheck, settings
    settings.register_profile("campaign", max_examples=ROUND, database=None, deadline=None, print_blob=True,
                              suppress_health_check=list(HealthCheck))
    settings.load_profile("campaign")
    from . import test_fuzz_frontend as fe
    from . import test_fuzz_readers as rd
    from .harness import COUNTS
    # the front end gets half the time: it is what every scan runs on every file
    plan = [(fe.test_mutated_functions, 0.25), (fe.test_macro_soup, 0.15), (fe.test_bytes_spliced_into_a_file, 0.10),
            (rd.test_patches_and_mboxes, 0.14), (rd.test_config, 0.08), (rd.test_baseline, 0.08),
            (rd.test_model, 0.12), (rd.test_arbitrary_text_everywhere, 0.08)]
    crashes: list[dict] = []
    t0 = time.time()
    rounds: dict[str, int] = {}
    for test, share in plan:
        end = time.time() + args.seconds * share
        while time.time() < end:
            try:
                test()
            except Exception as exc:   # a crash: hypothesis printed the falsifying example
                crashes.append({"test": test.__name__, "error": f"{type(exc).__name__}: {exc}"[:500],
                                "traceback": traceback.format_exc()[-2000:]})
                print(f"CRASH in {test.__name__}: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            rounds[test.__name__] = rounds.get(test.__name__, 0) + 1
        print(f"{test.__name__}: {rounds.get(test.__name__, 0)} rounds, inputs so far {dict(COUNTS)}", flush=True)
    out = {"inputs": dict(sorted(COUNTS.items())), "seconds": round(time.time() - t0), "rounds": rounds,
           "crashes": crashes}
    print(json.dumps(out, indent=2, sort_keys=True))
    if args.report:
        with open(args.report, "w") as f:
            json.dump(out, f, indent=2, sort_keys=True)
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
