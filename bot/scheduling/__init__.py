"""Reminders at each member's local time: due-time arithmetic, claiming and delivery."""
