"""Allow ``python -m bot.bench``."""

from bot.bench.run import main

raise SystemExit(main())
