"""The web chat: a page a municipality can embed, and a JSON API, over the shared service.

Offers :func:`bot.web.app.create_app` (the ASGI app) and :func:`bot.web.run.serve`
(``python -m bot web``). Routes live in ``pages`` (HTML) and ``api`` (JSON); they share
``core`` (state and the question pipeline), ``render``, ``texts`` and ``security``.
Nothing is imported here, so that importing the package does not load FastAPI.
"""
