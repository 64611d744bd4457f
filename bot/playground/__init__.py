"""`hipcoach playground`: the whole bot in a browser, with no Telegram account, token or network.

`botapi` is a local Bot API server (also what the end-to-end tests talk to), `web` the chat page
served beside it, `runner` starts both with the real application on a movable clock, `seed` fills
a coach group with simulated members.
"""
