"""lockcheck: a lockdep-style static lock-order checker for the Linux kernel."""

__version__ = "0.1.0"
