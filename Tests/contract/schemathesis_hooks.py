"""Schemathesis hooks for the OpenAPI run (test_openapi.py).

JSON Schema cannot say what the `cleanup` override's description says: a duration's range, that
`deferred` needs a retention above 0s, that `custom_handler` must name a handler of this
sidecar's configuration. A generated override touching those is dropped, so a schema-valid body
is one the sidecar must accept; the override's validation is tested on its own
(ConfigurationValidationTests, BadInputBinaryTests)."""
import schemathesis

CONSTRAINED = {"retention", "max_zombie_age", "retry", "custom_handler"}


def _overrides(body):
    if not isinstance(body, dict):
        return []
    members = body.get("operations")
    items = members if isinstance(members, list) else [body]
    return [item["cleanup"] for item in items if isinstance(item, dict) and isinstance(item.get("cleanup"), dict)]


@schemathesis.hook
def filter_body(ctx, body):
    for override in _overrides(body):
        if CONSTRAINED & override.keys() or override.get("strategy") in ("deferred", "custom"):
            return False
    return True
