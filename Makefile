# `make test` and `make demo` bootstrap .venv on first use (tools/bootstrap.sh; idempotent).
PY := .venv/bin/python
DEMO_CONFIG := configs/demo/maskrcnn_transxnet_t_toy-coco.py
DEMO_DIR := work_dirs/demo

.PHONY: env test demo toy-data clean

env:
	bash tools/bootstrap.sh

# Two workers for the two cores; one thread each, as are the training runs they start.
test: env
	OMP_NUM_THREADS=1 $(PY) -m pytest -n 2 tests

toy-data: env
	$(PY) tools/misc/make_toy_data.py

demo: toy-data
	$(PY) tools/train.py $(DEMO_CONFIG) --work-dir $(DEMO_DIR)
	$(PY) tools/misc/demo_report.py $(DEMO_CONFIG) $(DEMO_DIR) --out $(DEMO_DIR)/predictions.png

clean:
	rm -rf work_dirs data/toy
