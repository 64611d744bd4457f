"""PNG charts for members and coaches, drawn with matplotlib off-screen (no display needed)."""
