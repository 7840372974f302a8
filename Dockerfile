# Vetted: migrates the database, then serves on port 8000 as an unprivileged user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    VETTED_UPLOAD_DIR=/data/uploads VETTED_DATABASE_URL=sqlite:////data/vetted.db

RUN groupadd --system vetted && useradd --system --gid vetted --home /srv/vetted vetted \
    && mkdir -p /data/uploads && chown -R vetted:vetted /data

WORKDIR /srv/vetted
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY templates ./templates
COPY seed ./seed
RUN pip install -e . && chown -R root:root /srv/vetted

USER vetted
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["sh", "-c", "vetted migrate && exec vetted serve --host 0.0.0.0 --port 8000"]
