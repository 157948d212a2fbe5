"""A quick look at an OpenAI-compatible endpoint before a run sends it work: is it there, does it answer, which
models does it serve. A dead endpoint fails in seconds with one line instead of minutes of retries."""

from __future__ import annotations

import errno
import json
import socket
import urllib.error
import urllib.request

from ..errors import CodecritiqueError, ConfigError, EndpointError


def _reason(e: BaseException) -> str:
    reason = getattr(e, "reason", e)
    if isinstance(reason, ConnectionRefusedError) or getattr(reason, "errno", None) == errno.ECONNREFUSED:
        return "connection refused"
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return "no answer (timed out)"
    if isinstance(reason, socket.gaierror):
        return "unknown host"
    return str(getattr(reason, "strerror", None) or reason)


def probe_endpoint(base_url: str, api_key: str = "EMPTY", timeout: float = 10.0) -> list[str]:
    """The model ids ``base_url`` serves (``GET {base_url}/models``; empty when it does not list them). Raises
    :class:`EndpointError` ("cannot reach URL: connection refused") when it cannot be used."""
    url = base_url.rstrip("/") + "/models"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {api_key}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(1 << 20)
    except urllib.error.HTTPError as e:
        if e.code in (401, 403):
            raise EndpointError(f"{base_url} refused the API key ({e.code} {e.reason}): check --api-key or "
                                "OPENAI_API_KEY") from None
        if e.code in (404, 405):  # a server without a model list: reachable, nothing listed
            return []
        raise EndpointError(f"{base_url} answered {e.code} {e.reason} to GET /models") from None
    except (urllib.error.URLError, OSError) as e:
        raise EndpointError(f"cannot reach {base_url}: {_reason(e)}") from None
    try:
        data = json.loads(body)
        return [m["id"] for m in data.get("data", []) if isinstance(m, dict) and "id" in m]
    except (ValueError, AttributeError, TypeError):
        return []


def resolve_model(urls: list[str] | tuple[str, ...], api_key: str, model: str | None,
                  option: str = "model") -> str:
    """Probe every endpoint of one model (failing within seconds on one that cannot be used) and return the model
    to ask for: ``model`` if every endpoint that lists models serves it, else the first one listed."""
    served = [probe_endpoint(url, api_key) for url in urls]
    if model is None:
        names = next((s for s in served if s), None)
        if not names:
            raise CodecritiqueError(f"{urls[0]} lists no model: pass --{option.replace('_', '-')}")
        return names[0]
    for url, names in zip(urls, served):
        if names and model not in names:
            raise ConfigError(option, f"{url} does not serve {model!r} (it serves {', '.join(names[:5])})")
    return model
