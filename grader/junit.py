"""Write a results document as JUnit XML, for CI systems (``python -m grader ch3 --junit FILE``)."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

# XML 1.0 cannot hold most control characters, and a student's app output often has some
# (ANSI colour codes, a stray NUL): they become visible escapes instead of a broken file.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text) -> str:
    """Return ``text`` with every character XML 1.0 forbids replaced by a visible escape."""
    text = "" if text is None else str(text)
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _details(t: dict) -> str:
    parts = [t.get("title"), t.get("message")]
    if t.get("expected") or t.get("actual"):
        parts.append(f"expected: {t.get('expected', '')}\nactual:   {t.get('actual', '')}")
    for ex in (t.get("exchanges") or [])[-2:]:
        answer = f"{ex['status']} {ex.get('reason', '')}" if "status" in ex else \
            ex.get("error", "no answer")
        parts.append(f"{ex['method']} {ex['path']} -> {answer}")
    parts += [t.get("server_traceback"), t.get("stuck_at"), t.get("detail"),
              t.get("hint") and f"Hint: {t['hint']}"]
    return clean("\n".join(p for p in parts if p))


def to_xml(doc: dict) -> str:
    """Return JUnit XML for ``doc``: one testsuite for the chapter, one testcase per check."""
    tests = doc["tests"]
    name = clean(f"flasklings.{doc['chapter']}")
    root = ET.Element("testsuites", name="flasklings")
    suite = ET.SubElement(
        root, "testsuite",
        name=name,
        tests=str(len(tests)),
        failures=str(sum(t["status"] == "fail" for t in tests)),
        errors=str(sum(t["status"] == "error" for t in tests)),
        skipped="0",
        time=f"{doc['duration_s']:.3f}",
    )
    props = ET.SubElement(suite, "properties")
    for key in ("score", "max_score", "status", "folder"):
        ET.SubElement(props, "property", name=key, value=clean(doc.get(key, "")))
    outcome = doc.get("outcome")
    if outcome:
        err = ET.SubElement(suite, "system-err")
        err.text = clean(f"{outcome['title']}: {outcome['message']}\n"
                         f"{outcome.get('detail', '')}\n{outcome.get('output', '')}".rstrip())
    for t in tests:
        case = ET.SubElement(suite, "testcase", classname=name, name=clean(t["name"]),
                             time=f"{t.get('duration_s', 0):.3f}")
        if t["status"] != "pass":
            tag = "failure" if t["status"] == "fail" else "error"
            node = ET.SubElement(case, tag, message=clean(t.get("message", ""))[:500],
                                 type=clean(t.get("outcome") or "check"))
            node.text = _details(t)
            if t.get("output"):
                ET.SubElement(case, "system-out").text = clean(t["output"])
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
