# The developer tasks, one command each. See README.md.
.PHONY: setup dev test bench lint fmt fuzz

setup:
	@bash scripts/setup.sh

dev: setup
	@bash scripts/dev.sh

test: setup
	@bash scripts/test.sh

bench: setup
	@bash scripts/bench.sh

lint:
	@cargo fmt --all -- --check && cargo clippy --workspace --all-targets -- -D warnings

fmt:
	@cargo fmt --all && cargo fmt --manifest-path fuzz/Cargo.toml

fuzz: setup
	@bash scripts/fuzz.sh
