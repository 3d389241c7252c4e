"""Write a results document as JUnit XML, for CI systems."""

from __future__ import annotations

from xml.etree import ElementTree as ET


def to_xml(doc: dict) -> str:
    """Return JUnit XML for ``doc``: one testcase per check."""
    tests = doc["tests"]
    suite = ET.Element(
        "testsuite",
        name=f"flasklings.{doc['chapter']}",
        tests=str(len(tests)),
        failures=str(sum(t["status"] == "fail" for t in tests)),
        errors=str(sum(t["status"] == "error" for t in tests)),
        time=f"{doc['duration_s']:.3f}",
    )
    if doc.get("outcome"):
        err = ET.SubElement(suite, "system-err")
        err.text = f"{doc['outcome']['title']}: {doc['outcome']['message']}\n{doc['outcome'].get('detail', '')}"
    for t in tests:
        case = ET.SubElement(suite, "testcase", classname=f"flasklings.{doc['chapter']}",
                             name=t["name"], time=f"{t.get('duration_s', 0):.3f}")
        if t["status"] != "pass":
            tag = "failure" if t["status"] == "fail" else "error"
            node = ET.SubElement(case, tag, message=t["message"][:500],
                                 type=t.get("outcome") or "check")
            node.text = "\n".join(filter(None, [t["title"], t["message"], t.get("server_traceback"),
                                                 t.get("hint") and f"Hint: {t['hint']}"]))
    return ET.tostring(ET.ElementTree(suite).getroot(), encoding="unicode", xml_declaration=True)
