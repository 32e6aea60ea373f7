# draaibot as a container: the bot with long polling, its state and the live knowledge folder
# in the /data volume. Build: docker build -t draaibot .   Run: see README.md, "Running as a
# service".
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DRAAIBOT_DB=/data/draaibot.db \
    DRAAIBOT_KNOWLEDGE=/data/knowledge \
    DRAAIBOT_SHIPPED_KNOWLEDGE=/app/knowledge

# A dedicated user without a login or a home of its own; a fixed uid, so that a host folder
# mounted at /data can be given to it (chown 10001:10001).
RUN groupadd --system --gid 10001 draaibot \
    && useradd --system --uid 10001 --gid draaibot --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin draaibot

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY index ./index
COPY handlers ./handlers
RUN pip install --no-cache-dir . \
    && mkdir /data \
    && chown draaibot:draaibot /data

# The knowledge as shipped, read only; the entrypoint copies it to /data/knowledge on the first
# start and never overwrites a knowledge folder that is already there.
COPY knowledge ./knowledge
COPY deploy/docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh

USER 10001:10001
VOLUME ["/data"]
# `draaibot status` exits 1 when unhealthy; Docker reserves exit code 2, which draaibot uses
# for a configuration error: report that as unhealthy too.
HEALTHCHECK --interval=1m --timeout=30s --start-period=1m --retries=3 \
    CMD ["sh", "-c", "draaibot status || exit 1"]
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["draaibot", "run"]
