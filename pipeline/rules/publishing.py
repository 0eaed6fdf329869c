"""PUB: publishing — the build folder and the outputs.

These are reported by the publish stage (`pipeline.publish`) as it writes the site: their rules
have no check of their own. This module imports nothing of the publish code, so both it and the
rules reference can use it without a cycle.
"""

from __future__ import annotations

from pipeline.diagnostics import Rule

RULES: tuple[Rule, ...] = (
    Rule("PUB001", "publish-locked", "error",
         "Another publish of the same output folder is running.",
         "Two publishes writing one folder at once would mix their outputs."),
    Rule("PUB002", "output-not-writable", "error",
         "The output folder or its staging copy cannot be written (permissions, full disk).",
         "A publish that cannot write all its files must leave the previous build whole."),
    Rule("PUB003", "output-missing-notice", "error",
         "A rendered output lacks the disclaimer, the licence or the attribution.",
         "Every page, JSON document and PDF must carry them, legally and for readers' safety."),
    Rule("PUB004", "render-failed", "error",
         "An article could not be rendered.",
         "A template or renderer fault must stop the publish, not produce a broken page."),
    Rule("PUB005", "unsafe-output-path", "error",
         "A value that becomes a file name would write outside the output folder.",
         "Slugs, image names and categories become paths; none may escape the build."),
)
