"""Allow ``python -m ouder_tui``."""

from ouder_tui.cli import main

raise SystemExit(main())
