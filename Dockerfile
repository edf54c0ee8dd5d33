# Backprop Visualizer: docker build -t backprop-visualizer . && docker run -p 8000:8000 backprop-visualizer
# Everything (TensorFlow, Plotly's JavaScript, Swagger UI) is installed at build time;
# the running container fetches nothing, so it works in a classroom with no internet.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BPV_WORKERS=1 \
    BPV_STATIC_DIR=/srv/backprop-visualizer/static \
    BPV_TEMPLATES_DIR=/srv/backprop-visualizer/templates

WORKDIR /srv/backprop-visualizer

# Install the package (tensorflow-cpu and the rest come from pyproject.toml) as root...
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install --no-cache-dir . \
    && rm -rf app build ./*.egg-info

# ...then the pages' files, read at run time by a user that owns nothing.
COPY static ./static
COPY templates ./templates
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --shell /usr/sbin/nologin app

USER 10001:10001
EXPOSE 8000

# python, not curl (the slim image has no curl): healthy once TensorFlow is warmed up.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4); sys.exit(0 if r.status == 200 else 1)"]

# Workers come from BPV_WORKERS (read by the CLI's settings); host and port are fixed here.
CMD ["backprop-visualizer", "--host", "0.0.0.0", "--port", "8000"]
