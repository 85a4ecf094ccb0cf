"""The Telegram channel: PTB handlers as siblings, wired together by :mod:`bot.telegram.app`.

Offers :func:`bot.telegram.run.run` (``python -m bot run``). Handlers live in ``questions``,
``commands``, ``callbacks``, ``inline``, ``admin`` and ``guard``; they share ``core``,
``render`` and ``texts`` and never import each other. Nothing is imported here, so that
importing the package does not load python-telegram-bot.
"""
