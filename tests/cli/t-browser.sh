#!/usr/bin/env bash
# The browser tests as a ctest test (cli-t-browser): see tests/browser/run.sh.
exec bash "$(dirname "$0")/../browser/run.sh"
