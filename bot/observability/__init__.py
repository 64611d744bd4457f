"""What an operator sees: `hipcoach check`, /healthz and /metrics, and structured logs."""
