"""lockcheck: a lockdep-style static lock-order checker for the Linux kernel."""

from lockcheck import compiled_modules as _compiled_modules

__version__ = "0.1.0"

# the compiled copies of the hot modules, where `make setup` built them and
# their source is unchanged (lockcheck.compiled_modules)
_compiled_modules.install()
