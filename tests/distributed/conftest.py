"""Reports the at-least-once outcome of the distributed tests at the end of the run:
articles lost (always 0, else the test failed) and duplicate lines, per test."""


def pytest_terminal_summary(terminalreporter):
    rows = []
    for outcome in ("passed", "failed"):
        for report in terminalreporter.stats.get(outcome, []):
            props = dict(getattr(report, "user_properties", ()))
            if report.when == "call" and "duplicate_lines" in props:
                rows.append((report.nodeid.split("::")[-1], outcome, props["duplicate_lines"]))
    if rows:
        terminalreporter.write_sep("-", "distributed crawls: at-least-once outcome")
        for name, outcome, dups in rows:
            lost = "0 lost" if outcome == "passed" else "FAILED"
            terminalreporter.write_line(f"{name}: {lost}, {dups} duplicate lines (merged by id)")
