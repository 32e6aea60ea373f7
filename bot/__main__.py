"""`python -m bot` is the same program as `draaibot`."""

import sys

from bot.faces.cli import main

sys.exit(main())
