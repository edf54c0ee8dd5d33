"""The Dockerfile lints clean, and its install replayed in a fresh venv serves the app.

No Docker engine runs here, so ``test_dockerfile_install_replay`` (marker ``container``,
about 1-2 minutes) plays the Dockerfile by hand: COPY into a scratch "image" folder, each RUN
with ``pip`` from a new venv (no system site-packages; the pip cache is reused), the ENV
values, then the exact exec-form CMD parsed from the Dockerfile (only the port is swapped for
a free one and the host for loopback), and the HEALTHCHECK command itself. Outgoing HTTP is
pointed at a dead proxy to show nothing is fetched at run time.
"""

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
HADOLINT = Path(sys.executable).parent / "hadolint"
# Commands of RUN that change the host's users; the replay leaves the machine alone.
HOST_CHANGING = ("groupadd", "useradd", "adduser", "addgroup", "chown")


def instructions(text: str = "") -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with line continuations joined and comments dropped."""
    text = text or DOCKERFILE.read_text(encoding="utf-8")
    joined = re.sub(r"\\\n", " ", text)
    result = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            result.append((word.upper(), rest.strip()))
    return result


def parse_env(args: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in shlex.split(args))


def exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), args
    return value


def test_dockerfile_lints_clean_with_hadolint():
    result = subprocess.run(
        [str(HADOLINT), "--no-color", str(DOCKERFILE)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


def test_dockerfile_promises():
    steps = instructions()
    kinds = [kind for kind, _ in steps]
    assert steps[0] == ("FROM", "python:3.11-slim")
    user = dict(steps)["USER"]
    assert user.split(":")[0] not in {"0", "root"}
    assert kinds.index("USER") < kinds.index("CMD")
    cmd = exec_form(dict(steps)["CMD"])
    assert cmd[0] == "backprop-visualizer"
    assert cmd[cmd.index("--host") + 1] == "0.0.0.0" and cmd[cmd.index("--port") + 1] == "8000"
    health = dict(steps)["HEALTHCHECK"]
    check = exec_form(health[health.index("CMD") + 3 :].strip())
    assert check[0] == "python" and "/healthz" in check[-1] and "curl" not in health
    env = {}
    for kind, args in steps:
        if kind == "ENV":
            env.update(parse_env(args))
    assert env["BPV_WORKERS"] == "1"
    assert any("pip install" in args and " ." in args for kind, args in steps if kind == "RUN")
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert "*" in ignored and "!app/" in ignored


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _copy(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


@pytest.mark.container
def test_dockerfile_install_replay(tmp_path):
    image = tmp_path / "image"
    venv = tmp_path / "venv"
    subprocess.run([sys._base_executable, "-m", "venv", str(venv)], check=True)
    workdir = None
    env = {
        "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(tmp_path / "home"),
        "VIRTUAL_ENV": str(venv),
        "LANG": "C.UTF-8",
        # Replay only: skip byte-compiling TensorFlow's thousands of files (~half the time).
        "PIP_NO_COMPILE": "1",
    }
    for name in ("PIP_CONFIG_FILE", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS"):
        if name in os.environ:
            env[name] = os.environ[name]
    cmd = health = None
    for kind, args in instructions():
        if kind == "WORKDIR":
            workdir = args
            (image / args.lstrip("/")).mkdir(parents=True, exist_ok=True)
        elif kind == "ENV":
            env.update(parse_env(args))
        elif kind == "COPY":
            *sources, target = shlex.split(args)
            base = image / workdir.lstrip("/")
            for source in sources:
                # "COPY a b ./" puts each into the folder; "COPY app ./app" names the target.
                into_folder = target.endswith("/") or len(sources) > 1
                _copy(
                    ROOT / source,
                    base / target / Path(source).name if into_folder else base / target,
                )
        elif kind == "RUN":
            steps = [s.strip() for s in args.split("&&")]
            kept = [s for s in steps if not s.startswith(HOST_CHANGING)]
            # The image builds without a cache; the replay may reuse this machine's pip cache.
            script = " && ".join(kept).replace("--no-cache-dir", "")
            result = subprocess.run(
                ["bash", "-c", script],
                cwd=image / workdir.lstrip("/"),
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert result.returncode == 0, (
                f"RUN {script}\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
            )
        elif kind == "CMD":
            cmd = exec_form(args)
        elif kind == "HEALTHCHECK":
            health = exec_form(args[args.index("CMD") + 3 :].strip())
    # Container paths under WORKDIR live in the scratch image folder here.
    for name, value in env.items():
        if value.startswith(workdir):
            env[name] = str(image / value.lstrip("/"))
    site = next((venv / "lib").glob("python3*/site-packages"))
    assert (site / "app" / "i18n" / "common.json").exists(), "page strings missing from the wheel"
    assert not (image / workdir.lstrip("/") / "app").exists(), "the source should be gone"

    port = _free_port()
    argv = [a.replace("8000", str(port)).replace("0.0.0.0", "127.0.0.1") for a in cmd]
    argv[0] = str(venv / "bin" / argv[0])
    dead = "http://127.0.0.1:9"  # any attempt to fetch from outside fails
    run_env = {**env, "HTTP_PROXY": dead, "HTTPS_PROXY": dead, "NO_PROXY": "127.0.0.1"}
    server = subprocess.Popen(
        argv,
        cwd=tmp_path,
        env=run_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.stderr.read().decode()[-3000:]
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "no healthy /healthz within 120 s"
            time.sleep(0.2)
        assert httpx.get(f"{base}/healthz").json()["status"] == "ok"
        page = httpx.get(f"{base}/?lang=zh")
        assert page.status_code == 200
        # The page strings were packaged: the title is the Chinese product name, not a key.
        product = json.loads((ROOT / "app/i18n/common.json").read_text("utf-8"))["zh"]["product"]
        title = re.search(r"<title>(.*?)</title>", page.text, re.S).group(1)
        assert product in title and "common." not in title
        css = re.search(r'href="(/static/css/site\.css\?v=\w+)"', page.text).group(1)
        assert httpx.get(base + css).status_code == 200
        plotly = httpx.get(f"{base}/vendor/plotly.min.js")  # from the plotly wheel
        assert plotly.status_code == 200 and len(plotly.content) > 1_000_000
        answer = httpx.post(
            f"{base}/api/v1/backprop",
            json={
                "layers": [1, 1],
                "weights": [[[2.0]]],
                "biases": [[0.5]],
                "activations": "linear",
                "loss": "half_sse",
                "inputs": [[3.0]],
                "targets": [[1.0]],
            },
        )
        # Linear 1→1: y = 2·3 + 0.5 = 6.5, E = ½(6.5 − 1)² = 15.125.
        assert answer.json()["loss"] == pytest.approx(15.125)
        health_argv = [a.replace("8000", str(port)) for a in health]
        health_argv[0] = str(venv / "bin" / health_argv[0])
        assert subprocess.run(health_argv, env=run_env, timeout=30).returncode == 0
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def test_kubernetes_sample_probes_healthz_and_uses_real_settings():
    import yaml

    from app.core.config import Settings

    docs = list(yaml.safe_load_all((ROOT / "deploy" / "kubernetes.yaml").read_text("utf-8")))
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    service = next(d for d in docs if d["kind"] == "Service")
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    (container,) = pod["containers"]
    assert container["ports"][0]["containerPort"] == 8000  # the Dockerfile's CMD port
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/healthz", "port": "http"}, probe
    for variable in container["env"]:
        field = variable["name"].removeprefix("BPV_").lower()
        assert variable["name"].startswith("BPV_") and field in Settings.model_fields, variable
        Settings(**{field: variable["value"]})  # the value parses as that setting
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
