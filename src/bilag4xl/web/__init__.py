"""The secretariat's web page (`bilag4xl serve`): a round run from a browser, on the library."""
