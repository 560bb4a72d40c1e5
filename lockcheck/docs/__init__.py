"""Documented lock orders: rules read from a locking document (RST) or
``.lockcheck.toml``, mapped to lock classes and checked against a scan.

rst → sentences → rules (:mod:`extract`), config (:mod:`config`),
names (:mod:`names`), checks (:mod:`check`), output (:mod:`render`).
"""

from lockcheck.docs.check import Violation, check_documented, review
from lockcheck.docs.config import read_config
from lockcheck.docs.extract import read_rules, rules_from_text
from lockcheck.docs.rules import DocRules, Rule

__all__ = ["Rule", "DocRules", "Violation", "read_rules", "rules_from_text", "read_config",
           "check_documented", "review"]
