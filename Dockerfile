# The browser libraries and the customer's app (`make frontend`: npm ci, then static/vendor and
# static/app), built in a stage
# of their own: the image itself needs no Node.js.
FROM node:20-bookworm AS frontend
WORKDIR /app
COPY Makefile .
COPY frontend/package.json frontend/package-lock.json frontend/
COPY frontend/app frontend/app
COPY frontend/vite.config.ts frontend/tsconfig.json frontend/
RUN make frontend

# One image for web, worker and beat (the command picks the role).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=marketing_platform.settings \
    VAR_DIR=/app/var

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

RUN useradd --create-home --uid 10001 app
COPY --chown=app:app . .
COPY --from=frontend --chown=app:app /app/static/vendor static/vendor
COPY --from=frontend --chown=app:app /app/static/app static/app
# collectstatic needs settings that load; production checks apply at run time.
RUN DEBUG=0 python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media && chown -R app:app /app/var

USER app
EXPOSE 8000
CMD ["gunicorn", "--config", "gunicorn.conf.py", "marketing_platform.wsgi:application"]
