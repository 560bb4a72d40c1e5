"""Exit codes, documented in the README."""

CLEAN = 0        # nothing found
FINDINGS = 1     # at least one cycle (or other finding)
USAGE_ERROR = 2  # bad usage or input: nothing could be analysed
