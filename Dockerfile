# Puente's production image: one image for web (Daphne), worker and beat (Celery).
#
#   docker build -t puente .
#   docker run --rm -e DJANGO_SECRET_KEY=... -e DATABASE_URL=... -e REDIS_URL=... -p 8000:8000 puente
#
# docker-compose.yml runs the whole production shape from this image.

# --- stage 1: the source tree without local state (virtualenv, database, node_modules) ----
FROM python:3.11-slim AS source
WORKDIR /src
COPY . .
RUN rm -rf .venv node_modules var staticfiles media .git .pytest_cache .ruff_cache \
        build *.egg-info test-results \
    && find . -name '__pycache__' -type d -prune -exec rm -rf {} + \
    && find . -name '*.mo' -delete

# --- stage 2: the runtime image ---------------------------------------------------------
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=config.settings.base

# gettext: msgfmt for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first (from pyproject.toml alone) so that code changes reuse this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; open('/tmp/requirements.txt', 'w').write('\n'.join(deps) + '\n')" \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# Then the project itself, installed in place so that templates, static files and
# translations are found next to the code.
COPY --from=source /src /app
RUN pip install --no-deps -e .

# Translations and static files are built into the image. The key only satisfies the
# settings at build time; the real one comes from the environment at run time.
RUN DJANGO_SECRET_KEY=build-only-not-a-secret \
        python manage.py compilemessages --ignore '.venv/*' --ignore 'node_modules/*' -v 0 \
    && DJANGO_SECRET_KEY=build-only-not-a-secret \
        python manage.py collectstatic --noinput -v 0

# Run as an unprivileged user. It owns only var/ (uploaded media, the beat schedule);
# the code stays read-only to it.
RUN useradd --system --create-home --uid 10001 --user-group puente \
    && mkdir -p /app/var/media /app/var/beat \
    && chown -R puente:puente /app/var
USER puente

EXPOSE 8000
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "config.asgi:application"]
