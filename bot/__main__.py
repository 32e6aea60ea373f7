"""`python -m bot` is the same program as `draaibot`."""

import sys

from bot.cli import main

sys.exit(main())
