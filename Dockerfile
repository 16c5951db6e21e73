# frontdesk: one image, N workers. Build: docker build -t frontdesk .
# Run (several workers on Redis + PostgreSQL; the deployment file mounted read-only):
#   docker run -p 8080:8080 -v $PWD/deployment.yaml:/etc/frontdesk/deployment.yaml:ro \
#     -e FRONTDESK_CONFIG=/etc/frontdesk/deployment.yaml -e FRONTDESK_ENVIRONMENT=production \
#     -e FRONTDESK_REDIS_URL=redis://redis:6379/0 \
#     -e FRONTDESK_DATABASE_URL=postgresql+asyncpg://frontdesk_app@db/frontdesk \
#     -e FRONTDESK_CONSOLE_SECRET=... frontdesk
FROM python:3.11-slim-bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends espeak-ng \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --create-home --home-dir /srv/frontdesk frontdesk
WORKDIR /srv/frontdesk

COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-cache-dir '.[voice]'

USER frontdesk
ENV FRONTDESK_LOG_JSON=true \
    FRONTDESK_SANDBOX=false \
    FRONTDESK_AUDIT_URL=sqlite+aiosqlite:////srv/frontdesk/var/audit.sqlite3
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/readyz').status == 200 else 1)"
# Migrations first (idempotent), then the workers; SIGTERM lets in-flight turns finish.
CMD ["sh", "-c", "if [ -n \"$FRONTDESK_DATABASE_URL\" ]; then frontdesk db upgrade; fi && exec frontdesk serve --host 0.0.0.0 --port 8080 --workers ${FRONTDESK_WORKERS:-2}"]
