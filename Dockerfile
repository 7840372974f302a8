# Vetted: migrates the database, then serves on port 8000 as an unprivileged user, in
# production mode. It refuses to start without VETTED_SECRET_KEY (at least 32 random bytes),
# given at run time: docker run -e VETTED_SECRET_KEY=… (see the README, Running in production).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    VETTED_ENV=production \
    VETTED_UPLOAD_DIR=/data/uploads VETTED_DATABASE_URL=sqlite:////data/vetted.db

RUN groupadd --system vetted && useradd --system --gid vetted --home /srv/vetted vetted \
    && mkdir -p /data/uploads && chown -R vetted:vetted /data

WORKDIR /srv/vetted
COPY .ci/requirements.lock ./.ci/requirements.lock
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY templates ./templates
COPY seed ./seed
# Exactly the locked versions, without the test extras. Editable: the app reads its
# templates, migrations and seed policy beside the code, from /srv/vetted (owned by root,
# so the running user cannot change them).
RUN pip install -c .ci/requirements.lock -e . && chown -R root:root /srv/vetted

USER vetted
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["sh", "-c", "vetted migrate && exec vetted serve --host 0.0.0.0 --port 8000"]
