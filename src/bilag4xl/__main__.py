"""`python -m bilag4xl`."""

from .cli import main

main()
