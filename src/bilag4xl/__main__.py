"""`python -m bilag4xl`."""

from bilag4xl.cli.app import main

main()
