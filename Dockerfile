# hipcoach in a container: the wheel built from this checkout, installed alone in a fresh venv,
# run as an unprivileged user. The build and install steps are the ones CI's wheel check runs
# (.ci/run) outside a container; keep the two identical (docs/deployment.md).

FROM python:3.11-slim AS build
WORKDIR /src
COPY . .
# Same as .ci/run: build the project's wheel only; its dependencies come from the index below.
RUN python -m pip wheel --quiet --no-deps . -w /dist

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    METRICS_PORT=9102
# Same as .ci/run: a fresh venv with the wheel (and the PostgreSQL driver) and nothing else.
COPY --from=build /dist /dist
RUN python -m venv /opt/hipcoach \
    && /opt/hipcoach/bin/pip install --quiet --no-cache-dir "$(ls /dist/hipcoach-*.whl)[postgres]" \
    && rm -rf /dist \
    && useradd --system --uid 10001 --home-dir /var/lib/hipcoach --create-home hipcoach
ENV PATH=/opt/hipcoach/bin:$PATH
USER hipcoach
# The default SQLite database (data/hipcoach.db) lives here: mount a volume on it.
WORKDIR /var/lib/hipcoach
VOLUME ["/var/lib/hipcoach"]
# 8443: the webhook server (BOT_MODE=webhook). 9102: /healthz and /metrics (METRICS_HOST=0.0.0.0
# to let another container scrape it; the health check below runs inside this one).
EXPOSE 8443 9102
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9102/healthz', timeout=4)"]
# Applies pending migrations, then runs until SIGTERM (docker stop), which PTB handles cleanly.
CMD ["hipcoach", "run"]
