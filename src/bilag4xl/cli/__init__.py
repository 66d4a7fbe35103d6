"""The command line, thin over the library."""

from bilag4xl.cli.app import app, main

__all__ = ["app", "main"]
