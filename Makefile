# Social-return reporting pipeline. `make` (or `make help`) lists the targets.
# Variables first, then targets (docs/architecture.md, "Conventions"). Every target echoes what it does.

PERIOD    ?=
RAW_DIR   ?= data/raw
SCALE     ?= 1
BENCH_SCALE ?=
FILE      ?=
PARTNER   ?=
DATASET   ?=
PYTHON    ?= python3.11

VENV      := .venv
comma     := ,
empty     :=
space     := $(empty) $(empty)
# a value as one shell word, whatever it holds ('s-Hertogenbosch, ;, $, spaces): every variable
# a user or a partner can influence reaches $(shell …) and recipes only through $(call q,…)
q = '$(subst ','\'',$(1))'
VENV_OK   := $(VENV)/.installed
PY        := $(VENV)/bin/python
export GX_ANALYTICS_ENABLED := false
export PYTHONHASHSEED := 0
export TZ := Europe/Amsterdam
export LC_ALL := C.UTF-8
export MPLBACKEND := Agg
# the notebooks' kernel is the venv's own python3 kernelspec, whatever else the machine has
export JUPYTER_PATH := $(CURDIR)/$(VENV)/share/jupyter
export JUPYTER_PLATFORM_DIRS := 1
# Python writes each module's bytecode on its first import, also where the environment says not
# to (PYTHONDONTWRITEBYTECODE, set on some machines): without it every run and every kernel
# compiles every module from source again (Great Expectations' import: 16 s instead of 6 s)
unexport PYTHONDONTWRITEBYTECODE

.DEFAULT_GOAL := help
.PHONY: help setup report lab test test-fast lint demo-data clean datadocs check-export templates lock env-file verify bench share screenshots

# A period is a calendar quarter YYYYQn (docs/domain.md); anything else is refused in one line.
PERIOD_GOALS := report verify datadocs share screenshots
ifneq ($(filter $(PERIOD_GOALS),$(MAKECMDGOALS)),)
  ifeq ($(shell printf '%s' $(call q,$(PERIOD)) | grep -Ex '[0-9]{4}Q[1-4]'),)
    $(error FOUT: ongeldige periode '$(PERIOD)': gebruik PERIOD=JJJJKn, bv. PERIOD=2021Q3 | ERROR: invalid period '$(PERIOD)': use PERIOD=YYYYQn, e.g. PERIOD=2021Q3)
  endif
endif

help: ## list the targets
	@echo "Social-return reporting pipeline. Usage: make <target> [VAR=value]"
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

# The environment is a file target built from the lock: set up once, never reinstalled while
# requirements.lock and pyproject.toml are unchanged.
# The venv holds no absolute path to the checkout (tools/venv_paths.py): a copied or moved
# folder runs its own code; tools run as `$(PY) -m …`, never through a console script's #! line.
$(VENV_OK): requirements.lock pyproject.toml tools/venv_paths.py
	@echo ">> setting up $(VENV) from requirements.lock"
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "FOUT: $(PYTHON) niet gevonden | ERROR: $(PYTHON) not found (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	@# one pass over the hashed lock: no resolver (--no-deps), wheels only (nothing is built), no
	@# bytecode compiled up front (Python writes it on first import: see PYTHONDONTWRITEBYTECODE)
	$(PY) -m pip install --quiet --no-deps --only-binary=:all: --no-compile --disable-pip-version-check -r requirements.lock
	$(PY) -m pip check
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	$(PY) -m tools.venv_paths
	@touch $@

setup: $(VENV_OK) ## create the virtual environment from the lock (done automatically)

# `make report` is a file target: reports/<P>/manifest.json (written last, then published with
# the rest by a rename) is rebuilt only when something it depends on is newer: the raw files of
# the quarter and every earlier quarter plus the files at the top of RAW_DIR (partners.csv), the
# code, config, expectations, templates, notebooks and the lock (the same list the pipeline
# fingerprints, pipeline/orchestrate/provenance.py), and the stamp reports/.<P>.inputs. The stamp records
# RAW_DIR and the raw file names; it is rewritten only when they change (another folder, a file
# added or removed), so an unchanged rerun does nothing and touches no file (`make -n` writes
# nothing either). Not tracked: the pseudonymisation key, which is never written anywhere (not
# even hashed); after changing it, run `make clean`.
ifneq ($(filter report,$(MAKECMDGOALS)),)
  REPORTS_ROOT  := $(or $(SROI_REPORTS_DIR),reports)
  ifneq ($(strip $(foreach c,: ; # % * ? [ ] \ $$,$(findstring $(c),$(REPORTS_ROOT)))),)
    $(error FOUT: de uitvoermap '$(REPORTS_ROOT)' bevat een teken dat make niet aankan (: ; # % * ? [ ] \ $$) | ERROR: the output folder contains a character make cannot handle)
  endif
  # make's own file names (targets): spaces escaped; nothing else special can occur (checked above)
  REPORTS_MK    := $(subst $(space),\ ,$(REPORTS_ROOT))
  REPORT_OUT    := $(REPORTS_MK)/$(PERIOD)/manifest.json
  INPUTS_STAMP  := $(REPORTS_MK)/.$(PERIOD).inputs
  # raw file names never enter make's syntax or a shell: the raw folder is one digest
  # (pipeline/orchestrate/make_inputs.py, standard library only, every argument quoted)
  INPUTS_ARGS   := $(call q,$(RAW_DIR)) $(call q,$(PERIOD)) $(call q,$(REPORTS_ROOT))
  INPUTS_STATUS := $(shell $(PYTHON) -I -S pipeline/orchestrate/make_inputs.py status $(INPUTS_ARGS) 2>&1 || echo FAILED)
  ifneq ($(firstword $(INPUTS_STATUS)),OK)
    $(error $(or $(filter-out FAILED,$(INPUTS_STATUS)),FOUT: $(PYTHON) niet gevonden | ERROR: $(PYTHON) not found (set PYTHON=...)))
  endif
  CODE_INPUTS   := $(shell find pipeline -name __pycache__ -prune -o -type f \( -name '*.py' \
                     -o -path 'pipeline/config/*' -o -path 'pipeline/expectations/*' \
                     -o -path 'pipeline/templates/*' \) -print | LC_ALL=C sort | sed 's/ /\\ /g') \
                   $(wildcard notebooks/*.ipynb) requirements.lock
  ifeq ($(lastword $(INPUTS_STATUS)),changed)
    .PHONY: $(INPUTS_STAMP)
  endif

# $(eval) runs when make expands this recipe, i.e. only when the period is (re)built: the report
# target then says nothing more, so the run's own summary is the last line on the console
$(REPORT_OUT): $(INPUTS_STAMP) $(CODE_INPUTS) $(VENV_OK)
	$(eval REPORT_BUILT := yes)
	@$(PY) -m pipeline.orchestrate.run report --period $(call q,$(PERIOD)) --raw-dir $(call q,$(RAW_DIR))

$(INPUTS_STAMP):
	@echo ">> invoer van $(PERIOD): nieuw of gewijzigd | inputs of $(PERIOD): new or changed"
	@$(PYTHON) -I -S pipeline/orchestrate/make_inputs.py write $(INPUTS_ARGS)
endif

report: $(VENV_OK) $(REPORT_OUT) ## build one quarter's reports, when its inputs or the code changed: make report PERIOD=2021Q3 [RAW_DIR=path]
	$(if $(REPORT_BUILT),@:,@echo ">> "$(call q,$(REPORTS_ROOT)/$(PERIOD))" is actueel: exports en code ongewijzigd, niets te doen | is up to date: nothing to do")

verify: $(VENV_OK) ## rebuild one quarter in a temporary folder and compare it with the published one: make verify PERIOD=2021Q3
	@$(PY) -m pipeline.orchestrate.verify --period $(call q,$(PERIOD)) --raw-dir $(call q,$(RAW_DIR))

share: $(VENV_OK) ## per partner a package of what it may receive, plus verzendlijst.csv: make share PERIOD=2021Q3 (build/delen/<P>/)
	@$(PY) -m pipeline.orchestrate.share --period $(call q,$(PERIOD)) --raw-dir $(call q,$(RAW_DIR))

bench: $(VENV_OK) ## measure cold runs at SCALE=1 and 10 (BENCH_SCALE=100 adds 100) and print a table
	@$(PY) -m tools.bench --scales $(call q,1$(comma)10$(if $(BENCH_SCALE),$(comma)$(BENCH_SCALE)))

lab: $(VENV_OK) ## open the notebooks in JupyterLab on the project's environment
	SROI_RAW_DIR=$(call q,$(RAW_DIR)) $(PY) -m jupyterlab notebooks/

test: $(VENV_OK) ## run the whole test suite: unit and integration (builds periods, kernels, a browser)
	@$(PY) -m tools.test_deps
	$(PY) -m pytest -q

test-fast: $(VENV_OK) ## the unit tests only (-m "not slow"), on every core: under a minute
	$(PY) -m pytest -q -m "not slow" -n auto --dist worksteal tests/unit pipeline tools

lint: $(VENV_OK) ## ruff lint (with import order) and format check; notebooks committed without outputs
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m nbstripout --verify --keep-id notebooks/*.ipynb

demo-data: $(VENV_OK) ## regenerate the synthetic demo exports: make demo-data [SCALE=1] [RAW_DIR=data/raw]
	$(PY) -m pipeline.demo --raw-dir $(call q,$(RAW_DIR)) --scale $(call q,$(SCALE))

check-export: $(VENV_OK) ## pre-flight check of one export: make check-export FILE=x.xlsx PARTNER=id [PERIOD=2021Q3] [DATASET=inzet]
	@$(PY) -m pipeline.ingest.check_export --file $(call q,$(FILE)) --partner $(call q,$(PARTNER)) $(if $(DATASET),--dataset $(call q,$(DATASET))) $(if $(PERIOD),--period $(call q,$(PERIOD)))

screenshots: $(VENV_OK) ## PNGs of a built period's pages at 1280 px and their first two A4 pages, in build/screenshots/<P>: make screenshots PERIOD=2021Q3
	@echo ">> schermafdrukken van $(PERIOD) (headless Chromium) | screenshots"
	@$(PY) -m tools.screenshots --period $(call q,$(PERIOD))

# The delivery templates are generated from the export standard, the suites and the rate card
# (pipeline/ingest/templates.py): one XLSX per dataset, byte-identical on every run.
templates: $(VENV_OK) ## write the delivery templates, one XLSX per dataset, to build/templates/
	@$(PY) -m pipeline.ingest.templates --out build/templates

datadocs: $(VENV_OK) ## build Great Expectations Data Docs for the analyst (PERIOD=...)
	@echo ">> Great Expectations Data Docs voor $(PERIOD) (alleen voor de analist, niet voor partners)"
	@$(PY) -m pipeline.validate.datadocs --period $(call q,$(PERIOD))

clean: ## remove generated outputs (data/clean, reports); never touches data/raw
	@echo ">> removing generated outputs under data/clean/ and reports/"
	find data/clean reports -mindepth 1 -maxdepth 1 ! -name .gitkeep -exec rm -rf {} +

lock: ## re-resolve pyproject's dependencies into requirements.lock and environment.yml
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet $$($(PYTHON) -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; print(' '.join(p['dependencies'] + [d for extra in p['optional-dependencies'].values() for d in extra]))")
	# jsonschema's optional IRI format check (via jupyter-events) builds a grammar on every import
	# of nbformat: 2.7 s in each papermill, nbconvert and test process; nothing here validates IRIs
	.lock-venv/bin/pip uninstall --quiet --yes rfc3987-syntax lark
	.lock-venv/bin/pip check
	(echo "# Exact versions of every dependency: the single source of truth for the environment."; \
	 echo "# Regenerate with \`make lock\` (installs pyproject's dependencies and every extra in a scratch venv, freezes, adds PyPI's sha256 of every file)."; \
	 .lock-venv/bin/pip freeze | sort -f) > requirements.lock
	rm -rf .lock-venv
	$(PYTHON) tools/lockhashes.py requirements.lock
	$(MAKE) env-file

env-file: ## derive environment.yml (for conda users) from requirements.lock
	$(PYTHON) -m tools.envfile > environment.yml
