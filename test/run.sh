#!/usr/bin/env bash
# `npm test`: most files two at a time (mocha --parallel; the suite mostly waits on servers and timers), then the
# engine cluster files alone: their kill -9 cases time recovery against engine timers and fail on a loaded machine.
# Arguments (e.g. --reporter spec --forbid-only from .ci/run) go to both runs; the exit status is the first failure's.
set -u
cd "$(dirname "$0")/.."
alone='test/engine/cluster*.test.ts'
npx mocha --parallel --jobs 2 --ignore "$alone" "$@" 'test/**/*.test.ts'
first=$?
npx mocha "$@" "$alone"
second=$?
exit $(( first != 0 ? first : second ))
