"""Splat import: from a lockdep report to every static path, and whether a
change closes them.

Three steps, one module each, on top of :func:`lockcheck.api.check` and
the gate's tree handling: :mod:`.read` reads the pasted text into
:class:`~.read.Report` objects, :mod:`.names` maps lockdep's class names to
the scan's, :mod:`.match` finds each dependency's static witnesses
(:mod:`.diagnose` says why one is missing) and the cycles through the
report's classes, and :mod:`.after` answers, per dependency and per path,
gone or still there after a change.  :mod:`.report` renders; nothing here
prints or exits.
"""
