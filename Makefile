# The README's two commands: `make demo` and `make test`. Both set up the environment first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
DEMO   ?= demo

.PHONY: setup demo test lint unit bench clean chromium disktools pg-start pg-stop

# a private PostgreSQL 15 for the tests (scripts/pgtest.sh: Debian's server run as the postgres user, 127.0.0.1
# only, trust auth, a role and database `winnow`); `make unit` starts it, passes its URL in WINNOW_TEST_PG and
# stops it afterwards, also when tests fail
PG_PORT ?= 55432
PG_DATA ?= /tmp/winnow-pg-$(PG_PORT)

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

demo: $(STAMP)
	rm -rf $(DEMO)
	$(BIN)/winnow sample-data $(DEMO)/evidence --seed 1 --hashsets $(DEMO)/hashsets --story $(DEMO)/records
	$(BIN)/winnow case create $(DEMO)/case --name "Demo case" --examiner "Demo examiner"
	$(BIN)/winnow ingest $(DEMO)/evidence --case $(DEMO)/case
	$(BIN)/winnow hashset import $(DEMO)/hashsets/known_us.json --name demo-known --library $(DEMO)/library
	$(BIN)/winnow hashset import $(DEMO)/hashsets/icse.csv --name demo-icse --library $(DEMO)/library
	$(BIN)/winnow hashset import $(DEMO)/hashsets/NSRLFile.txt --name demo-nsrl --library $(DEMO)/library
	$(BIN)/winnow match --case $(DEMO)/case --library $(DEMO)/library --dihedral
	$(BIN)/winnow triage --case $(DEMO)/case --library $(DEMO)/library --queue $(DEMO)/queue.csv
	$(BIN)/winnow calls --case $(DEMO)/case --top 3
	$(BIN)/winnow chats import "$(DEMO)/records/chats/WhatsApp Chat with Rosa.txt" --case $(DEMO)/case --tz Europe/Paris --region PH --region FR
	$(BIN)/winnow payments import $(DEMO)/records/payments/transactions.csv --case $(DEMO)/case
	$(BIN)/winnow payments score --case $(DEMO)/case --top 3
	$(BIN)/winnow links --case $(DEMO)/case
	$(BIN)/winnow audit verify --case $(DEMO)/case
	$(BIN)/winnow report --case $(DEMO)/case
	@pw=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(12))'); \
	  echo "$$pw" | $(BIN)/winnow user add demo --role admin --case $(DEMO)/case --password-stdin >/dev/null && \
	  echo && $(BIN)/winnow findings --case $(DEMO)/case && \
	  echo "  demo login: demo / $$pw (made for this demo case; the app listens on 127.0.0.1 only)"

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

# the browser tests drive Debian's Chromium (never a downloaded browser)
chromium:
	@test -x /usr/bin/chromium || { SUDO=$$(test "$$(id -u)" = 0 || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# the disk-image tests build their images with Debian's tools (no mount needed)
DISKTOOLS := mkfs.fat:dosfstools mcopy:mtools debugfs:e2fsprogs sfdisk:fdisk mkntfs:ntfs-3g mkfs.exfat:exfatprogs \
             ewfacquire:ewf-tools qemu-img:qemu-utils genisoimage:genisoimage cryptsetup:cryptsetup-bin \
             tsk_recover:sleuthkit
disktools:
	@missing=$$(for t in $(DISKTOOLS); do PATH=$$PATH:/usr/sbin:/sbin command -v $${t%%:*} >/dev/null || echo $${t##*:}; done); \
	  if [ -n "$$missing" ]; then SUDO=$$(test "$$(id -u)" = 0 || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; fi

pg-start:
	@bash scripts/pgtest.sh start $(PG_DATA) $(PG_PORT)

pg-stop:
	@bash scripts/pgtest.sh stop $(PG_DATA)

unit: $(STAMP) chromium disktools
	bash scripts/pgtest.sh run $(PG_DATA) $(PG_PORT) $(BIN)/python -m pytest -q

test: lint unit

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/pdq.py
	$(BIN)/python benchmarks/pdq_index.py
	$(BIN)/python benchmarks/hashset_import.py
	$(BIN)/python benchmarks/video.py
	$(BIN)/python benchmarks/payments.py
	$(BIN)/python benchmarks/payments_scale.py
	$(BIN)/python benchmarks/payments_scale.py --family 0
	$(BIN)/python benchmarks/payments_scale.py --edges
	$(BIN)/python benchmarks/payments_heldout.py
	$(BIN)/python benchmarks/chats.py
	$(BIN)/python benchmarks/calls.py
	$(BIN)/python benchmarks/calls_realistic.py
	$(BIN)/python benchmarks/faces.py
	$(BIN)/python benchmarks/review.py
	$(BIN)/python benchmarks/disk.py
	$(BIN)/python benchmarks/neardup.py
	$(BIN)/python benchmarks/workspace_case.py
	$(BIN)/python benchmarks/workspace_money.py
	$(BIN)/python benchmarks/store_layer.py
	$(BIN)/python benchmarks/neardup_diag.py
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/executors.py
	$(BIN)/python benchmarks/scale_model.py --measure
	$(BIN)/python benchmarks/ingest_ab.py
	bash scripts/pgtest.sh run $(PG_DATA) $(PG_PORT) $(BIN)/python benchmarks/postgres.py
	bash scripts/pgtest.sh run $(PG_DATA) $(PG_PORT) $(BIN)/python benchmarks/case_copy.py

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .mypy_cache .ruff_cache
