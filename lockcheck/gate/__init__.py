"""The CI gate: what a change does to the set of lock-order cycles.

A scan of a whole kernel reports cycles nobody introduced today; a gate
must fail only on the ones a change *adds*.  So the gate scans two trees
(two directories, two git revisions, or a tree and the tree with a patch
series applied), compares the findings (:mod:`.compare`), and lets known
cycles through via a baseline (:mod:`.baseline`) or reviewed suppressions
(:mod:`.suppress`).  Nothing here prints or exits; the commands in
``lockcheck.cli`` do.
"""
