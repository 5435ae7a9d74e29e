"""Subcommands of ``nndl``: each module defines ``register(app)`` (see :mod:`nndl.cli`)."""
