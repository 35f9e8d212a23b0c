"""docker-compose.yml and deploy/nginx.conf, checked by reading them: Docker cannot run on the test machine, so this
is the structure only (two app replicas behind the proxy, workers, migrations once, the proxy's upstream naming the
app service and its port), not a stack that was started."""

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PUBLIC_PORTS = re.compile(r"^(?:\d+:)?\d+$")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def nginx() -> str:
    text = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    return re.sub(r"#[^\n]*", "", text)  # comments out


def test_the_stack_has_its_services(compose):
    assert {"db", "migrate", "web", "proxy", "worker", "minio"} <= set(compose["services"])
    for name, service in compose["services"].items():
        for needed in service.get("depends_on", {}):
            assert needed in compose["services"], f"{name} depends on a service that does not exist: {needed}"


def test_the_app_runs_as_two_replicas_that_only_the_proxy_exposes(compose):
    web = compose["services"]["web"]
    assert web["deploy"]["replicas"] == 2
    assert "ports" not in web  # two replicas cannot publish one host port; the proxy does
    assert "--bind 0.0.0.0:8000" in " ".join(web["command"])
    assert web["expose"] == ["8000"]
    published = [service for service in compose["services"].values() if service.get("ports")]
    assert published == [compose["services"]["proxy"]]


def test_migrations_run_once_before_the_replicas_and_workers_start(compose):
    services = compose["services"]
    assert services["migrate"]["command"][-3:] == ["manage.py", "migrate", "--noinput"]
    for name in ("web", "worker"):
        assert services[name]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
        assert "migrate" not in " ".join(services[name]["command"])
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_the_workers_take_tasks_from_the_database_queue(compose):
    worker = compose["services"]["worker"]
    assert worker["command"] == ["python", "manage.py", "db_worker", "--no-reload"]
    assert worker["deploy"]["replicas"] >= 2
    assert worker["environment"]["DATABASE_URL"] == compose["services"]["web"]["environment"]["DATABASE_URL"]


def test_the_proxy_mounts_the_config_in_the_repository(compose):
    proxy = compose["services"]["proxy"]
    assert proxy["image"].startswith("nginx:")
    mounts = [volume.split(":") for volume in proxy["volumes"]]
    assert ["./deploy/nginx.conf", "/etc/nginx/conf.d/default.conf", "ro"] in mounts
    for source, *_rest in mounts:
        assert (ROOT / source).exists()
    assert all(PUBLIC_PORTS.match(port) for port in proxy["ports"])


def test_the_proxy_upstream_names_the_app_service_and_its_port(compose, nginx):
    upstreams = dict(re.findall(r"upstream\s+(\w+)\s*\{([^}]*)\}", nginx))
    assert len(upstreams) == 1
    ((name, body),) = upstreams.items()
    servers = re.findall(r"server\s+([\w.-]+):(\d+)", body)
    assert servers == [("web", "8000")]
    assert servers[0][0] in compose["services"]
    assert re.search(rf"proxy_pass\s+http://{name};", nginx)
    assert "resolve;" in body  # replicas added with --scale join without restarting the proxy
    assert re.search(r"resolver\s+127\.0\.0\.11\b", nginx)  # Docker's DNS
    # the proxy passes on what the app's HTTPS and throttling settings read
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in nginx
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in nginx
    assert compose["services"]["web"]["environment"]["PROXY_COUNT"] == "${PROXY_COUNT:-1}"


def test_the_proxy_accepts_the_largest_request_the_app_does(nginx):
    size = re.search(r"client_max_body_size\s+(\d+)m;", nginx)
    assert size
    assert int(size.group(1)) > settings.MAX_REQUEST_MB  # the app, not nginx, answers an oversized upload


def test_object_storage_and_replica_settings_reach_the_app(compose):
    environment = compose["services"]["web"]["environment"]
    for name in ("STORAGE_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "DATABASE_REPLICA_URL"):
        assert name in environment
    assert compose["services"]["minio"]["profiles"] == ["s3"]  # optional: not started without --profile s3
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name in ("STORAGE_URL", "AWS_STORAGE_BUCKET_NAME", "DATABASE_REPLICA_URL"):
        assert re.search(rf"^{name}=", example, re.M), name
