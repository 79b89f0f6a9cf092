# syntax=docker/dockerfile:1
# The Python backend: one image for the controller (`kcc controller`) and the stats
# service (`kcc stats-serve`); docker-compose.yml picks the command.
# Build context: the repository root (only what deploy/app.Dockerfile.dockerignore lets in).
FROM python:3.11-slim

# espeak-ng renders the Dutch IVR prompts (ivr_flows/prompt_audio.py).
RUN apt-get update \
    && apt-get install -y --no-install-recommends espeak-ng \
    && rm -rf /var/lib/apt/lists/*

# One fixed uid/gid (10023, after the number 14023's tail) shared with the Asterisk
# image, so both can use the recordings volume.
RUN groupadd --gid 10023 kcc \
    && useradd --uid 10023 --gid kcc --no-create-home --shell /usr/sbin/nologin kcc \
    && install -d -o kcc -g kcc -m 2770 /var/lib/kcc /var/lib/kcc/recordings

WORKDIR /opt/kcc
COPY pyproject.toml requirements.lock ./
COPY contract/ contract/
COPY sqlite_schema/ sqlite_schema/
COPY site_config/ site_config/
COPY http_access/ http_access/
COPY recordings/ recordings/
COPY kcc/ kcc/
COPY acd/ acd/
COPY ivr_flows/ ivr_flows/
COPY asterisk_conf/ asterisk_conf/
COPY realtime_stats/ realtime_stats/
# The lock pins every version; -c applies the pins without installing the dev tools.
RUN pip install --no-cache-dir -c requirements.lock . \
    && rm -rf /opt/kcc/build

ENV PYTHONUNBUFFERED=1
USER kcc
CMD ["kcc", "--help"]
