"""Services: plain async functions taking the database session first. They never commit."""
