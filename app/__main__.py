"""``python -m app``: see app.cli.main."""

import sys

from app.cli.main import main

sys.exit(main())
