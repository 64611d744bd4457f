"""An update's path from Telegram to the member's reply: received into the inbox, handled once,
answered through the outbox, paced by one budget. `docs/architecture.md` draws it."""
