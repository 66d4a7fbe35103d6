"""Test helpers that ship with the package: fill templates and drive LibreOffice headless."""
