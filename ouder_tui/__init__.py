"""ouder-tui: parent involvement in Flemish schools, in the terminal.

The core package is free of Textual (apart from :mod:`ouder_tui.app`), so the
command line, the tests and any future server can use it headless.
"""

__version__ = "0.1.0"
