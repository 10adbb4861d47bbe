# Kollega in a container: locked dependencies, non-root, SQLite data on a volume.
FROM python:3.11-slim AS build
WORKDIR /src
COPY requirements.lock ./
RUN python -m venv /opt/kollega && /opt/kollega/bin/pip install --no-cache-dir -r requirements.lock
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
RUN /opt/kollega/bin/pip install --no-cache-dir --no-deps .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 kollega
COPY --from=build /opt/kollega /opt/kollega
COPY locales /app/locales
WORKDIR /app
ENV PATH=/opt/kollega/bin:$PATH \
    KOLLEGA_DATABASE_URL=sqlite+aiosqlite:////data/kollega.db \
    KOLLEGA_DATA_DIR=/data
RUN mkdir /data && chown kollega /data
VOLUME /data
USER kollega
CMD ["python", "-m", "bot"]
