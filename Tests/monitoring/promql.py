"""Small helpers to look inside PromQL expressions and to let promtool judge them."""
import re
import subprocess
import tempfile
from pathlib import Path

import yaml

_IDENT = re.compile(r"(?<![0-9.])[a-zA-Z_:][a-zA-Z0-9_:]*")
_KEYWORDS = {
    "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values", "group",
    "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset",
    "rate", "irate", "increase", "delta", "deriv", "histogram_quantile", "time", "absent", "label_replace",
    "clamp_max", "clamp_min", "predict_linear", "changes", "resets", "vector", "scalar", "abs", "le", "inf", "nan",
}


def metric_names(expr: str) -> list[str]:
    """Metric names used in an expression (label names and values, functions and keywords skipped)."""
    stripped = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    stripped = re.sub(r"\{[^}]*\}", "{}", stripped)
    stripped = re.sub(r"\[[^\]]*\]", "[]", stripped)
    stripped = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", stripped)
    names = []
    for match in _IDENT.finditer(stripped):
        word = match.group(0)
        follows = stripped[match.end():].lstrip()[:1]
        if word.lower() in _KEYWORDS or follows == "(":
            continue
        names.append(word)
    return names


def selectors(expr: str) -> list[tuple[str, str, int, int]]:
    """(name, matchers, start, end) of every `name{...}` selector."""
    return [(m.group(1), m.group(2), m.start(), m.end())
            for m in re.finditer(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}", expr)]


def promtool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["promtool", *args], capture_output=True, text=True)


def check_expressions(exprs: list[str]) -> subprocess.CompletedProcess:
    """Lets promtool parse expressions by wrapping each in a recording rule."""
    rules = [{"record": f"check:expr_{i}", "expr": e} for i, e in enumerate(exprs)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "exprs.yml"
        path.write_text(yaml.safe_dump({"groups": [{"name": "exprs", "rules": rules}]}))
        return promtool("check", "rules", str(path))
