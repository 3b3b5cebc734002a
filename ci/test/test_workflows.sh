#!/bin/bash
# ci/test/test_workflows.sh: offline checks of the CI definitions.
#
#   1. every file in .github/workflows/ against GitHub's workflow schema with
#      @action-validator/cli (npm; installed into build/tools/ when missing),
#      once the validator has been seen to reject two broken workflows;
#   2. shellcheck on the shell scripts of ci/ (a bash or sh shebang, and
#      ci/test/*.sh), .ci/run and .clusterfuzzlite/build.sh, and on every
#      bash `run:` block of the workflows;
#   3. .clusterfuzzlite/project.yaml parses, with language c;
#   4. what the workflows name exists: the files their path filters match
#      (action-validator's npm build does not check globs), the repository
#      files their `run:` blocks use, and in nightly.yml a corpus cache
#      restored and saved for every fuzz target of fuzz/.
# Checks 2 (run blocks) and 4 (but the corpus caches) read the YAML with
# python3-yaml, and are skipped, saying so, without it.
#
# Prints a line per check; exit status 0 when every check passed, 1 if not
# (or when a tool is missing and cannot be installed: the line says how).
set -u

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT" || exit 1
AV_VERSION=0.6.0
TOOLS=$ROOT/build/tools
AV=$TOOLS/node_modules/.bin/action-validator
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

failed=0
ok() { echo "ok    $*"; }
fail() {
	echo "FAIL  $*"
	failed=$((failed + 1))
}
skip() { echo "skip  $*"; }

# --- tools: node and npm, shellcheck, python3-yaml (scripts/lib.sh's check:
# installed when root, else the apt-get line and exit 1)
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
SL_PACKAGES=(shellcheck python3-yaml)
command -v npm >/dev/null || SL_PACKAGES+=(npm)
sl_ensure_packages

installed=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' \
	"$TOOLS/node_modules/@action-validator/cli/package.json" 2>/dev/null)
if [ ! -x "$AV" ] || [ "$installed" != "$AV_VERSION" ]; then
	echo "installing @action-validator/cli@$AV_VERSION into build/tools (npm)"
	mkdir -p "$TOOLS"
	if ! npm install --no-audit --no-fund --prefix "$TOOLS" \
		"@action-validator/cli@$AV_VERSION" "@action-validator/core@$AV_VERSION" >"$TOOLS/npm-install.log" 2>&1; then
		cat "$TOOLS/npm-install.log"
		echo "error: npm install failed (the npm registry must be reachable once)" >&2
		exit 1
	fi
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- 1. the workflows against the schema, after the validator proves it can say no
validate() { "$AV" "$1" >"$tmp/av.out" 2>&1; }
sample=.github/workflows/ci.yml
if [ -f "$sample" ]; then
	cp "$sample" "$tmp/control.yml"
	{ cat "$sample" && echo "no-such-key: 1"; } >"$tmp/broken-key.yml"
	sed 's/^\( *\)runs-on:/\1run-on:/' "$sample" >"$tmp/broken-runs-on.yml"
	if ! validate "$tmp/control.yml"; then
		fail "action-validator rejects an unchanged copy of $sample:"
		cat "$tmp/av.out"
	elif validate "$tmp/broken-key.yml"; then
		fail "action-validator accepts a workflow with an unknown top-level key"
	elif validate "$tmp/broken-runs-on.yml"; then
		fail "action-validator accepts a job without runs-on (run-on: instead)"
	else
		ok "action-validator $AV_VERSION rejects an unknown key and a misspelt runs-on"
	fi
else
	fail "$sample is missing"
fi

workflows=()
for f in .github/workflows/*.yml .github/workflows/*.yaml; do
	[ -f "$f" ] && workflows+=("$f")
done
[ ${#workflows[@]} -gt 0 ] || fail "no workflow in .github/workflows/"
for f in "${workflows[@]}"; do
	if validate "$f"; then
		ok "schema: $f"
	else
		fail "schema: $f"
		cat "$tmp/av.out"
	fi
done

# --- 2. shellcheck: the scripts
scripts=()
while IFS= read -r -d '' f; do
	case "$f" in
	ci/test/*.sh) scripts+=("$f") ;;
	*) head -n 1 "$f" | grep -qE '^#!.*[/ ](ba)?sh( |$)' && scripts+=("$f") ;;
	esac
done < <(find ci -type f -not -path '*/__pycache__/*' -print0 | sort -z)
for f in .ci/run .clusterfuzzlite/build.sh; do
	[ -f "$f" ] && scripts+=("$f")
done
if shellcheck -x "${scripts[@]}" >"$tmp/sc.out" 2>&1; then
	ok "shellcheck: ${scripts[*]}"
else
	fail "shellcheck:"
	cat "$tmp/sc.out"
fi

# --- 3 and 4: what needs the YAML read
mapfile -t targets < <(for f in fuzz/fuzz_*.c; do
	t=${f#fuzz/fuzz_}
	t=${t%.c}
	[ "$t" = common ] || echo "$t"
done)
if "$PY" -c 'import yaml' 2>/dev/null; then
	mkdir -p "$tmp/run"
	"$PY" - "$tmp/run" "${targets[@]}" <<'EOF' || failed=$((failed + 1))
import os, re, sys
import yaml

rundir, targets = sys.argv[1], sys.argv[2:]
bad = 0

def say(ok, what, why=""):
    global bad
    print(("ok    " if ok else "FAIL  ") + what + ("" if ok or not why else f": {why}"))
    bad += not ok

tree = []
for top, dirs, files in os.walk("."):
    dirs[:] = [d for d in dirs if not (top == "." and d in (".git", "build"))]
    tree += [os.path.relpath(os.path.join(top, f)) for f in files]

def glob_re(pattern):
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + r"\Z")

try:
    project = yaml.safe_load(open(".clusterfuzzlite/project.yaml"))
    say(isinstance(project, dict) and project.get("language") == "c",
        ".clusterfuzzlite/project.yaml: parses, language: c", f"read {project!r}")
except (OSError, yaml.YAMLError) as e:
    say(False, f".clusterfuzzlite/project.yaml: {e}")

used = re.compile(r"(?:(?<=\$GITHUB_WORKSPACE/)|(?<![\w./$-]))"
                  r"((?:\.ci|ci|scripts|fuzz|bench|\.clusterfuzzlite)/[\w.-]+(?:/[\w.-]+)*)")
blocks = 0
for name in sorted(os.listdir(".github/workflows")):
    if not name.endswith((".yml", ".yaml")):
        continue
    path = f".github/workflows/{name}"
    try:
        wf = yaml.safe_load(open(path))
    except yaml.YAMLError as e:
        say(False, f"{path}: {e}")
        continue
    on = wf.get("on", wf.get(True)) or {}   # YAML 1.1 reads a bare `on` as true
    for event, spec in (on.items() if isinstance(on, dict) else []):
        for pattern in (spec or {}).get("paths", []) if isinstance(spec, dict) else []:
            if pattern.startswith("!"):
                continue
            rx = glob_re(pattern)
            say(any(rx.match(f) for f in tree), f"{path}: on.{event}.paths '{pattern}'",
                "matches no file")
    wf_shell = ((wf.get("defaults") or {}).get("run") or {}).get("shell", "bash")
    for job_id, job in (wf.get("jobs") or {}).items():
        job_shell = ((job.get("defaults") or {}).get("run") or {}).get("shell", wf_shell)
        for i, step in enumerate(job.get("steps") or []):
            if "run" not in step or step.get("shell", job_shell) != "bash":
                continue
            script = re.sub(r"\$\{\{.*?\}\}", "GHA_EXPRESSION", step["run"], flags=re.S)
            label = re.sub(r"[^\w.-]+", "-", str(step.get("name", "")))[:40]
            out = os.path.join(rundir, f"{name}--{job_id}--step{i + 1}-{label}.sh")
            with open(out, "w") as f:
                f.write("#!/bin/bash\nset -eo pipefail  # as GitHub runs it\n" + script)
            blocks += 1
            for p in sorted(set(used.findall(step["run"]))):
                say(os.path.exists(p), f"{path}: job {job_id} step {i + 1} names {p}", "no such file")
    if name == "nightly.yml":
        steps = [s for job in (wf.get("jobs") or {}).values() for s in job.get("steps") or []]
        for t in targets:
            corpus = f"results/fuzz/{t}/corpus"
            for kind in ("restore", "save"):
                hit = [s for s in steps if str(s.get("uses", "")).startswith(f"actions/cache/{kind}@")
                       and (s.get("with") or {}).get("path") == corpus]
                say(bool(hit), f"{path}: actions/cache/{kind} of {corpus}",
                    f"no such step for fuzz_{t}")
print(f"      {blocks} run blocks extracted for shellcheck")
sys.exit(1 if bad else 0)
EOF
	runs=("$tmp"/run/*.sh)
	if [ -f "${runs[0]}" ]; then
		if (cd "$tmp/run" && shellcheck -s bash ./*.sh) >"$tmp/sc-run.out" 2>&1; then
			ok "shellcheck: ${#runs[@]} bash run blocks of the workflows"
		else
			fail "shellcheck on the workflows' run blocks (file names: workflow--job--step):"
			cat "$tmp/sc-run.out"
		fi
	fi
else
	skip "the run blocks, path filters and used files of the workflows: no python3-yaml" \
		"(apt-get install -y python3-yaml)"
	# The project file still gets parsed, by the validator's YAML reader.
	node_rc=0
	node --input-type=module - "$TOOLS/node_modules/@action-validator/core/action_validator.js" \
		.clusterfuzzlite/project.yaml >"$tmp/yaml.out" 2>&1 <<'EOF' || node_rc=$?
import fs from "fs";
import { createRequire } from "module";
const [core, file] = process.argv.slice(2);
const v = createRequire(import.meta.url)(core);
const errors = v.validateWorkflow(fs.readFileSync(file, "utf8")).errors;
const parse = errors.filter((e) => e.code === "parse_error");
if (parse.length) { console.log(JSON.stringify(parse)); process.exit(1); }
EOF
	if [ "$node_rc" -eq 0 ] && grep -qxE 'language: *c' .clusterfuzzlite/project.yaml; then
		ok ".clusterfuzzlite/project.yaml: parses, language: c"
	else
		fail ".clusterfuzzlite/project.yaml:"
		cat "$tmp/yaml.out"
	fi
	for t in "${targets[@]}"; do
		n=$(grep -cE "^ +path: results/fuzz/$t/corpus$" .github/workflows/nightly.yml)
		if [ "$n" -ge 2 ]; then
			ok "nightly.yml: the corpus of fuzz_$t is restored and saved"
		else
			fail "nightly.yml: no restore and save steps for results/fuzz/$t/corpus"
		fi
	done
fi

echo
if [ "$failed" -eq 0 ]; then
	echo "test_workflows: all checks passed"
else
	echo "test_workflows: $failed check(s) failed"
fi
[ "$failed" -eq 0 ]
