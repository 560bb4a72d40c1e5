"""DOT, SVG and HTML name every class of a fixture's cycle; selection flags."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

import report_cases as cases
from lockcheck.report.dot import resolve_class, select, to_dot

DOT_EDGE = re.compile(r'^\s*"((?:[^"\\]|\\.)*)" -> "((?:[^"\\]|\\.)*)" \[(.*)\];$')


def _dot_edges(text: str) -> dict[tuple[str, str], str]:
    return {(m.group(1), m.group(2)): m.group(3) for m in map(DOT_EDGE.match, text.splitlines()) if m}


@pytest.mark.parametrize("fixture", ["cycle4_four_files", "minikvm/before"])
def test_dot_has_every_cycle_edge_highlighted(fixture):
    result = cases.scan(fixture)
    edges = _dot_edges(cases.render(result, "dot"))
    for f in result.findings:
        for e in f.edges:
            attrs = edges[(e.src, e.dst)]
            assert "#c0392b" in attrs, f"cycle edge {e.src} -> {e.dst} not highlighted"
            assert f'label="{e.acquire[0].function}()"' in attrs


def _cli(*args, cwd=cases.REPO):
    return subprocess.run([sys.executable, "-m", "lockcheck", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")
def test_svg_names_every_cycle_class(tmp_path):
    out = tmp_path / "g.svg"
    proc = _cli("graph", "-q", "--no-cache", "fixtures/minikvm/before", "--cycles-only", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    root = ET.parse(out).getroot()
    ns = {"s": "http://www.w3.org/2000/svg"}
    titles = {t.text for t in root.iterfind(".//s:g[@class='node']/s:title", ns)}
    assert titles == {"&kvm->slots_lock", "&kvm->srcu", "cpu_hotplug_lock", "kvm_lock"}


def test_html_is_self_contained_and_names_classes(tmp_path):
    out = tmp_path / "g.html"
    proc = _cli("graph", "-q", "--no-cache", "fixtures/cycle4_four_files", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    assert "<script" not in text and "http://" not in text.replace("http://www.w3.org/2000/svg", "")
    for name in ("ingest_lock", "parse_lock", "store_lock", "notify_lock"):
        assert f"<title>{name}</title>" in text


def test_around_and_cycles_only():
    result = cases.scan("minikvm/before")
    view = select(result, around="kvm_lock")
    assert "kvm_lock" in view.nodes and "&vcpu->mutex" not in view.nodes
    assert all(e.src in view.nodes and e.dst in view.nodes for e in view.edges)
    only = select(result, cycles_only=True)
    assert set(only.nodes) == set(result.findings[0].locks)
    assert len(only.edges) == 4
    assert len(_dot_edges(to_dot(only))) == 4
    with pytest.raises(ValueError, match="did you mean kvm_lock"):
        resolve_class(result, "kvm_lok")


def test_dot_missing_is_one_line_error(tmp_path, monkeypatch):
    proc = subprocess.run([sys.executable, "-m", "lockcheck", "graph", "fixtures/abba_simple.c",
                           "-o", str(tmp_path / "g.svg")], cwd=cases.REPO, capture_output=True, text=True,
                          env={"PATH": str(tmp_path), "HOME": str(tmp_path)}, timeout=300)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Graphviz 'dot' not found" in proc.stderr
